"""The catalog's page model: what each page of ``registry-tool site`` says, asked of the
page model itself (read/catalog.py), on a real repository and on hand-made events."""

from __future__ import annotations

import pytest
from site_helpers import HAZEL, RAVI, build_history

from registry_tool.core.changes import Change, ChangeKind
from registry_tool.core.model import Stage
from registry_tool.core.policy import DEFAULT_STAGES
from registry_tool.history.events import CommitInfo, Event, Person
from registry_tool.read.api import open_registry
from registry_tool.read.catalog import build_catalog, catalog_from, entry, model_page

S = Stage


@pytest.fixture
def history(repo):
    commits = build_history(repo)
    return repo, commits


def test_the_index_row_of_each_model(history):
    repo, commits = history
    catalog = build_catalog(open_registry(repo.path).at("HEAD"))
    assert catalog.commit.id == commits["archive"] and catalog.commit.time == "2024-11-07T10:00:00Z"
    assert [p.name for p in catalog.models] == ["faq-bot", "hostile", "ocr"]
    assert catalog.unique_stages == (S.PRODUCTION,) and catalog.history_complete
    faq = catalog.models[0]
    assert faq.in_stage("production") == ("1.1.0",)
    assert dict(faq.model.aliases) == {"champion": "1.1.0"}
    assert faq.model.owner == "hazel" and faq.model.task == "generation" and faq.model.tags == ("nlp", "chat")
    last = faq.last_change
    assert last is not None and last.commit.id == commits["archive"]
    assert [(e.event.change.version, e.event.kind) for e in faq.last_changes] == [
        ("1.0.0", "stage_changed"), ("1.2.0", "version_registered")]
    ocr = catalog.models[2]
    assert ocr.in_stage("production") == () and ocr.last_change.commit.id == commits["register2"]


def test_each_version_says_who_put_it_in_its_stage(history):
    repo, commits = history
    faq = build_catalog(open_registry(repo.path).at("HEAD")).models[0]
    since = {v.version.version: v.since for v in faq.versions}
    assert [v.version.version for v in faq.versions] == ["1.0.0", "1.1.0", "1.2.0"]
    assert since["1.1.0"].commit.id == commits["pr15"] and since["1.1.0"].commit.pull_request == 15
    assert since["1.1.0"].proposer == Person(*RAVI)
    assert since["1.0.0"].commit.id == commits["archive"]
    assert {v.version.version: v.aliases for v in faq.versions}["1.1.0"] == ("champion",)


def test_the_timeline_lists_stage_and_alias_changes_newest_first(history):
    repo, commits = history
    faq = build_catalog(open_registry(repo.path).at("HEAD")).models[0]
    told = [(e.commit.id, e.event.change.version, e.event.kind) for e in faq.timeline]
    assert told == [
        (commits["archive"], "1.0.0", "stage_changed"),
        (commits["archive"], "1.2.0", "version_registered"),
        (commits["pr15"], "1.0.0", "stage_changed"),
        (commits["pr15"], "1.1.0", "stage_changed"),
        (commits["pr15"], None, "alias_changed"),
        (commits["register2"], "1.1.0", "version_registered"),
        (commits["pr12"], "1.0.0", "stage_changed"),
        (commits["staging"], "1.0.0", "stage_changed"),
        (commits["register"], "1.0.0", "version_registered"),
    ]  # model_created is not a stage change; version_updated would not be either
    pr12 = faq.timeline[6]
    assert pr12.commit.pull_request == 12
    # a merged pull request: the branch's author proposed it, the merge commit's author
    # merged it, and its Approved-by trailer names the approver
    assert (pr12.proposer, pr12.merged_by, pr12.approvers) == (Person(*HAZEL), Person(*RAVI), (Person(*RAVI),))
    assert faq.timeline[2].merged_by is None  # #15 was squashed: a direct commit, nobody's merge click


def test_the_stage_grid_says_which_version_was_where_after_each_commit(history):
    repo, commits = history
    grid = build_catalog(open_registry(repo.path).at("HEAD")).models[0].grid
    assert [s.commit.id for s in grid.steps] == [commits[k] for k in ("register", "staging", "pr12", "register2", "pr15", "archive")]
    lanes = {lane.version: lane.stages for lane in grid.lanes}
    assert lanes == {
        "1.0.0": (S.NONE, S.STAGING, S.PRODUCTION, S.PRODUCTION, S.STAGING, S.ARCHIVED),
        "1.1.0": (None, None, None, S.STAGING, S.PRODUCTION, S.PRODUCTION),
        "1.2.0": (None, None, None, None, None, S.NONE),
    }
    assert not grid.has_before and all(lane.listed for lane in grid.lanes)


def test_metric_series_cover_suites_and_mark_the_production_version(history):
    repo, _ = history
    faq = build_catalog(open_registry(repo.path).at("HEAD")).models[0]
    series = {s.metric: [(p.version, p.value, p.marked) for p in s.points] for s in faq.metrics}
    assert list(series) == ["accuracy", "f1", "core-v1/score"]  # top-level by name, then suites; booleans left out
    assert series["accuracy"] == [("1.0.0", 0.9, False), ("1.1.0", 0.93, True), ("1.2.0", 0.91, False)]
    assert series["f1"] == [("1.0.0", 0.85, False), ("1.1.0", 0.88, True)]
    assert series["core-v1/score"] == [("1.1.0", 0.9, True), ("1.2.0", 0.92, False)]


def test_one_history_walk_for_the_whole_registry(history, monkeypatch):
    """Not one walk per model: build_catalog reads the history once, for every model."""
    import registry_tool.history.walk as walk

    calls = []
    real = walk.read_history

    def counting(store, head, **kwargs):
        calls.append(kwargs)
        return real(store, head, **kwargs)

    monkeypatch.setattr(walk, "read_history", counting)
    repo, _ = history
    catalog = build_catalog(open_registry(repo.path).at("HEAD"))
    assert len(catalog.models) == 3 and calls == [{}]  # no model=..., no since=...


def test_the_catalog_at_an_older_revision(history):
    repo, commits = history
    catalog = build_catalog(open_registry(repo.path).at(commits["pr12"]))
    assert [p.name for p in catalog.models] == ["faq-bot", "ocr"]
    faq = catalog.models[0]
    assert faq.in_stage("production") == ("1.0.0",) and len(faq.grid.steps) == 3


# -- hand-made events: what a real history rarely shows ----------------------------------

def _commit(n: int, pr: int | None = None) -> CommitInfo:
    who = Person("Ada", "ada@example.com")
    return CommitInfo(id=f"{n:040x}", time=f"2024-11-{n:02d}T10:00:00Z", author=who, committer=who, pull_request=pr,
                      comment=f"change {n}", signed=False)


def _event(n: int, kind: ChangeKind, version: str | None, before: str | None = None, after: str | None = None) -> Event:
    change = Change(kind, "m", version, Stage(before) if before else None, Stage(after) if after else None)
    return Event(change, _commit(n))


def _model(*versions: tuple[str, str]):
    from registry_tool.core.model import model_from_data

    return model_from_data({"name": "m", "versions": [{"version": v, "stage": s, "artifact": {"uri": f"s3://b/{v}"}}
                                                      for v, s in versions]})


def test_a_history_that_starts_after_a_version_was_registered():
    """A shallow clone: the first event seen of 1.0.0 is a move; before it, 1.0.0 was in
    the move's from_stage; 0.9.0 has no event at all and was where it is all along."""
    model = _model(("0.9.0", "archived"), ("1.0.0", "production"))
    events = [_event(2, ChangeKind.STAGE_CHANGED, "1.0.0", "staging", "production")]  # newest first
    page = model_page(model, events, DEFAULT_STAGES)
    grid = page.grid
    assert grid.has_before
    assert [(lane.version, lane.before, lane.stages) for lane in grid.lanes] == [
        ("0.9.0", S.ARCHIVED, (S.ARCHIVED,)), ("1.0.0", S.STAGING, (S.PRODUCTION,))]
    assert page.versions[0].since is None  # before the history read


def test_removed_versions_keep_their_lane_and_leave_it():
    model = _model(("2.0.0", "none"))
    events = [
        _event(3, ChangeKind.VERSION_REMOVED, "1.0.0", before="staging"),
        _event(2, ChangeKind.VERSION_REGISTERED, "2.0.0", after="none"),
        _event(1, ChangeKind.VERSION_REGISTERED, "1.0.0", after="staging"),
    ]
    grid = model_page(model, events, DEFAULT_STAGES).grid
    assert [(lane.version, lane.stages, lane.listed) for lane in grid.lanes] == [
        ("2.0.0", (None, S.NONE, S.NONE), True), ("1.0.0", (S.STAGING, S.STAGING, None), False)]


def test_a_model_removed_and_created_again_starts_over():
    model = _model(("1.0.0", "none"))
    events = [
        _event(3, ChangeKind.VERSION_REGISTERED, "1.0.0", after="none"),
        _event(2, ChangeKind.MODEL_REMOVED, None),
        _event(1, ChangeKind.VERSION_REGISTERED, "1.0.0", after="staging"),
    ]
    lanes = model_page(model, events, DEFAULT_STAGES).grid.lanes
    assert [(lane.before, lane.stages) for lane in lanes] == [(None, (S.STAGING, None, S.NONE))]


def test_catalog_from_keeps_only_the_models_at_the_revision():
    model = _model(("1.0.0", "production"))
    gone = Event(Change(ChangeKind.VERSION_REGISTERED, "gone", "1", to_stage=S.NONE), _commit(1))
    events = [_event(2, ChangeKind.STAGE_CHANGED, "1.0.0", "staging", "production"), gone]
    catalog = catalog_from([model], events, DEFAULT_STAGES, _commit(2))
    assert [p.name for p in catalog.models] == ["m"]
    assert catalog.models[0].versions[0].since.commit.id == _commit(2).id


def test_an_entry_takes_the_attribution_the_history_carries():
    """Without proposer fields on the event, the proposer is the commit's author."""
    found = entry(_event(1, ChangeKind.VERSION_REGISTERED, "1.0.0", after="none"))
    assert found.proposer == Person("Ada", "ada@example.com") and found.approvers == ()


def test_a_version_with_only_boolean_metrics_has_no_chart():
    from registry_tool.core.model import model_from_data

    model = model_from_data({"name": "m", "versions": [
        {"version": "1", "stage": "none", "artifact": {"uri": "s3://b/1"},
         "metrics": {"suites": {"s": {"ok": True}}}}]})
    assert model_page(model, [], DEFAULT_STAGES).metrics == ()


def test_declared_unique_stages_are_the_index_columns(repo):
    repo.write("registry.yaml", "stages:\n  - {name: dev}\n  - {name: prod-eu, unique: true}\n  - {name: prod-us, unique: true}\n"
                                "  - {name: retired, final: true}\ninitial_stages: [dev]\n")
    repo.write("models/m.yaml", "name: m\nversions:\n"
               '  - {version: "1", stage: prod-eu, artifact: {uri: "s3://b/1"}, metrics: {acc: 0.5}}\n'
               '  - {version: "2", stage: prod-us, artifact: {uri: "s3://b/2"}, metrics: {acc: 0.6}}\n'
               '  - {version: "3", stage: dev, artifact: {uri: "s3://b/3"}, metrics: {acc: 0.7}}\n')
    repo.commit("declared stages", author=HAZEL)
    catalog = build_catalog(open_registry(repo.path).at("HEAD"))
    assert catalog.unique_stages == ("prod-eu", "prod-us")
    page = catalog.models[0]
    assert page.in_stage("prod-eu") == ("1",) and page.in_stage("prod-us") == ("2",)
    assert [(p.version, p.marked) for p in page.metrics[0].points] == [("1", True), ("2", True), ("3", False)]


def test_an_entry_shows_the_proposer_approvers_and_merger_the_history_records():
    from dataclasses import replace

    hazel, ravi, grace = Person("hazel", "h@example.com"), Person("Ravi", "r@example.com"), Person("Grace", "g@example.com")
    change = Change(ChangeKind.STAGE_CHANGED, "m", "1.0.0", S.STAGING, S.PRODUCTION)
    merged = replace(_commit(1, pr=12), merged_by=ravi, approved_by=(grace,), merge=True)
    found = entry(Event(change, merged, proposed_by=hazel))
    assert (found.proposer, found.approvers, found.merged_by) == (hazel, (grace,), ravi)
    direct = entry(Event(change, replace(_commit(2), merged_by=ravi)))  # a direct commit: its committer merged nothing
    assert (direct.proposer, direct.merged_by) == (_commit(2).author, None)


def test_the_grid_keeps_the_newest_commits_and_says_how_many_it_left_out():
    model = _model(("2.0.0", "production"))
    events = [  # newest first: 1.0.0 registered, promoted, removed; 2.0.0 registered, promoted
        _event(5, ChangeKind.STAGE_CHANGED, "2.0.0", "staging", "production"),
        _event(4, ChangeKind.VERSION_REGISTERED, "2.0.0", after="staging"),
        _event(3, ChangeKind.VERSION_REMOVED, "1.0.0", before="production"),
        _event(2, ChangeKind.STAGE_CHANGED, "1.0.0", "staging", "production"),
        _event(1, ChangeKind.VERSION_REGISTERED, "1.0.0", after="staging"),
    ]
    from registry_tool.read.catalog import stage_grid

    grid = stage_grid(model, events, limit=3)
    assert grid.earlier == 2 and [s.commit.id for s in grid.steps] == [_commit(n).id for n in (3, 4, 5)]
    assert [(lane.version, lane.before, lane.stages) for lane in grid.lanes] == [
        ("2.0.0", None, (None, S.STAGING, S.PRODUCTION)), ("1.0.0", S.PRODUCTION, (None, None, None))]
    assert stage_grid(model, events, limit=2).lanes[0].version == "2.0.0" and len(stage_grid(model, events, limit=2).lanes) == 1
