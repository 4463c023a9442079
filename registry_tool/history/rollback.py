"""Which versions were in production (or another unique stage) before, read from the audit
log: what ``rollback`` returns to, and what the change rules are told (:func:`production_past`).

The history walk is imported when a lookup is first made: ``validate`` and the editing
commands import this module always, and most changes never ask (only a version entering
production, or metrics changing, do)."""

from __future__ import annotations

from typing import NamedTuple

import pygit2

from registry_tool.core.model import Stage
from registry_tool.core.names import model_name_of_path
from registry_tool.snapshots.git import GitStore
from registry_tool.validation.past import ProductionPast


def production_past(store: GitStore, base: pygit2.Commit | None) -> ProductionPast:
    """What the change rules are told about the unique stages before a change whose base
    is ``base`` (None: nothing before it): looked up per model and stage, on first use."""
    if base is None:
        return ProductionPast()

    def lookup(model: str, stage: Stage) -> list[str]:
        from registry_tool.history.walk import production_record

        return production_record(store, base, model, stage).labels

    return ProductionPast(lookup)


class Previous(NamedTuple):
    """The version to roll back to (None: none found) and where history stops, if it does."""

    found: tuple[str, str] | None  # (label, commit that put it in the stage)
    boundary: str | None
    left: str | None = None  # the stage is empty: the version that was there last (never the one returned to)


def previous_production(store: GitStore, head: pygit2.Commit | None, path: str, current: str | None,
                        stage: Stage = Stage.PRODUCTION) -> Previous:
    """The newest version other than ``current`` that entered ``stage`` (production, or
    another unique stage) on ``head``'s first-parent history, with the commit that moved it
    there; ``boundary`` says where the history stops when it stops before a root commit
    (a shallow clone). With no version in the stage now (``current`` None), the version
    that was there last was taken out (demoted or archived, the way to roll back where
    ``on_promote: refuse`` holds): the one returned to is the one before it."""
    from registry_tool.history.walk import production_record

    record = production_record(store, head, model_name_of_path(path), stage)
    left = record.entries[0][0] if current is None and record.entries else None
    skip = current if current is not None else left
    found = next(((label, commit) for label, commit in record.entries if label != skip), None)
    return Previous(found, record.boundary, left)
