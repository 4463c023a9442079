"""Policy changes are registry changes: ``diff`` and ``history`` tell them by key path."""

from __future__ import annotations

import json

from audit_scenarios import faq

from registry_tool.core.changes import PolicyChange, policy_change


def test_policy_change_by_key_path():
    moved = policy_change({"on_promote": "demote", "gates": {"production": {"min_metrics": {"accuracy": 0.9}}}},
                          {"on_promote": "refuse", "gates": {"production": {"require_sha256": True,
                                                                             "min_metrics": {"accuracy": 0.9}}},
                           "initial_stages": ["none"]})
    assert moved is not None and moved.fields == ("gates.production.require_sha256", "initial_stages", "on_promote")
    assert moved.policy == (PolicyChange("gates.production.require_sha256", None, True),
                            PolicyChange("initial_stages", None, ["none"]), PolicyChange("on_promote", "demote", "refuse"))
    assert policy_change(None, {}) is None
    assert policy_change({"gates": {}}, None) == policy_change({"gates": {}}, {}) and policy_change({"gates": {}}, {})


def test_a_pull_request_that_adds_gates_is_shown_by_diff_and_history(repo, cli):
    repo.write("registry.yaml", "# all defaults\n")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production")))
    base = repo.commit("A registry")
    repo.write("registry.yaml", "on_promote: refuse\ngates:\n  production:\n    require_sha256: true\n"
                                "    no_regression: {accuracy: higher_is_better}\n")
    head = repo.commit("Require checksums and no regressions")

    run = cli(repo.path, "diff", base, head)
    assert run.out.splitlines()[1:] == [
        "  registry.yaml: gates.production.no_regression.accuracy: unset → higher_is_better; "
        "gates.production.require_sha256: unset → true; on_promote: unset → refuse"]
    data = json.loads(cli(repo.path, "diff", base, head, "--format", "json").out)
    assert data["changes"] == [{"event": "policy_changed", "model": None, "version": None, "from_stage": None,
                                "to_stage": None, "metrics": [], "alias": None, "from_version": None, "to_version": None,
                                "fields": ["gates.production.no_regression.accuracy", "gates.production.require_sha256",
                                           "on_promote"],
                                "policy": [{"key": "gates.production.no_regression.accuracy", "from": None,
                                            "to": "higher_is_better"},
                                           {"key": "gates.production.require_sha256", "from": None, "to": True},
                                           {"key": "on_promote", "from": None, "to": "refuse"}]}]
    markdown = cli(repo.path, "diff", base, head, "--format", "markdown").out
    assert "| `registry.yaml` | gates.production.no_regression.accuracy: unset → higher_is_better; " in markdown

    found = json.loads(cli(repo.path, "history", "--format", "json", "--limit", "1").out)
    assert [(e["event"], e["commit"], e["fields"]) for e in found] == [
        ("policy_changed", head, ["gates.production.no_regression.accuracy", "gates.production.require_sha256",
                                  "on_promote"])]
    text = cli(repo.path, "history", "--limit", "1").out
    assert text.startswith(f"2024-11-02T10:00:00Z  {head[:12]}  registry.yaml: gates.production.no_regression.accuracy: "
                           "unset → higher_is_better; ")
    # a model's own history leaves the policy out
    assert [e["event"] for e in json.loads(cli(repo.path, "history", "faq-bot", "--format", "json").out)] == [
        "model_created", "version_registered"]


def test_a_comment_only_edit_of_registry_yaml_is_no_policy_change(repo, cli):
    repo.write("registry.yaml", "on_promote: refuse\n")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production")))
    base = repo.commit("A registry")
    repo.write("registry.yaml", "# why we refuse\non_promote: refuse\n")
    repo.commit("Explain")
    assert cli(repo.path, "diff", base, "HEAD").out.endswith("  no model or policy changes\n")
    assert [e["commit"] for e in json.loads(cli(repo.path, "history", "--format", "json").out)] == [base] * 3


def test_a_broken_registry_yaml_is_not_told_as_every_key_unset(repo, cli, monkeypatch):
    """A commit that breaks registry.yaml (a syntax error) removed no gate, and the one that
    repairs it added none: history, like diff, compares only valid policies, a repair
    against the newest valid copy before it, with and without the history index."""
    repo.write("registry.yaml", "on_promote: refuse\ngates:\n  production:\n    require_sha256: true\n")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production")))
    first = repo.commit("A registry")
    repo.write("registry.yaml", "on_promote: refuse\ngates:\n  production:\n    require_sha256: true\n  [\n")
    broken = repo.commit("Break the policy")
    repo.write("registry.yaml", "on_promote: refuse\ngates:\n  production:\n    require_sha256: true\n"
                                "    required_metrics: [accuracy]\n")
    repaired = repo.commit("Repair it, and require accuracy")

    diff = json.loads(cli(repo.path, "diff", first, broken, "--format", "json").out)
    assert diff["changes"] == [] and [v["rule"] for v in diff["unreadable"]] == ["yaml-syntax"]
    for index in ("1", "0"):
        monkeypatch.setenv("REGISTRY_TOOL_HISTORY_INDEX", index)
        found = json.loads(cli(repo.path, "history", "--format", "json").out)
        assert [(e["commit"], e["event"], e["policy"]) for e in found if e["event"] == "policy_changed"] == [
            (repaired, "policy_changed", [{"key": "gates.production.required_metrics", "from": None, "to": ["accuracy"]}]),
            (first, "policy_changed", [{"key": "gates.production.require_sha256", "from": None, "to": True},
                                       {"key": "on_promote", "from": None, "to": "refuse"}])]
