"""The GitHub Action (action.yml) and the script that holds its event logic
(action/validate.py), run as GitHub runs it: in a real repository checked out as
actions/checkout leaves it, with the event payload GitHub writes to GITHUB_EVENT_PATH and
real GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.

The payloads carry the fields GitHub sends for each event (pull_request.base.sha,
merge_group.base_sha, push before/after, ...), trimmed of the ones the script never reads.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
import yaml
from builders import line_of, model, version
from conftest import REPO_ROOT, GitRepo

SCRIPT = REPO_ROOT / "action" / "validate.py"
SARIF_SCHEMA = json.loads((REPO_ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
PATH = "models/faq-bot.yaml"
ZERO = "0" * 40

BASE = model("faq-bot", version("1.0.0", "production"), version("1.1.0", "staging"), version("1.2.0", "staging"))
PR_A = model("faq-bot", version("1.0.0", "staging"), version("1.1.0", "production"), version("1.2.0", "staging"))
PR_B = model("faq-bot", version("1.0.0", "staging"), version("1.1.0", "staging"), version("1.2.0", "production"))
MERGED = model("faq-bot", version("1.0.0", "staging"), version("1.1.0", "production"), version("1.2.0", "production"))
BORN_IN_PRODUCTION = model("faq-bot", version("1.0.0", "staging"), version("1.1.0", "staging"), version("1.2.0", "staging"),
                           version("1.3.0", "production"))


@dataclass
class Ran:
    code: int
    out: str
    err: str
    outputs: dict[str, str]
    summary: str


def run_action(repo: GitRepo, tmp_path: Path, event: str, payload: dict, **inputs: str) -> Ran:
    """Run action/validate.py as the action's validate step does."""
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(payload))
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.write_text("")
    summary.write_text("")
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "REGISTRY_TOOL_COMMAND": f"{sys.executable} -m registry_tool",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_SHA": repo.git("rev-parse", "HEAD"),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        **{f"INPUT_{name.upper()}": value for name, value in inputs.items()},
    }
    done = subprocess.run([sys.executable, str(SCRIPT)], cwd=repo.path, env=env, capture_output=True, text=True, timeout=300, check=False)
    print(f"exit {done.returncode}\n--- stdout\n{done.stdout}--- stderr\n{done.stderr}")
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return Ran(done.returncode, done.stdout, done.stderr, outputs, summary.read_text(encoding="utf-8"))


def annotations(out: str) -> list[tuple[str, int, str]]:
    return [(m[0], int(m[1]), m[2]) for m in re.findall(r"^::error file=([^,]+),line=(\d+),col=\d+,title=([^:]+)::", out, re.MULTILINE)]


@pytest.fixture
def history(repo):
    """main: 1.0.0 in production, 1.1.0 and 1.2.0 staged; branches pr-a and pr-b each
    promote one of them (each valid alone); pr-c registers 1.3.0 straight in production."""
    repo.write(PATH, BASE)
    repo.base = repo.commit("base: 1.0.0 in production")
    for branch, text in (("pr-a", PR_A), ("pr-b", PR_B), ("pr-c", BORN_IN_PRODUCTION)):
        repo.git("switch", "-q", "-c", branch, repo.base)
        repo.write(PATH, text)
        setattr(repo, branch.replace("-", "_"), repo.commit(f"{branch}: change faq-bot"))
    repo.git("switch", "-q", "main")
    return repo


def pull_request_checkout(repo: GitRepo, branch: str) -> None:
    """What actions/checkout checks out for a pull_request event: refs/pull/N/merge, the
    merge of the branch into the base, detached."""
    repo.git("switch", "-q", "--detach", "main")
    repo.git("merge", "-q", "--no-ff", "--no-edit", branch)


def pull_request_event(repo: GitRepo, branch: str, number: int = 7) -> dict:
    return {"action": "synchronize", "number": number, "pull_request": {
        "number": number, "state": "open", "title": f"{branch}: change faq-bot",
        "base": {"ref": "main", "sha": repo.git("rev-parse", "main")},
        "head": {"ref": branch, "sha": repo.git("rev-parse", branch)},
    }, "repository": {"full_name": "acme/registry", "default_branch": "main"}}


# --- pull_request -----------------------------------------------------------------------------

def test_pull_request_judges_the_merge_result_against_the_base(history, tmp_path):
    pull_request_checkout(history, "pr-c")
    ran = run_action(history, tmp_path, "pull_request", pull_request_event(history, "pr-c"), sarif_file=str(tmp_path / "out.sarif"))
    assert ran.code == 1
    born = line_of(BORN_IN_PRODUCTION, 'version: "1.3.0"') + 1
    assert annotations(ran.out) == [(PATH, born, "skipped-stage")]
    assert f"$ registry-tool validate --ref HEAD --base {history.base} --format auto --summary " in ran.out
    assert ran.outputs == {"base": history.base, "sarif": str(tmp_path / "out.sarif"), "exit-code": "1"}
    assert ran.summary.startswith("### registry-tool validate\n\n❌ 1 violation in 1 file")
    assert "### Registry changes" in ran.summary  # registry-tool diff: what the change does
    log = json.loads((tmp_path / "out.sarif").read_text())
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["skipped-stage"]


@pytest.mark.parametrize("branch", ["pr-a", "pr-b"])
def test_pull_request_that_is_valid_passes(history, tmp_path, branch):
    pull_request_checkout(history, branch)
    ran = run_action(history, tmp_path, "pull_request", pull_request_event(history, branch))
    assert (ran.code, annotations(ran.out), ran.outputs["exit-code"]) == (0, [], "0")
    assert "✅ ok: 1 model file checked" in ran.summary and "### Registry changes" in ran.summary


# --- merge_group ------------------------------------------------------------------------------

def test_merge_group_judges_the_queued_merge_against_the_queue_base(history, tmp_path):
    """pr-a is already in main; the queue merges pr-b on top: two versions in production."""
    history.git("merge", "-q", "--no-ff", "--no-edit", "pr-a")
    queue_base = history.git("rev-parse", "HEAD")
    history.git("switch", "-q", "-c", "gh-readonly-queue/main/pr-8-" + queue_base)
    history.git("merge", "-q", "--no-ff", "--no-edit", "pr-b")
    head = history.git("rev-parse", "HEAD")
    payload = {"action": "checks_requested", "merge_group": {
        "head_sha": head, "head_ref": f"refs/heads/gh-readonly-queue/main/pr-8-{queue_base}",
        "base_sha": queue_base, "base_ref": "refs/heads/main",
        "head_commit": {"id": head, "message": "Merge pull request #8 from acme/pr-b"}}}
    ran = run_action(history, tmp_path, "merge_group", payload)
    assert ran.code == 1
    assert annotations(ran.out) == [(PATH, line_of(MERGED, 'version: "1.2.0"') + 1, "multiple-production")]
    assert ran.outputs["base"] == queue_base and ran.outputs["exit-code"] == "1"
    assert "### Registry changes" in ran.summary


# --- push -------------------------------------------------------------------------------------

def push_event(before: str, after: str, *, created: bool = False) -> dict:
    return {"ref": "refs/heads/main", "before": before, "after": after, "created": created, "deleted": False,
            "forced": False, "base_ref": None, "compare": "https://github.com/acme/registry/compare/x...y",
            "commits": [], "head_commit": {"id": after}}


def test_push_judges_each_pushed_commit_then_the_new_head(history, tmp_path):
    """A direct push whose first commit registers 1.3.0 in production (skipped-stage):
    the range names that commit; the state at the head is valid."""
    history.git("merge", "-q", "--ff-only", "pr-c")
    bad = history.git("rev-parse", "HEAD")
    history.write("README.md", "notes\n")
    after = history.commit("notes")
    ran = run_action(history, tmp_path, "push", push_event(history.base, after))
    assert ran.code == 1
    assert f"$ registry-tool validate --range {history.base}..{after} --format auto" in ran.out
    assert f"$ registry-tool validate --ref {after} --format auto" in ran.out
    assert annotations(ran.out) == [(PATH, line_of(BORN_IN_PRODUCTION, 'version: "1.3.0"') + 1, "skipped-stage")]
    assert f"(commit {bad[:12]})" in ran.out
    assert ran.summary.count("### registry-tool validate") == 2  # the range, then the head
    assert "### Registry changes" not in ran.summary
    assert ran.outputs == {"base": "", "sarif": "", "exit-code": "1"}


def test_push_that_created_the_branch_validates_the_head(history, tmp_path):
    ran = run_action(history, tmp_path, "push", push_event(ZERO, history.base, created=True))
    assert ran.code == 0
    assert "push created the branch" in ran.out and "--range" not in ran.out
    assert f"$ registry-tool validate --ref {history.base} --format auto" in ran.out


def _force_pushed(history: GitRepo, tmp_path: Path, pruned: bool) -> tuple[GitRepo, str, str]:
    """main gets a commit that moves 1.0.0's artifact, then is force-pushed back to the base
    plus a harmless commit; CI's fresh clone has no branch holding the old head. Returns
    (the clone, before, after)."""
    history.write(PATH, BASE.replace("s3://bucket/faq-bot/1.0.0/", "s3://elsewhere/faq-bot/1.0.0/"))
    before = history.commit("move 1.0.0's artifact")
    history.git("reset", "-q", "--hard", history.base)
    history.write("README.md", "notes\n")
    after = history.commit("notes")
    if pruned:  # the host dropped the old head (git serves any object it has by id, as GitHub does)
        history.git("reflog", "expire", "--expire=now", "--all")
        history.git("gc", "-q", "--prune=now")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-local", str(history.path), str(clone)], check=True)
    assert subprocess.run(["git", "cat-file", "-e", before], cwd=clone, capture_output=True).returncode != 0
    return GitRepo(clone), before, after


def test_force_push_whose_before_the_host_still_serves_fails_as_a_rewrite(history, tmp_path):
    """Before: the range was skipped and the push passed. The old head is fetched by id and
    the push is judged as one change against it: a rewritten history and a moved artifact."""
    clone, before, after = _force_pushed(history, tmp_path, pruned=False)
    ran = run_action(clone, tmp_path, "push", push_event(before, after))
    assert ran.code == 1 and ran.outputs["exit-code"] == "1"
    assert f"the commit before the push ({before[:12]}) was not in the clone" in ran.out and "fetched it from origin" in ran.out
    assert f"$ registry-tool validate --range {before}..{after} --format auto" in ran.out
    assert annotations(ran.out) == [("models", 1, "history-rewritten"),
                                    (PATH, line_of(BASE, "s3://bucket/faq-bot/1.0.0/"), "immutable-field")]


def test_push_whose_before_cannot_be_had_fails(history, tmp_path):
    """The old head gone from the host too: the range fails (exit 2), it is never skipped."""
    clone, before, after = _force_pushed(history, tmp_path, pruned=True)
    ran = run_action(clone, tmp_path, "push", push_event(before, after))
    assert ran.code == 2 and ran.outputs["exit-code"] == "2"
    assert "it could not be fetched from origin either: the range fails without it" in ran.out
    assert f"registry-tool: error: the start of the range, '{before}', is not in this repository" in ran.err
    assert f"$ registry-tool validate --ref {after} --format auto" in ran.out  # the head is still judged


# --- inputs and other events ------------------------------------------------------------------

def test_inputs_replace_the_events_choice(history, tmp_path):
    history.git("switch", "-q", "pr-c")
    ran = run_action(history, tmp_path, "workflow_dispatch", {}, range=f"{history.base}..HEAD", format="text", summary="false")
    assert ran.code == 1
    assert f"$ registry-tool validate --range {history.base}..HEAD --format text\n" in ran.out
    assert "models/faq-bot.yaml:" in ran.out and annotations(ran.out) == []
    assert ran.summary == ""
    ran = run_action(history, tmp_path, "pull_request", pull_request_event(history, "pr-c"), base="pr-a", format="json")
    assert ran.code == 1 and ran.outputs["base"] == "pr-a"
    assert '"rule": "skipped-stage"' in ran.out


def test_other_events_validate_the_whole_registry(history, tmp_path):
    ran = run_action(history, tmp_path, "schedule", {"schedule": "0 6 * * *"})
    assert ran.code == 0 and "$ registry-tool validate --ref HEAD --format auto" in ran.out


def test_unreadable_input_is_exit_2(history, tmp_path):
    ran = run_action(history, tmp_path, "workflow_dispatch", {}, base="no-such-revision")
    assert ran.code == 2 and ran.outputs["exit-code"] == "2"
    assert "registry-tool: error: unknown revision 'no-such-revision'" in ran.err


# --- action.yml -------------------------------------------------------------------------------

def test_action_yml_runs_the_script_with_every_input():
    action = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    inputs = set(action["inputs"])
    assert {"base", "range", "format", "summary", "sarif-file", "upload-sarif"} <= inputs
    steps = action["runs"]["steps"]
    validate = next(s for s in steps if s.get("id") == "validate")
    assert validate["run"] == 'python "$ACTION_PATH/action/validate.py"'
    env = set(validate["env"])
    script = SCRIPT.read_text(encoding="utf-8")
    for name in env - {"ACTION_PATH"}:
        assert name in script, name  # every variable the step sets is read
    for name in inputs - {"python-version", "requirement", "upload-sarif"}:
        assert f"INPUT_{name.upper().replace('-', '_')}" in env, name
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert "inputs.upload-sarif == 'true'" in upload["if"] and "!cancelled()" in upload["if"]
