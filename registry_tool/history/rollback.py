"""Which version was in production (or another unique stage) before the current one: read from the audit log."""

from __future__ import annotations

import pygit2

from registry_tool.core.model import Stage
from registry_tool.core.names import model_name_of_path
from registry_tool.history.events import Truncated
from registry_tool.history.walk import walk
from registry_tool.snapshots.git import GitStore


def previous_production(store: GitStore, head: pygit2.Commit | None, path: str, current: str | None,
                        stage: Stage = Stage.PRODUCTION) -> tuple[str, str] | None:
    """The newest version other than ``current`` that entered ``stage`` (production, or
    another unique stage) on ``head``'s first-parent history, with the commit that moved it
    there; None when there is none (or when it lies before a shallow clone's boundary)."""
    if head is None:
        return None
    name = model_name_of_path(path)
    events = walk(store, head, model=name)
    try:
        for item in events:
            if isinstance(item, Truncated):
                return None
            change = item.change
            if change.to_stage == stage and change.version != current and change.version is not None:
                return change.version, item.commit.id
    finally:
        events.close()
    return None
