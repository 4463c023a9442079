"""Two pull requests, each valid alone, whose merge puts two versions in production.

Both branches start from one base where 1.0.0 is in production; each promotes a
different staged version and demotes 1.0.0. Each passes against the base; their real
``git merge`` (as the merge queue builds it) fails with multiple-production.
"""

from __future__ import annotations

import pytest
from builders import line_of, model, validate_json, version

PATH = "models/faq-bot.yaml"
BASE = model("faq-bot", version("1.0.0", "production"), version("1.1.0", "staging"), version("1.2.0", "staging"))
PR_A = model("faq-bot", version("1.0.0", "staging"), version("1.1.0", "production"), version("1.2.0", "staging"))
PR_B = model("faq-bot", version("1.0.0", "staging"), version("1.1.0", "staging"), version("1.2.0", "production"))
MERGED = model("faq-bot", version("1.0.0", "staging"), version("1.1.0", "production"), version("1.2.0", "production"))


@pytest.fixture
def branches(repo):
    repo.write(PATH, BASE)
    repo.base = repo.commit("base: 1.0.0 in production")
    repo.git("switch", "-q", "-c", "pr-a")
    repo.write(PATH, PR_A)
    repo.a = repo.commit("promote 1.1.0")
    repo.git("switch", "-q", "-c", "pr-b", repo.base)
    repo.write(PATH, PR_B)
    repo.b = repo.commit("promote 1.2.0")
    return repo


@pytest.mark.parametrize("branch", ["pr-a", "pr-b"])
def test_each_pull_request_passes_alone(branches, cli, branch):
    for args in (["--ref", branch, "--base", branches.base], ["--range", f"{branches.base}..{branch}"]):
        assert validate_json(cli, branches.path, *args)[:2] == (0, [])
    branches.git("switch", "-q", branch)
    assert validate_json(cli, branches.path, "--base", branches.base)[:2] == (0, [])


@pytest.fixture
def merged(branches):
    """The merge queue's commit: main (the base) with pr-a, then pr-b merged in."""
    branches.git("switch", "-q", "-c", "queue", branches.a)
    branches.git("merge", "-q", "--no-ff", "--no-edit", "pr-b")
    assert (branches.path / PATH).read_text() == MERGED  # Git merged both promotions without a conflict
    branches.merge = branches.git("rev-parse", "HEAD")
    return branches


def expected(found):
    second = line_of(MERGED, 'version: "1.2.0"') + 1
    first = line_of(MERGED, 'version: "1.1.0"') + 1
    assert [(v["file"], v["line"], v["column"], v["rule"]) for v in found] == [(PATH, second, 12, "multiple-production")]
    assert found[0]["message"] == (f"faq-bot 1.2.0 is in production, but so is 1.1.0 (line {first}); "
                                   "at most one version is in production")


def test_the_merge_fails_against_the_base(merged, cli):
    code, found, _ = validate_json(cli, merged.path, "--ref", merged.merge, "--base", merged.base)
    assert code == 1
    expected(found)


def test_the_merge_fails_against_the_queue_base(merged, cli):
    """In the queue, pr-b's base is main with pr-a already merged."""
    code, found, _ = validate_json(cli, merged.path, "--ref", "HEAD", "--base", "pr-a")
    assert code == 1
    expected(found)


def test_the_merge_fails_in_the_working_tree(merged, cli):
    _code, found, _ = validate_json(cli, merged.path, "--base", merged.base)
    expected(found)
    _code, found, _ = validate_json(cli, merged.path)
    expected(found)


def test_the_merge_fails_in_a_range_naming_the_merge_commit(merged, cli):
    code, found, data = validate_json(cli, merged.path, "--range", f"{merged.base}..HEAD")
    assert code == 1
    assert data["commits_checked"] == [merged.a, merged.merge]  # first parents only
    assert [v.pop("commit") for v in found] == [merged.merge]
    expected(found)
