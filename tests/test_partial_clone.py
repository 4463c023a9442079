"""Partial clones (``git clone --filter=blob:none``, common in CI): libgit2 cannot fetch the
blobs the clone left on its remote, so the store reads them through ``git cat-file``; when
git cannot fetch them either, one line names the partial clone and the fix (exit 2).

Every test clones a real repository served over file:// with ``uploadpack.allowFilter``."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from builders import line_of, model, version
from conftest import GitRepo


def missing_objects(clone: GitRepo) -> set[str]:
    out = clone.git("rev-list", "--objects", "--all", "--missing=print")
    return {line[1:] for line in out.splitlines() if line.startswith("?")}


PRODUCTION = model("faq-bot", version("1.0.0", "production"))
SKIPPED = [("models/faq-bot.yaml", line_of(PRODUCTION, "stage: production"), "skipped-stage")]


@pytest.fixture
def served(repo):
    """Two commits: faq-bot 1.0.0 registered in none, then moved straight to production."""
    repo.write("models/faq-bot.yaml", model("faq-bot", version("1.0.0", "none")))
    repo.commit("register faq-bot 1.0.0")
    repo.write("models/faq-bot.yaml", PRODUCTION)
    repo.commit("faq-bot 1.0.0 to production")
    repo.git("config", "uploadpack.allowFilter", "true")
    return repo


def partial_clone(source: GitRepo, where, *extra: str) -> GitRepo:
    subprocess.run(["git", "clone", "-q", "--filter=blob:none", *extra, f"file://{source.path}", str(where)],
                   check=True, capture_output=True)
    clone = GitRepo(where)
    assert missing_objects(clone), "the clone should lack the first commit's blob"
    return clone


def violations(run) -> list[tuple[str, int, str]]:
    return [(v["file"], v["line"], v["rule"]) for v in json.loads(run.out)["violations"]]


def test_base_blobs_are_fetched_through_git(served, tmp_path, cli):
    clone = partial_clone(served, tmp_path / "clone")
    before = missing_objects(clone)
    expected = cli(served.path, "validate", "--ref", "HEAD", "--base", "HEAD~1", "--format", "json")
    run = cli(clone.path, "validate", "--ref", "HEAD", "--base", "HEAD~1", "--format", "json")
    assert (run.code, run.err) == (1, "")
    assert violations(run) == violations(expected) == SKIPPED
    assert missing_objects(clone) < before  # git kept what it fetched


def test_range_and_history_read_old_blobs_of_a_partial_clone(served, tmp_path, cli):
    clone = partial_clone(served, tmp_path / "clone", "--no-checkout", "--bare")  # a bare one lacks even HEAD's blobs
    run = cli(clone.path, "validate", "--range", "HEAD~1..HEAD", "--format", "json")
    assert run.code == 1 and violations(run) == SKIPPED
    run = cli(clone.path, "history", "faq-bot", "--format", "json")
    assert run.code == 0, run.err


def test_older_gits_extensions_partialclone_opens_too(served, tmp_path, cli):
    clone = partial_clone(served, tmp_path / "clone")
    clone.git("config", "extensions.partialclone", "origin")  # what git before 2.3x wrote
    run = cli(clone.path, "validate", "--ref", "HEAD", "--base", "HEAD~1", "--format", "json")
    assert run.code == 1 and violations(run) == SKIPPED


def test_unreachable_remote_is_one_line_naming_the_partial_clone(served, tmp_path, cli):
    clone = partial_clone(served, tmp_path / "clone")
    shutil.move(served.path, tmp_path / "gone")
    run = cli(clone.path, "validate", "--ref", "HEAD", "--base", "HEAD~1")
    assert run.code == 2 and run.out == ""
    assert run.err.count("\n") == 1
    assert run.err.startswith("registry-tool: error: models/faq-bot.yaml: Git object ")
    assert "is not in this partial clone and git could not fetch it from its promisor remote 'origin'" in run.err
    assert "clone without --filter" in run.err
    assert "git fsck" not in run.err  # not the corrupt-repository advice


def test_without_git_on_path_the_error_says_to_install_it(served, tmp_path, cli, monkeypatch):
    clone = partial_clone(served, tmp_path / "clone")
    empty = tmp_path / "no-git"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    run = cli(clone.path, "validate", "--ref", "HEAD", "--base", "HEAD~1")
    assert run.code == 2 and run.err.count("\n") == 1
    assert "is not in this partial clone (its promisor remote is 'origin')" in run.err
    assert "install git" in run.err and "clone without --filter" in run.err


def test_a_tree_missing_from_a_tree_filtered_clone_names_the_partial_clone(served, tmp_path, cli):
    subprocess.run(["git", "clone", "-q", "--bare", "--filter=tree:0", f"file://{served.path}", str(tmp_path / "trees")],
                   check=True, capture_output=True)
    run = cli(tmp_path / "trees", "validate", "--ref", "HEAD~1")
    assert run.code == 2 and run.err.count("\n") == 1
    assert "is not in this partial clone (promisor remote 'origin')" in run.err
    assert "--filter=blob:none" in run.err
