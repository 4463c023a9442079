"""``init --pages``: a GitHub Pages workflow that rebuilds the catalog site on every push
to main, with the least privilege each job needs (pins are checked with the other
workflows in tests/test_workflows.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml
from conftest import REPO_ROOT

from registry_tool.edit.scaffold import CHECKOUT, DEPLOY_PAGES, UPLOAD_PAGES, pages_workflow


def test_the_pages_workflow_builds_on_push_to_main_and_deploys_with_least_privilege():
    data = yaml.safe_load(pages_workflow("registry-tool @ git+https://example.com/r@abc"))
    assert data[True] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}  # PyYAML reads 'on' as True
    assert data["permissions"] == {"contents": "read"}
    build, deploy = data["jobs"]["build"], data["jobs"]["deploy"]
    assert "permissions" not in build  # reads the repository only
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"} and deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    steps = build["steps"]
    assert steps[0]["uses"] == CHECKOUT.split(" #")[0] and steps[0]["with"] == {"fetch-depth": 0}  # the whole history
    assert steps[2]["env"] == {"REGISTRY_TOOL_REQUIREMENT": "registry-tool @ git+https://example.com/r@abc"}
    assert steps[3]["run"] == 'registry-tool site --out _site --ref "$GITHUB_SHA" --repo-url "$REPO_URL"'
    assert steps[4] == {"uses": UPLOAD_PAGES.split(" #")[0], "with": {"path": "_site"}}
    assert deploy["steps"] == [{"id": "deployment", "uses": DEPLOY_PAGES.split(" #")[0]}]
    assert data["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_init_writes_the_pages_workflow_only_when_asked(tmp_path, cli):
    plain, paged = tmp_path / "plain", tmp_path / "paged"
    assert cli(tmp_path, "init", str(plain)).code == 0
    assert not (plain / ".github" / "workflows" / "pages.yml").exists()
    run = cli(tmp_path, "init", str(paged), "--pages", "--requirement", "registry-tool==9.9")
    assert run.code == 0 and "created .github/workflows/pages.yml" in run.out
    assert "CI, pre-commit and the Pages workflow install registry-tool with: pip install 'registry-tool==9.9'" in run.out
    assert "Settings > Pages > Source: GitHub Actions" in run.out
    text = (paged / ".github" / "workflows" / "pages.yml").read_text()
    assert text == pages_workflow("registry-tool==9.9")
    again = cli(tmp_path, "init", str(paged), "--pages")
    assert again.code == 0 and "kept    .github/workflows/pages.yml (exists)" in again.out
    action = cli(tmp_path, "init", str(tmp_path / "action"), "--pages", "--requirement", "registry-tool==9.9",
                 "--action", "acme/registry-tool@v1")
    assert action.code == 0 and "pre-commit and the Pages workflow install registry-tool with" in action.out


def test_the_build_step_runs_as_github_runs_it(tmp_path, cli):
    """The workflow's 'build the site' step, in bash with the env GitHub gives it, in a
    registry ``init --pages`` made, with ``registry-tool`` on the PATH (a shim to this
    checkout): the site of the pushed commit, linked to the repository on GitHub."""
    root = tmp_path / "registry"
    assert cli(tmp_path, "init", str(root), "--pages", "--requirement", "registry-tool==9.9").code == 0
    git = ["git", "-C", str(root), "-c", "user.name=Ada", "-c", "user.email=ada@example.com"]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "A model registry"], check=True)
    assert cli(root, "register", "fraud", "1.0.0", "--artifact-uri", "s3://m/fraud/1", "--metric", "auc=0.9").code == 0
    subprocess.run([*git, "add", "models"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "Register fraud 1.0.0 (#7)"], check=True)
    sha = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    workflow = yaml.safe_load((root / ".github" / "workflows" / "pages.yml").read_text())
    (step,) = [s for s in workflow["jobs"]["build"]["steps"] if s.get("name") == "build the site"]
    assert step["env"] == {"REPO_URL": "${{ github.server_url }}/${{ github.repository }}"}
    shim = tmp_path / "bin" / "registry-tool"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m registry_tool "$@"\n')
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(REPO_ROOT),
           "GITHUB_SHA": sha, "REPO_URL": "https://github.com/acme/registry"}
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    site = root / "_site"
    assert sorted(str(p.relative_to(site)) for p in site.rglob("*.html")) == ["index.html", "models/fraud.html"]
    page = (site / "models" / "fraud.html").read_text()
    assert f'href="https://github.com/acme/registry/commit/{sha}"' in page
    assert 'href="https://github.com/acme/registry/pull/7"' in page
