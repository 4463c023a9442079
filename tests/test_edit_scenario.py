"""Seed 000's scenario driven entirely through the editing commands, each with --commit,
in a repository made by ``init``; then ``validate --range`` over the whole history."""

from __future__ import annotations

import yaml
from conftest import REPO_ROOT, GitRepo
from edit_helpers import fingerprint
from registry_tool.core.policy import Policy
from registry_tool.edit.scaffold import registry_files
from registry_tool.validation.policy import load_policy

FINAL = """\
# yaml-language-server: $schema=../schemas/model.schema.json
name: faq-bot
versions:
  - version: "1.0.0"
    stage: production
    artifact:
      uri: s3://bucket/faq-bot/1.0.0
    tags: [baseline]
  - version: "1.1.0"
    stage: archived
    artifact:
      uri: s3://bucket/faq-bot/1.1.0
    tags: [canary]
  - version: "2.0.0"
    stage: none
    artifact:
      uri: s3://bucket/faq-bot/2.0.0
"""


def test_seed_000_scenario_with_commits(tmp_path, cli):
    root = tmp_path / "registry"
    assert cli(tmp_path, "init", str(root)).code == 0
    repo = GitRepo(root)
    base = repo.commit("a new registry")

    def ok(*args: str) -> str:
        run = cli(root, *args, "--commit")
        assert run.code == 0, run.err
        return run.out

    ok("register", "faq-bot", "1.0.0", "--artifact-uri", "s3://bucket/faq-bot/1.0.0", "--tag", "baseline")
    ok("promote", "faq-bot", "1.0.0", "--to", "staging")
    ok("promote", "faq-bot", "1.0.0", "--to", "production")
    ok("register", "faq-bot", "1.1.0", "--artifact-uri", "s3://bucket/faq-bot/1.1.0", "--tag", "canary")
    ok("promote", "faq-bot", "1.1.0", "--to", "staging")                  # the A/B test starts
    out = ok("promote", "faq-bot", "1.1.0", "--to", "production")         # scenario B: 1.0.0 is demoted
    assert "faq-bot 1.0.0 demoted from production to staging" in out
    out = ok("rollback", "faq-bot")                                      # the KPI dropped: back to 1.0.0
    assert "faq-bot 1.1.0 demoted from production to staging" in out
    ok("archive", "faq-bot", "1.1.0")
    ok("register", "faq-bot", "2.0.0", "--artifact-uri", "s3://bucket/faq-bot/2.0.0")

    assert repo.git("log", "--format=%s", f"{base}..HEAD").splitlines() == [
        "register faq-bot 2.0.0",
        "archive faq-bot 1.1.0",
        "rollback faq-bot to 1.0.0",
        "promote faq-bot 1.1.0 to production",
        "promote faq-bot 1.1.0 to staging",
        "register faq-bot 1.1.0",
        "promote faq-bot 1.0.0 to production",
        "promote faq-bot 1.0.0 to staging",
        "register faq-bot 1.0.0",
    ]
    assert (root / "models/faq-bot.yaml").read_text() == FINAL
    assert repo.git("status", "--porcelain") == ""

    # Scenario C: illegal moves are refused, and nothing changes.
    before = fingerprint(root)
    run = cli(root, "promote", "faq-bot", "1.1.0", "--to", "production", "--commit")
    assert run.code == 1
    assert "models/faq-bot.yaml:10:12: archived-promotion: faq-bot 1.1.0: archived -> production" in run.err
    run = cli(root, "promote", "faq-bot", "2.0.0", "--to", "production", "--commit")
    assert run.code == 1
    assert "models/faq-bot.yaml:15:12: skipped-stage: faq-bot 2.0.0: none -> production skips staging" in run.err
    assert fingerprint(root) == before

    run = cli(root, "validate", "--range", f"{base}..HEAD")
    assert run.code == 0
    assert run.out == "ok: 9 model files in 9 commits checked, no violations\n"


def test_init_writes_a_registry_that_validates(tmp_path, cli):
    root = tmp_path / "new"
    run = cli(tmp_path, "init", str(root), "--owner", "@acme/ml", "--requirement", "registry-tool @ git+https://example.com/rt@v0.1.0")
    assert run.code == 0
    assert (root / ".git").is_dir() and (root / "models").is_dir()
    assert cli(root, "validate").code == 0
    # registry.yaml only comments the defaults out
    assert load_policy((root / "registry.yaml").read_bytes()) == (Policy(), [])
    for line in (root / "registry.yaml").read_text().splitlines()[3:]:
        assert line.startswith("#")
    # the workflow is this repository's, but installs registry-tool from the explicit requirement
    ours = (REPO_ROOT / ".github/workflows/validate.yml").read_text().splitlines()
    theirs = (root / ".github/workflows/validate.yml").read_text().splitlines()
    install = [i for i, line in enumerate(theirs) if "name: install registry-tool" in line][0]
    assert theirs[:install] == ours[:install]
    assert theirs[install + 8:] == ours[install + 2:]
    step = yaml.safe_load("\n".join(theirs))["jobs"]["validate"]["steps"][2]
    assert step["env"] == {"REGISTRY_TOOL_REQUIREMENT": "registry-tool @ git+https://example.com/rt@v0.1.0"}
    assert step["run"] == 'pip install "$REGISTRY_TOOL_REQUIREMENT"'
    hook = yaml.safe_load((root / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"][0]
    assert hook["id"] == "registry-validate"
    assert hook["additional_dependencies"] == ["registry-tool @ git+https://example.com/rt@v0.1.0"]
    ours_hook = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    assert {k: hook[k] for k in ("entry", "files", "pass_filenames")} == {k: ours_hook[k] for k in ("entry", "files", "pass_filenames")}
    assert "/models/ @acme/ml" in (root / ".github/CODEOWNERS").read_text()
    for name in ("model.schema.json", "registry.schema.json"):
        assert (root / "schemas" / name).read_bytes() == (REPO_ROOT / "schemas" / name).read_bytes()

    (root / "registry.yaml").write_text("on_promote: refuse\n")
    run = cli(tmp_path, "init", str(root))
    assert run.code == 0
    assert "kept    registry.yaml (exists)" in run.out
    assert (root / "registry.yaml").read_text() == "on_promote: refuse\n"


def test_init_with_the_hook_from_a_repository(tmp_path):
    files = registry_files(hooks_repo="https://github.com/acme/registry-tool", hooks_rev="v0.1.0")
    config = yaml.safe_load(files[".pre-commit-config.yaml"])
    assert config == {"repos": [{"repo": "https://github.com/acme/registry-tool", "rev": "v0.1.0",
                                 "hooks": [{"id": "registry-validate"}]}]}


def test_init_refuses_unsafe_values(tmp_path, cli):
    run = cli(tmp_path, "init", str(tmp_path / "x"), "--requirement", 'x"\nrun: evil')
    assert run.code == 2 and "may not contain quotes" in run.err
    assert not (tmp_path / "x").exists()
