"""``init --pages``: a GitHub Pages workflow that rebuilds the catalog site on every push
to main, with the least privilege each job needs (pins are checked with the other
workflows in tests/test_workflows.py)."""

from __future__ import annotations

import yaml

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
    text = (paged / ".github" / "workflows" / "pages.yml").read_text()
    assert text == pages_workflow("registry-tool==9.9")
    again = cli(tmp_path, "init", str(paged), "--pages")
    assert again.code == 0 and "kept    .github/workflows/pages.yml (exists)" in again.out
