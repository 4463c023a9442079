"""The history index: what each first-parent commit changed in the models folder, kept
between runs so a history walk need not read every commit's trees again.

Like Git's commit-graph, it is a cache of facts that never change: a commit's first
parent, its time, its ``registry.yaml`` blob and the model files
that differ from the first parent's (name, old blob, new blob) are fixed by the commit's
id. So a record, once written, is right for every later run and every branch; a walk
follows records from commit to first parent and reads Git objects only for commits not
recorded yet (new ones), whose records it then adds.

It lives in the repository's Git folder (``registry-tool/history-index``, beside what Git
keeps there), never in the work tree. It is a text file: a header naming the format, one
line per commit, and a sha256 of everything before it on the last line. A file that does
not check out (another format, a torn or edited file) is ignored and written anew; writes
go to a temporary file renamed into place, so two processes writing at once leave one
complete index. It is not used in a shallow clone (whose boundary may move), and not at
all when ``REGISTRY_TOOL_HISTORY_INDEX=0``. Deleting it is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO
from urllib.parse import quote, unquote

from registry_tool.errors import RegistryError
from registry_tool.snapshots.git import GitStore

HEADER = b"registry-tool history index 1\n"
FILE = Path("registry-tool") / "history-index"
MAX_BYTES = 128 * 1024 * 1024  # a bigger index is not read (nor grown)
BLOCK = 1 << 18  # how much of the file is read at once
SHA_LINE = len(b"sha256 ") + 64 + 1  # the last line: the file's sha256
ENV = "REGISTRY_TOOL_HISTORY_INDEX"
_OID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_ID_LENGTHS = (1, 40, 64)  # "-", a SHA-1 or a SHA-256 object id

Changed = tuple[str, str | None, str | None]  # model file name, blob before, blob after (None: absent)


@dataclass(slots=True)
class Step:
    """One commit of a first-parent walk, as the walk needs to know it."""

    commit: str
    parent: str | None  # its first parent; None for a root commit
    time: int  # commit time, seconds since the epoch
    policy: str | None  # the registry.yaml blob
    changed: tuple[Changed, ...]  # model files that differ from the first parent's (a root: all of them)
    complete: bool = True  # False: the first parent could not be read (a boundary); ``changed`` is unknown

    def line(self) -> str:
        fields = [self.commit, self.parent or "-", str(self.time), self.policy or "-"]
        for name, before, after in self.changed:
            fields += [quote(name, safe="", errors="surrogateescape"), before or "-", after or "-"]
        return " ".join(fields)


def parse_line(line: str, only: str | None = None) -> Step | None:
    """A record, or None when the line is not one. ``only``: a model file name; the changes
    of a line that does not name it are left out unread (a walk for one model skips them)."""
    if only is not None and _needle(only) not in line:  # the common case: keep it cheap
        return _header_only(line)
    fields = line.split(" ")
    if len(fields) < 4 or (len(fields) - 4) % 3 or not _OID.fullmatch(fields[0]) or not fields[2].isdigit():
        return None
    ids = [fields[1], fields[3]] + [f for i, f in enumerate(fields[4:]) if i % 3]
    if not all(map(_is_id, ids)):
        return None
    changed = tuple((unquote(fields[i], errors="surrogateescape"), _opt(fields[i + 1]), _opt(fields[i + 2]))
                    for i in range(4, len(fields), 3))
    return Step(fields[0], _opt(fields[1]), int(fields[2]), _opt(fields[3]), changed)


def _header_only(line: str) -> Step | None:
    """A record's commit, parent, time and policy, its changes left unread."""
    head = line.split(" ", 4)
    if len(head) < 4 or (line.count(" ") - 3) % 3 or len(head[1]) not in _ID_LENGTHS or not head[2].isdigit():
        return None
    return Step(head[0], _opt(head[1]), int(head[2]), _opt(head[3]), ())


@lru_cache(maxsize=8)
def _needle(name: str) -> str:
    return f" {quote(name, safe='', errors='surrogateescape')} "


def _is_id(field: str) -> bool:
    return field == "-" or _OID.fullmatch(field) is not None


def _opt(field: str) -> str | None:
    return None if field == "-" else field


class HistoryIndex:
    """The records of one repository: read once, looked up by commit id, saved when grown.

    The records a walk adds go to an unnamed temporary file until :meth:`save`, not to
    memory: a whole-registry walk in a fresh clone of 50,000 models adds ~100,000 records,
    ~100 MB of text. They are not looked up again by the walk that adds them (a
    first-parent walk never comes back to a commit; a later command opens the saved
    index); another walk on the same index (a cut walk's questions, model by model)
    reads them again, and they are recorded once."""

    def __init__(self, path: Path, lines: _Records) -> None:
        self.path = path
        self._lines = lines  # the records read: commit id -> its line, parsed when asked for
        self._added: set[str] = set()  # the commits of the records added
        self._spill: IO[bytes] | None = None  # their lines, in order
        self._saved = 0  # how many of them the file has

    @classmethod
    def open(cls, store: GitStore) -> HistoryIndex | None:
        """The repository's index (empty when there is none yet), or None when it is not
        to be used: turned off, or a shallow clone."""
        if os.environ.get(ENV, "1") == "0" or store.repo.is_shallow:
            return None
        path = git_common_dir(store) / FILE
        return cls(path, _read(path))

    def __len__(self) -> int:
        return len(self._lines) + len(self._added)

    def get(self, commit: str, only: str | None = None) -> Step | None:
        """The record of a commit (see :func:`parse_line` for ``only``), or None."""
        line = self._lines.line(commit)
        return parse_line(line, only) if line is not None else None

    def skip(self, commit: str, only: str) -> tuple[str, int]:
        """Follows first parents from ``commit`` past the records that do not name the model
        file ``only``, up to the first that does, a root's, or a commit not recorded; returns
        that commit and how many were passed."""
        needle, lines = _needle(only), self._lines
        for passed in range(len(lines)):  # bounded, whatever the file says
            line = lines.line(commit)
            if line is None or needle in line:
                return commit, passed
            parent = line.split(" ", 2)[1]
            if parent == "-" or parent not in lines:
                return commit, passed
            commit = parent
        return commit, len(lines)

    def add(self, step: Step) -> None:
        if step.complete and step.commit not in self._lines and step.commit not in self._added:
            if self._spill is None:
                # open as long as the index: several walks may add to one, and each saves it
                self._spill = tempfile.TemporaryFile(prefix="registry-tool-index-")  # noqa: SIM115
            self._spill.write(step.line().encode("utf-8", "surrogateescape") + b"\n")
            self._added.add(step.commit)

    def save(self) -> None:
        """Write the index with what was added, if anything was, streamed (the records read
        and then those added, as they were added); a cache that cannot be written (a
        read-only repository, a full disk) or would be too big is simply not kept. Saved
        again (several walks on one index), it writes everything added so far."""
        spill = self._spill
        if spill is None or self._saved == len(self._added):
            return
        from registry_tool.atomic import atomic_write

        spill.seek(0)
        try:
            with contextlib.suppress(RegistryError, _TooBig, _NotAnIndex):
                atomic_write(self.path, self._body(spill), display=str(self.path))
                self._saved = len(self._added)
        finally:
            spill.seek(0, os.SEEK_END)  # where the next record is written

    @property
    def unsaved(self) -> int:
        """Records added that the file does not hold (not saved yet, or it could not be written)."""
        return len(self._added) - self._saved

    def _body(self, spill: IO[bytes]) -> Iterator[bytes]:
        digest, size = hashlib.sha256(), 0
        for piece in _pieces(self._lines, spill):
            size += len(piece)
            if size > MAX_BYTES:
                raise _TooBig
            digest.update(piece)
            yield piece
        yield b"sha256 " + digest.hexdigest().encode() + b"\n"


class _TooBig(Exception):
    """An index over MAX_BYTES: not written."""


def _pieces(lines: _Records, spill: IO[bytes]) -> Iterator[bytes]:
    """The file's header, the records read, then those added (read from ``spill``)."""
    yield HEADER
    yield from lines.pieces()
    while chunk := spill.read(1 << 20):
        yield chunk


class _Records:
    """The records of an index file: where each commit's line is, the lines themselves left
    in the file and read from it when asked for (a block at a time: a walk asks for them in
    the order it wrote them). Holding the file's bytes cost its whole size for as long as
    the index was open: at 50,000 models a 99 MB file, and a warm ``history --limit 500``
    peaked near 200 MB. The file stays open: a save replaces it by a rename, which leaves
    what this one reads as it was."""

    def __init__(self, fd: int | None = None, at: dict[str, int] | None = None) -> None:
        self._fd = fd
        if fd is not None:
            weakref.finalize(self, os.close, fd)
        self._at = at if at is not None else {}  # commit id -> its line's offset << 32 | its length (the last line for a commit)
        self._block, self._block_at = b"", 0  # the bytes last read, and where they start in the file

    def __len__(self) -> int:
        return len(self._at)

    def __contains__(self, commit: object) -> bool:
        return commit in self._at

    def line(self, commit: str) -> str | None:
        """The commit's line; None when there is none, or the file no longer holds it
        (changed in place behind the index's back: the walk then reads Git instead)."""
        where = self._at.get(commit)
        if where is None:
            return None
        data = self._bytes(where)
        if data is None or not data.startswith(commit.encode("utf-8", "surrogateescape")):
            return None
        return str(data, "utf-8", "surrogateescape")

    def _bytes(self, where: int) -> bytes | None:
        at, length = where >> 32, where & 0xFFFFFFFF
        offset = at - self._block_at
        if offset < 0 or offset + length > len(self._block):
            if self._fd is None:
                return None
            try:
                self._block = _pread(self._fd, max(length, BLOCK), at)
            except OSError:
                return None
            self._block_at, offset = at, 0
            if length > len(self._block):
                return None
        return self._block[offset:offset + length]

    def pieces(self) -> Iterator[bytes]:
        """The records, each commit's line once, for the file written anew, in batches."""
        batch = bytearray()
        for where in self._at.values():
            data = self._bytes(where)
            if data is None:
                raise _NotAnIndex  # the file changed under the index: write none rather than a torn one
            batch += data + b"\n"
            if len(batch) >= BLOCK:
                yield bytes(batch)
                batch.clear()
        yield bytes(batch)


def git_common_dir(store: GitStore) -> Path:
    """The Git folder shared by all work trees (a linked work tree's own points there)."""
    own = Path(store.repo.path)
    try:
        return (own / (own / "commondir").read_text().strip()).resolve()
    except OSError:
        return own


def _pread(fd: int, size: int, at: int) -> bytes:
    """Up to ``size`` bytes of the file from offset ``at`` (``os.pread`` is POSIX only)."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, at)
    os.lseek(fd, at, os.SEEK_SET)  # pragma: no cover - Windows
    return os.read(fd, size)  # pragma: no cover


def open_regular(path: Path) -> int | None:
    """A descriptor to read ``path`` when it is a regular file (links followed), else None.
    What is in the Git folder's ``registry-tool/`` may come from a CI cache restored there:
    a FIFO would block a plain open until something wrote to it, a device never ends."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError:
        regular = False
    if not regular:
        os.close(fd)
        return None
    return fd


def _read(path: Path) -> _Records:
    """The records of an index file; none when it is missing or does not check out. The
    file is read once, in blocks, to check its sha256 and find where each line is."""
    fd = open_regular(path)
    if fd is None:
        return _Records()
    try:
        at = _scan(fd)
    except (OSError, _NotAnIndex):
        os.close(fd)
        return _Records()
    return _Records(fd, at)


class _NotAnIndex(Exception):
    """The file is not a whole index of this format."""


def _scan(fd: int) -> dict[str, int]:
    """Each commit's line (offset << 32 | length) in the index file open as ``fd``, its
    header and sha256 checked; raises _NotAnIndex when they do not check out."""
    size = os.fstat(fd).st_size
    tail = _pread(fd, min(size, SHA_LINE + 1), max(0, size - SHA_LINE - 1))
    last = tail.rfind(b"\n", 0, len(tail) - 1) + 1  # where the sha256 line starts in the tail
    end = size - len(tail) + last  # and in the file
    if size > MAX_BYTES or not tail.endswith(b"\n") or end < len(HEADER) or _pread(fd, len(HEADER), 0) != HEADER:
        raise _NotAnIndex
    digest, found = hashlib.sha256(HEADER), {}
    pending, base = b"", len(HEADER)  # a line not read to its end yet, and where it starts
    while base + len(pending) < end:
        chunk = _pread(fd, min(BLOCK * 4, end - base - len(pending)), base + len(pending))
        if not chunk:
            raise _NotAnIndex  # cut short while read
        digest.update(chunk)
        pending += chunk
        start = 0
        while (stop := pending.find(b"\n", start)) >= 0:
            space = pending.find(b" ", start, stop)  # the commit id ends there (or the line does)
            found[str(pending[start:stop if space < 0 else space], "utf-8", "surrogateescape")] = (base + start) << 32 | (stop - start)
            start = stop + 1
        pending, base = pending[start:], base + start
    if pending or tail[last:-1] != b"sha256 " + digest.hexdigest().encode():
        raise _NotAnIndex
    return found
