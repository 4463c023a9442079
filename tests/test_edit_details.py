"""The editing commands' smaller promises: --repo before the command, a metric given
twice, promote --to archived, each command's own -m example, archiving the production
version warns, and rollback in a shallow clone says the history is cut."""

from __future__ import annotations

import json
import subprocess

import pytest
from builders import model, version
from edit_helpers import fingerprint

from registry_tool.cli import COMMANDS

PATH = "models/faq-bot.yaml"
FAQ = model("faq-bot", version("1.0.0", "production"), version("1.1.0", "staging"))


@pytest.fixture
def reg(repo):
    repo.write(PATH, FAQ)
    repo.commit("a registry")
    return repo


def test_repo_before_the_command(reg, cli, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = cli(elsewhere, "--repo", str(reg.path), "validate")
    assert (run.code, run.out) == (0, "ok: 1 model file checked, no violations\n")
    assert cli(elsewhere, "--repo", str(reg.path), "get", "faq-bot", "--stage", "production", "--field", "version").out == "1.0.0\n"
    assert cli(elsewhere, "--repo", str(reg.path), "archive", "faq-bot", "1.1.0", "--commit").code == 0
    assert cli(elsewhere, "--repo", str(tmp_path), "validate", "--repo", str(reg.path)).code == 0  # the command's own wins


def test_a_metric_given_twice_is_an_error(reg, cli):
    before = fingerprint(reg.path)
    run = cli(reg.path, "register", "faq-bot", "2.0.0", "--artifact-uri", "s3://b/2", "--metric", "a=1", "--metric", "a=2")
    assert (run.code, run.err) == (2, "registry-tool: error: metric a is given twice (a=1 and a=2); give it once\n")
    run = cli(reg.path, "metrics", "faq-bot", "1.1.0", "--suite", "core", "score=1", "score=2")
    assert run.code == 2 and "metric core/score is given twice" in run.err
    assert fingerprint(reg.path) == before


def test_promote_to_archived_points_at_archive(reg, cli):
    run = cli(reg.path, "promote", "faq-bot", "1.1.0", "--to", "archived")
    assert (run.code, run.err) == (2, "registry-tool: error: --to archived: archived is final; archive a version with "
                                      "registry-tool archive faq-bot 1.1.0\n")


@pytest.mark.parametrize("command", ["register", "promote", "archive", "rollback", "retention", "metrics"])
def test_message_help_shows_the_commands_own_example(cli, tmp_path, command):
    out = " ".join(cli(tmp_path, command, "--help").out.split())
    shown = out.split("Commit message (default: says what changed, e.g. '", 1)[1].split("'", 1)[0]
    assert shown.startswith(command if command not in ("retention", "metrics") else f"{command}:")
    assert command in COMMANDS


def test_archiving_the_production_version_warns(reg, cli):
    run = cli(reg.path, "archive", "faq-bot", "1.0.0", "--commit")
    assert run.code == 0
    assert run.err == ("registry-tool: warning: faq-bot 1.0.0 was the production version: faq-bot has no version in "
                       "production now, and deploy tools asking for it get nothing; promote another version to "
                       "production (registry-tool rollback faq-bot returns the one there before it, if there was one)\n")
    data = json.loads(cli(reg.path, "archive", "faq-bot", "1.1.0", "--json").out)
    assert data["warnings"] == []


def test_rollback_in_a_shallow_clone_says_the_history_is_cut(reg, cli, tmp_path):
    reg.write(PATH, model("faq-bot", version("1.0.0", "staging"), version("1.1.0", "production")))
    reg.commit("promote 1.1.0")
    reg.write(PATH, model("faq-bot", version("1.0.0", "staging"), version("1.1.0", "production"), version("1.2.0", "none")))
    reg.commit("register 1.2.0")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{reg.path}", str(clone)], check=True)
    run = cli(clone, "rollback", "faq-bot")
    assert run.code == 2
    assert run.err.startswith("registry-tool: error: cannot roll back faq-bot: no version other than 1.1.0 was in "
                              "production in the history available, which stops at commit ")
    assert run.err.endswith("(a shallow clone); fetch the rest with git fetch --unshallow and run it again\n")


@pytest.mark.parametrize("args", [["register", "x", "1.0.0", "--artifact-uri", "s3://b/x"],
                                  ["promote", "faq-bot", "1.1.0", "--to", "production"]])
def test_editing_in_a_folder_that_is_no_registry_is_refused(cli, tmp_path, args):
    """Outside any Git repository a folder is edited as it is (an exported registry), but a
    folder with neither registry.yaml nor models/ is no registry: register wrote
    models/x.yaml into whatever folder the user stood in, and promote blamed the model."""
    run = cli(tmp_path, *args)
    assert run.code == 2 and run.out == ""
    assert run.err == (f"registry-tool: error: no registry here: {tmp_path.resolve()} is in no Git repository and "
                       "has no registry.yaml nor models/ folder; run the command in your registry's folder (or start "
                       "one with registry-tool init)\n")
    assert list(tmp_path.iterdir()) == []


def test_a_registry_folder_outside_git_is_edited_in_place(cli, tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / PATH).write_text(FAQ)
    run = cli(tmp_path, "promote", "faq-bot", "1.1.0", "--to", "production")
    assert run.code == 0, run.err
    assert "stage: production" in (tmp_path / PATH).read_text().split("1.1.0")[1]
