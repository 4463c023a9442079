"""Tree rules: only regular <name>.yaml files in the models directory, no case collisions.

Checked in the working tree and in commits (read from the object database), where a
submodule or a symlink is a tree entry mode, not a file on disk.
"""

from __future__ import annotations

import os
import unicodedata

import pytest
from builders import model, validate_json, version
from rulecheck import ABSENT, check, report, violations

FAQ = model("faq-bot", version("1.0.0", "staging"))


@pytest.fixture
def registry(repo):
    repo.write("models/faq-bot.yaml", FAQ)
    return repo


def tree_findings(cli, repo, *args):
    _, found, _ = validate_json(cli, repo.path, *args)
    return [(v["file"], v["line"], v["column"], v["rule"]) for v in found], [v["message"] for v in found]


@pytest.mark.parametrize("name, why", [
    ("faq-bot.yml", "model files end in .yaml"),
    ("README.md", "model files end in .yaml"),
    (".gitkeep", "model files end in .yaml"),
    ("other.YAML", "model files end in .yaml"),
    (".yaml", "the part before .yaml is not a model name (lower-case letters and digits separated by single '.', '_' or '-')"),
    ("FOO.yaml", "the part before .yaml is not a model name (lower-case letters and digits separated by single '.', '_' or '-')"),
    ("a..b.yaml", "the part before .yaml is not a model name (lower-case letters and digits separated by single '.', '_' or '-')"),
    (f"{'a' * 101}.yaml", "the part before .yaml is not a model name (at most 100 characters, not 101)"),
])
@pytest.mark.parametrize("committed", [False, True])
def test_files_that_are_not_model_files(registry, cli, name, why, committed):
    registry.write(f"models/{name}", "# notes\n")
    args = ()
    if committed:
        registry.commit("add")
        args = ("--ref", "HEAD")
    found, messages = tree_findings(cli, registry, *args)
    assert found == [(f"models/{name}", 1, 1, "unexpected-file")]
    assert messages == [f"{name} is not a model file: {why}"]


@pytest.mark.parametrize("committed", [False, True])
def test_directory_named_like_a_model_file(registry, cli, committed):
    registry.write("models/x.yaml/inner.yaml", FAQ)  # Git keeps a folder only with something in it
    args = ()
    if committed:
        registry.commit("add")
        args = ("--ref", "HEAD")
    found, messages = tree_findings(cli, registry, *args)
    assert found == [("models/x.yaml", 1, 1, "unexpected-file")]
    assert "is a directory" in messages[0]


@pytest.mark.parametrize("committed", [False, True])
def test_symlink(registry, cli, committed):
    os.symlink("faq-bot.yaml", registry.path / "models/faq-alias.yaml")
    args = ()
    if committed:
        registry.commit("add a symlink")
        assert registry.git("ls-files", "-s", "models/faq-alias.yaml").startswith("120000")
        args = ("--ref", "HEAD")
    found, messages = tree_findings(cli, registry, *args)
    assert found == [("models/faq-alias.yaml", 1, 1, "unexpected-file")]
    assert messages == ["faq-alias.yaml is a symbolic link; model files are regular files"]


def test_dangling_symlink_in_the_working_tree(registry, cli):
    os.symlink("nowhere.yaml", registry.path / "models/ghost.yaml")
    found, _ = tree_findings(cli, registry)
    assert found == [("models/ghost.yaml", 1, 1, "unexpected-file")]


def test_submodule_entry_in_a_commit(registry, cli):
    registry.commit("register")
    sha = registry.git("rev-parse", "HEAD")
    registry.git("update-index", "--add", "--cacheinfo", f"160000,{sha},models/sub")
    registry.git("commit", "-q", "-m", "a submodule in models/")
    assert registry.git("ls-tree", "HEAD", "models/sub").startswith("160000 commit")
    found, messages = tree_findings(cli, registry, "--ref", "HEAD")
    assert found == [("models/sub", 1, 1, "unexpected-file")]
    assert messages == ["sub is a submodule; the models directory holds only <name>.yaml files"]


def test_submodule_checkout_in_the_working_tree(registry, cli):
    (registry.path / "models/sub.yaml").mkdir()
    (registry.path / "models/sub.yaml/.git").write_text("gitdir: ../../.git/modules/sub\n")
    found, messages = tree_findings(cli, registry)
    assert found == [("models/sub.yaml", 1, 1, "unexpected-file")]
    assert "is a submodule" in messages[0]


def test_fifo_is_not_a_regular_file(registry, cli):
    os.mkfifo(registry.path / "models/pipe.yaml")
    found, messages = tree_findings(cli, registry)
    assert found == [("models/pipe.yaml", 1, 1, "unexpected-file")]
    assert "not a regular file" in messages[0]


def test_registry_yaml_symlink_is_refused(registry, cli):
    registry.write("policy.yaml", "on_promote: refuse\n")
    os.symlink("policy.yaml", registry.path / "registry.yaml")
    found, messages = tree_findings(cli, registry)
    assert found == [("registry.yaml", 1, 1, "unexpected-file")]
    assert "symlink" in messages[0]


# --- name-case-collision ------------------------------------------------------------------

@pytest.mark.parametrize("committed", [False, True])
def test_names_differing_only_by_case(registry, cli, committed):
    registry.write("models/Faq-bot.yaml", FAQ)
    args = ()
    if committed:
        registry.commit("add")
        args = ("--ref", "HEAD")
    found, messages = tree_findings(cli, registry, *args)
    # Sorted by name, 'Faq-bot.yaml' comes first; the collision is reported on the second.
    assert ("models/faq-bot.yaml", 1, 1, "name-case-collision") in found
    assert ("models/Faq-bot.yaml", 1, 1, "unexpected-file") in found  # 'Faq-bot' is not a model name
    assert len(found) == 2
    assert "faq-bot.yaml and Faq-bot.yaml differ only by case" in messages[found.index(("models/faq-bot.yaml", 1, 1, "name-case-collision"))]


def test_names_differing_only_by_unicode_normalisation():
    nfc, nfd = unicodedata.normalize("NFC", "caf\u00e9"), unicodedata.normalize("NFD", "caf\u00e9")
    assert nfc != nfd
    found = violations(model("x"), path=f"models/{nfc}.yaml", files={f"models/{nfd}.yaml": model("x")})
    collisions = [v for v in found if v.rule == "name-case-collision"]
    assert len(collisions) == 1
    assert collisions[0].line == 1


def test_collision_with_a_non_model_file():
    check(FAQ, files={"models/FAQ-BOT.YAML": "x"},
          expect=[("models/FAQ-BOT.YAML", 1, 1, "unexpected-file"),
                  ("models/faq-bot.yaml", 1, 1, "name-case-collision")])


# --- with a base: only what the change touched ---------------------------------------------

def test_an_old_stray_file_is_not_blamed_on_a_new_change():
    notes = {"models/NOTES.md": "old notes\n"}
    check(FAQ.replace("staging", "none"), FAQ, files=notes, expect=[])
    # the full state still shows it
    check(FAQ.replace("staging", "none"), files=notes, expect=[("models/NOTES.md", 1, 1, "unexpected-file")])


def test_a_stray_file_added_by_the_change_is_reported():
    check(FAQ, FAQ, head_files={"models/faq-bot.yml": FAQ}, expect=[("models/faq-bot.yml", 1, 1, "unexpected-file")])


def test_a_case_collision_added_by_the_change_is_reported():
    found = violations(FAQ, FAQ, head_files={"models/FAQ-bot.yaml": FAQ})
    assert ("models/faq-bot.yaml", 1, 1, "name-case-collision") in [(v.file, v.line, v.column, v.rule) for v in found]


def test_missing_models_directory_is_an_empty_registry():
    judged = report(ABSENT)
    assert (judged.violations, judged.files_checked) == ([], 0)
def test_no_models_directory_and_no_registry_yaml_is_nothing_to_check(repo, cli):
    run = cli(repo.path, "validate")
    assert run.code == 2 and run.out == ""
    assert run.err == (f"registry-tool: error: nothing to check in {repo.path}: no registry.yaml, and nothing in "
                       "models/: this is not a registry (run it in the registry's repository, or pass --repo)\n")


def test_outside_any_repository_is_nothing_to_check(tmp_path, cli):
    run = cli(tmp_path, "validate")
    assert run.code == 2
    assert run.err.startswith(f"registry-tool: error: nothing to check in {tmp_path} (not in a Git repository): ")


def test_a_new_registry_with_no_model_files_passes_with_a_note(repo, cli):
    """What init makes: registry.yaml and an empty models/ (which Git does not keep, so a
    commit of it has no models/ at all): a registry, with nothing registered yet."""
    repo.write("registry.yaml", "# all defaults\n")
    (repo.path / "models").mkdir()
    code, found, data = validate_json(cli, repo.path)
    assert (code, found, data["files_checked"]) == (0, [], 0)
    assert "no model files yet (a new registry)" in cli(repo.path, "validate").err
    repo.commit("a new registry")
    assert validate_json(cli, repo.path, "--ref", "HEAD")[0] == 0


def test_models_directory_that_is_a_file(repo, cli):
    repo.write("models", "not a folder\n")
    run = cli(repo.path, "validate")
    assert run.code == 2
    assert run.err == "registry-tool: error: models: the models directory is a file, not a directory\n"


def test_range_blames_a_stray_file_on_the_commit_that_added_it_only(registry, cli):
    root = registry.commit("root")
    registry.write("models/README.md", "notes\n")
    added = registry.commit("add notes to models/")
    registry.write("models/faq-bot.yaml", FAQ.replace("staging", "none"))
    registry.commit("demote")
    registry.commit("empty")
    _, found, data = validate_json(cli, registry.path, "--range", f"{root}..HEAD")
    assert [(v["file"], v["line"], v["rule"], v["commit"]) for v in found] == [
        ("models/README.md", 1, "unexpected-file", added)]
    assert len(data["commits_checked"]) == 3
