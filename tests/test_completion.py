"""Shell completion through click's completion API (what ``_REGISTRY_TOOL_COMPLETE`` runs):
model names from the repository (at ``--ref``/HEAD for reading commands, the work tree
for editing ones), version labels of the model given, and stages."""

from __future__ import annotations

import pytest
from builders import model, version
from click.shell_completion import ShellComplete

from registry_tool.cli import main


def complete(cwd, monkeypatch, *words: str) -> list[str]:
    """What completing the last word of ``registry-tool WORDS...`` offers, run from ``cwd``."""
    monkeypatch.chdir(cwd)
    shell = ShellComplete(main, {}, "registry-tool", "_REGISTRY_TOOL_COMPLETE")
    return [item.value for item in shell.get_completions(list(words[:-1]), words[-1])]


@pytest.fixture
def registry(repo):
    repo.write("models/faq-bot.yaml", model("faq-bot", version("1.0.0", "production")))
    repo.commit("register faq-bot")
    repo.write("models/faq-bot.yaml", model("faq-bot", version("1.0.0", "production"), version("1.1.0", "staging")))
    repo.write("models/ranker.yaml", model("ranker", version("2.0.0", "none")))
    repo.commit("register ranker, faq-bot 1.1.0")
    repo.write("models/draft.yaml", model("draft"))  # not committed
    return repo


def test_reading_commands_complete_models_at_head_or_ref(registry, monkeypatch):
    assert complete(registry.path, monkeypatch, "get", "") == ["faq-bot", "ranker"]
    assert complete(registry.path, monkeypatch, "show", "") == ["faq-bot", "ranker"]
    assert complete(registry.path, monkeypatch, "history", "r") == ["ranker"]
    assert complete(registry.path, monkeypatch, "show", "--ref", "HEAD~1", "") == ["faq-bot"]


def test_editing_commands_complete_models_in_the_work_tree(registry, monkeypatch):
    assert complete(registry.path, monkeypatch, "promote", "") == ["draft", "faq-bot", "ranker"]
    assert complete(registry.path, monkeypatch, "register", "d") == ["draft"]
    assert complete(registry.path / "models", monkeypatch, "archive", "f") == ["faq-bot"]  # from a subfolder


def test_versions_of_the_model_given(registry, monkeypatch):
    assert complete(registry.path, monkeypatch, "promote", "faq-bot", "") == ["1.0.0", "1.1.0"]
    assert complete(registry.path, monkeypatch, "metrics", "faq-bot", "1.1") == ["1.1.0"]
    assert complete(registry.path, monkeypatch, "get", "faq-bot", "--version", "") == ["1.0.0", "1.1.0"]
    assert complete(registry.path, monkeypatch, "get", "faq-bot", "--ref", "HEAD~1", "--version", "") == ["1.0.0"]
    assert complete(registry.path, monkeypatch, "promote", "no-such-model", "") == []
    assert complete(registry.path, monkeypatch, "register", "faq-bot", "") == []  # a new label: nothing to offer


def test_stages_complete_from_their_choices(registry, monkeypatch):
    assert complete(registry.path, monkeypatch, "get", "faq-bot", "--stage", "") == ["none", "staging", "production", "archived"]
    assert complete(registry.path, monkeypatch, "promote", "faq-bot", "1.1.0", "--to", "p") == ["production"]


def test_repo_option_is_followed(registry, tmp_path, monkeypatch):
    assert complete(tmp_path, monkeypatch, "get", "--repo", str(registry.path), "") == ["faq-bot", "ranker"]


def test_nothing_to_read_completes_to_nothing_without_errors(registry, tmp_path, monkeypatch, capsys):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    assert complete(outside, monkeypatch, "get", "") == []
    assert complete(registry.path, monkeypatch, "get", "--ref", "no-such-branch", "") == []
    bare = tmp_path / "bare.git"
    registry.git("clone", "-q", "--bare", str(registry.path), str(bare))
    assert complete(bare, monkeypatch, "promote", "") == []  # no work tree to edit
    assert complete(bare, monkeypatch, "get", "") == ["faq-bot", "ranker"]
    (registry.path / "models" / "faq-bot.yaml").write_text("name: [unclosed\n")
    assert complete(registry.path, monkeypatch, "promote", "faq-bot", "") == []
    assert capsys.readouterr().err == ""


def test_the_shell_script_comes_from_the_documented_variable(registry, run_process):
    proc = run_process(registry.path, env={"_REGISTRY_TOOL_COMPLETE": "bash_source"})
    assert proc.code == 0 and "complete -o nosort -F _registry_tool_completion registry-tool" in proc.out
    proc = run_process(registry.path, env={"_REGISTRY_TOOL_COMPLETE": "bash_complete",
                                           "COMP_WORDS": "registry-tool get f", "COMP_CWORD": "2"})
    assert (proc.code, proc.out) == (0, "plain,faq-bot\n")
