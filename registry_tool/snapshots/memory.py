"""A registry held in memory: the Snapshot interface over a mapping of paths to bytes.

For text that is not (or not yet) anywhere on disk or in Git: an edit about to be
written, files produced by a generator, a test's model file. Every name is a regular
file; a path with more parts below a models directory shows there as a folder, as it
would on disk.
"""

from __future__ import annotations

from collections.abc import Mapping

from registry_tool.core.policy import POLICY_FILE
from registry_tool.errors import RegistryError
from registry_tool.snapshots.base import (
    Entry,
    EntryKind,
    FolderChange,
    Snapshot,
    git_blob_id,
)


class MemorySnapshot:
    """Files by repository-relative POSIX path (``models/faq-bot.yaml``); text is stored
    as UTF-8."""

    def __init__(self, files: Mapping[str, bytes | str], label: str = "memory") -> None:
        self._files = {_checked(path): data.encode("utf-8") if isinstance(data, str) else bytes(data)
                       for path, data in files.items()}
        self._label = label
        for path in self._files:
            parts = path.split("/")
            for depth in range(1, len(parts)):
                if "/".join(parts[:depth]) in self._files:
                    raise ValueError(f"{path!r}: {'/'.join(parts[:depth])!r} is a file, not a folder")

    @property
    def label(self) -> str:
        return self._label

    @property
    def commit_id(self) -> str | None:
        return None

    @property
    def files(self) -> Mapping[str, bytes]:
        return dict(self._files)

    def changed(self, changes: Mapping[str, bytes | str | None], label: str | None = None) -> MemorySnapshot:
        """A new snapshot with ``changes`` applied: a path to its new bytes, or to None to remove it."""
        files: dict[str, bytes | str] = {**self._files}
        for path, data in changes.items():
            if data is None:
                files.pop(path, None)
            else:
                files[path] = data
        return MemorySnapshot(files, self._label if label is None else label)

    def policy_entry(self) -> Entry | None:
        if POLICY_FILE in self._files:
            return self._file(POLICY_FILE, POLICY_FILE)
        if any(path.startswith(POLICY_FILE + "/") for path in self._files):
            return Entry(POLICY_FILE, POLICY_FILE, EntryKind.DIRECTORY)
        return None

    def entries(self, models_dir: str) -> list[Entry]:
        parts = models_dir.split("/")
        for depth in range(1, len(parts) + 1):
            if "/".join(parts[:depth]) in self._files:
                raise RegistryError(f"{models_dir}: the models directory is a file, not a directory")
        prefix = models_dir + "/"
        found: dict[str, Entry] = {}
        for path in self._files:
            if not path.startswith(prefix):
                continue
            name, _, below = path[len(prefix):].partition("/")
            if below:
                found[name] = Entry(name, prefix + name, EntryKind.DIRECTORY)
            else:
                found[name] = self._file(name, path)
        return [found[name] for name in sorted(found)]

    def size(self, entry: Entry) -> int:
        return len(self._data(entry))

    def read(self, entry: Entry) -> bytes:
        return self._data(entry)

    def blob_id(self, entry: Entry) -> str:
        return entry.blob_id or git_blob_id(self._data(entry))

    def folder_change(self, base: Snapshot, models_dir: str) -> FolderChange | None:
        return None  # no tree ids: the change is found by listing both sides

    def _file(self, name: str, path: str) -> Entry:
        data = self._files[path]
        return Entry(name, path, EntryKind.FILE, size=len(data), blob_id=git_blob_id(data))

    def _data(self, entry: Entry) -> bytes:
        try:
            return self._files[entry.path]
        except KeyError:
            raise RegistryError(f"{entry.path}: not a file in {self._label}") from None


def _checked(path: str) -> str:
    """A repository-relative POSIX path: no leading '/', no empty, '.' or '..' parts."""
    if not path or any(part in ("", ".", "..") for part in path.split("/")):
        raise ValueError(f"not a repository-relative path: {path!r}")
    return path
