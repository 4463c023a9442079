"""The working tree as a registry snapshot: model files read from disk."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from registry_tool.core.policy import POLICY_FILE
from registry_tool.errors import RegistryError
from registry_tool.snapshots.base import (
    Entry,
    EntryKind,
    FolderChange,
    Snapshot,
    git_blob_id,
)
from registry_tool.snapshots.git import GitStore, Unusable


def discover_worktree(start: Path | None, *, instead: str) -> tuple[GitStore | None, Path]:
    """The Git repository around ``start`` (default: the current folder) and its work
    tree's root, or no repository and the folder itself when it is in none. A bare
    repository has no files: the error says what to do ``instead``."""
    folder = start or Path(".")
    try:
        store = GitStore.discover(folder)
    except Unusable:
        raise
    except RegistryError:
        if not folder.is_dir():
            raise
        return None, folder.resolve()
    return store, store.work_tree(instead)


class WorktreeSnapshot:
    """The files on disk under ``root`` (the repository's work tree, or any folder)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def label(self) -> str:
        return "working tree"

    @property
    def commit_id(self) -> str | None:
        return None

    def policy_entry(self) -> Entry | None:
        path = self.root / POLICY_FILE
        if not path.exists() and not path.is_symlink():
            return None
        return entry_of(path, POLICY_FILE)

    def entries(self, models_dir: str) -> list[Entry]:
        folder = self.root / models_dir
        _refuse_links(self.root, models_dir)
        try:
            scanned = list(os.scandir(folder))
        except FileNotFoundError:
            return []
        except NotADirectoryError:
            raise RegistryError(f"{models_dir}: the models directory is a file, not a directory") from None
        except OSError as exc:
            raise RegistryError(f"{models_dir}: cannot list the models directory: {exc.strerror}") from None
        return sorted((entry_of(Path(item.path), f"{models_dir}/{item.name}") for item in scanned), key=lambda e: e.name)

    def size(self, entry: Entry) -> int:
        return entry.size if entry.size is not None else entry_of(self.root / entry.path, entry.path).size or 0

    def read(self, entry: Entry) -> bytes:
        return _read(self.root / entry.path, entry.path)

    def folder_change(self, base: Snapshot, models_dir: str) -> FolderChange | None:
        return None  # files on disk carry no tree ids: the change is found by listing

    def blob_id(self, entry: Entry) -> str:
        return entry.blob_id or git_blob_id(self.read(entry))


def _refuse_links(root: Path, models_dir: str) -> None:
    """A symlink on the way to the models directory would be followed here but committed
    as a link: the working tree would pass while the commit holds no model files."""
    walked = root
    for part in models_dir.split("/"):
        walked = walked / part
        if walked.is_symlink():
            shown = walked.relative_to(root).as_posix()
            raise RegistryError(f"{shown}: is a symbolic link (Git stores the link, not the files it points to); "
                                f"the models directory ({models_dir}) must be a real folder")


def entry_of(path: Path, display: str) -> Entry:
    """Classify one path on disk without following symlinks."""
    try:
        st = path.lstat()
    except OSError as exc:
        raise RegistryError(f"{display}: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        kind = EntryKind.SYMLINK
    elif stat.S_ISDIR(st.st_mode):
        kind = EntryKind.SUBMODULE if (path / ".git").exists() else EntryKind.DIRECTORY
    elif stat.S_ISREG(st.st_mode):
        kind = EntryKind.FILE
    else:
        kind = EntryKind.OTHER
    return Entry(name=path.name, path=display, kind=kind, size=st.st_size if kind is EntryKind.FILE else None)


def _read(path: Path, display: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except IsADirectoryError:
        raise RegistryError(f"{display}: is a directory, not a file") from None
    except OSError as exc:
        raise RegistryError(f"{display}: cannot read: {exc.strerror}") from None
