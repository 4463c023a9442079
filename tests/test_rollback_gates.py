"""Gates against history: a rollback (a version returning to production) is exempt from
the metric gates unless the policy says otherwise, never from the stage rules; demoting
first does not lower no_regression's bar; the metrics of a version that has been in
production, or is archived, never change."""

from __future__ import annotations

import json

import pytest
from builders import line_of, model, validate_json, version, where

PATH = "models/faq-bot.yaml"
GATED = "gates:\n  production:\n    no_regression: {accuracy: higher_is_better}\n"


def faq(*versions: tuple[str, str, float]) -> str:
    return model("faq-bot", *(version(label, stage, metrics={"accuracy": acc}) for label, stage, acc in versions))


@pytest.fixture
def promoted(repo):
    """1.0.0 (0.92) was in production; 1.1.0 (0.95) replaced it, then turned out worse in the field."""
    repo.write("registry.yaml", GATED)
    repo.write(PATH, faq(("1.0.0", "staging", 0.92)))
    start = repo.commit("Register faq-bot 1.0.0")
    repo.write(PATH, faq(("1.0.0", "production", 0.92)))
    repo.commit("Promote faq-bot 1.0.0")
    repo.write(PATH, faq(("1.0.0", "production", 0.92), ("1.1.0", "staging", 0.95)))
    repo.commit("Register faq-bot 1.1.0")
    repo.write(PATH, faq(("1.0.0", "staging", 0.92), ("1.1.0", "production", 0.95)))
    repo.commit("Promote faq-bot 1.1.0")
    return start


def test_rollback_under_no_regression_is_exempt(repo, cli, promoted):
    run = cli(repo.path, "rollback", "faq-bot", "--commit")
    assert run.code == 0, run.err
    assert validate_json(cli, repo.path, "--ref", "HEAD", "--base", "HEAD~1")[0] == 0
    assert validate_json(cli, repo.path, "--range", f"{promoted}..HEAD")[0] == 0
    found = json.loads(cli(repo.path, "history", "faq-bot", "--format", "json").out)
    marks = [(e["version"], e["to_stage"], e["rollback"]) for e in found if e["event"] == "stage_changed"]
    assert marks == [("1.0.0", "production", True), ("1.1.0", "staging", False),
                     ("1.0.0", "staging", False), ("1.1.0", "production", False), ("1.0.0", "production", False)]
    # cut short, the walk looks further back to tell
    (newest, _) = json.loads(cli(repo.path, "history", "faq-bot", "--format", "json", "--limit", "2").out)
    assert (newest["version"], newest["rollback"]) == ("1.0.0", True)
    assert "rollback)" in cli(repo.path, "history", "faq-bot", "--limit", "1").out


def test_the_same_change_by_hand_is_recognised_by_validate(repo, cli, promoted):
    repo.write(PATH, faq(("1.0.0", "production", 0.92), ("1.1.0", "staging", 0.95)))
    assert validate_json(cli, repo.path, "--base", "HEAD")[0] == 0
    repo.git("add", "-A")
    assert validate_json(cli, repo.path, "--staged")[0] == 0


def test_a_new_version_below_the_bar_is_still_refused(repo, cli, promoted):
    repo.write(PATH, faq(("1.0.0", "staging", 0.92), ("1.1.0", "staging", 0.95), ("1.2.0", "staging", 0.5)))
    repo.commit("Register faq-bot 1.2.0")
    run = cli(repo.path, "promote", "faq-bot", "1.2.0", "--to", "production")  # 1.1.0 (0.95) was demoted above
    assert run.code == 1 and "gate-no-regression: faq-bot 1.2.0: accuracy is 0.5, worse than 0.95" in run.err


def test_rollback_gates_can_be_kept_by_policy(repo, cli, promoted):
    repo.write("registry.yaml", GATED + "rollback: {exempt_gates: false}\n")
    repo.commit("Rollbacks pass the gates too")
    run = cli(repo.path, "rollback", "faq-bot")
    assert run.code == 1
    assert "gate-no-regression: faq-bot 1.0.0: accuracy is 0.92, worse than 0.95 of production version 1.1.0" in run.err


def test_a_rollback_still_obeys_the_stage_rules_and_require_sha256(repo, cli, promoted):
    text = faq(("1.0.0", "staging", 0.92), ("1.1.0", "production", 0.95)).replace(
        "      sha256:", "      # sha256:", 1)  # 1.0.0 has no sha256 (filled in never)
    repo.write(PATH, text)
    repo.write("registry.yaml", GATED.replace("    no_regression", "    require_sha256: true\n    no_regression"))
    repo.commit("drop 1.0.0's checksum (a test shortcut) and require checksums")
    run = cli(repo.path, "rollback", "faq-bot")
    assert run.code == 1 and "gate-sha256: faq-bot 1.0.0: production needs artifact.sha256" in run.err
    assert "gate-no-regression" not in run.err

    repo.write(PATH, faq(("1.0.0", "archived", 0.92), ("1.1.0", "production", 0.95)))
    repo.commit("archive 1.0.0")
    repo.write(PATH, faq(("1.0.0", "production", 0.92), ("1.1.0", "staging", 0.95)))
    code, found, _ = validate_json(cli, repo.path, "--base", "HEAD")
    assert code == 1 and [f[2] for f in where(found)] == ["archived-promotion"]


def test_demoting_first_does_not_lower_the_bar(repo, cli, promoted):
    repo.write(PATH, faq(("1.0.0", "staging", 0.92), ("1.1.0", "staging", 0.95), ("1.2.0", "staging", 0.5)))
    demoted = repo.commit("Demote faq-bot 1.1.0; register 1.2.0")
    weak = faq(("1.0.0", "staging", 0.92), ("1.1.0", "staging", 0.95), ("1.2.0", "production", 0.5))
    repo.write(PATH, weak)
    code, found, _ = validate_json(cli, repo.path, "--base", "HEAD")
    assert code == 1
    assert where(found) == [(PATH, line_of(weak, "accuracy: 0.5"), "gate-no-regression")]
    assert found[0]["message"] == ("faq-bot 1.2.0: accuracy is 0.5, worse than 0.95 of production version 1.1.0 "
                                   "(higher is better); 1.1.0 was the last version in production (now staging)")
    head = repo.commit("Promote the weaker one in a second commit")
    code, found, _ = validate_json(cli, repo.path, "--range", f"{demoted}..HEAD")
    assert [(f["rule"], f["commit"]) for f in found] == [("gate-no-regression", head)]
    # ... and over the whole story, the range sees the earlier production versions itself
    code, found, _ = validate_json(cli, repo.path, "--range", f"{promoted}..HEAD")
    assert [(f["rule"], f["commit"]) for f in found] == [("gate-no-regression", head)]


def test_with_on_promote_refuse_the_advised_way_is_judged_too(repo, cli, promoted):
    repo.write("registry.yaml", GATED + "on_promote: refuse\n")
    repo.write(PATH, faq(("1.0.0", "staging", 0.92), ("1.1.0", "production", 0.95), ("1.2.0", "staging", 0.5)))
    repo.commit("refuse; register 1.2.0")
    run = cli(repo.path, "promote", "faq-bot", "1.2.0", "--to", "production", "--commit")
    assert run.code == 1 and "demotion-required" in run.err
    assert cli(repo.path, "promote", "faq-bot", "1.1.0", "--to", "staging", "--commit").code == 0  # as advised
    run = cli(repo.path, "promote", "faq-bot", "1.2.0", "--to", "production", "--commit")
    assert run.code == 1 and "gate-no-regression: faq-bot 1.2.0: accuracy is 0.5, worse than 0.95" in run.err
    assert cli(repo.path, "promote", "faq-bot", "1.0.0", "--to", "production", "--commit").code == 0  # a rollback


# --- immutable-metric ---------------------------------------------------------------------

def test_production_metrics_never_change_but_new_ones_may_be_added(repo, cli, promoted):
    run = cli(repo.path, "metrics", "faq-bot", "1.1.0", "accuracy=0.5")
    assert run.code == 1
    assert ("immutable-metric: faq-bot 1.1.0: metric accuracy changed from 0.95 to 0.5; it is in production, so its "
            "metrics are a record and never change (new metrics may be added)") in run.err
    assert cli(repo.path, "metrics", "faq-bot", "1.1.0", "--suite", "core-v1", "score=0.9", "--commit").code == 0


def test_metrics_of_a_version_that_was_in_production_never_change(repo, cli, promoted):
    edited = faq(("1.0.0", "staging", 0.99), ("1.1.0", "production", 0.95))  # 1.0.0 left production two commits ago
    repo.write(PATH, edited)
    code, found, _ = validate_json(cli, repo.path, "--base", "HEAD")
    assert code == 1 and where(found) == [(PATH, line_of(edited, "accuracy: 0.99"), "immutable-metric")]
    assert "it has been in production" in found[0]["message"]
    with_f1 = faq(("1.0.0", "staging", 0.92), ("1.1.0", "production", 0.95)).replace(
        "      accuracy: 0.92\n", "      accuracy: 0.92\n      f1: 0.8\n")
    repo.write(PATH, with_f1)
    assert validate_json(cli, repo.path, "--base", "HEAD")[0] == 0  # a new metric may be added
    repo.commit("f1 of 1.0.0")
    repo.write(PATH, with_f1.replace("      accuracy: 0.92\n", ""))  # removing a value
    _, found, _ = validate_json(cli, repo.path, "--base", "HEAD")
    assert [f[2] for f in where(found)] == ["immutable-metric"] and "removed (was 0.92)" in found[0]["message"]


def test_metrics_of_a_version_never_in_production_may_change(repo, cli, promoted):
    repo.write(PATH, faq(("1.0.0", "staging", 0.92), ("1.1.0", "production", 0.95), ("1.2.0", "staging", 0.5)))
    repo.commit("Register 1.2.0")
    assert cli(repo.path, "metrics", "faq-bot", "1.2.0", "accuracy=0.6", "--commit").code == 0


def test_archived_metrics_never_change(repo, cli, promoted):
    repo.write(PATH, faq(("1.0.0", "staging", 0.92), ("1.1.0", "production", 0.95), ("1.2.0", "archived", 0.5)))
    repo.commit("Register 1.2.0, archived")
    run = cli(repo.path, "metrics", "faq-bot", "1.2.0", "accuracy=0.6")
    assert run.code == 1 and "immutable-metric" in run.err and "it is archived" in run.err


def test_diff_tells_a_rollback_and_its_exempt_gates(repo, cli, promoted):
    repo.write(PATH, faq(("1.0.0", "production", 0.92), ("1.1.0", "staging", 0.95)))
    run = cli(repo.path, "diff", "HEAD")
    assert run.code == 0
    assert "      rollback (was in production before): no production gates configured or all exempt\n" in run.out
    data = json.loads(cli(repo.path, "diff", "HEAD", "--format", "json").out)
    assert data["gates"] == [{"model": "faq-bot", "version": "1.0.0", "stage": "production", "alias": None, "checked": [],
                              "ok": True, "rollback": True, "violations": []}]


REGIONS = """\
stages:
  - {name: dev}
  - {name: qa}
  - {name: production-eu, unique: true}
  - {name: archived, final: true}
gates:
  production-eu:
    no_regression: {accuracy: higher_is_better}
"""


def test_a_declared_unique_stage_has_rollbacks_too(repo, cli):
    repo.write("registry.yaml", REGIONS)
    repo.write(PATH, faq(("1.0.0", "qa", 0.92), ("1.1.0", "qa", 0.95)))
    repo.commit("two candidates")
    assert cli(repo.path, "promote", "faq-bot", "1.0.0", "--to", "production-eu", "--commit").code == 0
    assert cli(repo.path, "promote", "faq-bot", "1.1.0", "--to", "production-eu", "--commit").code == 0
    run = cli(repo.path, "rollback", "faq-bot", "--stage", "production-eu", "--commit")
    assert run.code == 0, run.err
    (back,) = [e for e in json.loads(cli(repo.path, "history", "--format", "json", "--limit", "2").out)
               if e["to_stage"] == "production-eu"]
    assert (back["version"], back["rollback"]) == ("1.0.0", True)
    repo.write(PATH, faq(("1.0.0", "qa", 0.92), ("1.1.0", "production-eu", 0.95)))  # 1.1.0 back by hand: a rollback too
    assert validate_json(cli, repo.path, "--base", "HEAD")[0] == 0
    repo.write(PATH, faq(("1.0.0", "production-eu", 0.92), ("1.1.0", "qa", 0.5)))  # 1.1.0 (in qa now) re-measured
    code, found, _ = validate_json(cli, repo.path, "--base", "HEAD")
    assert code == 1 and [f["rule"] for f in found] == ["immutable-metric"]
    assert "it has been in production-eu" in found[0]["message"]
