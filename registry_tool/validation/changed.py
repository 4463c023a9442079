"""What a change touched in the models directory, found at the cost of the change.

Two commits of one repository are compared by tree diff (their snapshots' ``folder_change``):
unchanged names are never listed. Anything else (the working tree, a moved models
directory, a changed policy) is compared by listing both sides, as before.

The tree rules see the changed entries plus every entry whose name folds to the same
name as a changed one (the only unchanged entries a rule about changed names can need).
A :class:`FoldIndex` keeps the folded names of the last models directory seen, so a
``--range`` updates it from each step's diff instead of listing every commit.
"""

from __future__ import annotations

from registry_tool.core.names import fold
from registry_tool.snapshots.base import Entry, EntryKind, FolderChange, Snapshot, git_order

# Up to this many changed names, their namesakes are looked up in the head's tree (about
# 2 ms each at 10,000 models); more, and listing the folder once (40 ms there) is cheaper.
LOOKUPS = 20


class Delta:
    """The model files a change touches, and what the rules see of the folder around them."""

    __slots__ = ("base_files", "changed", "removed", "tree_view")

    def __init__(self, changed: list[Entry], tree_view: list[Entry], base_files: dict[str, Entry],
                 removed: list[Entry]) -> None:
        self.changed = changed  # head entries that are new or differ from the base, in the head's order
        self.tree_view = tree_view  # what the tree rules see (all head entries, or the changed ones and their namesakes)
        self.base_files = base_files  # base model files by name
        self.removed = removed  # base model files with no model file of that name at the head

    @property
    def changed_names(self) -> set[str]:
        return {e.name for e in self.changed}


class FoldIndex:
    """Folded name -> entries, for one models directory tree (by its id)."""

    __slots__ = ("by_fold", "carry", "folder")

    def __init__(self, folder: str | None = None, by_fold: dict[str, list[Entry]] | None = None, *,
                 carry: bool = True) -> None:
        self.folder = folder
        self.by_fold = by_fold if by_fold is not None else {}
        self.carry = carry  # False: one change alone (nothing to carry), namesakes are looked up instead

    def rebuild(self, folder: str | None, entries: list[Entry]) -> None:
        self.folder, self.by_fold = folder, {}
        for entry in entries:
            self.by_fold.setdefault(fold(entry.name), []).append(entry)

    def advance(self, change: FolderChange) -> None:
        """From the base's folder to the head's, applying the changed names."""
        for name, (_, new) in change.entries.items():
            group = [e for e in self.by_fold.get(fold(name), []) if e.name != name]
            if new is not None:
                group.append(new)
            if group:
                self.by_fold[fold(name)] = group
            else:
                self.by_fold.pop(fold(name), None)
        self.folder = change.head_folder

    def namesakes(self, changed: list[Entry]) -> list[Entry]:
        seen: dict[int, Entry] = {}
        for entry in changed:
            for other in self.by_fold.get(fold(entry.name), [entry]):
                seen[id(other)] = other
        return sorted(seen.values(), key=git_order)


def compute(base: Snapshot, head: Snapshot, base_dir: str, head_dir: str, *, everything: bool,
            limit: int, folds: FoldIndex) -> Delta:
    """The delta between two snapshots' models directories. ``everything``: count every
    head entry as changed (the policy changed). ``limit``: files over it count as changed
    (they are refused unread, never hashed)."""
    change = head.folder_change(base, head_dir) if base_dir == head_dir and not everything else None
    if change is None:
        return _by_listing(base, head, base_dir, head_dir, everything, limit, folds)
    changed = sorted((new for old, new in change.entries.values()
                      if new is not None and not _unchanged(base, old, head, new, limit)), key=git_order)
    return Delta(changed, _tree_view(change, changed, head, head_dir, folds), *_base_side(change))


def _tree_view(change: FolderChange, changed: list[Entry], head: Snapshot, head_dir: str,
               folds: FoldIndex) -> list[Entry]:
    """The changed entries and their namesakes: from the folded-name index a range
    carries from step to step, or looked up in the head's tree (one change: nothing listed)."""
    if folds.folder is not None and folds.folder == change.base_folder:
        folds.advance(change)
    elif not changed:
        return []
    elif change.head_namesakes is not None and not folds.carry and len(changed) <= LOOKUPS:
        return change.head_namesakes(sorted({e.name for e in changed}))
    else:
        folds.rebuild(change.head_folder, head.entries(head_dir))
    return folds.namesakes(changed)


def _base_side(change: FolderChange) -> tuple[dict[str, Entry], list[Entry]]:
    """The base's model files among the changed names, and those with no model file of
    that name at the head (removed)."""
    base_files = {name: old for name, (old, _) in change.entries.items() if old is not None and old.is_model_file}
    removed = [old for name, old in base_files.items() if not _is_model_file(change.entries[name][1])]
    return base_files, sorted(removed, key=git_order)


def _is_model_file(entry: Entry | None) -> bool:
    return entry is not None and entry.is_model_file


def _by_listing(base: Snapshot, head: Snapshot, base_dir: str, head_dir: str, everything: bool,
                limit: int, folds: FoldIndex) -> Delta:
    base_entries = {e.name: e for e in base.entries(base_dir)}
    head_entries = head.entries(head_dir)
    changed = [e for e in head_entries if everything or not _unchanged(base, base_entries.get(e.name), head, e, limit)]
    head_models = {e.name for e in head_entries if e.is_model_file}
    base_files = {name: e for name, e in base_entries.items() if e.is_model_file}
    folds.folder = None
    return Delta(changed, head_entries, base_files, [e for n, e in base_files.items() if n not in head_models])


def _unchanged(base: Snapshot, old: Entry | None, head: Snapshot, new: Entry, limit: int) -> bool:
    """The entry is in the base too, as the same kind and (for a file) the same bytes. A
    folder, symlink or submodule already there was judged by the change that added it.
    Where both blob ids are known (a commit, the index) they decide, and nothing is read:
    a pre-commit check at 10,000 models read every blob's header (7 s). A file on disk has
    no id until it is hashed: over the size limit it counts as changed, refused unread."""
    if old is None or old.kind is not new.kind:
        return False
    if new.kind is not EntryKind.FILE:
        return True
    if new.blob_id is not None and old.blob_id is not None:  # both ids known (a commit, the index): nothing read
        return new.blob_id == old.blob_id  # as a tree diff sees it: a file over the limit unchanged is not judged again
    return head.size(new) <= limit and head.blob_id(new) == base.blob_id(old)
