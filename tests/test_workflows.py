"""The workflows this repository runs, the action it offers and the workflows ``init``
writes: every action pinned by full commit sha with its release in a comment, current
majors of checkout and setup-python (node 24), least-privilege permissions, and no
workflow that runs twice for one pull request."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import REPO_ROOT

from registry_tool.edit.scaffold import CHECKOUT, SETUP_PYTHON, pages_workflow, workflow

USES = re.compile(r"^\s*(?:- )?uses:\s*(\S+)(.*)$", re.MULTILINE)
PINNED = re.compile(r"[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}")
RELEASE = re.compile(r"\s+# v\d+\.\d+\.\d+$")
OURS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
ACTION_FOR_INIT = "acme/registry-tool@0123456789abcdef0123456789abcdef01234567"


def texts() -> dict[str, str]:
    found = {str(p.relative_to(REPO_ROOT)): p.read_text(encoding="utf-8") for p in OURS}
    found["action.yml"] = (REPO_ROOT / "action.yml").read_text(encoding="utf-8")
    found["init: validate.yml"] = workflow()
    found["init --action: validate.yml"] = workflow(action=ACTION_FOR_INIT)
    found["init --pages: pages.yml"] = pages_workflow()
    return found


@pytest.mark.parametrize(("name", "text"), sorted(texts().items()))
def test_every_action_is_pinned_by_sha_with_its_release(name, text):
    uses = USES.findall(text)
    assert uses, name
    for target, rest in uses:
        if target == "./":  # this repository's own action, at the commit being tested
            continue
        assert PINNED.fullmatch(target), f"{name}: {target} is not pinned by a full commit sha"
        if target != ACTION_FOR_INIT:
            assert RELEASE.fullmatch(rest), f"{name}: {target} has no '# vX.Y.Z' comment"


@pytest.mark.parametrize(("name", "text"), sorted(texts().items()))
def test_checkout_and_setup_python_are_the_pinned_current_majors(name, text):
    """One pin for each action across every file: the scaffold's, which names v7 (node 24)."""
    assert CHECKOUT.endswith("# v7.0.1") and SETUP_PYTHON.endswith("# v7.0.0")
    for target, rest in USES.findall(text):
        if target.startswith("actions/checkout@"):
            assert f"{target}{rest}".strip() == CHECKOUT, name
        if target.startswith("actions/setup-python@"):
            assert f"{target}{rest}".strip() == SETUP_PYTHON, name


def workflows() -> dict[str, dict]:
    found = {str(p.relative_to(REPO_ROOT)): yaml.safe_load(p.read_text(encoding="utf-8")) for p in OURS}
    found["init: validate.yml"] = yaml.safe_load(workflow())
    found["init --action: validate.yml"] = yaml.safe_load(workflow(action=ACTION_FOR_INIT))
    return found


@pytest.mark.parametrize(("name", "data"), sorted(workflows().items()))
def test_least_privilege_permissions(name, data):
    assert data["permissions"] == {"contents": "read"}, name
    for job in data["jobs"].values():
        assert "permissions" not in job or set(job["permissions"].values()) <= {"read", "none"}, name


@pytest.mark.parametrize(("name", "data"), sorted(workflows().items()))
def test_a_pull_request_runs_each_workflow_once(name, data):
    """PyYAML reads the key 'on' as True. A push trigger beside pull_request must be limited
    to branches (main): otherwise a PR's branch runs the workflow twice per push."""
    triggers = data.get("on", data.get(True))
    if "pull_request" in triggers and "push" in triggers:
        assert (triggers["push"] or {}).get("branches") == ["main"], name


def test_init_action_writes_a_workflow_that_uses_the_action(tmp_path, cli):
    root = tmp_path / "new"
    run = cli(tmp_path, "init", str(root), "--action", ACTION_FOR_INIT)
    assert run.code == 0
    text = (root / ".github" / "workflows" / "validate.yml").read_text()
    steps = yaml.safe_load(text)["jobs"]["validate"]["steps"]
    assert [step["uses"] for step in steps] == [CHECKOUT.split(" #")[0], ACTION_FOR_INIT]
    assert steps[0]["with"] == {"fetch-depth": 0}
    assert "#   upload-sarif: \"true\"" in text and "# security-events: write" in text
    assert f"CI uses registry-tool's GitHub Action {ACTION_FOR_INIT}, which installs itself" in run.out
    assert "pre-commit installs registry-tool with: pip install 'registry-tool @ " in run.out
    assert cli(root, "validate").code == 0


@pytest.mark.parametrize("bad", ["registry-tool", "acme/registry-tool", "acme/rt@v1 x", "acme/rt@v1\nrun: x", "@v1"])
def test_init_refuses_an_action_that_is_not_owner_repo_at_ref(tmp_path, cli, bad):
    run = cli(tmp_path, "init", str(tmp_path / "new"), "--action", bad)
    assert run.code == 2 and "expected OWNER/REPO@REF" in run.err
    assert not (tmp_path / "new").exists()


def test_the_readme_shows_the_action_and_the_sarif_upload():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## In CI and pre-commit", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.+?)```", section, flags=re.DOTALL)
    assert any(re.search(r"^\s*- uses: [\w-]+/registry-tool@", b, re.MULTILINE) for b in blocks)
    upload = [b for b in blocks if "upload-sarif: \"true\"" in b]
    assert upload and "security-events: write" in upload[0]
    for block in blocks:
        yaml.safe_load(block)  # every example is valid YAML


def test_this_repositorys_workflows_exist():
    assert {p.name for p in OURS} >= {"ci.yml", "validate.yml", "action.yml"}
    assert Path(REPO_ROOT / "action" / "validate.py").is_file()
