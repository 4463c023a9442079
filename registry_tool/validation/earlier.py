"""The last valid copy of a model file before a base whose own copy is invalid.

A change that repairs a broken file must not escape the change rules (an un-archive and a
changed artifact uri passed as "no sound base to compare with"): the change is judged
against the newest valid copy of the file on the base's first-parent history, or, when
there is none, as a new file (every version judged as registered now).
"""

from __future__ import annotations

import pygit2

from registry_tool.core.policy import Policy
from registry_tool.errors import RegistryError
from registry_tool.snapshots.base import Entry, EntryKind, Snapshot
from registry_tool.snapshots.git import CommitSnapshot
from registry_tool.validation.model_file import ModelFile, read_model

LOOK_BACK = 1000  # first-parent commits looked at: a file broken for longer is judged as new


def last_valid(base: Snapshot, entry: Entry, policy: Policy) -> ModelFile | None:
    """The newest valid copy of ``entry``'s file before ``base`` (whose copy is invalid), on
    the first-parent history; None when there is none (or ``base`` is not a commit)."""
    if not isinstance(base, CommitSnapshot):
        return None
    seen = {entry.blob_id}
    try:
        for count, commit in enumerate(base.store.first_parents(base.commit)):
            if count >= LOOK_BACK:
                return None
            blob = _blob_at(commit, entry.path)
            if blob is None or blob in seen:
                continue
            seen.add(blob)
            mf, _ = read_model(base, Entry(entry.name, entry.path, EntryKind.FILE, blob_id=blob), policy)
            if mf is not None:
                return mf
    except (RegistryError, pygit2.GitError):  # history cut short (shallow clone) or unreadable: judged as new
        return None
    return None


def _blob_at(commit: pygit2.Commit, path: str) -> str | None:
    try:
        obj = commit.tree[path]
    except (KeyError, pygit2.GitError):
        return None
    return str(obj.id) if isinstance(obj, pygit2.Blob) else None
