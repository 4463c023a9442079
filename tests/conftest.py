"""Shared fixtures: real Git repositories in temp dirs, isolated from the user's Git config,
and a CLI runner that shows what the command printed when an assertion fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pygit2
import pytest
from click.testing import CliRunner, Result

from registry_tool import snapshots
from registry_tool.cli import main

snapshots.as_command_line()  # in-process commands read Git objects as the console script does (cli.run)

REPO_ROOT = Path(__file__).resolve().parents[1]
AUTHOR = ("Ada Lovelace", "ada@example.com")
COMMITTER = ("Grace Hopper", "grace@example.com")


# --- the loader and hostile suites again, without libyaml ----------------------------------
# That run takes half a minute or more (pure-Python parsing), and most of this suite keeps
# one core busy: it starts in the background as soon as its test is selected, and
# tests/test_loader.py waits for it.

WITHOUT_LIBYAML_TEST = "test_loader_and_hostile_suites_pass_without_libyaml"
_WITHOUT_LIBYAML = pytest.StashKey["WithoutLibyaml"]()


@dataclass
class WithoutLibyaml:
    process: subprocess.Popen[bytes]
    output: Path
    started: float

    def result(self, timeout: float) -> tuple[int, str, float]:
        """(exit code, what it printed, seconds since it started)."""
        code = self.process.wait(timeout=timeout)
        return code, self.output.read_text(errors="replace"), time.monotonic() - self.started


def start_without_libyaml(folder: Path) -> WithoutLibyaml:
    """``pytest tests/test_loader.py tests/test_hostile_corpus.py`` with REGISTRY_TOOL_NO_LIBYAML=1.
    The 10,000-item throughput cases are left out: pure-Python parsing takes seconds each."""
    env = {**os.environ, "REGISTRY_TOOL_NO_LIBYAML": "1", "PYTHONPATH": str(REPO_ROOT)}
    output = folder / "without-libyaml.txt"
    with output.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/test_loader.py",
                                    "tests/test_hostile_corpus.py", "-k", "not thousand"],
                                   cwd=REPO_ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return WithoutLibyaml(process, output, time.monotonic())


def pytest_collection_finish(session: pytest.Session) -> None:
    if not os.environ.get("REGISTRY_TOOL_NO_LIBYAML") and any(item.name == WITHOUT_LIBYAML_TEST for item in session.items):
        folder = Path(tempfile.mkdtemp(prefix="registry-tool-without-libyaml-"))
        session.config.stash[_WITHOUT_LIBYAML] = start_without_libyaml(folder)


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(_WITHOUT_LIBYAML, None)
    if run is None:
        return
    if run.process.poll() is None:
        run.process.kill()  # the session ended early
        run.process.wait()
    shutil.rmtree(run.output.parent, ignore_errors=True)


@pytest.fixture
def without_libyaml(request: pytest.FixtureRequest, tmp_path: Path) -> WithoutLibyaml:
    """The background run started at collection (or one started now)."""
    return request.config.stash.get(_WITHOUT_LIBYAML, None) or start_without_libyaml(tmp_path)


@pytest.fixture(autouse=True)
def isolate_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No global or system Git config leaks into a test (name, signing, hooks, ...)."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text("[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS"):
        monkeypatch.delenv(var, raising=False)
    for level in (pygit2.enums.ConfigLevel.GLOBAL, pygit2.enums.ConfigLevel.XDG, pygit2.enums.ConfigLevel.SYSTEM):
        pygit2.settings.search_path[level] = str(home)


@dataclass
class GitRepo:
    """A real repository on disk, driven with the git CLI."""

    path: Path
    _tick: int = 0

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        full_env = {**os.environ, **(env or {})}
        done = subprocess.run(["git", *args], cwd=self.path, env=full_env, capture_output=True, text=True)
        if done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout.strip()

    def git_status(self, *args: str, env: dict[str, str] | None = None) -> int:
        """Run git and return its exit code (for commands expected to fail, such as a conflicting merge)."""
        done = subprocess.run(["git", *args], cwd=self.path, env={**os.environ, **(env or {})}, capture_output=True, text=True)
        return done.returncode

    def write(self, relpath: str, text: str) -> Path:
        target = self.path / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return target

    def commit(self, message: str, *, author: tuple[str, str] = AUTHOR, committer: tuple[str, str] = COMMITTER) -> str:
        """Stage everything and commit with fixed identities and increasing dates."""
        self._tick += 1
        date = f"2024-11-{self._tick:02d}T10:00:00+00:00" if self._tick < 29 else f"2024-12-01T{self._tick % 24:02d}:00:00+00:00"
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, env={
            "GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1], "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": committer[0], "GIT_COMMITTER_EMAIL": committer[1], "GIT_COMMITTER_DATE": date,
        })
        return self.git("rev-parse", "HEAD")


@pytest.fixture(scope="session")
def pre_commit_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """pre-commit's home for this test session (the environments it builds are shared by the
    tests of one session, never kept between sessions: they hold this checkout's code) and
    the user's pip cache (downloads only)."""
    import pwd

    return {"PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
            "PIP_CACHE_DIR": str(Path(pwd.getpwuid(os.getuid()).pw_dir) / ".cache" / "pip")}


def copy_tracked(dest: Path) -> Path:
    """The files Git tracks in this checkout, copied to ``dest``: what a clean clone holds."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        source = REPO_ROOT / os.fsdecode(name)
        if source.is_file():
            target = dest / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


@pytest.fixture(scope="session")
def checkout_requirement(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A pip requirement for this checkout's code: a wheel built once per test process from
    the tracked files, so pre-commit installs it without building in this folder (pip builds
    a local folder in place, and two builds in one build/ folder collide)."""
    source = copy_tracked(tmp_path_factory.mktemp("checkout") / "registry-tool")
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(out), str(source)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return f"registry-tool @ {next(out.glob('*.whl')).as_uri()}"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    path = tmp_path / "registry"
    path.mkdir()
    r = GitRepo(path)
    r.git("init", "-q", "-b", "main")
    return r


@dataclass
class Run:
    result: Result

    @property
    def code(self) -> int:
        return self.result.exit_code

    @property
    def out(self) -> str:
        return self.result.stdout

    @property
    def err(self) -> str:
        return self.result.stderr


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """``cli(cwd, *args)`` runs registry-tool in-process, as a user would from ``cwd``."""

    def run(cwd: Path, *args: str, input: str | None = None) -> Run:
        monkeypatch.chdir(cwd)
        result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
        print(f"$ registry-tool {' '.join(args)}  (exit {result.exit_code})\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}")
        return Run(result)

    yield run


@dataclass
class Proc:
    code: int
    out: str
    err: str


@pytest.fixture
def run_process() -> Iterator:
    """``run_process(cwd, *args)`` runs ``python -m registry_tool`` in a real subprocess
    (this checkout's code), for what CliRunner cannot show: exit codes of the real
    interpreter, tracebacks on stderr, signals, concurrency."""
    import sys

    def run(cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Proc:
        full_env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})}
        done = subprocess.run([sys.executable, "-m", "registry_tool", *args], cwd=cwd, env=full_env,
                              capture_output=True, text=True, timeout=timeout)
        print(f"$ registry-tool {' '.join(args)}  (exit {done.returncode})\n--- stdout\n{done.stdout}--- stderr\n{done.stderr}")
        return Proc(done.returncode, done.stdout, done.stderr)

    yield run
