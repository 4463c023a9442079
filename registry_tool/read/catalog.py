"""The catalog's page model: what the static site (``registry-tool site``) says, page by
page, gathered from the registry at one commit and from one walk of its history.

Plain values, no HTML: :mod:`registry_tool.output.site` renders them. Everything a page
shows is decided here (which versions are in which stage, who put them there and when,
which metrics are plotted and which point is marked), so tests can ask the page model
what a page will say without parsing HTML.

:func:`build_catalog` reads Git (the models at the revision through the read API, the
events through one whole-registry history walk, which keeps and reuses the history
index); :func:`catalog_from` is the pure part that turns models and events into pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from registry_tool.core.changes import ChangeKind
from registry_tool.core.model import Model, ModelVersion, Stage
from registry_tool.core.policy import StageSet
from registry_tool.history.events import CommitInfo, Event, Person
from registry_tool.history.provenance import provenance_from
from registry_tool.read.api import RegistrySnapshot

# The events a stage timeline tells: where each version was, and what each alias named.
TIMELINE_KINDS = frozenset({ChangeKind.VERSION_REGISTERED, ChangeKind.STAGE_CHANGED, ChangeKind.VERSION_REMOVED,
                            ChangeKind.ALIAS_CHANGED, ChangeKind.MODEL_REMOVED})
MAX_STEPS = 40  # the stage grid draws the newest this many commits that moved versions
# The events that move versions between stages (the columns of the stage grid).
_GRID_KINDS = frozenset({ChangeKind.VERSION_REGISTERED, ChangeKind.STAGE_CHANGED, ChangeKind.VERSION_REMOVED,
                         ChangeKind.MODEL_REMOVED})


@dataclass(frozen=True)
class Entry:
    """One event as a page tells it: the change, its commit, and who was behind it.
    ``proposer``: who made the change (for a merged pull request, its author when the
    history says so, else the commit's author); ``approvers``: who the commit says
    approved it (empty when it does not say)."""

    event: Event
    proposer: Person
    approvers: tuple[Person, ...] = ()
    merged_by: Person | None = None  # who landed it, when the history says (None: not said)

    @property
    def commit(self) -> CommitInfo:
        return self.event.commit


def entry(event: Event) -> Entry:
    """An event with its attribution: the proposer and approvers the history carries
    (``proposed_by``, ``approved_by``; the proposer defaults to the commit's author); and who
    merged it, for a merge commit (a direct or squashed commit's committer is no reviewer's
    click)."""
    commit = event.commit
    return Entry(event=event, proposer=event.proposer, approvers=commit.approved_by,
                 merged_by=commit.lander if commit.merge else None)


@dataclass(frozen=True)
class VersionEntry:
    """A version as the model page lists it: the version, the aliases naming it, and the
    event that put it in its stage (None: before the history that could be read)."""

    version: ModelVersion
    aliases: tuple[str, ...]
    since: Entry | None


@dataclass(frozen=True)
class Step:
    """One column of the stage grid: a commit that moved versions of the model."""

    commit: CommitInfo


@dataclass(frozen=True)
class Lane:
    """One row of the stage grid: a version's stage before the first step (None: it did not
    exist yet, or nothing is known) and after each step (None: not registered, or removed)."""

    version: str
    before: Stage | None
    stages: tuple[Stage | None, ...]
    listed: bool  # still in the model file at the revision


@dataclass(frozen=True)
class StageGrid:
    """Which version was in which stage after each commit that moved one, oldest first."""

    steps: tuple[Step, ...]
    lanes: tuple[Lane, ...]
    earlier: int = 0  # older steps left out (the grid keeps the newest MAX_STEPS); lanes' ``before`` is the state before the first kept one

    @property
    def has_before(self) -> bool:
        """Whether some version was already somewhere before the first step (older steps
        left out, or a history that starts after the version was registered: a shallow clone)."""
        return any(lane.before is not None for lane in self.lanes)


@dataclass(frozen=True)
class MetricPoint:
    version: str
    value: float | int
    stage: Stage
    marked: bool  # in a unique stage (production): the point the chart marks


@dataclass(frozen=True)
class MetricSeries:
    """One metric across the versions that report it, in version order (oldest first).
    ``metric``: ``accuracy`` or ``suite/metric``."""

    metric: str
    points: tuple[MetricPoint, ...]


@dataclass(frozen=True)
class ModelPage:
    """Everything the model's page and its row in the index say."""

    model: Model
    versions: tuple[VersionEntry, ...]  # file order, oldest first
    in_stages: tuple[tuple[Stage, tuple[str, ...]], ...]  # each unique stage -> the versions in it
    timeline: tuple[Entry, ...]  # newest first
    grid: StageGrid
    metrics: tuple[MetricSeries, ...]
    last_changes: tuple[Entry, ...]  # the events of the newest commit that changed the model (any kind)

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def last_change(self) -> Entry | None:
        return self.last_changes[0] if self.last_changes else None

    def in_stage(self, stage: Stage | str) -> tuple[str, ...]:
        return next((labels for found, labels in self.in_stages if found == stage), ())


@dataclass(frozen=True)
class Catalog:
    """The whole site: the registry at one commit."""

    commit: CommitInfo  # the commit the site was built from (its time is the site's only date)
    ref: str
    stages: StageSet
    models: tuple[ModelPage, ...]  # sorted by name
    boundary: CommitInfo | None = None  # the history stops here (a shallow clone's boundary)

    @property
    def unique_stages(self) -> tuple[Stage, ...]:
        return self.stages.unique_stages

    @property
    def history_complete(self) -> bool:
        return self.boundary is None


def build_catalog(snap: RegistrySnapshot) -> Catalog:
    """The catalog of the registry at a snapshot: every model (each checked, as ``export``
    checks it) and one walk of the whole registry's first-parent history."""
    from registry_tool.history.walk import commit_info, read_history

    models = snap.all_models()
    history = read_history(snap.snapshot.store, snap.snapshot.commit)
    boundary = history.truncated.commit if history.truncated is not None else None
    return catalog_from(models, history.events, snap.policy.stages, commit_info(snap.snapshot.commit),
                        ref=snap.rev, boundary=boundary)


def catalog_from(models: Sequence[Model], events: Iterable[Event], stages: StageSet, commit: CommitInfo, *,
                 ref: str = "HEAD", boundary: CommitInfo | None = None) -> Catalog:
    """The catalog of ``models`` (the registry at ``commit``) with their history
    (``events``, newest first, as a walk yields them)."""
    names = {m.name for m in models}
    by_model: dict[str, list[Event]] = {name: [] for name in names}
    for event in events:
        if event.change.model in by_model:
            by_model[event.change.model].append(event)
    wanted = {m.name: {v.version: v.stage for v in m.versions} for m in models}
    since = provenance_from((e for m in sorted(names) for e in by_model[m]), wanted)
    pages = tuple(model_page(m, by_model[m.name], stages, since.get(m.name, {}))
                  for m in sorted(models, key=lambda m: m.name))
    return Catalog(commit=commit, ref=ref, stages=stages, models=pages, boundary=boundary)


def model_page(model: Model, events: Sequence[Event], stages: StageSet,
               since: Mapping[str, Event] | None = None) -> ModelPage:
    """One model's page from its events (newest first) and the event that put each of its
    versions in its stage (from :func:`~registry_tool.history.provenance.provenance_from`)."""
    since = since or {}
    entries = {id(e): entry(e) for e in events}
    versions = tuple(VersionEntry(v, model.aliases_of(v.version),
                                  entries.get(id(since[v.version])) if v.version in since else None)
                     for v in model.versions)
    return ModelPage(
        model=model,
        versions=versions,
        in_stages=tuple((s, tuple(v.version for v in model.in_stage(s))) for s in stages.unique_stages),
        timeline=tuple(entries[id(e)] for e in events if e.change.kind in TIMELINE_KINDS),
        grid=stage_grid(model, events),
        metrics=metric_series(model, stages),
        last_changes=tuple(entries[id(e)] for e in events if e.commit.id == events[0].commit.id) if events else (),
    )


def stage_grid(model: Model, events: Sequence[Event], limit: int = MAX_STEPS) -> StageGrid:
    """Which version was where after each commit that moved one (``events`` newest first),
    for the newest ``limit`` such commits (the timeline's table lists them all). A
    version's stage before its first event is that event's ``from_stage`` (it was
    registered before the history that could be read); a version listed at the revision
    with no event at all was where it is now all along."""
    oldest_first = [e for e in reversed(events) if e.change.kind in _GRID_KINDS]
    steps: list[Step] = []
    moves: list[list[Event]] = []
    for event in oldest_first:
        if not steps or steps[-1].commit.id != event.commit.id:
            steps.append(Step(event.commit))
            moves.append([])
        moves[-1].append(event)
    labels = _lane_order(model, oldest_first)
    before = {label: _stage_before(label, oldest_first, model) for label in labels}
    state: dict[str, Stage | None] = dict(before)
    columns: list[dict[str, Stage | None]] = []
    for step_events in moves:
        for event in step_events:
            _apply(state, event)
        columns.append(dict(state))
    cut = max(0, len(steps) - limit)
    if cut:
        before = dict(columns[cut - 1])
        columns = columns[cut:]
    lanes = tuple(Lane(label, before[label], tuple(column[label] for column in columns), model.version(label) is not None)
                  for label in labels)
    return StageGrid(tuple(steps[cut:]), tuple(lane for lane in lanes if lane.before or any(lane.stages)), cut)


def _lane_order(model: Model, oldest_first: Sequence[Event]) -> list[str]:
    """The versions listed at the revision in file order, then versions the history knows
    that are gone (removed), in the order they first appear."""
    labels = [v.version for v in model.versions]
    seen = set(labels)
    for event in oldest_first:
        label = event.change.version
        if label is not None and label not in seen:
            seen.add(label)
            labels.append(label)
    return labels


def _stage_before(label: str, oldest_first: Sequence[Event], model: Model) -> Stage | None:
    for event in oldest_first:
        if event.change.kind is ChangeKind.MODEL_REMOVED:
            return None
        if event.change.version == label:
            return event.change.from_stage if event.change.kind is ChangeKind.STAGE_CHANGED else None
    listed = model.version(label)
    return listed.stage if listed is not None else None


def _apply(state: dict[str, Stage | None], event: Event) -> None:
    change = event.change
    if change.kind is ChangeKind.MODEL_REMOVED:
        for label in state:
            state[label] = None
    elif change.version in state:
        state[change.version or ""] = change.to_stage if change.kind is not ChangeKind.VERSION_REMOVED else None


def metric_series(model: Model, stages: StageSet) -> tuple[MetricSeries, ...]:
    """One series per numeric metric any version reports: top-level metrics by name, then
    suite metrics (``suite/metric``) by name; points in version order. Booleans (a suite's
    ``config_parse_ok: true``) are not plotted."""
    top: set[str] = set()
    suite: set[str] = set()
    for version in model.versions:
        top.update(name for name, value in version.metrics.items() if _plottable(value))
        suite.update(f"{name}/{metric}" for name, results in version.suites.items()
                     for metric, value in results.items() if _plottable(value))
    series = []
    for metric in sorted(top) + sorted(suite):
        points = tuple(MetricPoint(v.version, value, v.stage, stages.unique(v.stage))
                       for v in model.versions
                       if (value := v.metric(metric)) is not None and _plottable(value))
        series.append(MetricSeries(metric, points))
    return tuple(series)


def _plottable(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
