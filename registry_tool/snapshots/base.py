"""What every registry snapshot offers, whether a commit or the working tree.

The validator, the read path and history work on this interface only; the Git store
(:mod:`registry_tool.gitstore`) and the working tree (:mod:`registry_tool.worktree`)
implement it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Final, NamedTuple, Protocol

from registry_tool.core.names import fold, is_model_file_name, model_name


class EntryKind(str, Enum):
    FILE = "file"
    SYMLINK = "symlink"
    DIRECTORY = "directory"
    SUBMODULE = "submodule"
    OTHER = "other"


class Entry(NamedTuple):
    """One name in the models directory."""

    name: str
    path: str  # repository-relative, POSIX separators
    kind: EntryKind
    size: int | None = None
    blob_id: str | None = None  # known up front for commits; computed on demand for files on disk

    @property
    def stem(self) -> str:
        return model_name(self.name)

    @property
    def is_model_file(self) -> bool:
        """A regular file named <name>.yaml for a model name (``FOO.yaml`` and ``.yaml`` are not)."""
        return self.kind is EntryKind.FILE and is_model_file_name(self.name)


class Snapshot(Protocol):
    """A registry as of one state: a commit, or the files on disk."""

    @property
    def label(self) -> str: ...

    @property
    def commit_id(self) -> str | None: ...

    def policy_entry(self) -> Entry | None:
        """registry.yaml at the root, or None when there is none."""

    def entries(self, models_dir: str) -> list[Entry]:
        """Every name in the models directory, sorted by name (empty when it is missing)."""

    def size(self, entry: Entry) -> int:
        """The size in bytes of a file entry, without reading it."""

    def read(self, entry: Entry) -> bytes:
        """The bytes of a file entry."""

    def blob_id(self, entry: Entry) -> str:
        """Git's object id of the entry's bytes, to tell changed files from unchanged ones."""

    def folder_change(self, base: Snapshot, models_dir: str) -> FolderChange | None:
        """What differs in the models directory since ``base``, when this snapshot can tell
        without listing it (two commits of one repository); None otherwise."""


def git_order(entry: Entry) -> bytes:
    """Git's tree order: by bytes, a folder as if its name ended in '/'."""
    return (entry.name + ("/" if entry.kind is EntryKind.DIRECTORY else "")).encode("utf-8", "surrogateescape")


class FolderChange:
    """The names of a models directory that differ between a base and a head."""

    __slots__ = ("base_folder", "entries", "head_folder", "head_namesakes")

    def __init__(self, base_folder: str | None, head_folder: str | None,
                 entries: dict[str, tuple[Entry | None, Entry | None]],
                 head_namesakes: Callable[[list[str]], list[Entry]] | None = None) -> None:
        self.base_folder: Final = base_folder  # the folder's tree id on each side (None: absent)
        self.head_folder: Final = head_folder
        self.entries: Final = entries  # name -> (base entry, head entry); None: absent there
        # the head's entries whose names fold like the given ones, found without listing the folder (None: list it)
        self.head_namesakes: Final = head_namesakes


def named(snapshot: Snapshot, models_dir: str, name: str) -> list[Entry]:
    """The entries of the models directory called ``name``, in listing order (two only in
    a malformed Git tree that lists a name twice). A commit looks the name up in its tree;
    other snapshots list the folder."""
    lookup: Callable[[str, str], list[Entry]] | None = getattr(snapshot, "named", None)
    if lookup is not None:
        return lookup(models_dir, name)
    return [e for e in snapshot.entries(models_dir) if e.name == name]


def namesakes(snapshot: Snapshot, models_dir: str, names: list[str]) -> list[Entry]:
    """The entries of the models directory whose names fold to the same text as one of
    ``names`` (see :func:`registry_tool.core.names.fold`), those names included, in
    listing order: all that the case-collision rule needs to judge ``names``."""
    lookup: Callable[[str, list[str]], list[Entry]] | None = getattr(snapshot, "namesakes", None)
    if lookup is not None:
        return lookup(models_dir, names)
    wanted = {fold(name) for name in names}
    return [e for e in snapshot.entries(models_dir) if fold(e.name) in wanted]


def git_blob_id(data: bytes) -> str:
    """The id Git gives a blob with these bytes (what ``git hash-object`` prints)."""
    import hashlib

    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


class EmptySnapshot:
    """The registry before the first commit: no policy, no models."""

    label = "empty"
    commit_id = None

    def policy_entry(self) -> Entry | None:
        return None

    def entries(self, models_dir: str) -> list[Entry]:
        return []

    def size(self, entry: Entry) -> int:  # pragma: no cover - there are no entries
        raise KeyError(entry.name)

    def read(self, entry: Entry) -> bytes:  # pragma: no cover
        raise KeyError(entry.name)

    def blob_id(self, entry: Entry) -> str:  # pragma: no cover
        raise KeyError(entry.name)

    def folder_change(self, base: Snapshot, models_dir: str) -> FolderChange | None:
        return None
