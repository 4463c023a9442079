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

HEADER = b"registry-tool history index 2\n"  # 2: only <name>.yaml for a model name is a model file
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
    ~100 MB of text. They are read back from there when asked for: a first-parent walk
    never comes back to a commit, but a cut walk's questions after it (model by model)
    go down the same history on the same index, and each record is added once."""

    def __init__(self, path: Path, lines: _Records) -> None:
        self.path = path
        self._lines = lines  # the records read: commit id -> its line, parsed when asked for
        self._added: dict[bytes, int] = {}  # the commits of the records added -> where each line starts in the spill
        self._spill: IO[bytes] | None = None  # their lines, in order
        self._spilled = _Records(at=self._added)  # what reads them back (once there is a spill)
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
        data = self._raw(_key(commit))
        return parse_line(str(data, "utf-8", "surrogateescape"), only) if data is not None else None

    def skip(self, commit: str, only: str) -> tuple[str, int]:
        """Follows first parents from ``commit`` past the records that do not name the model
        file ``only``, up to the first that does, a root's, or a commit not recorded; returns
        that commit and how many were passed."""
        needle, key, passed = _needle(only).encode("utf-8", "surrogateescape"), _key(commit), 0
        while True:
            records = self._lines if key in self._lines else self._spill_records()
            key, moved, parent = records.follow(key, needle, len(self) - passed)  # bounded, whatever the file says
            passed += moved
            if parent is None or not self._has(parent) or passed >= len(self):
                return _str(key), passed
            key, passed = parent, passed + 1  # on in the other records (those read, those added)

    def _has(self, key: bytes) -> bool:
        return key in self._lines or key in self._added

    def _raw(self, key: bytes) -> bytes | None:
        """A commit's line as bytes: from the file read, else from those added."""
        data = self._lines.raw(key)
        if data is None and key in self._added:
            data = self._spill_records().raw(key)
        return data

    def _spill_records(self) -> _Records:
        if self._spill is not None:
            self._spill.flush()  # what is still buffered is read too
        return self._spilled

    def add(self, step: Step) -> None:
        key = _key(step.commit)
        if step.complete and not self._has(key):
            if self._spill is None:
                # open as long as the index: several walks may add to one, and each saves it
                self._spill = tempfile.TemporaryFile(prefix="registry-tool-index-")  # noqa: SIM115
                self._spilled = _Records(self._spill.fileno(), self._added, owned=False)
            self._added[key] = self._spill.tell()  # the end: a save seeks back there
            self._spill.write(step.line().encode("utf-8", "surrogateescape") + b"\n")

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


def _key(commit: str) -> bytes:
    return commit.encode("utf-8", "surrogateescape")


def _str(key: bytes) -> str:
    return str(key, "utf-8", "surrogateescape")


class _TooBig(Exception):
    """An index over MAX_BYTES: not written."""


def _pieces(lines: _Records, spill: IO[bytes]) -> Iterator[bytes]:
    """The file's header, the records read, then those added (read from ``spill``)."""
    yield HEADER
    yield from lines.pieces()
    while chunk := spill.read(1 << 20):
        yield chunk


class _Records:
    """The records of an index file: where each commit's line starts, the lines themselves
    left in the file and read from it when asked for (a block at a time: a walk asks for
    them in the order it wrote them). Holding the file's bytes cost its whole size for as
    long as the index was open: at 50,000 models a 99 MB file, and a warm ``history
    --limit 500`` peaked near 200 MB. The file stays open: a save replaces it by a rename,
    which leaves what this one reads as it was. Commit ids are kept as the file's bytes,
    never decoded: a walk follows ~100,000 of them at 50,000 models."""

    def __init__(self, fd: int | None = None, at: dict[bytes, int] | None = None, *, owned: bool = True) -> None:
        self._fd = fd
        if fd is not None and owned:
            weakref.finalize(self, os.close, fd)
        self._at = at if at is not None else {}  # commit id -> where its line starts (the last line for a commit)
        self._block, self._block_at = b"", 0  # the bytes last read, and where they start in the file

    def __len__(self) -> int:
        return len(self._at)

    def __contains__(self, commit: object) -> bool:
        return commit in self._at

    def raw(self, commit: bytes) -> bytes | None:
        """The commit's line, without its newline; None when there is none, or the file no
        longer holds it (changed in place behind the index's back: the walk then reads Git
        instead)."""
        where = self._at.get(commit)
        if where is None:
            return None
        data = self._bytes(where)
        if data is None or not data.startswith(commit) or data[len(commit):len(commit) + 1] not in (b" ", b""):
            return None
        return data

    def _bytes(self, at: int) -> bytes | None:
        """The line that starts at ``at``: from the block last read, else a block read from
        there (larger, for a line longer than a block); None when the file ends first."""
        offset = at - self._block_at
        if 0 <= offset < len(self._block) and (stop := self._block.find(b"\n", offset)) >= 0:
            return self._block[offset:stop]
        if self._fd is None:
            return None
        size = BLOCK
        while True:
            try:
                block = _pread(self._fd, size, at)
            except OSError:
                return None
            if (stop := block.find(b"\n")) >= 0:
                self._block, self._block_at = block, at
                return block[:stop]
            if len(block) < size:
                return None
            size *= 2

    def follow(self, commit: bytes, needle: bytes, most: int) -> tuple[bytes, int, bytes | None]:
        """:meth:`HistoryIndex.skip` in these records: follows first parents from ``commit``
        (at most ``most`` of them) while the line is here and does not hold ``needle``.
        Returns where it stopped, how many it passed, and the parent it stopped before when
        that is not here (it may be in other records). One loop on the block's bytes, no
        line copied: a walk for one model passes ~100,000 records at 50,000 models."""
        at, passed = self._at, 0
        while passed < most and (where := at.get(commit)) is not None:
            block, offset = self._block, where - self._block_at
            stop = block.find(b"\n", offset) if 0 <= offset < len(block) else -1
            if stop < 0:
                if self._bytes(where) is None:
                    break
                block, offset = self._block, where - self._block_at
                stop = block.find(b"\n", offset)
            end = offset + len(commit)  # where the commit id ends: a space, or not this record
            if not block.startswith(commit + b" ", offset) or block.find(needle, offset, stop) >= 0:
                break
            space = block.find(b" ", end + 1, stop)
            if space < 0 or (parent := block[end + 1:space]) == b"-":
                break
            if parent not in at:
                return commit, passed, parent
            commit, passed = parent, passed + 1
        return commit, passed, None

    def pieces(self) -> Iterator[bytes]:
        """The records, each commit's line once, for the file written anew, in batches."""
        batch = bytearray()
        for commit in self._at:
            data = self.raw(commit)
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
    was = os.lseek(fd, 0, os.SEEK_CUR)  # Windows: put back, since the spill is written where it stands
    try:
        os.lseek(fd, at, os.SEEK_SET)
        return os.read(fd, size)
    finally:
        os.lseek(fd, was, os.SEEK_SET)


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


def _scan(fd: int) -> dict[bytes, int]:
    """Where each commit's line starts in the index file open as ``fd``, its header and
    sha256 checked; raises _NotAnIndex when they do not check out."""
    size = os.fstat(fd).st_size
    tail = _pread(fd, min(size, SHA_LINE + 1), max(0, size - SHA_LINE - 1))
    last = tail.rfind(b"\n", 0, len(tail) - 1) + 1  # where the sha256 line starts in the tail
    end = size - len(tail) + last  # and in the file
    if size > MAX_BYTES or not tail.endswith(b"\n") or end < len(HEADER) or _pread(fd, len(HEADER), 0) != HEADER:
        raise _NotAnIndex
    digest = hashlib.sha256(HEADER)
    found: dict[bytes, int] = {}
    pending, base = b"", len(HEADER)  # a line not read to its end yet, and where it starts
    while (at := base + len(pending)) < end:
        chunk = _pread(fd, min(BLOCK * 4, end - at), at)
        if not chunk:
            raise _NotAnIndex  # cut short while read
        digest.update(chunk)
        if (start := chunk.find(b"\n")) < 0:
            pending += chunk  # a line longer than a piece
            continue
        _note(found, pending + chunk[:start], base)  # the line an earlier piece began
        start += 1
        while (stop := chunk.find(b"\n", start)) >= 0:  # the piece's own lines, none copied whole
            space = chunk.find(b" ", start, stop)  # the commit id ends there (or the line does)
            found[chunk[start:stop if space < 0 else space]] = at + start
            start = stop + 1
        pending, base = chunk[start:], at + start
    if pending or tail[last:-1] != b"sha256 " + digest.hexdigest().encode():
        raise _NotAnIndex
    return found


def _note(found: dict[bytes, int], line: bytes, at: int) -> None:
    """Where ``line`` (without its newline) starts: ``at``, under its commit id."""
    found[line.partition(b" ")[0]] = at
