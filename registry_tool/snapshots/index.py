"""Git's index (the staging area) as a registry snapshot: what the next commit will hold.

``validate --staged`` (the pre-commit hook) judges this snapshot against HEAD, so a
commit is judged by exactly what it will contain, whatever the working tree holds beside
it. Every byte is read from the object database by the ids the index records; nothing is
written. The index file is the one Git uses for the commit being made: ``GIT_INDEX_FILE``
when Git sets it (``git commit -a``, ``git commit PATH`` use a temporary index), else the
repository's own.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Callable
from pathlib import Path

import pygit2
from pygit2.ffi import C, ffi

from registry_tool.core.names import fold
from registry_tool.core.policy import POLICY_FILE
from registry_tool.errors import RegistryError
from registry_tool.snapshots import tree_lookup
from registry_tool.snapshots.base import Entry, EntryKind, FolderChange, Snapshot, git_order
from registry_tool.snapshots.git import KIND_BY_MODE, NOT_A_FOLDER, CommitSnapshot, GitStore


def index_path(store: GitStore) -> Path:
    """The index file of the commit being made (``GIT_INDEX_FILE``, relative to the
    current folder as Git sets it for hooks, or the repository's own)."""
    override = os.environ.get("GIT_INDEX_FILE")
    if override:
        return Path(override).resolve()
    return Path(store.repo.path) / "index"


class IndexSnapshot:
    """The registry as staged: each path's blob as the index records it."""

    def __init__(self, store: GitStore, path: Path | None = None) -> None:
        self.store = store
        self.path = path or index_path(store)
        try:
            index = pygit2.Index(str(self.path)) if self.path.exists() else pygit2.Index()
        except (pygit2.GitError, OSError) as exc:
            raise RegistryError(f"cannot read the Git index {self.path}: {exc}{_hint(exc)}") from None
        if index.conflicts is not None:
            raise RegistryError("the Git index has unresolved merge conflicts: resolve them (git add) before validating "
                                "what is staged")
        self._index = index
        self._all: dict[str, tuple[str, int]] | None = None

    @property
    def _entries(self) -> dict[str, tuple[str, int]]:
        """Every staged path: (blob id, mode). Read on first use: a change against a commit
        looks its few paths up instead (:meth:`folder_change`)."""
        if self._all is None:
            index = self._index
            self._all = {entry.path: (str(entry.id), int(entry.mode)) for position, entry in enumerate(index)
                         if entry.id != EMPTY_BLOB or not _intent_to_add(index, position)}
        return self._all

    def _lookup(self, path: str) -> tuple[str, int] | None:
        """One staged path's (blob id, mode), found by Git's own lookup (None: not staged,
        or only marked to be added)."""
        if self._all is not None:
            return self._all.get(path)
        entry = C.git_index_get_bypath(self._index._index, _key(path), 0)
        if entry == ffi.NULL:
            return None
        oid = bytes(ffi.buffer(ffi.addressof(entry, "id"))[:]).hex()
        if oid == str(EMPTY_BLOB) and entry.flags_extended & INTENT_TO_ADD:
            return None
        return oid, int(entry.mode)

    @property
    def label(self) -> str:
        return "index"

    @property
    def commit_id(self) -> str | None:
        return None

    def policy_entry(self) -> Entry | None:
        found = self._lookup(POLICY_FILE)
        if found is None:
            return None
        return Entry(name=POLICY_FILE, path=POLICY_FILE, kind=KIND_BY_MODE.get(found[1], EntryKind.OTHER), blob_id=found[0])

    def entries(self, models_dir: str) -> list[Entry]:
        prefix = models_dir + "/"
        self._refuse_files_on_the_way(models_dir)
        found: dict[str, Entry] = {}
        for path, (oid, mode) in self._entries.items():
            if not path.startswith(prefix):
                continue
            name, sep, _ = path[len(prefix):].partition("/")
            if sep:
                found.setdefault(name, Entry(name=name, path=prefix + name, kind=EntryKind.DIRECTORY))
            else:
                found[name] = Entry(name=name, path=path, kind=KIND_BY_MODE.get(mode, EntryKind.OTHER), blob_id=oid)
        return [found[name] for name in sorted(found)]

    def _refuse_files_on_the_way(self, models_dir: str) -> None:
        """A file, symlink or submodule staged where the models directory (or a folder on
        the way to it) should be: the commit would hold no models directory."""
        for step in _steps(models_dir):
            found = self._lookup(step)
            if found is not None:
                kind = KIND_BY_MODE.get(found[1], EntryKind.OTHER)
                raise RegistryError(f"{step} in the index: {NOT_A_FOLDER.get(kind, 'is not a directory')}; "
                                    f"the models directory ({models_dir}) must be a real folder")

    def size(self, entry: Entry) -> int:
        return self.store.blob_size(entry.blob_id or "", entry.path)

    def read(self, entry: Entry) -> bytes:
        return self.store.read_blob(entry.blob_id or "", entry.path)

    def blob_id(self, entry: Entry) -> str:
        return entry.blob_id or ""

    def folder_change(self, base: Snapshot, models_dir: str) -> FolderChange | None:
        """The names of the models directory that differ from a commit's (``base``), found
        with libgit2's diff of its tree against the index (unchanged names are never
        listed; the pre-commit hook at 50,000 models read every staged path, ~0.9 s), then
        each looked up on both sides. None for any other base: the change is found by
        listing (ids only, nothing read)."""
        if not isinstance(base, CommitSnapshot) or base.store is not self.store:
            return None
        self._refuse_files_on_the_way(models_dir)
        try:
            deltas = base.root().diff_to_index(self._index).deltas
        except pygit2.GitError:
            raise self.store.missing(f"the tree of commit {base.label}", base.commit.tree_id) from None
        prefix = models_dir + "/"
        names = {path[len(prefix):].partition("/")[0] for delta in deltas
                 for path in (delta.old_file.path, delta.new_file.path) if path.startswith(prefix)}
        level = _Level(self._index, prefix)
        old = base.folder_entries(models_dir, sorted(names))
        pairs = {name: (old[name], level.entry(name, self._lookup)) for name in sorted(names)}
        return FolderChange(None, None, {name: pair for name, pair in pairs.items() if pair != (None, None)},
                            lambda wanted: level.namesakes(wanted, self._lookup))


EMPTY_BLOB = pygit2.Oid(hex="e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
INTENT_TO_ADD = 1 << 13  # libgit2's GIT_INDEX_ENTRY_INTENT_TO_ADD, in an entry's extended flags


def _intent_to_add(index: pygit2.Index, position: int) -> bool:
    """Whether the entry at ``position`` only says a file will be added (``git add -N``):
    it holds the empty blob, and the commit being made does not hold the file (git commit
    and git write-tree skip it). pygit2's entries do not carry the flag: libgit2's own
    entry is read."""
    entry = C.git_index_get_byindex(index._index, position)
    return bool(entry.flags_extended & INTENT_TO_ADD)


def _hint(exc: Exception) -> str:
    """What to do about an index libgit2 cannot read."""
    if "'sdir'" in str(exc):  # git sparse-checkout --sparse-index: folders stand for their files
        return ("; it is a sparse index, which libgit2 cannot read: git sparse-checkout set --no-sparse-index "
                "expands it (the checkout stays sparse)")
    return ""


def _key(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")


class _Level(tree_lookup.SortedKeys):
    """The index's entries under one folder (``prefix``, e.g. ``models/``) as the sorted keys
    of that folder's level: a file's name, or a subfolder's name and '/' (once for each
    path in it: the index lists files, not folders). Git keeps the index sorted by path,
    so the level is one run of it, found by bisection."""

    def __init__(self, index: pygit2.Index, prefix: str) -> None:
        self.index = index
        self.prefix = _key(prefix)
        total = len(index)
        start = bisect.bisect_left(_Paths(index), self.prefix, 0, total)
        end = bisect.bisect_left(_Paths(index), self.prefix[:-1] + b"0", start, total)  # '0' follows '/'
        super().__init__(end - start)
        self.start = start

    def key(self, index: int) -> bytes:
        rest = _path_at(self.index, self.start + index)[len(self.prefix):]
        name, slash, _ = rest.partition(b"/")
        return name + slash

    def entry(self, name: str, lookup: Callable[[str], tuple[str, int] | None]) -> Entry | None:
        """The entry of ``name`` on this level: a staged file, a folder with files staged in
        it, or None."""
        path = self.prefix.decode("utf-8", "surrogateescape") + name
        found = lookup(path)
        if found is not None:
            return Entry(name=name, path=path, kind=KIND_BY_MODE.get(found[1], EntryKind.OTHER), blob_id=found[0])
        key = _key(name) + b"/"
        at = self.first(key, 0, self.size)
        return Entry(name=name, path=path, kind=EntryKind.DIRECTORY) if at < self.size and self[at] == key else None

    def namesakes(self, names: list[str], lookup: Callable[[str], tuple[str, int] | None]) -> list[Entry]:
        """The entries of this level whose names fold like one of ``names``, in Git's order."""
        wanted = {fold(name) for name in names}
        found = {self[i].rstrip(b"/").decode("utf-8", "surrogateescape") for i in tree_lookup.candidates(self, names)}
        entries = [self.entry(name, lookup) for name in found if fold(name) in wanted]
        return sorted((e for e in entries if e is not None), key=git_order)


class _Paths:
    """Every path of the index as a sequence, for bisection."""

    def __init__(self, index: pygit2.Index) -> None:
        self.index = index

    def __getitem__(self, position: int) -> bytes:
        return _path_at(self.index, position)


def _path_at(index: pygit2.Index, position: int) -> bytes:
    return bytes(ffi.string(C.git_index_get_byindex(index._index, position).path))


def _steps(models_dir: str) -> list[str]:
    """models_dir and each folder on the way to it: ml, ml/models."""
    parts = models_dir.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
