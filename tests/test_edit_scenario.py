"""Seed 000's scenario driven entirely through the editing commands, each with --commit,
in a repository made by ``init``; then ``validate --range`` over the whole history."""

from __future__ import annotations

import pytest
import yaml
from conftest import REPO_ROOT, GitRepo
from edit_helpers import fingerprint

from registry_tool.core.policy import Policy
from registry_tool.edit import scaffold
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
    install = next(i for i, line in enumerate(theirs) if "name: install registry-tool" in line)
    assert theirs[:install] == ours[:install]
    assert theirs[install + 8:] == ours[install + 2:]
    step = yaml.safe_load("\n".join(theirs))["jobs"]["validate"]["steps"][2]
    assert step["env"] == {"REGISTRY_TOOL_REQUIREMENT": "registry-tool @ git+https://example.com/rt@v0.1.0"}
    assert step["run"] == 'pip install "$REGISTRY_TOOL_REQUIREMENT"'
    hook = yaml.safe_load((root / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"][0]
    assert hook["id"] == "registry-validate"
    assert hook["additional_dependencies"] == ["registry-tool @ git+https://example.com/rt@v0.1.0"]
    ours_hook = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    keys = ("entry", "files", "pass_filenames", "always_run")
    assert {k: hook[k] for k in keys} == {k: ours_hook[k] for k in keys}
    assert hook["entry"] == "registry-tool validate --staged" and hook["always_run"] is True
    owners = (root / ".github/CODEOWNERS").read_text()
    for owned in ("/models/", "/registry.yaml", "/.github/", "/schemas/", "/.pre-commit-config.yaml"):
        assert f"\n{owned} @acme/ml\n" in owners
    assert ("CI and pre-commit install registry-tool with: pip install 'registry-tool @ git+https://example.com/rt@v0.1.0' "
            "(--requirement)") in run.out
    assert "next steps:" in run.out and "pre-commit install" in run.out and "Code Owners" in run.out
    for name in ("model.schema.json", "registry.schema.json"):
        assert (root / "schemas" / name).read_bytes() == (REPO_ROOT / "schemas" / name).read_bytes()

    (root / "registry.yaml").write_text("on_promote: refuse\n")
    run = cli(tmp_path, "init", str(root))
    assert run.code == 0
    assert "kept    registry.yaml (exists)" in run.out
    assert (root / "registry.yaml").read_text() == "on_promote: refuse\n"


def test_init_with_the_hook_from_a_repository(tmp_path, cli):
    files = registry_files(requirement="x", hooks_repo="https://github.com/acme/registry-tool", hooks_rev="0123abc")
    config = yaml.safe_load(files[".pre-commit-config.yaml"])
    assert config == {"repos": [{"repo": "https://github.com/acme/registry-tool", "rev": "0123abc",
                                 "hooks": [{"id": "registry-validate", "files": "^(models/|registry\\.yaml$)"}]}]}
    # no default tag that may not exist: the commit a Git install came from, or --hooks-rev
    run = cli(tmp_path, "init", str(tmp_path / "x"), "--hooks-repo", "https://github.com/acme/registry-tool")
    assert run.code == 2 and "--hooks-repo needs --hooks-rev" in run.err
    assert not (tmp_path / "x").exists()
    run = cli(tmp_path, "init", str(tmp_path / "x"), "--hooks-repo", "https://github.com/acme/registry-tool",
              "--hooks-rev", "0123abc", "--requirement", "registry-tool==0.1.0")
    assert run.code == 0 and "pre-commit takes the registry-validate hook from https://github.com/acme/registry-tool at 0123abc" in run.out


def test_init_reads_models_dir_from_an_existing_registry_yaml(tmp_path, cli):
    root = tmp_path / "reg"
    root.mkdir()
    (root / "registry.yaml").write_text("models_dir: ml/models\n")
    assert cli(tmp_path, "init", str(root), "--owner", "@acme/ml").code == 0
    assert (root / "ml/models").is_dir()
    hook = yaml.safe_load((root / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"][0]
    assert hook["files"] == "^(ml/models/|registry\\.yaml$)"
    assert "\n/ml/models/ @acme/ml\n" in (root / ".github/CODEOWNERS").read_text()


def test_init_inside_another_repository_warns(tmp_path, cli):
    outer = tmp_path / "outer"
    GitRepo(outer).path.mkdir()
    GitRepo(outer).git("init", "-q")
    run = cli(tmp_path, "init", str(outer / "sub"), "--requirement", "registry-tool==0.1.0")
    assert run.code == 0
    assert (f"registry-tool: warning: {outer / 'sub'} is inside the Git repository at {outer}: registry-tool commands "
            "there use that repository's root") in run.err
    assert not (outer / "sub/.git").exists()


def test_init_default_requirement_is_where_this_registry_tool_comes_from(tmp_path, cli):
    """Run from this checkout (PYTHONPATH, whatever is installed elsewhere, or an editable
    install of it, as a developer has): a local folder, which init says CI cannot install."""
    run = cli(tmp_path, "init", str(tmp_path / "r"))
    assert run.code == 0
    expected = f"registry-tool @ {REPO_ROOT.as_uri()}"
    assert (f"pip install '{expected}' (from the source folder {REPO_ROOT} on this machine, not installed)" in run.out
            or f"pip install '{expected}' (from the folder {REPO_ROOT} on this machine)" in run.out)
    assert "registry-tool: warning: that is a path on this machine" in run.err
    step = yaml.safe_load((tmp_path / "r/.github/workflows/validate.yml").read_text())["jobs"]["validate"]["steps"][2]
    assert step["env"] == {"REGISTRY_TOOL_REQUIREMENT": expected}


@pytest.mark.parametrize(("direct_url", "requirement", "portable", "commit"), [
    (None, "registry-tool==0.1.0", True, None),
    ({"url": "https://github.com/acme/registry-tool", "vcs_info": {"vcs": "git", "commit_id": "a" * 40,
                                                                     "requested_revision": "main"}},
     f"registry-tool @ git+https://github.com/acme/registry-tool@{'a' * 40}", True, "a" * 40),
    ({"url": "https://github.com/acme/mono", "subdirectory": "tools/rt",
      "vcs_info": {"vcs": "git", "commit_id": "b" * 40}},
     f"registry-tool @ git+https://github.com/acme/mono@{'b' * 40}#subdirectory=tools/rt", True, "b" * 40),
    ({"url": "https://files.example.com/registry_tool-0.1.0-py3-none-any.whl", "archive_info": {}},
     "registry-tool @ https://files.example.com/registry_tool-0.1.0-py3-none-any.whl", True, None),
    ({"url": "file:///home/me/registry-tool", "dir_info": {"editable": True}},
     "registry-tool @ file:///home/me/registry-tool", False, None),
    ({"url": "file:///tmp/registry_tool-0.1.0.tar.gz", "archive_info": {}},
     "registry-tool @ file:///tmp/registry_tool-0.1.0.tar.gz", False, None),
])
def test_requirement_from_pep_610_direct_url(direct_url, requirement, portable, commit):
    source = scaffold._source_of(direct_url, "0.1.0")
    assert (source.requirement, source.portable, source.vcs_commit) == (requirement, portable, commit)


def test_init_refuses_unsafe_values(tmp_path, cli):
    run = cli(tmp_path, "init", str(tmp_path / "x"), "--requirement", 'x"\nrun: evil')
    assert run.code == 2 and "may not contain quotes" in run.err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("owner, bad", [("not an owner", "not"), ("acme/ml", "acme/ml"), ("@acme/ml extra", "extra"),
                                        ("@-acme", "@-acme"), ("ml@localhost", "ml@localhost")])
def test_init_refuses_an_owner_github_would_not_read(tmp_path, cli, owner, bad):
    run = cli(tmp_path, "init", str(tmp_path / "x"), "--owner", owner, "--requirement", "registry-tool==0.1.0")
    assert (run.code, run.out) == (2, "")
    assert run.err == (f"registry-tool: error: --owner '{owner}': '{bad}' is not a GitHub owner: give @user, "
                       "@org/team or an email address (several separated by spaces)\n")
    assert not (tmp_path / "x").exists()


def test_init_takes_users_teams_and_emails_as_owners(tmp_path, cli):
    root = tmp_path / "x"
    run = cli(tmp_path, "init", str(root), "--owner", "@ada @acme/ml-reviewers ml.team@example.com",
              "--requirement", "registry-tool==0.1.0")
    assert run.code == 0
    assert "/registry.yaml @ada @acme/ml-reviewers ml.team@example.com\n" in (root / ".github/CODEOWNERS").read_text()


def test_init_says_whether_it_created_or_kept_the_models_folder(tmp_path, cli):
    root = tmp_path / "reg"
    models = "(model files go here: registry-tool register MODEL VERSION --artifact-uri URI)"
    run = cli(tmp_path, "init", str(root), "--requirement", "registry-tool==0.1.0")
    assert run.code == 0 and f"\ncreated models/ {models}\n" in run.out
    (root / "models" / "faq-bot.yaml").write_text("name: faq-bot\n")
    run = cli(tmp_path, "init", str(root), "--requirement", "registry-tool==0.1.0")
    assert run.code == 0 and f"\nkept    models/ (exists) {models}\n" in run.out and "created models/" not in run.out
    assert (root / "models" / "faq-bot.yaml").read_text() == "name: faq-bot\n"


def test_init_on_a_registry_says_which_options_the_kept_files_do_not_have(tmp_path, cli):
    """init completes a registry and never overwrites a file: run again with other options,
    it must not claim CI uses the new action or requirement, or that CODEOWNERS names the
    default team, when the files that would say so were kept as they were."""
    root = tmp_path / "reg"
    first = cli(tmp_path, "init", str(root), "--requirement", "registry-tool==0.1.0", "--owner", "@acme/ml")
    assert first.code == 0 and "CI and pre-commit install registry-tool with: pip install 'registry-tool==0.1.0'" in first.out
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}

    again = cli(tmp_path, "init", str(root), "--action", "acme/registry-tool@v1", "--requirement", "registry-tool==0.2.0",
                "--owner", "@other/team")
    assert again.code == 0
    assert {p: p.read_bytes() for p in before} == before
    assert "GitHub Action" not in again.out and "0.2.0" not in again.out and "@other/team" not in again.out
    assert "install registry-tool with" not in again.out
    kept = "exists and was kept (init never overwrites a file: edit it, or remove it and run init again)"
    assert again.err == (f"registry-tool: warning: --action is not in .github/workflows/validate.yml: it {kept}\n"
                         f"registry-tool: warning: --requirement is not in .pre-commit-config.yaml: it {kept}\n"
                         f"registry-tool: warning: --owner is not in .github/CODEOWNERS: it {kept}\n")

    plain = cli(tmp_path, "init", str(root))
    assert plain.code == 0 and plain.err == ""
    assert "CODEOWNERS names @your-org/model-owners" not in plain.out and "install registry-tool with" not in plain.out

    (root / ".pre-commit-config.yaml").unlink()
    hooks = cli(tmp_path, "init", str(root), "--hooks-repo", "https://github.com/acme/registry-tool", "--hooks-rev", "v1")
    assert hooks.code == 0 and hooks.err == ""
    assert "created .pre-commit-config.yaml" in hooks.out
    assert "pre-commit takes the registry-validate hook from https://github.com/acme/registry-tool at v1" in hooks.out


@pytest.mark.parametrize("option, value, why", [
    ("--requirement", "", "is empty"),
    ("--owner", " ", "is empty"),
    ("--requirement", " registry-tool==0.1.0", "may not start or end with a space, nor hold white space other than single spaces between words"),
    ("--hooks-rev", "v1\tv2", "may not start or end with a space, nor hold white space other than single spaces between words"),
    ("--requirement", "x\ny", "may not contain line breaks"),
    ("--requirement", "x'y", "may not contain quotes or backslashes"),
])
def test_init_says_what_is_wrong_with_a_value_it_refuses(tmp_path, cli, option, value, why):
    run = cli(tmp_path, "init", str(tmp_path / "x"), "--hooks-repo", "https://example.com/r", option, value)
    assert (run.code, run.out) == (2, "")
    assert run.err == f"registry-tool: error: {option} {value!r} {why}\n"
    assert not (tmp_path / "x").exists()
