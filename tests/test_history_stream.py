"""``history`` streams: events go to the reporter as the walk yields them, held (mostly on
disk) only while a rollback mark is undecided. These tests hold the streamed output to
what the previous implementation printed (every event read into a list, the rollbacks
marked oldest first, the whole list rendered at once), byte for byte, on a generated
registry with incidents (production -> staging -> production), in text and JSON, for the
whole registry and one model, with --limit and --since, with the held events in memory
and spilled to the temporary file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace

import pygit2
import pytest
from conftest import REPO_ROOT

from registry_tool.core.model import Stage
from registry_tool.history import gitlog, marks
from registry_tool.history.blobs import BlobReader
from registry_tool.history.events import Event, Truncated, iso_utc
from registry_tool.history.index import HistoryIndex
from registry_tool.history.walk import _before, _entered_before_at_once, production_record, walk
from registry_tool.output.history import text_line
from registry_tool.output.values import dump
from registry_tool.snapshots.git import GitStore


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "registry"
    done = subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "generate.py"), "-o", str(out), "--models", "8",
                           "--versions", "5", "--commits", "160"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out


# -- the previous implementation, kept here as the oracle -------------------------------


def _previous(store: GitStore, head: pygit2.Commit, model: str | None, since: int | None,
              limit: int | None) -> tuple[list[Event], Truncated | None]:
    events: list[Event] = []
    truncated = None
    cut = since is not None
    items = walk(store, head, model=model, since=since)
    try:
        for item in items:
            if isinstance(item, Truncated):
                truncated = item
            elif limit is not None and len(events) >= limit:
                cut = True
                break
            else:
                events.append(item)
    finally:
        items.close()
    unique = BlobReader(store).policy(BlobReader.policy_blob(head.tree)).is_unique
    entered: dict[tuple[str, Stage], set[str]] = {}
    marked = list(events)
    for i in range(len(marked) - 1, -1, -1):
        change = marked[i].change
        stage = change.to_stage
        if stage is None or change.version is None or not change.sets_stage or not change.enters(stage) \
                or not unique(stage):
            continue
        key = (change.model, stage)
        if key not in entered:
            entered[key] = _previous_before(store, marked[i].commit.id, change.model, stage) if cut else set()
        if change.version in entered[key]:
            marked[i] = replace(marked[i], rollback=True)
        entered[key].add(change.version)
    return marked, truncated


def _previous_before(store: GitStore, commit_id: str, model: str, stage: Stage) -> set[str]:
    commit = store.commit(commit_id)
    if not commit.parent_ids:
        return set()
    return set(production_record(store, store.commit(commit.parent_ids[0]), model, stage).labels)


def _previous_output(path, fmt: str, model: str | None, since: int | None, limit: int | None) -> str:
    store = GitStore.discover(path)
    events, truncated = _previous(store, store.resolve("HEAD"), model, since, limit)
    if fmt == "text":
        return "".join(text_line(e) + "\n" for e in events)
    return dump([e.to_dict() for e in events] + ([truncated.to_dict()] if truncated is not None else []))


# -- the tests ---------------------------------------------------------------------------


def _a_model_with_a_rollback(path) -> str:
    events = json.loads(_previous_output(path, "json", None, None, None))
    returned = [e["model"] for e in events if e["rollback"]]
    assert returned, "the generated history should hold a return to production"
    return returned[0]


@pytest.mark.parametrize("held", [marks.HELD_IN_MEMORY, 3])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_streamed_output_is_the_previous_output_byte_for_byte(cli, generated, monkeypatch, fmt, held):
    monkeypatch.setattr(marks, "HELD_IN_MEMORY", held)  # 3: nearly every event goes through the temporary file
    monkeypatch.setattr(marks, "ENTRIES_IN_MEMORY", min(held, 1024))  # and every bucket of entries through its own
    name = _a_model_with_a_rollback(generated)
    middle = pygit2.Repository(str(generated)).revparse_single("HEAD~80").peel(pygit2.Commit).commit_time
    for model, since, limit in [(None, None, None), (name, None, None), (None, None, 7), (None, None, 1),
                                (name, None, 2), (None, middle, None), (name, middle, None)]:
        args = ([model] if model else []) + (["--limit", str(limit)] if limit else []) + \
               (["--since", iso_utc(since)] if since else [])
        run = cli(generated, "history", "--format", fmt, *args)
        assert run.out == _previous_output(generated, fmt, model, since, limit), args


def test_events_before_the_first_entry_to_production_are_not_held():
    entry, other = _event("stage_changed", "staging", "production"), _event("version_updated", None, None)
    held = marks.RollbackMarks(lambda stage: stage == "production")
    assert held.add(other) == (other,)  # out at once
    assert held.add(entry) == ()  # undecided until the walk ends
    assert held.add(other) == ()  # behind it, in order
    assert held.add(replace(entry, commit=replace(entry.commit, id="b" * 40))) == ()
    out = list(held.close())
    assert [e.rollback for e in out] == [True, False, False]  # the newer entry returned to production


def test_held_events_spill_to_a_temporary_file_in_order(monkeypatch):
    monkeypatch.setattr(marks, "HELD_IN_MEMORY", 2)
    held = marks.RollbackMarks(lambda stage: stage == "production")
    items = [_event("stage_changed", "staging", "production", version=f"1.{i}.0") for i in range(7)]
    for item in items:
        assert held.add(item) == ()
    assert held._held._file is not None and held._held._batch == [items[6]]
    assert list(held.close()) == items
    assert held._held._file is None and len(held._held) == 0


def _event(kind: str, before: str | None, after: str | None, version: str = "1.0.0") -> Event:
    from registry_tool.core.changes import Change, ChangeKind
    from registry_tool.history.events import CommitInfo, Person

    ada = Person("Ada", "ada@example.com")
    commit = CommitInfo(id="a" * 40, time="2024-11-01T10:00:00Z", author=ada, committer=ada, pull_request=None,
                        comment="c", signed=False)
    stages = (Stage(before) if before else None, Stage(after) if after else None)
    return Event(Change(ChangeKind(kind), "m", version, *stages), commit)


def test_a_held_entry_is_remembered_by_one_string_that_splits_back():
    for model, version in (("fraud-detector", "1.0.0"), ("m", "odd\0label: with\0nuls")):
        key = marks._key(model, Stage.PRODUCTION, version)
        assert isinstance(key, str)
        assert marks._unkey(key) == (model, Stage.PRODUCTION, version)
    # stage names and versions hold '-': a key joined by it would make these two one
    assert marks._key("a", Stage("b"), "c-d") != marks._key("a", Stage("b-c"), "d")


# -- a history cut short, without the history index: one git log for every model ----------


def _entries(store: GitStore) -> dict[tuple[str, Stage], list[str]]:
    """(model, production) -> the commits where a version entered production, newest first."""
    found: dict[tuple[str, Stage], list[str]] = {}
    for item in walk(store, store.resolve("HEAD")):
        if isinstance(item, Event) and item.change.sets_stage and item.change.to_stage == Stage.PRODUCTION:
            found.setdefault((item.change.model, Stage.PRODUCTION), []).append(item.commit.id)
    return found


def test_one_git_log_tells_every_model_what_entered_production_before(generated, monkeypatch):
    monkeypatch.setenv("REGISTRY_TOOL_HISTORY_INDEX", "0")
    store = GitStore.discover(generated)
    head = store.resolve("HEAD")
    entries = _entries(store)
    assert len(entries) > 2 and any(len(commits) > 2 for commits in entries.values())
    for pick in (0, -1, 1):  # each model's newest entry, its oldest, its second newest
        groups = {group: commits[pick] for group, commits in entries.items() if len(commits) > abs(pick)}
        one_by_one = {group: _before(store, commit, *group, HistoryIndex.open(store)) for group, commit in groups.items()}
        at_once = _entered_before_at_once(store, head, groups)
        assert at_once == one_by_one
        assert any(at_once.values()) == (pick != -1)  # before the oldest entries: nothing


# 40: three models entered production, none returned; 95, 112, 155: a return to production
# inside the output whose earlier entry lies beyond it
# index "0": turned off; "fresh": a fresh clone's, empty when the command starts (the walk
# fills it as far as it goes, but not below the cut)
@pytest.mark.parametrize("index", ["0", "fresh"])
@pytest.mark.parametrize("limit", [40, 95, 112, 155])
def test_a_cut_history_without_the_index_reads_git_log_once(cli, generated, monkeypatch, limit, index):
    monkeypatch.setenv("REGISTRY_TOOL_HISTORY_INDEX", "0")
    if index == "fresh":
        monkeypatch.delenv("REGISTRY_TOOL_HISTORY_INDEX")
    kept = generated / ".git" / "registry-tool"
    shutil.rmtree(kept, ignore_errors=True)
    logs: list[list[str]] = []
    real = gitlog._log

    def spy(git, store, head, spec, paths, count):
        logs.append(spec)
        return real(git, store, head, spec, paths, count)

    monkeypatch.setattr(gitlog, "_log", spy)
    try:
        run = cli(generated, "history", "--format", "json", "--limit", str(limit))
        assert kept.exists() == (index == "fresh")
    finally:
        shutil.rmtree(kept, ignore_errors=True)
    assert logs == [["models"]]  # one walk of the folder, for every model the cut output saw enter production
    monkeypatch.undo()
    monkeypatch.setenv("REGISTRY_TOOL_HISTORY_INDEX", "0")
    assert run.out == _previous_output(generated, "json", None, None, limit)
    assert any(e["rollback"] for e in json.loads(run.out)) == (limit != 40)


def test_entries_go_to_their_buckets_files_and_every_return_is_marked(monkeypatch):
    monkeypatch.setattr(marks, "ENTRIES_IN_MEMORY", 2)
    held = marks.RollbackMarks(lambda stage: stage == "production")
    # newest first: 1.0 enters three times, 1.1 twice, 1.2 once
    order = ["1.0", "1.1", "1.0", "1.2", "1.1", "1.0"]
    items = [_event("stage_changed", "staging", "production", version=v) for v in order]
    for item in items:
        assert held.add(item) == ()
    assert any(f is not None for f in held._entries._files)  # some entries were written out
    out = list(held.close())
    assert [e.rollback for e in out] == [True, True, True, False, False, False]
    assert all(f is None for f in held._entries._files) and not any(held._entries._batches)
