"""Seed 000's scenario (the FastAPI + SQLite registry demo) replayed as Git commits.

Scenario A: register faq-bot 1.0.0, None -> Staging -> Production; register 1.1.0 and
stage it for an A/B test; scenario B: promote 1.1.0 (1.0.0 is demoted to Staging);
roll back to 1.0.0; archive 1.1.0. Scenario C: promoting archived 1.1.0 and moving
2.0.0 None -> Production are refused. Here each step is a commit, and the refusals are
violations that name the commit, the file and the line.
"""

from __future__ import annotations

import json

import pytest
from builders import line_of, model, sha, validate_json, version

PATH = "models/faq-bot.yaml"
POLICY = "on_promote: demote\ndemote_to: staging\n"


def v100(stage: str) -> str:
    return version("1.0.0", stage, uri="s3://bucket/faq-bot/1.0.0", sha256=sha("faq-bot 1.0.0"),
                   tags=["baseline"], metadata={"commit": "a1b2c3"}, flow=True)


def v110(stage: str) -> str:
    return version("1.1.0", stage, uri="s3://bucket/faq-bot/1.1.0", sha256=sha("faq-bot 1.1.0"),
                   tags=["canary"], metadata={"commit": "d4e5f6"}, flow=True)


def v200(stage: str) -> str:
    return version("2.0.0", stage, uri="s3://bucket/faq-bot/2.0.0", sha256=None)


def faq(*versions: str) -> str:
    return model("faq-bot", *versions, owner="hazel", description="Q&A bot")


STEPS = [
    ("register faq-bot 1.0.0", faq(v100("none"))),
    ("1.0.0: none -> staging", faq(v100("staging"))),
    ("1.0.0: staging -> production", faq(v100("production"))),
    ("register 1.1.0", faq(v100("production"), v110("none"))),
    ("1.1.0: none -> staging (A/B test)", faq(v100("production"), v110("staging"))),
    ("promote 1.1.0; 1.0.0 is demoted to staging", faq(v100("staging"), v110("production"))),
    ("roll back to 1.0.0", faq(v100("production"), v110("staging"))),
    ("archive 1.1.0", faq(v100("production"), v110("archived"))),
    ("register 2.0.0", faq(v100("production"), v110("archived"), v200("none"))),
]
PROMOTE_ARCHIVED = faq(v100("staging"), v110("production"), v200("none"))
SKIP_TO_PRODUCTION = faq(v100("staging"), v110("staging"), v200("production"))


@pytest.fixture
def scenario(repo):
    repo.write("registry.yaml", POLICY)
    repo.root = repo.commit("policy: demote on promote (seed 000)")
    repo.steps = []
    for message, text in STEPS:
        repo.write(PATH, text)
        repo.steps.append(repo.commit(message))
    return repo


def test_the_legal_history_passes_every_commit(scenario, cli):
    code, found, data = validate_json(cli, scenario.path, "--range", f"{scenario.root}..HEAD")
    assert (code, found) == (0, [])
    assert data["commits_checked"] == scenario.steps
    run = cli(scenario.path, "validate", "--range", f"{scenario.root}..HEAD")
    assert run.out == f"ok: {len(STEPS)} model files in {len(STEPS)} commits checked, no violations\n"


def test_every_state_along_the_way_is_valid(scenario, cli):
    for commit in scenario.steps:
        assert validate_json(cli, scenario.path, "--ref", commit)[:2] == (0, [])


def test_production_at_each_step(scenario):
    """What a deploy tool reads at each commit: the one production version."""
    from registry_tool.core.policy import Policy
    from registry_tool.snapshots.git import GitStore
    from registry_tool.validation.model_file import read_model

    store = GitStore.discover(scenario.path)
    production = []
    for commit in scenario.steps:
        snapshot = store.snapshot(store.resolve(commit))
        [entry] = snapshot.entries("models")
        mf, problems = read_model(snapshot, entry, Policy())
        assert problems == []
        production.append(mf.model.production.version if mf.model.production else None)
    assert production == [None, None, "1.0.0", "1.0.0", "1.0.0", "1.1.0", "1.0.0", "1.0.0", "1.0.0"]


def test_promoting_archived_and_skipping_staging_are_refused(scenario, cli):
    good_head = scenario.steps[-1]
    scenario.write(PATH, PROMOTE_ARCHIVED)
    bad_promote = scenario.commit("promote archived 1.1.0 again")
    scenario.write(PATH, SKIP_TO_PRODUCTION)
    # 2.0.0 none -> production, and 1.1.0 (production in the parent) demoted as the policy says
    bad_skip = scenario.commit("2.0.0: none -> production")

    promote_line = line_of(PROMOTE_ARCHIVED, 'version: "1.1.0"') + 1
    skip_line = line_of(SKIP_TO_PRODUCTION, 'version: "2.0.0"') + 1
    code, found, data = validate_json(cli, scenario.path, "--range", f"{good_head}..HEAD")
    assert code == 1
    assert data["commits_checked"] == [bad_promote, bad_skip]
    assert [(v["commit"], v["file"], v["line"], v["column"], v["rule"]) for v in found] == [
        (bad_promote, PATH, promote_line, 12, "archived-promotion"),
        (bad_skip, PATH, skip_line, 12, "skipped-stage"),
    ]
    assert found[0]["message"] == "faq-bot 1.1.0: archived -> production: archived versions are never promoted again"
    assert found[1]["message"] == "faq-bot 2.0.0: none -> production skips staging; promote it to staging first"

    # The same, from the root: the legal history adds nothing.
    _, from_root, _ = validate_json(cli, scenario.path, "--range", f"{scenario.root}..HEAD")
    assert from_root == found

    text = cli(scenario.path, "validate", "--range", f"{good_head}..HEAD").out.splitlines()
    assert text == [
        f"{PATH}:{promote_line}:12: archived-promotion: {found[0]['message']} (commit {bad_promote[:12]})",
        f"{PATH}:{skip_line}:12: skipped-stage: {found[1]['message']} (commit {bad_skip[:12]})",
        "2 violations in 1 file (2 model files in 2 commits checked)",
    ]


@pytest.mark.parametrize("head, rule", [(PROMOTE_ARCHIVED, "archived-promotion"),
                                        (faq(v100("staging"), v110("archived"), v200("production")), "skipped-stage")])
def test_each_refusal_as_a_pull_request(scenario, cli, head, rule):
    """Each bad change alone, as CI judges a pull request: --ref HEAD --base <main>."""
    scenario.git("switch", "-q", "-c", "pr")
    scenario.write(PATH, head)
    scenario.commit("the pull request")
    label = "1.1.0" if rule == "archived-promotion" else "2.0.0"
    line = line_of(head, f'version: "{label}"') + 1
    for args in (["--base", "main"], ["--ref", "HEAD", "--base", "main"], ["--range", "main..HEAD"]):
        _, found, _ = validate_json(cli, scenario.path, *args)
        assert [(v["file"], v["line"], v["rule"]) for v in found] == [(PATH, line, rule)]
    run = cli(scenario.path, "validate", "--ref", "HEAD", "--base", "main", "--format", "json")
    assert json.loads(run.out)["ok"] is False and run.code == 1
