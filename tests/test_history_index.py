"""The history index (``<git dir>/registry-tool/history-index``): a walk that reads it
prints exactly what a walk over Git objects prints, on awkward histories, after new
commits, on other branches; a damaged, crafted or unwritable index never breaks history."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import replace

import pytest
from audit_scenarios import commit_seed_000, faq
from builders import model, version

from registry_tool.history.index import ENV, FILE, HEADER, HistoryIndex, parse_line
from registry_tool.snapshots.git import GitStore

QUERIES = [
    ("history", "--format", "json"),
    ("history", "faq-bot", "--format", "json"),
    ("history", "ocr", "--format", "json"),
    ("history", "--since", "2024-11-10", "--format", "json"),
    ("history", "faq-bot", "--limit", "2", "--format", "json"),
    ("show", "faq-bot", "--format", "json"),
    ("show", "--history", "--format", "json"),
]


def index_path(repo):
    return repo.path / ".git" / FILE


def awkward_history(repo) -> None:
    """Seed 000's story with docs commits between, then what a walk must get right: a
    file that is invalid for a while, a model removed, the models folder moved by the
    policy, names that need escaping, a symlink and a folder that look like model
    files, and a pull request merged with a merge commit."""
    commit_seed_000(repo)
    repo.write("models/ocr.yaml", model("ocr", version("v1", "none")))
    repo.write("models/a b%20ü.yaml", "name: [broken\n")
    repo.commit("Register ocr, and a badly named file")
    repo.write("models/ocr.yaml", model("ocr", version("v1", "staging")).replace("stage: staging", "stage: [oops"))
    repo.commit("Break ocr")
    repo.write("models/ocr.yaml", model("ocr", version("v1", "staging"), version("v2", "none")))
    repo.commit("Fix ocr and register v2")
    os.symlink("ocr.yaml", repo.path / "models" / "link.yaml")
    repo.write("models/dir.yaml/inner.yaml", "x: 1\n")
    repo.commit("A symlink and a folder named like model files")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("models/ocr.yaml", model("ocr", version("v1", "production"), version("v2", "none")))
    repo.commit("Promote ocr v1")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "feature", "-m", "Merge pull request #7 from team/ocr")
    (repo.path / "models" / "a b%20ü.yaml").unlink()
    repo.commit("Remove the badly named file")
    repo.write("registry.yaml", "models_dir: registry/models\n")
    shutil.move(repo.path / "models", repo.path / "registry" / "models")
    repo.commit("Move the models folder")
    repo.write("registry/models/faq-bot.yaml", faq(("1.0.0", "production"), ("1.1.0", "archived"), ("1.2.0", "none")))
    repo.commit("Register faq-bot 1.2.0")


def answers(cli, repo, monkeypatch, *, index: bool) -> list[tuple[int, str, str]]:
    monkeypatch.setenv(ENV, "1" if index else "0")
    found = []
    for args in QUERIES:
        run = cli(repo.path, *args)
        found.append((run.code, run.out, run.err))
    return found


def test_the_index_changes_nothing_a_walk_prints(cli, repo, monkeypatch):
    awkward_history(repo)
    cold = answers(cli, repo, monkeypatch, index=False)
    assert not index_path(repo).exists()  # turned off: nothing written
    assert any(json.loads(out) for code, out, _ in cold if code == 0)
    assert answers(cli, repo, monkeypatch, index=True) == cold  # the first run writes the index
    index = HistoryIndex.open(GitStore.discover(repo.path))
    assert index is not None and len(index) == int(repo.git("rev-list", "--first-parent", "--count", "HEAD"))
    assert answers(cli, repo, monkeypatch, index=True) == cold  # the second reads it
    assert repo.git("status", "--porcelain") == ""  # kept in the Git folder, not the work tree


def test_new_commits_and_other_branches_extend_the_index(cli, repo, monkeypatch):
    awkward_history(repo)
    answers(cli, repo, monkeypatch, index=True)
    recorded = index_path(repo).read_bytes()
    repo.write("registry/models/faq-bot.yaml", faq(("1.0.0", "production"), ("1.1.0", "archived"), ("1.2.0", "staging")))
    repo.commit("Promote faq-bot 1.2.0 to staging")
    repo.git("checkout", "-q", "-b", "side", "HEAD~3")
    repo.write("registry/models/ocr.yaml", model("ocr", version("v1", "production"), version("v2", "staging")))
    repo.commit("Promote ocr v2 on a side branch")
    for branch in ("main", "side"):
        repo.git("checkout", "-q", branch)
        cold = answers(cli, repo, monkeypatch, index=False)
        assert answers(cli, repo, monkeypatch, index=True) == cold, branch
    store = GitStore.discover(repo.path)
    index = HistoryIndex.open(store)
    assert index is not None and len(index) == len(recorded.splitlines()) - 2 + 2  # one new commit per branch
    assert index_path(repo).read_bytes() != recorded


def test_the_index_is_what_a_warm_walk_reads(cli, repo, monkeypatch):
    """Proof the index is used: a record rewritten (with a valid checksum) to say a commit
    changed nothing hides that commit's events, which reading Git would show."""
    shas = commit_seed_000(repo, docs_between=False)
    cli(repo.path, "history", "--format", "json")
    path = index_path(repo)
    lines = path.read_bytes().splitlines(keepends=True)[1:-1]
    edited = [b" ".join(line.split(b" ")[:4]) + b"\n" if line.startswith(shas[5].encode()) else line for line in lines]
    write_index(path, b"".join(edited))
    got = json.loads(cli(repo.path, "history", "--format", "json").out)
    assert shas[5] not in {e["commit"] for e in got} and shas[4] in {e["commit"] for e in got}


def write_index(path, body: bytes) -> None:
    data = HEADER + body
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data + b"sha256 " + hashlib.sha256(data).hexdigest().encode() + b"\n")


@pytest.mark.parametrize("damage", [
    lambda data: data[: len(data) // 2],  # torn
    lambda data: data.replace(b" 1", b" 2", 1),  # a byte changed: the checksum no longer matches
    lambda data: b"registry-tool history index 999\n" + data.split(b"\n", 1)[1],  # another format
    lambda data: b"",
    lambda data: b"\xff\xfe\x00garbage",
])
def test_a_damaged_index_is_ignored_and_written_anew(cli, repo, monkeypatch, damage):
    awkward_history(repo)
    cold = answers(cli, repo, monkeypatch, index=False)
    answers(cli, repo, monkeypatch, index=True)
    path = index_path(repo)
    good = path.read_bytes()
    path.write_bytes(damage(good))
    assert answers(cli, repo, monkeypatch, index=True) == cold
    assert path.read_bytes() == good  # rebuilt: the same records, in the same order


@pytest.mark.parametrize("body", [
    b"nonsense\n",
    b"0123 - 1 -\n",
    b"%s zz 1 -\n",
    b"%s - notatime -\n",
    b"%s - 1 - name-without-blobs\n",
    b"%s %s 1 - x.yaml - ../../etc\n",
    b"%s %s 1 -\n%s %s 1 -\n",  # a cycle
    b"%s\n",  # a commit id alone: a walk for one model split it for a parent that is not there
])
def test_crafted_records_with_a_valid_checksum_never_crash_a_walk(cli, repo, monkeypatch, body):
    shas = commit_seed_000(repo, docs_between=False)
    cold = answers(cli, repo, monkeypatch, index=False)
    head, parent = shas[-1].encode(), shas[-2].encode()
    values = (head, parent, parent, head)[: body.count(b"%s")]
    write_index(index_path(repo), body % values if values else body)
    for (code, out, err), (cold_code, _, cold_err) in zip(answers(cli, repo, monkeypatch, index=True), cold,
                                                          strict=True):
        if body.count(b"\n") == 2:  # the cycle: said in one line, not walked forever
            assert code == 2 and out == "" and err.endswith("(its records form a cycle); delete it and run "
                                                              "the command again\n") and err.count("\n") == 1
            continue
        if cold_code == 2:  # ocr: seed 000 never had it, an unknown model whatever the index says
            assert (code, out, err) == (2, "", cold_err) and err.startswith("registry-tool: error: unknown model 'ocr'")
            continue
        assert code in (0, 1) and json.loads(out) is not None and "Traceback" not in err
        if body.count(b" ") < 3 or b"zz" in body or b"notatime" in body or b"without" in body:
            assert code == cold_code  # not a record: read from Git instead


def test_records_round_trip_awkward_names():
    from registry_tool.history.index import Step

    step = Step("a" * 40, "b" * 40, 1700000000, None,
                (("a b%20ü.yaml", None, "c" * 40), ("x\udcff.yaml", "d" * 40, None)))
    assert parse_line(step.line()) == step
    assert parse_line(step.line(), only="other.yaml") == Step("a" * 40, "b" * 40, 1700000000, None, ())


def test_no_index_in_a_shallow_clone(cli, repo, tmp_path, monkeypatch):
    commit_seed_000(repo)
    clone = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "3", f"file://{repo.path}", str(clone))
    run = cli(clone, "history", "--format", "json")
    assert run.code == 0 and json.loads(run.out)[-1]["event"] == "history_truncated"
    assert not (clone / ".git" / FILE).exists()


def test_an_index_that_cannot_be_written_is_not_kept(cli, repo, monkeypatch):
    awkward_history(repo)
    cold = answers(cli, repo, monkeypatch, index=False)
    (repo.path / ".git" / "registry-tool").write_text("a file where the folder would go\n")
    assert answers(cli, repo, monkeypatch, index=True) == cold
    assert (repo.path / ".git" / "registry-tool").is_file()


def test_linked_work_trees_share_one_index(cli, repo, tmp_path, monkeypatch):
    commit_seed_000(repo)
    other = tmp_path / "other"
    repo.git("worktree", "add", "-q", str(other), "-b", "other")
    run = cli(other, "history", "--format", "json")  # the whole registry's history writes the index
    assert run.code == 0
    assert index_path(repo).exists()
    assert not list((repo.path / ".git" / "worktrees").rglob("history-index"))


def test_records_added_wait_on_disk_and_are_saved_after_those_read(repo):
    commit_seed_000(repo)
    store = GitStore.discover(repo.path)
    path = index_path(repo)
    path.parent.mkdir(parents=True)
    body = HEADER + f"{'a' * 40} - 1 -\n".encode()
    path.write_bytes(body + b"sha256 " + hashlib.sha256(body).hexdigest().encode() + b"\n")
    inode = path.stat().st_ino
    read = HistoryIndex.open(store)
    assert read is not None and len(read) == 1
    read.save()
    assert path.stat().st_ino == inode  # nothing added: nothing written (a write renames a new file into place)
    steps = [parse_line(f"{c * 40} {'a' * 40} {n} - faq-bot.yaml - {'b' * 40}") for n, c in enumerate("cd")]
    for step in steps + steps[:1]:  # one twice: recorded once
        read.add(step)
    assert len(read) == 3 and len(read._lines) == 1  # the added ones are not held in memory
    read.save()
    body = path.read_bytes()
    lines = body.splitlines()
    assert lines[1:-1] == [f"{'a' * 40} - 1 -".encode()] + [step.line().encode() for step in steps]
    assert lines[-1] == b"sha256 " + hashlib.sha256(body[: body.rindex(b"sha256 ")]).hexdigest().encode()
    again = HistoryIndex.open(store)
    assert again is not None and again.get("d" * 40) == steps[1]


def test_an_index_over_its_bound_is_not_written_and_the_old_one_stays(cli, repo, monkeypatch):
    awkward_history(repo)
    monkeypatch.delenv(ENV, raising=False)
    assert cli(repo.path, "history", "--format", "json").code == 0
    before = index_path(repo).read_bytes()
    repo.write("models/late.yaml", model("late", version("1.0.0", "none")))
    repo.commit("Register late 1.0.0")
    monkeypatch.setattr("registry_tool.history.index.MAX_BYTES", len(before) + 10)
    assert cli(repo.path, "history", "--format", "json").code == 0
    assert index_path(repo).read_bytes() == before
    assert sorted(p.name for p in index_path(repo).parent.iterdir()) == ["history-heads", "history-index"]  # no temporary file left


def test_an_index_saved_twice_keeps_what_each_walk_added(repo):
    """A cut walk's questions share one index among several walks, each of which saves it."""
    commit_seed_000(repo)
    store = GitStore.discover(repo.path)
    shared = HistoryIndex.open(store)
    assert shared is not None
    first, second = (parse_line(f"{c * 40} - {n} - faq-bot.yaml - {'b' * 40}") for n, c in enumerate("cd"))
    shared.add(first)
    shared.save()
    shared.add(second)  # a later walk, going elsewhere
    shared.save()
    shared.add(first)  # and one that comes by again: recorded once
    shared.save()
    again = HistoryIndex.open(store)
    assert again is not None and len(again) == 2
    assert again.get("c" * 40) == first and again.get("d" * 40) == second


def steps_of(count: int, files: int) -> list:
    """``count`` records of ``files`` changed model files each, chained by first parent."""
    found = []
    for n in range(count):
        changes = " ".join(f"m{k:05}.yaml {k:040x} {n + 1:040x}" for k in range(files))
        parent = f"{n + 1:040x}" if n + 1 < count else "-"
        found.append(parse_line(f"{n:040x} {parent} {n} - {changes}"))
    return found


@pytest.mark.parametrize(("count", "files", "longest"), [
    (3, 3000, 1 << 18),  # a record longer than the block the index reads at once (256 KiB)
    (9000, 1, 1 << 20),  # a file read by the scan in several pieces (1 MiB each): records cross their edges
])
def test_records_are_read_back_whatever_their_length_and_place_in_the_file(repo, count, files, longest):
    commit_seed_000(repo)
    store = GitStore.discover(repo.path)
    written = HistoryIndex.open(store)
    assert written is not None
    steps = steps_of(count, files)
    for step in steps:
        written.add(step)
    written.save()
    assert max(len(step.line()) for step in steps) > longest or index_path(repo).stat().st_size > longest
    read = HistoryIndex.open(store)
    assert read is not None and len(read) == count
    assert [read.get(step.commit) for step in reversed(steps)] == list(reversed(steps))  # out of the file's order too
    assert read.get(steps[1].commit, only="m00000.yaml") == steps[1]
    assert read.skip(steps[0].commit, "absent.yaml") == (steps[-1].commit, count - 1)  # down the chain to the root's


def test_records_added_are_read_back_by_the_index_that_added_them(repo):
    """A restored cache and new commits on top: a walk adds the new commits' records, and a
    cut walk's questions go down the same history on the same index, from the records added
    (still buffered, then saved) into those read from the file."""
    commit_seed_000(repo)
    store = GitStore.discover(repo.path)
    steps = steps_of(8, 2)
    write_index(index_path(repo), "".join(step.line() + "\n" for step in steps[3:]).encode())
    index = HistoryIndex.open(store)
    assert index is not None and len(index) == 5
    for step in steps[:3]:  # the new commits, newest first, as a walk adds them
        index.add(step)
    for _ in ("buffered", "saved"):
        assert [index.get(step.commit) for step in steps] == steps
        assert index.get(steps[1].commit, only="absent.yaml") == replace(steps[1], changed=())
        assert index.skip(steps[0].commit, "absent.yaml") == (steps[-1].commit, 7)  # across both, to the root's
        assert index.skip(steps[0].commit, "m00001.yaml") == (steps[0].commit, 0)  # named at once
        assert index.skip(steps[4].commit, "absent.yaml") == (steps[-1].commit, 3)
        index.save()
        assert index.unsaved == 0
    again = HistoryIndex.open(store)
    assert again is not None and [again.get(step.commit) for step in steps] == steps


def test_records_added_and_read_back_between_writes_stay_whole_without_pread(repo, monkeypatch):
    """Where there is no ``os.pread`` (Windows), a record is read back by seeking the spill
    file's descriptor, which the next record is then written through: it must be put back."""
    monkeypatch.delattr(os, "pread")
    commit_seed_000(repo)
    store = GitStore.discover(repo.path)
    steps = steps_of(6, 800)  # ~75 KB a record: the spill outgrows a block, a read back stops before its end
    index = HistoryIndex.open(store)
    assert index is not None
    for step in steps:
        index.add(step)
        assert index.get(step.commit) == step and index.get(steps[0].commit) == steps[0]  # read back between writes
    index.save()
    again = HistoryIndex.open(store)
    assert again is not None and [again.get(step.commit) for step in steps] == steps


def test_a_cut_walk_asks_its_questions_of_the_index_it_walked(cli, repo, monkeypatch):
    """``history --limit`` on a restored index that lacks the newest commits: the walk adds
    them, and what entered production below the cut is asked of that same index (opened
    once; opening it read the whole file, 0.2 s at 50,000 models), with what it added."""
    from registry_tool.history import index as index_module

    awkward_history(repo)
    repo.write("registry/models/faq-bot.yaml", faq(("1.0.0", "staging"), ("1.1.0", "archived"), ("1.2.0", "production")))
    repo.commit("faq-bot 1.2.0 to production")
    repo.write("registry/models/faq-bot.yaml", faq(("1.0.0", "production"), ("1.1.0", "archived"), ("1.2.0", "staging")))
    repo.commit("faq-bot 1.0.0 back to production")
    monkeypatch.setenv(ENV, "0")
    cold = cli(repo.path, "history", "--limit", "1", "--format", "json")
    assert cold.code == 0 and json.loads(cold.out)[0]["rollback"] is True  # known only from below the cut
    monkeypatch.setenv(ENV, "1")
    assert cli(repo.path, "history", "--index-only").code == 0
    lines = index_path(repo).read_bytes().split(b"\n")
    write_index(index_path(repo), b"\n".join(lines[3:-2]) + b"\n")  # the two newest records gone
    opened = []
    real = index_module._read
    monkeypatch.setattr(index_module, "_read", lambda path: opened.append(path) or real(path))
    assert cli(repo.path, "history", "--limit", "1", "--format", "json").out == cold.out
    assert opened == [index_path(repo)]
    after = HistoryIndex.open(GitStore.discover(repo.path))
    assert after is not None and len(after) == int(repo.git("rev-list", "--first-parent", "--count", "HEAD"))


def test_an_index_replaced_while_open_is_read_as_it_was(repo):
    """Another process saving the index renames a new file into place: one opened before
    still reads the records it checked."""
    commit_seed_000(repo)
    store = GitStore.discover(repo.path)
    first = steps_of(2, 1)
    write_index(index_path(repo), "".join(step.line() + "\n" for step in first).encode())
    opened = HistoryIndex.open(store)
    other = index_path(repo).with_name("other")
    write_index(other, b"")
    os.replace(other, index_path(repo))
    assert opened is not None and [opened.get(step.commit) for step in first] == first


def test_an_index_cut_in_place_while_open_is_not_trusted_nor_saved(repo):
    """A file changed in place behind an open index (never done by registry-tool, whose
    writes are renames): the records it no longer holds are not found (a walk reads Git for
    them), and a save writes no index from it."""
    commit_seed_000(repo)
    store = GitStore.discover(repo.path)
    first = steps_of(2, 1)
    write_index(index_path(repo), "".join(step.line() + "\n" for step in first).encode())
    opened = HistoryIndex.open(store)
    assert opened is not None
    os.truncate(index_path(repo), len(HEADER) + len(first[0].line()) // 2)
    assert opened.get(first[0].commit) is None and opened.get(first[1].commit) is None
    opened.add(steps_of(3, 1)[2])
    opened.save()
    assert index_path(repo).stat().st_size == len(HEADER) + len(first[0].line()) // 2  # left as it was
    assert sorted(p.name for p in index_path(repo).parent.iterdir()) == ["history-index"]  # no temporary file left


@pytest.mark.parametrize("name", ["history-index", "history-heads"])
@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_cache_file_that_is_not_a_regular_file_is_ignored_without_waiting(run_process, repo, name, kind):
    """What is in .git/registry-tool may come from a CI cache restored there: a FIFO in
    place of a cache file blocked a plain open until something wrote to it, and a link to a
    device never ended. Each is ignored (the walk reads Git) and the command ends."""
    commit_seed_000(repo, docs_between=False)
    cold = run_process(repo.path, "history", "--format", "json", env={ENV: "0"})
    path = index_path(repo).with_name(name)
    path.parent.mkdir(exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    warm = run_process(repo.path, "history", "--format", "json", env={ENV: "1"}, timeout=60)
    assert (warm.code, warm.out) == (cold.code, cold.out) and cold.code == 0 and json.loads(cold.out)
    assert "Traceback" not in warm.err


def test_index_only_writes_what_a_whole_history_writes_and_reads_no_model(cli, repo, monkeypatch):
    awkward_history(repo)
    cold = answers(cli, repo, monkeypatch, index=False)
    monkeypatch.setenv(ENV, "1")
    cli(repo.path, "history", "--format", "json")
    whole = index_path(repo).read_bytes()
    index_path(repo).unlink()

    def no_parse(*args, **kwargs):
        raise AssertionError("a model file was parsed")

    with monkeypatch.context() as patched:
        patched.setattr("registry_tool.history.blobs.BlobReader.model", no_parse)
        run = cli(repo.path, "history", "--index-only", "--format", "json")
    commits = int(repo.git("rev-list", "--first-parent", "--count", "HEAD"))
    assert run.code == 0 and json.loads(run.out) == {"index": str(index_path(repo)), "commits": commits, "added": commits}
    assert index_path(repo).read_bytes() == whole  # the same records, in the same order
    assert answers(cli, repo, monkeypatch, index=True) == cold
    again = cli(repo.path, "history", "--index-only")
    assert again.code == 0 and again.out == f"history index {index_path(repo)}: {commits} first-parent commits recorded, 0 of them added now\n"
    repo.write("models/late.yaml", model("late", version("1.0.0", "none")))
    repo.commit("Register late 1.0.0")
    assert json.loads(cli(repo.path, "history", "--index-only", "--format", "json").out)["added"] == 1


@pytest.mark.parametrize("args", [("faq-bot",), ("--limit", "3"), ("--since", "2024-01-01"), ("--verify-signatures",)])
def test_index_only_takes_no_selection(cli, repo, monkeypatch, args):
    commit_seed_000(repo)
    monkeypatch.setenv(ENV, "1")
    run = cli(repo.path, "history", "--index-only", *args)
    assert run.code == 2 and run.out == "" and "--index-only records the whole history" in run.err
    assert not index_path(repo).exists()


def test_index_only_says_why_there_is_no_index(cli, repo, tmp_path, monkeypatch):
    commit_seed_000(repo)
    monkeypatch.setenv(ENV, "0")
    off = cli(repo.path, "history", "--index-only")
    assert off.code == 2 and off.err == ("registry-tool: error: the history index is not used here: "
                                         "REGISTRY_TOOL_HISTORY_INDEX=0 turns it off\n")
    monkeypatch.setenv(ENV, "1")
    clone = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "3", f"file://{repo.path}", str(clone))
    shallow = cli(clone, "history", "--index-only")
    assert shallow.code == 2 and shallow.out == "" and "a shallow clone never uses it" in shallow.err
    assert not index_path(repo).exists() and not (clone / ".git" / FILE).exists()


def test_index_only_reports_its_progress_every_so_many_commits(repo, monkeypatch):
    from registry_tool.history.walk import fill_index

    commit_seed_000(repo)
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setattr("registry_tool.history.walk.PROGRESS_EVERY", 2)
    store = GitStore.discover(repo.path)
    seen: list[int] = []
    done = fill_index(store, store.resolve("HEAD"), seen.append)
    assert done.commits == done.added == int(repo.git("rev-list", "--first-parent", "--count", "HEAD")) > 3
    assert seen == list(range(2, done.commits + 1, 2))


def test_index_only_interrupted_keeps_what_it_read(repo, monkeypatch):
    """Minutes at 50,000 models: a Ctrl-C keeps the records read so far, and the next run
    adds only the rest."""
    from registry_tool.history.walk import fill_index

    commit_seed_000(repo)
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setattr("registry_tool.history.walk.PROGRESS_EVERY", 2)
    store = GitStore.discover(repo.path)

    def interrupt(walked: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fill_index(store, store.resolve("HEAD"), interrupt)
    kept = HistoryIndex.open(store)
    assert kept is not None and len(kept) == 2
    done = fill_index(GitStore.discover(repo.path), store.resolve("HEAD"))
    assert done.added == done.commits - 2


def test_index_only_says_so_when_the_index_cannot_be_written(cli, repo, monkeypatch):
    commit_seed_000(repo)
    monkeypatch.setenv(ENV, "1")
    (repo.path / ".git" / "registry-tool").write_text("a file where the folder would go\n")
    run = cli(repo.path, "history", "--index-only")
    assert run.code == 2 and run.out == ""
    assert run.err == (f"registry-tool: error: {index_path(repo)}: the history index could not be written (a read-only "
                       "repository, a full disk, or more than its size limit); nothing was recorded\n")
