"""Which version was in production before the current one, read from Git history.

One small function on purpose: the history module may later answer the same question
from its audit log; this walks the first-parent history of one model file directly.
"""

from __future__ import annotations

import pygit2

from .gitstore import GitStore
from .policy import Policy
from .validator import parse_model


def previous_production(store: GitStore, head: pygit2.Commit | None, path: str, current: str | None,
                        policy: Policy) -> tuple[str, str] | None:
    """The newest version other than ``current`` that was in production at some commit on
    ``head``'s first-parent chain, with that commit's id; None when there is none.

    Commits where the file is unchanged are skipped unread; versions of the file that do
    not load or pass the schema are skipped; the walk stops where the file did not exist.
    """
    if head is None:
        return None
    stem = path.rsplit("/", 1)[-1].removesuffix(".yaml")
    seen: pygit2.Oid | None = None
    for commit in store.first_parent(head):
        try:
            entry = commit.tree[path]
        except KeyError:
            return None
        if entry.id == seen:
            continue
        seen = entry.id
        mf, _ = parse_model(store.read_blob(entry.id, path), path, stem, policy)
        production = mf.model.production if mf is not None else None
        if production is not None and production.version != current:
            return production.version, str(commit.id)
    return None
