"""A walk of the whole registry without a filled history index takes every commit's step
from one ``git log --sparse -- models registry.yaml`` (history/gitlog.py,
``registry_steps``), where it read every commit's models folder from Git objects. These
tests hold it to that walk of objects: the same events, the same commit count, the same
index written; and where the log cannot say exactly what the objects say (a moved models
folder, registry.yaml turned into a folder, git failing part way), the walk of objects
takes over from the commit the log could not give."""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest
from builders import model, version
from test_history_gitlog import CANARY, _awkward

from registry_tool.errors import RegistryError
from registry_tool.history import gitlog
from registry_tool.history.index import FILE
from registry_tool.history.walk import History, read_history
from registry_tool.snapshots.git import GitStore

Ended = list[object]  # what each registry_steps returned: the commit the objects took over from (at the root, the walk
# stops asking for steps before it returns)


def _spied(monkeypatch: pytest.MonkeyPatch) -> tuple[Ended, list[int]]:
    """What registry_steps returned, and how many steps it gave, each time it ran."""
    ended: Ended = []
    given: list[int] = []
    real = gitlog.registry_steps

    def spy(*args: object):  # type: ignore[no-untyped-def]
        given.append(0)
        found = yield from _counted(real(*args), given)  # type: ignore[arg-type]
        ended.append(found)
        return found

    monkeypatch.setattr(gitlog, "registry_steps", spy)
    return ended, given


def _counted(steps, given: list[int]):  # type: ignore[no-untyped-def]
    while True:
        try:
            step = next(steps)
        except StopIteration as done:
            return done.value
        given[-1] += 1
        yield step


def _objects(repo, monkeypatch: pytest.MonkeyPatch) -> History:
    """The whole registry's history read from Git objects only (no git on the PATH)."""
    with monkeypatch.context() as patch:
        patch.setattr(gitlog.shutil, "which", lambda _: None)
        return read_history(GitStore.discover(repo.path), GitStore.discover(repo.path).resolve("HEAD"))


def _both(repo, monkeypatch: pytest.MonkeyPatch) -> tuple[History, History, Ended, list[int]]:
    monkeypatch.setenv("REGISTRY_TOOL_HISTORY_INDEX", "0")
    ended, given = _spied(monkeypatch)
    store = GitStore.discover(repo.path)
    fast = read_history(store, store.resolve("HEAD"))
    ended, given = ended[:], given[:]  # the walk of objects below calls it too (and it hands over at once)
    return fast, _objects(repo, monkeypatch), ended, given


def _same(fast: History, plain: History) -> None:
    assert fast.events == plain.events
    assert (fast.truncated, fast.commits_walked) == (plain.truncated, plain.commits_walked)
    assert fast.events  # the history really has events to compare


def _odd_files(repo) -> None:
    """A folder by a model file's name, a model file turned into a folder, a file that is
    not YAML and one in a folder below: none of them a model file the walk reads."""
    os.makedirs(repo.path / "models" / "folder.yaml")
    repo.write("models/folder.yaml/notes.yaml", "not a model\n")
    repo.write("models/notes.txt", "not a model\n")
    repo.write("models/deep/inner.yaml", model("inner", version("1.0.0", "none")))
    repo.commit("odd files")
    repo.write("models/folder.yaml/notes.yaml", "still not a model\n")
    os.remove(repo.path / "models" / "ocr.yaml")
    repo.write("models/ocr.yaml/x.yaml", model("ocr", version("1.0.0", "none")))
    repo.commit("ocr's file becomes a folder")
    repo.git("rm", "-q", "-r", "models/ocr.yaml")
    repo.write("models/ocr.yaml", model("ocr", version("1.0.0", "production"), version("2.0.0", "none")))
    repo.commit("ocr is a file again")


def test_the_log_gives_the_events_of_the_walk_of_objects(repo, monkeypatch: pytest.MonkeyPatch) -> None:
    _awkward(repo)
    _odd_files(repo)
    fast, plain, ended, given = _both(repo, monkeypatch)
    assert given == [fast.commits_walked] and not ended  # every step from the log: no hand-over
    _same(fast, plain)


def test_the_index_the_log_fills_is_the_index_the_objects_fill(repo, monkeypatch: pytest.MonkeyPatch) -> None:
    _awkward(repo)
    _odd_files(repo)
    index = Path(repo.git("rev-parse", "--git-common-dir"))
    index = (index if index.is_absolute() else repo.path / index) / FILE
    ended, given = _spied(monkeypatch)
    store = GitStore.discover(repo.path)
    fast = read_history(store, store.resolve("HEAD"))
    logged = index.read_bytes()
    index.unlink()
    assert given == [fast.commits_walked] and not ended
    plain = _objects(repo, monkeypatch)
    records = [line for line in logged.splitlines() if len(line.split(b" ")[0]) == 40]
    assert logged == index.read_bytes() and len(records) == plain.commits_walked
    _same(fast, plain)
    calls = len(given)
    again = read_history(GitStore.discover(repo.path), store.resolve("HEAD"))  # follows the index: no log
    assert len(given) == calls and again.events == plain.events


def test_a_moved_models_folder_hands_over_to_the_objects_at_the_move(repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write("models/a.yaml", model("a", version("1.0.0", "none")))
    repo.commit("Register a 1.0.0")
    repo.write("models/a.yaml", model("a", version("1.0.0", "staging")))
    repo.commit("Move a 1.0.0 to staging")
    os.makedirs(repo.path / "ml" / "models")
    os.rename(repo.path / "models" / "a.yaml", repo.path / "ml" / "models" / "a.yaml")
    repo.write("registry.yaml", "models_dir: ml/models\n")
    move = repo.commit("move the models")
    repo.write("ml/models/a.yaml", model("a", version("1.0.0", "production")))
    repo.commit("Move a 1.0.0 to production")
    repo.write("ml/models/b.yaml", model("b", version("1.0.0", "none")))
    repo.commit("Register b 1.0.0")
    fast, plain, ended, given = _both(repo, monkeypatch)
    assert ended == [repo.git("rev-parse", move)] and given == [2]  # the two commits after the move
    _same(fast, plain)


def test_registry_yaml_turned_into_a_folder_hands_over(repo, monkeypatch: pytest.MonkeyPatch) -> None:
    _awkward(repo)
    repo.write("models/new.yaml", model("new", version("1.0.0", "none")))
    repo.commit("Register new 1.0.0")
    os.remove(repo.path / "registry.yaml")
    repo.write("registry.yaml/stages.yaml", "not a policy\n")
    repo.commit("registry.yaml is a folder")
    repo.git("rm", "-q", "-r", "registry.yaml")
    repo.write("registry.yaml", CANARY)
    odd = repo.commit("registry.yaml is a file again")  # its record names registry.yaml/stages.yaml
    repo.write("models/new.yaml", model("new", version("1.0.0", "staging")))
    repo.commit("Move new 1.0.0 to staging")
    monkeypatch.setenv("REGISTRY_TOOL_HISTORY_INDEX", "0")
    ended, given = _spied(monkeypatch)
    store = GitStore.discover(repo.path)
    with pytest.raises(RegistryError) as fast:
        read_history(store, store.resolve("HEAD"))
    assert ended == [odd] and given == [1]  # the newest commit from the log, then the objects
    with pytest.raises(RegistryError) as plain:
        _objects(repo, monkeypatch)
    assert str(fast.value) == str(plain.value) == "registry.yaml: is a tree, not a file"


@pytest.mark.parametrize("into", [0, 50])  # the output ends after the third record, or part way into the fourth
def test_git_failing_part_way_hands_over_from_the_last_commit_it_could_vouch_for(
        repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, into: int) -> None:
    _awkward(repo)
    records = int(repo.git("rev-list", "--first-parent", "--count", "HEAD"))
    cut = tmp_path / "git"  # git, its output cut at the fourth record, and a failure
    cut.write_text("#!/bin/sh\n"
                   f"\"{subprocess.run(['sh', '-c', 'command -v git'], capture_output=True, text=True).stdout.strip()}\" "
                   "\"$@\" | python3 -c \"import sys; d = sys.stdin.buffer.read(); "
                   f"i = [n for n, c in enumerate(d) if c == 1][3]; sys.stdout.buffer.write(d[:i + {into}])\"\nexit 1\n")
    cut.chmod(cut.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(gitlog.shutil, "which", lambda _: str(cut))
    fast, plain, ended, given = _both(repo, monkeypatch)
    newest = repo.git("log", "--first-parent", "--format=%H", "-4").split()
    assert given == [2] and ended == [newest[2]] and records > 4  # the third record was held, not given
    _same(fast, plain)


def test_a_history_cut_short_stops_git(repo, monkeypatch: pytest.MonkeyPatch) -> None:
    _awkward(repo)
    monkeypatch.setenv("REGISTRY_TOOL_HISTORY_INDEX", "0")
    started: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def popen(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        proc = real(*args, **kwargs)  # type: ignore[call-overload]
        started.append(proc)
        return proc

    monkeypatch.setattr(gitlog.subprocess, "Popen", popen)
    store = GitStore.discover(repo.path)
    cut = read_history(store, store.resolve("HEAD"), limit=1)
    assert len(cut.events) == 1 and started
    assert all(proc.poll() is not None for proc in started)  # none left running


def _index_records(repo) -> int:
    folder = Path(repo.git("rev-parse", "--git-common-dir"))
    lines = ((folder if folder.is_absolute() else repo.path / folder) / FILE).read_bytes().splitlines()
    return sum(1 for line in lines if len(line.split(b" ")[0]) == 40)


@pytest.mark.parametrize("name", [None, "ocr"])
def test_below_a_cut_walk_s_records_the_log_reads_on(repo, monkeypatch: pytest.MonkeyPatch, name: str | None) -> None:
    _awkward(repo)
    store = GitStore.discover(repo.path)
    head = store.resolve("HEAD")
    read_history(store, head, limit=1)  # a fresh clone's index: the newest records only
    cut = _index_records(repo)
    ended, given = _spied(monkeypatch)
    fast = read_history(GitStore.discover(repo.path), head, model=name)
    assert given and given[0] > 0 and not ended  # the commits below the cut, from the log
    assert _index_records(repo) == cut + given[0] == int(repo.git("rev-list", "--first-parent", "--count", "HEAD"))
    monkeypatch.setenv("REGISTRY_TOOL_HISTORY_INDEX", "0")
    with monkeypatch.context() as patch:
        patch.setattr(gitlog.shutil, "which", lambda _: None)
        plain = read_history(GitStore.discover(repo.path), head, model=name)
    assert fast.events == plain.events and fast.events


def test_new_commits_above_a_restored_index_come_from_the_log_until_a_recorded_one(
        repo, monkeypatch: pytest.MonkeyPatch) -> None:
    _awkward(repo)
    store = GitStore.discover(repo.path)
    read_history(store, store.resolve("HEAD"))  # the index a CI cache restores
    for n in range(3):
        repo.write("models/new.yaml", model("new", *(version(f"1.{i}.0", "none") for i in range(n + 1))))
        repo.commit(f"Register new 1.{n}.0")
    ended, given = _spied(monkeypatch)
    fast = read_history(GitStore.discover(repo.path), store.resolve("HEAD"))
    assert given == [3] and not ended  # the log stopped at the first recorded commit
    monkeypatch.setenv("REGISTRY_TOOL_HISTORY_INDEX", "0")
    _same(fast, _objects(repo, monkeypatch))


@pytest.mark.parametrize("size", [1, 3, 7, 64])
def test_records_split_across_reads_are_joined(size: int) -> None:
    records = [b"a" * 40 + b"\0:100644 100644 x y M\0models/m.yaml\0", b"b" * 40, b"c" * 40 + b"\0" + b"z" * 100]
    data = b"".join(b"\x01" + record for record in records)
    read, write = os.pipe()
    with os.fdopen(read, "rb") as out:
        def feed() -> None:  # git writing a few bytes at a time
            with os.fdopen(write, "wb", buffering=0) as pipe:
                for at in range(0, len(data), size):
                    pipe.write(data[at:at + size])

        writer = threading.Thread(target=feed)
        writer.start()
        assert list(gitlog._chunks(out)) == records
        writer.join()
