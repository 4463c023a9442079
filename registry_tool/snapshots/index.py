"""Git's index (the staging area) as a registry snapshot: what the next commit will hold.

``validate --staged`` (the pre-commit hook) judges this snapshot against HEAD, so a
commit is judged by exactly what it will contain, whatever the working tree holds beside
it. Every byte is read from the object database by the ids the index records; nothing is
written. The index file is the one Git uses for the commit being made: ``GIT_INDEX_FILE``
when Git sets it (``git commit -a``, ``git commit PATH`` use a temporary index), else the
repository's own.
"""

from __future__ import annotations

import os
from pathlib import Path

import pygit2
from pygit2.ffi import C

from registry_tool.core.policy import POLICY_FILE
from registry_tool.errors import RegistryError
from registry_tool.snapshots.base import Entry, EntryKind, FolderChange, Snapshot
from registry_tool.snapshots.git import KIND_BY_MODE, NOT_A_FOLDER, GitStore


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
            raise RegistryError(f"cannot read the Git index {self.path}: {exc}") from None
        if index.conflicts is not None:
            raise RegistryError("the Git index has unresolved merge conflicts: resolve them (git add) before validating "
                                "what is staged")
        self._entries = {entry.path: (str(entry.id), int(entry.mode)) for position, entry in enumerate(index)
                         if entry.id != EMPTY_BLOB or not _intent_to_add(index, position)}

    @property
    def label(self) -> str:
        return "index"

    @property
    def commit_id(self) -> str | None:
        return None

    def policy_entry(self) -> Entry | None:
        found = self._entries.get(POLICY_FILE)
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
            found = self._entries.get(step)
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
        return None  # the index has no tree ids: the change is found by listing (ids only, nothing read)


EMPTY_BLOB = pygit2.Oid(hex="e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
INTENT_TO_ADD = 1 << 13  # libgit2's GIT_INDEX_ENTRY_INTENT_TO_ADD, in an entry's extended flags


def _intent_to_add(index: pygit2.Index, position: int) -> bool:
    """Whether the entry at ``position`` only says a file will be added (``git add -N``):
    it holds the empty blob, and the commit being made does not hold the file (git commit
    and git write-tree skip it). pygit2's entries do not carry the flag: libgit2's own
    entry is read."""
    entry = C.git_index_get_byindex(index._index, position)
    return bool(entry.flags_extended & INTENT_TO_ADD)


def _steps(models_dir: str) -> list[str]:
    """models_dir and each folder on the way to it: ml, ml/models."""
    parts = models_dir.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
