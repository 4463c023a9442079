"""Faults of the edit path: a locked index, two --commit edits racing, another commit
landing mid-edit, a crash between the temp write and the rename. Each fails cleanly,
with one clear line, and loses nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from edit_helpers import FAQ, OCR, fingerprint

from registry_tool.edit import git_commit
from registry_tool.errors import RegistryError


@pytest.fixture
def reg(repo):
    repo.write("models/faq-bot.yaml", FAQ)
    repo.path.joinpath("models/ocr.yaml").write_bytes(OCR.encode())
    repo.commit("two models")
    return repo


def refs_index_and_files(root: Path) -> dict[str, str]:
    """Everything but Git's object store (a failed commit may leave unreferenced objects)."""
    return {k: v for k, v in fingerprint(root).items() if not k.startswith(".git/objects/")}


def test_a_locked_index_fails_cleanly_and_keeps_the_lock(reg, cli):
    lock = reg.path / ".git" / "index.lock"
    lock.write_text("")
    before = fingerprint(reg.path)
    run = cli(reg.path, "archive", "faq-bot", "1.2.0", "--commit")
    assert run.code == 2
    assert run.err == (f"registry-tool: error: the Git index is locked ({lock} exists): another Git process is running, "
                       "or one crashed; if none is running, remove that file and try again\n")
    assert fingerprint(reg.path) == before  # the lock is someone else's: left in place
    lock.unlink()
    assert cli(reg.path, "archive", "faq-bot", "1.2.0", "--commit").code == 0
    assert not lock.exists()


def test_a_second_process_racing_for_the_index_fails_cleanly(reg, cli, monkeypatch):
    """Process A is mid-commit (holding index.lock) when process B commits another edit:
    B fails with one clear line and changes nothing; A's commit lands whole."""
    real = git_commit._make_commit
    seen = {}

    def make_commit_while_another_process_runs(*args, **kwargs):
        seen["b"] = subprocess.run([sys.executable, "-m", "registry_tool", "archive", "ocr", "v1", "--commit"], cwd=reg.path,
                                   env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, capture_output=True, text=True)
        return real(*args, **kwargs)

    monkeypatch.setattr(git_commit, "_make_commit", make_commit_while_another_process_runs)
    run = cli(reg.path, "archive", "faq-bot", "1.2.0", "--commit")
    assert run.code == 0
    b = seen["b"]
    assert b.returncode == 2
    assert b.stderr.startswith("registry-tool: error: the Git index is locked (") and len(b.stderr.splitlines()) == 1
    assert reg.git("log", "--format=%s", "-2").splitlines() == ["archive faq-bot 1.2.0", "two models"]
    assert reg.git("status", "--porcelain") == ""
    assert reg.path.joinpath("models/ocr.yaml").read_bytes() == OCR.encode()


def test_a_commit_landing_mid_edit_makes_the_edit_fail_by_compare_and_swap(reg, monkeypatch):
    """Another writer (here git plumbing, which takes no index lock) moves the branch after
    the edit read HEAD: the branch update is a compare-and-swap, so the edit fails, the
    other commit stays, and the working tree and index are untouched."""
    from registry_tool.edit import operations, targets

    real = git_commit._make_commit
    other = {}

    def another_commit_lands(*args, **kwargs):
        oid = real(*args, **kwargs)
        tree = reg.git("rev-parse", "HEAD^{tree}")
        other["id"] = reg.git("commit-tree", tree, "-p", "HEAD", "-m", "someone else's commit")
        reg.git("update-ref", "refs/heads/main", other["id"])
        return oid

    monkeypatch.setattr(git_commit, "_make_commit", another_commit_lands)
    before = refs_index_and_files(reg.path)
    build = lambda ws: operations.archive(ws.base, ws.policy, "faq-bot", "1.2.0")  # noqa: E731
    with pytest.raises(RegistryError, match=r"^main moved while the edit was being made \(another commit landed first\); "
                                            r"nothing was changed: run the command again$"):
        targets.run(reg.path, build, targets.Mode(commit=True), "archive")
    assert reg.git("rev-parse", "main") == other["id"]
    after = refs_index_and_files(reg.path)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed <= {".git/refs/heads/main", ".git/logs/refs/heads/main", ".git/logs/HEAD"}  # only the other writer's
    assert not (reg.path / ".git/index.lock").exists()
    assert reg.path.joinpath("models/faq-bot.yaml").read_text() == FAQ


def test_many_racing_processes_lose_nothing(reg):
    """Four real processes edit four things at once. Whatever the interleaving, each wins
    or fails with one clear line, and every winner's edit is in the history."""
    edits = [("archive", "faq-bot", "1.2.0"), ("archive", "ocr", "v1"), ("promote", "ocr", "v2", "--to", "staging"),
             ("metrics", "faq-bot", "1.1.0", "latency_ms=80")]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "registry_tool", *args, "--commit"], cwd=reg.path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for args in edits]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]
    wins = 0
    for code, _out, err in results:
        assert "Traceback" not in err
        if code == 0:
            wins += 1
        else:
            assert code == 2 and len(err.splitlines()) == 1, err
            assert "the Git index is locked" in err or "moved while the edit was being made" in err or "uncommitted changes" in err
    assert wins >= 1
    subjects = reg.git("log", "--format=%s").splitlines()
    assert len(subjects) == wins + 1
    assert reg.git("status", "--porcelain") == ""
    root = reg.git("rev-list", "--max-parents=0", "HEAD")
    assert subprocess.run([sys.executable, "-m", "registry_tool", "validate", "--range", f"{root}..HEAD"], cwd=reg.path, env=env,
                          capture_output=True).returncode == 0


CRASH = """
import os, sys
def crash(*args, **kwargs):
    os._exit(75)  # the process dies here: no cleanup, no finally
os.replace = crash
from registry_tool.cli import main
main(sys.argv[1:], prog_name="registry-tool")
"""


def test_a_crash_between_the_temp_write_and_the_rename_leaves_the_original(reg, cli):
    target = reg.path / "models/faq-bot.yaml"
    done = subprocess.run([sys.executable, "-c", CRASH, "archive", "faq-bot", "1.2.0"], cwd=reg.path,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, capture_output=True, text=True)
    assert done.returncode == 75
    assert target.read_text() == FAQ
    leftovers = sorted(p.name for p in (reg.path / "models").glob(".faq-bot.yaml.*.tmp"))
    assert len(leftovers) == 1  # the new text was written and flushed, then the process died
    assert "stage: archived" in (reg.path / "models" / leftovers[0]).read_text()
    run = cli(reg.path, "validate")
    assert run.code == 1
    assert f"models/{leftovers[0]}:1:1: unexpected-file:" in run.out  # the leftover is reported, not read
    (reg.path / "models" / leftovers[0]).unlink()
    assert cli(reg.path, "archive", "faq-bot", "1.2.0").code == 0


def test_the_file_changing_during_an_edit_is_not_overwritten(reg, monkeypatch):
    from registry_tool import atomic
    from registry_tool.edit import operations, targets

    target = reg.path / "models/faq-bot.yaml"
    real = atomic.os.fsync

    def someone_saves_the_file(fd):
        real(fd)
        target.write_text(FAQ + "# saved by an editor meanwhile\n")

    monkeypatch.setattr(atomic.os, "fsync", someone_saves_the_file)
    build = lambda ws: operations.archive(ws.base, ws.policy, "faq-bot", "1.2.0")  # noqa: E731
    with pytest.raises(RegistryError, match=r"models/faq-bot.yaml changed on disk while it was being edited; nothing was written"):
        targets.run(reg.path, build, targets.Mode(), "archive")
    assert target.read_text() == FAQ + "# saved by an editor meanwhile\n"
    assert not list((reg.path / "models").glob(".*.tmp"))
