"""Where each version's stage came from: the event (commit, time, author, pull request)
that put each version of a model in the stage it has at a commit, found by one history
walk that stops as soon as every version is accounted for."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pygit2

from registry_tool.core.model import Model, Stage
from registry_tool.core.names import model_name
from registry_tool.history.events import Event, Truncated
from registry_tool.history.index import HistoryIndex
from registry_tool.history.walk import _Walk, _walk
from registry_tool.snapshots.git import GitStore


def stage_provenance(store: GitStore, commit: pygit2.Commit, model_name: str) -> dict[str, Event]:
    """For each version of a model at a commit, the event that put it in its current stage
    (its registration, or its last stage move): when, by whom, in which commit and PR.

    Versions whose event lies before a shallow clone's boundary are left out. Empty when
    the model file is missing or invalid at the commit. In the model file's version order.
    """
    return _provenance(_Walk(store, model_name, HistoryIndex.open(store)), commit).get(model_name, {})


def registry_provenance(store: GitStore, commit: pygit2.Commit) -> dict[str, dict[str, Event]]:
    """:func:`stage_provenance` for every model at a commit in one walk (for ``show``
    without a model): model name -> version label -> event, models sorted by name."""
    return _provenance(_Walk(store, None, HistoryIndex.open(store)), commit)


def _provenance(run: _Walk, commit: pygit2.Commit) -> dict[str, dict[str, Event]]:
    wanted = _stages_at(run, commit)
    return provenance_from(_walk(run, commit, None, None) if wanted else iter(()), wanted)


def provenance_from(items: Iterable[Event | Truncated], wanted: Mapping[str, Mapping[str, Stage]]) -> dict[str, dict[str, Event]]:
    """From events newest first (a walk, or events already read), for each wanted version
    (model -> version -> the stage it has) the newest event that put it in that stage;
    stops reading as soon as every version is accounted for, or at a shallow boundary.
    Models sorted by name, versions in the order ``wanted`` lists them."""
    missing = sum(len(v) for v in wanted.values())
    found: dict[str, dict[str, Event]] = {name: {} for name in wanted}
    for item in items if missing else ():
        if isinstance(item, Truncated):
            break
        if _sets_wanted_stage(item, wanted, found):
            found[item.change.model][item.change.version or ""] = item
            missing -= 1
            if not missing:
                break
    return {name: {label: found[name][label] for label in wanted[name] if label in found[name]}
            for name in sorted(wanted)}


def _stages_at(run: _Walk, commit: pygit2.Commit) -> dict[str, dict[str, Stage]]:
    """model -> version -> its stage at the commit, for the models the walk is about."""
    here = run._step(run.state(commit, None), None)
    wanted: dict[str, dict[str, Stage]] = {}
    for name, _, blob in here.changed:
        if run.file is not None and name != run.file:
            continue
        current = run._model_at(here, name, blob)
        if isinstance(current, Model):
            wanted[model_name(name)] = {v.version: v.stage for v in current.versions}
    return wanted


def _sets_wanted_stage(item: Event, wanted: Mapping[str, Mapping[str, Stage]], found: dict[str, dict[str, Event]]) -> bool:
    """Whether the event is the newest one that put a wanted version in its current stage."""
    change = item.change
    stages, seen = wanted.get(change.model, {}), found.get(change.model, {})
    return (change.version in stages and change.version not in seen and change.sets_stage
            and change.to_stage == stages[change.version or ""])
