"""Hostile conditions for ``--commit``: split and sparse Git indexes, real signals in the
middle of a commit (Ctrl-C, kill, kill -9) and a full file system. Each ends with a commit
whose branch, index and working tree agree, or with nothing committed, and a message that
says which. Real repositories, the real CLI in a subprocess."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import model, version
from conftest import AUTHOR, REPO_ROOT, GitRepo

PATH = "models/faq-bot.yaml"
BEFORE = model("faq-bot", version("1.0.0", "none"))
AFTER = model("faq-bot", version("1.0.0", "staging"))
PROMOTE = ["promote", "faq-bot", "1.0.0", "--to", "staging", "--commit"]
ENV = {"GIT_AUTHOR_NAME": AUTHOR[0], "GIT_AUTHOR_EMAIL": AUTHOR[1], "GIT_COMMITTER_NAME": AUTHOR[0],
       "GIT_COMMITTER_EMAIL": AUTHOR[1]}


def _registry(path: Path) -> GitRepo:
    repo = GitRepo(path)
    path.mkdir(parents=True, exist_ok=True)
    repo.git("init", "-q", "-b", "main")
    repo.write(PATH, BEFORE)
    repo.write("docs/notes.md", "notes\n")
    repo.commit("register faq-bot")
    return repo


def _start(repo: GitRepo, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    full = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **ENV, **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "registry_tool", *args], cwd=repo.path, env=full,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _run(repo: GitRepo, args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    proc = _start(repo, args, env)
    out, err = proc.communicate(timeout=120)
    print(f"$ registry-tool {' '.join(args)}  (exit {proc.returncode})\n{out}{err}")
    return proc.returncode, out, err


def _agree(repo: GitRepo, text: str) -> None:
    """HEAD, the index and the working tree all hold ``text`` for the model file."""
    assert repo.git("show", f"HEAD:{PATH}") + "\n" == text
    assert repo.git("status", "--porcelain") == ""
    assert (repo.path / PATH).read_text() == text


# --- split and sparse indexes (libgit2 cannot read them; the commit crashed) ----------------

@pytest.mark.parametrize("kind", ["split", "sparse"])
def test_commit_with_a_split_or_sparse_index(tmp_path: Path, kind: str) -> None:
    repo = _registry(tmp_path / "registry")
    if kind == "split":
        repo.git("update-index", "--split-index")
        assert (repo.path / ".git").glob("sharedindex.*")
    else:
        repo.git("sparse-checkout", "init", "--cone", "--sparse-index")
        repo.git("sparse-checkout", "set", "models")
        assert not (repo.path / "docs").exists()
    code, out, err = _run(repo, PROMOTE)
    assert (code, err) == (0, "")
    assert out.startswith("[main ") and out.endswith("] promote faq-bot 1.0.0 to staging\n")
    _agree(repo, AFTER)
    assert repo.git("log", "--format=%s").splitlines() == ["promote faq-bot 1.0.0 to staging", "register faq-bot"]


def test_split_index_without_git_installed_is_refused_in_one_line(tmp_path: Path) -> None:
    """libgit2 alone cannot read a split index: it says so, and changes nothing."""
    repo = _registry(tmp_path / "registry")
    repo.git("update-index", "--split-index")
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    code, out, err = _run(repo, PROMOTE, {"PATH": str(empty)})
    assert (code, out) == (2, "")
    assert err == ("registry-tool: error: the Git index uses a format libgit2 cannot read or write (a split or sparse "
                   "index); install git, or commit by hand; nothing was changed\n")
    _agree(repo, BEFORE)


# --- real signals in the middle of a commit ----------------------------------------------

SLOW_GIT = """#!/bin/sh
# git, but $SLOW_AT (commit-tree: writing the commit object, the first step of a commit;
# ls-files: reading the index before it) says it has started, then waits until the test has
# sent its signal and says go ($MARK.go; at most a minute): however slowly the test is
# scheduled, the signal lands while this step is running.
for arg in "$@"; do
  if [ "$arg" = "$SLOW_AT" ]; then
    : > "$MARK"
    i=0
    while [ ! -e "$MARK.go" ] && [ "$i" -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
    break
  fi
done
exec "$REAL_GIT" "$@"
"""


@pytest.fixture
def slow_git(tmp_path: Path) -> Iterator[dict[str, str]]:
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "git").write_text(SLOW_GIT)
    (folder / "git").chmod(0o755)
    mark = tmp_path / "commit-started"
    # A shell that starts the tests in the background (cmd &) passes SIGINT on ignored, and a
    # Python started so never raises KeyboardInterrupt: the commands get Ctrl-C's usual
    # effect, as from a terminal.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}", "REAL_GIT": shutil.which("git") or "git", "MARK": str(mark),
           "SLOW_AT": "update-index"}  # the new index: inside the commit's deferred section
    signal.signal(signal.SIGINT, previous)


def _signal_mid_commit(repo: GitRepo, env: dict[str, str], sig: int) -> tuple[int, str, str]:
    proc = _start(repo, PROMOTE, env)
    deadline = time.monotonic() + 60
    while not Path(env["MARK"]).exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    proc.send_signal(sig)
    time.sleep(0.2)  # the signal is handled while git still waits (for SIGINT: Python's handler runs)
    Path(env["MARK"] + ".go").touch()
    out, err = proc.communicate(timeout=120)
    print(f"exit {proc.returncode}\n{out}{err}")
    return proc.returncode, out, err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_ctrl_c_or_kill_mid_commit_finishes_the_commit_and_says_so(tmp_path: Path, slow_git, sig) -> None:
    """Before: "Aborted!", exit 1, though HEAD had moved (and the index was stale, so the
    next git commit reverted the promotion)."""
    repo = _registry(tmp_path / "registry")
    code, out, err = _signal_mid_commit(repo, slow_git, sig)
    assert code == 0
    assert out.startswith("[main ") and out.endswith("] promote faq-bot 1.0.0 to staging\n")
    assert err == (f"registry-tool: warning: interrupted ({sig.name}) while committing: the commit was finished "
                   "first, so the branch, the index and the working tree agree\n")
    _agree(repo, AFTER)
    repo.git("commit", "-q", "--allow-empty", "-m", "the next commit")  # reverts nothing
    assert repo.git("show", f"HEAD:{PATH}") + "\n" == AFTER


def test_kill_9_mid_commit_leaves_no_commit(tmp_path: Path, slow_git) -> None:
    """SIGKILL cannot wait: the objects are being written, nothing else has changed yet;
    Git's lock stays behind, as after a git that was killed, and the next command says so."""
    repo = _registry(tmp_path / "registry")
    head = repo.git("rev-parse", "HEAD")
    code, out, err = _signal_mid_commit(repo, slow_git, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert repo.git("rev-parse", "HEAD") == head
    assert (repo.path / PATH).read_text() == BEFORE
    assert repo.git("status", "--porcelain") == ""
    lock = repo.path / ".git" / "index.lock"
    assert lock.exists()
    code, out, err = _run(repo, PROMOTE)
    assert (code, out) == (2, "")
    assert err.startswith(f"registry-tool: error: the Git index is locked ({lock} exists)")
    lock.unlink()
    assert _run(repo, PROMOTE)[0] == 0
    _agree(repo, AFTER)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
@pytest.mark.parametrize("step", ["ls-files", "commit-tree"])
def test_ctrl_c_or_kill_before_the_commit_begins_commits_nothing_and_says_so(tmp_path: Path, slow_git, sig, step) -> None:
    """While the edit is still being checked (the index read) or its commit object made
    (git commit-tree, which runs a commit.gpgsign signer that may wait on a person): no
    commit, one line, exit 130, and Git's lock let go. Before: kill and a closed terminal
    ended the process with the lock left behind, and a signer's wait held every signal
    back until it ended."""
    repo = _registry(tmp_path / "registry")
    head = repo.git("rev-parse", "HEAD")
    code, out, err = _signal_mid_commit(repo, {**slow_git, "SLOW_AT": step}, sig)
    assert (code, out, err) == (130, "", "registry-tool: error: interrupted\n")
    assert repo.git("rev-parse", "HEAD") == head
    _agree(repo, BEFORE)
    assert not (repo.path / ".git" / "index.lock").exists()


# --- a full file system --------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path):
    """A 4 MiB tmpfs (root only; skipped where mount is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    return filler


def test_commit_on_a_full_disk_commits_nothing_and_says_so(small_disk: Path) -> None:
    """Before: exit 3, or a false "another commit landed first"."""
    repo = _registry(small_disk / "registry")
    head = repo.git("rev-parse", "HEAD")
    filler = _fill(small_disk)
    code, out, err = _run(repo, PROMOTE)
    assert (code, out) == (2, "")
    assert err.startswith("registry-tool: error: ") and err.endswith("; nothing was committed\n")
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    filler.unlink()
    assert repo.git("rev-parse", "HEAD") == head
    _agree(repo, BEFORE)
    assert not (repo.path / ".git" / "index.lock").exists()
    assert not list((repo.path / ".git").glob("index.registry-tool.*"))
    assert _run(repo, PROMOTE)[0] == 0  # with room again, it works
    _agree(repo, AFTER)
