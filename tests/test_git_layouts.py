"""Repositories whose Git directory lives elsewhere, reached through a ``.git`` file (``git init``
or ``git clone --separate-git-dir``, a submodule): the work tree is the folder holding that
file, as it is for git, never the folder beside the Git directory. Each layout leaves a
decoy registry beside its Git directory, where a tool that took the wrong folder would look."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from builders import model, validate_json, version
from conftest import GitRepo

PATH = "models/faq-bot.yaml"
FAQ = model("faq-bot", version("1.0.0", "production"), version("1.1.0", "staging"))
BROKEN = FAQ.replace("stage: staging", "stage: live")


def _init_separate(tmp_path: Path) -> tuple[GitRepo, Path]:
    work = GitRepo(tmp_path / "work")
    work.path.mkdir(parents=True)
    git_dir = tmp_path / "elsewhere" / "repo.git"
    git_dir.parent.mkdir()
    work.git("init", "-q", "-b", "main", f"--separate-git-dir={git_dir}", ".")
    work.write(PATH, FAQ)
    work.commit("a registry")
    return work, git_dir


def _clone_separate(tmp_path: Path) -> tuple[GitRepo, Path]:
    origin = GitRepo(tmp_path / "origin")
    origin.path.mkdir()
    origin.git("init", "-q", "-b", "main")
    origin.write(PATH, FAQ)
    origin.commit("a registry")
    git_dir = tmp_path / "elsewhere" / "clone.git"
    git_dir.parent.mkdir()
    origin.git("clone", "-q", f"--separate-git-dir={git_dir}", str(origin.path), str(tmp_path / "work"))
    return GitRepo(tmp_path / "work"), git_dir


def _submodule(tmp_path: Path) -> tuple[GitRepo, Path]:
    """A submodule whose Git directory (.git/modules/work) has no core.worktree, as some
    tools write it: git takes the folder holding the .git file."""
    inner, _ = _init_separate(tmp_path / "inner")
    outer = GitRepo(tmp_path / "outer")
    outer.path.mkdir()
    outer.git("init", "-q", "-b", "main")
    outer.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner.path), "work")
    outer.commit("a submodule")
    git_dir = outer.path / ".git" / "modules" / "work"
    outer.git("config", "-f", str(git_dir / "config"), "--unset", "core.worktree")
    work = GitRepo(outer.path / "work")
    assert work.git("status", "--porcelain") == ""  # git still finds its work tree
    return work, git_dir


@pytest.fixture(params=[_init_separate, _clone_separate, _submodule],
                ids=["init --separate-git-dir", "clone --separate-git-dir", "submodule"])
def work(request, tmp_path: Path) -> GitRepo:
    """The work tree, and a copy of its registry beside its Git directory (``decoy``)."""
    found, git_dir = request.param(tmp_path)
    decoy = git_dir.parent / "models"
    decoy.mkdir(parents=True, exist_ok=True)
    shutil.copy(found.path / PATH, decoy / "faq-bot.yaml")
    found.decoy = decoy / "faq-bot.yaml"  # type: ignore[attr-defined]
    return found


def test_validate_checks_the_work_tree(work, cli):
    (work.path / PATH).write_text(BROKEN)
    for args in ((), (PATH,)):
        code, violations, _ = validate_json(cli, work.path, *args)
        assert (code, [(v["file"], v["rule"]) for v in violations]) == (1, [(PATH, "undeclared-stage")])
    code, violations, _ = validate_json(cli, work.path / "models", "faq-bot.yaml")  # from a subfolder
    assert (code, len(violations)) == (1, 1)
    code, violations, _ = validate_json(cli, work.path, "--ref", "HEAD")
    assert (code, violations) == (0, [])


def test_commit_edits_the_work_tree_and_leaves_it_clean(work, cli):
    run = cli(work.path, "promote", "faq-bot", "1.1.0", "--to", "production", "--commit")
    assert run.code == 0
    assert work.git("log", "-1", "--format=%s") == "promote faq-bot 1.1.0 to production"
    assert work.git("status", "--porcelain") == ""
    assert (work.path / PATH).read_text() == work.git("show", f"HEAD:{PATH}") + "\n"
    assert work.decoy.read_text() == FAQ


def test_edit_without_commit_writes_the_work_tree(work, cli):
    assert cli(work.path, "archive", "faq-bot", "1.1.0").code == 0
    assert work.git("diff", "--name-only") == PATH
    assert work.decoy.read_text() == FAQ


def test_init_in_the_work_tree_does_not_warn(work, cli):
    run = cli(work.path, "init", ".", "--requirement", "registry-tool==0.1.0")
    assert run.code == 0
    assert "warning" not in run.err


def test_repo_option_names_the_work_tree(work, cli, tmp_path):
    (work.path / PATH).write_text(BROKEN)
    run = cli(tmp_path, "--repo", str(work.path), "validate")
    assert run.code == 1
    assert run.out.startswith(f"{PATH}:9:12: undeclared-stage: ")


def test_a_linked_work_tree_is_its_own_work_tree(repo, cli, tmp_path):
    repo.write(PATH, FAQ)
    repo.commit("a registry")
    linked = GitRepo(tmp_path / "linked")
    repo.git("worktree", "add", "-q", str(linked.path), "-b", "other")
    (linked.path / PATH).write_text(BROKEN)
    assert validate_json(cli, linked.path)[0] == 1
    assert validate_json(cli, repo.path)[0] == 0
    (linked.path / PATH).write_text(FAQ)
    assert cli(linked.path, "archive", "faq-bot", "1.1.0", "--commit").code == 0
    assert repo.git("log", "-1", "--format=%s", "other") == "archive faq-bot 1.1.0"
    assert (repo.git("status", "--porcelain"), linked.git("status", "--porcelain")) == ("", "")
    assert repo.git("rev-parse", "main") == repo.git("rev-parse", "other~1")
