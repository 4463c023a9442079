"""The validate workflow's diff step, run as GitHub would run it: bash, the event's env, a
step summary file, and ``registry-tool`` on the PATH (a shim to this checkout)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from audit_scenarios import faq
from conftest import REPO_ROOT


def diff_step() -> dict:
    workflow = yaml.safe_load((REPO_ROOT / ".github/workflows/validate.yml").read_text())
    (step,) = [s for s in workflow["jobs"]["validate"]["steps"] if "registry-tool diff" in s.get("run", "")]
    return step


def test_step_runs_only_for_pull_requests_and_the_merge_queue():
    condition = diff_step()["if"]
    assert "github.event_name == 'pull_request'" in condition and "github.event_name == 'merge_group'" in condition
    assert "!cancelled()" in condition  # the summary is wanted most when validation failed


@pytest.mark.parametrize("event", ["pull_request", "merge_group"])
def test_step_appends_the_markdown_diff_to_the_summary(repo, tmp_path, event):
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production"), ("1.1.0", "staging")))
    base = repo.commit("Base")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging"), ("1.1.0", "production")))
    repo.commit("Promote faq-bot 1.1.0")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "registry-tool"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m registry_tool "$@"\n')
    shim.chmod(0o755)
    summary = tmp_path / "summary.md"
    summary.write_text("### registry-tool validate\n\nok\n")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(REPO_ROOT),
           "GITHUB_STEP_SUMMARY": str(summary), **diff_step()["env"]}
    env.update({"EVENT": event, "PR_BASE": base if event == "pull_request" else "",
                "QUEUE_BASE": base if event == "merge_group" else ""})
    done = subprocess.run(["bash", "-e", "-c", diff_step()["run"]], cwd=repo.path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = summary.read_text()
    assert text.startswith("### registry-tool validate\n\nok\n### Registry changes\n")  # appended, not replaced
    assert "| `faq-bot` | 1.1.0: staging → production (1.0.0: production → staging) |" in text
