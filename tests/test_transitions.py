"""Change rules and production gates, each broken once.

Each rule is judged on text by the validation engine (:func:`rulecheck.check`: the head
against a base, in memory). The CLI judges a sample of the same changes four ways, which
must agree with each other and with the engine: the working tree against the base
(``--base``), the staged change against HEAD (``--staged``, the pre-commit hook), the
committed head against the base (``--ref HEAD --base``), and the head commit against its
parent (``--range``, where each violation also names the commit).
"""

from __future__ import annotations

import pytest
from builders import line_of, model, sha, validate_json, version
from rulecheck import ABSENT, check, violations

NAME = "faq-bot"
PATH = f"models/{NAME}.yaml"


def stage_line(text: str, label: str) -> int:
    """The builders put ``stage:`` on the line after ``version:``."""
    return line_of(text, f'version: "{label}"') + 1


def messages(found) -> list[str]:
    return [v.message for v in found]


def test_legal_moves_pass():
    base = model(NAME, version("1.0.0", "production"), version("1.1.0", "staging"), version("1.2.0", "none"),
                 version("1.3.0", "staging"))
    head = model(NAME, version("1.0.0", "staging"), version("1.1.0", "production"), version("1.2.0", "staging"),
                 version("1.3.0", "none"), version("1.4.0", "none"), version("1.5.0", "staging"))
    check(head, base, expect=[])


@pytest.mark.parametrize("before", ["none", "staging", "production"])
def test_anything_may_be_archived(before):
    check(model(NAME, version("1.0.0", "archived")), model(NAME, version("1.0.0", before)), expect=[])


# --- invalid-transition -------------------------------------------------------------------

def test_production_to_none():
    head = model(NAME, version("1.0.0", "none"))
    found = check(head, model(NAME, version("1.0.0", "production")),
                  expect=[(stage_line(head, "1.0.0"), 12, "invalid-transition")])
    assert messages(found) == ["faq-bot 1.0.0: production -> none is not allowed; from production a version may move to archived, staging"]


def test_new_version_born_archived():
    head = model(NAME, version("1.0.0", "staging"), version("0.9.0", "archived"))
    found = check(head, model(NAME, version("1.0.0", "staging")),
                  expect=[(stage_line(head, "0.9.0"), 12, "invalid-transition")])
    assert messages(found) == ["new version faq-bot 0.9.0 starts in archived; a new version starts in none or staging"]


def test_custom_transition_table():
    head = model(NAME, version("1.0.0", "none"))
    found = check(head, model(NAME, version("1.0.0", "staging")), "transitions:\n  staging: [production, archived]\n",
                  expect=[(stage_line(head, "1.0.0"), 12, "invalid-transition")])
    assert "from staging a version may move to archived, production" in found[0].message


def test_custom_initial_stages():
    head = model(NAME, version("1.0.0", "staging"))
    check(head, model(NAME), "initial_stages: [none]\n", expect=[(stage_line(head, "1.0.0"), 12, "invalid-transition")])


# --- archived-promotion -------------------------------------------------------------------

@pytest.mark.parametrize("after", ["none", "staging", "production"])
def test_archived_is_final(after):
    base = model(NAME, version("1.0.0", "archived"), version("1.1.0", "staging"))
    head = model(NAME, version("1.0.0", after), version("1.1.0", "staging"))
    found = check(head, base, expect=[(stage_line(head, "1.0.0"), 12, "archived-promotion")])
    assert messages(found) == [f"faq-bot 1.0.0: archived -> {after}: archived versions are never promoted again"]


def test_archived_is_final_even_if_the_policy_allows_it():
    """registry.schema.json has no 'archived' key in transitions, and the code ignores it."""
    head = model(NAME, version("1.0.0", "staging"))
    check(head, model(NAME, version("1.0.0", "archived")), "transitions:\n  none: [staging, production, archived]\n",
          expect=[(stage_line(head, "1.0.0"), 12, "archived-promotion")])


# --- skipped-stage ------------------------------------------------------------------------

def test_none_to_production():
    head = model(NAME, version("1.0.0", "production"))
    found = check(head, model(NAME, version("1.0.0", "none")),
                  expect=[(stage_line(head, "1.0.0"), 12, "skipped-stage")])
    assert messages(found) == ["faq-bot 1.0.0: none -> production skips staging; promote it to staging first"]


def test_new_version_born_in_production():
    base = model(NAME, version("1.0.0", "staging"))
    head = model(NAME, version("1.0.0", "staging"), version("2.0.0", "production"))
    found = check(head, base, expect=[(stage_line(head, "2.0.0"), 12, "skipped-stage")])
    assert messages(found) == ["new version faq-bot 2.0.0 starts in production; register it in none or staging, then promote it"]


def test_new_model_born_in_production():
    head = model(NAME, version("1.0.0", "production"))
    check(head, ABSENT, expect=[(stage_line(head, "1.0.0"), 12, "skipped-stage")])


def test_initial_production_allowed_by_policy():
    policy = "initial_stages: [none, staging, production]\n"
    check(model(NAME, version("1.0.0", "production")), ABSENT, policy, expect=[])


# --- immutable-field ----------------------------------------------------------------------

REGISTERED = {"uri": "s3://bucket/faq-bot/1.0.0/model.onnx", "sha256": sha("a"), "size_bytes": 100, "fmt": "onnx",
              "run_id": "run-1"}


@pytest.mark.parametrize("field, changed, needle, column, shown", [
    ("uri", "s3://bucket/faq-bot/1.0.0/model-v2.onnx", "uri:", 12, "artifact.uri"),
    ("sha256", sha("b"), "sha256:", 15, "artifact.sha256"),
    ("size_bytes", 101, "size_bytes:", 19, "artifact.size_bytes"),
    ("fmt", "safetensors", "format:", 15, "artifact.format"),
    ("run_id", "run-2", "run_id:", 13, "run_id"),
])
def test_registered_facts_never_change(field, changed, needle, column, shown):
    base = model(NAME, version("1.0.0", "staging", **REGISTERED))
    head = model(NAME, version("1.0.0", "staging", **{**REGISTERED, field: changed}))
    found = check(head, base, expect=[(line_of(head, needle), column, "immutable-field")])
    before = REGISTERED[field]
    assert messages(found) == [(f"faq-bot 1.0.0: {shown} changed from {before!r} to {changed!r}; "
                                "registered facts never change, register a new version")]


@pytest.mark.parametrize("field, shown", [("sha256", "artifact.sha256"), ("size_bytes", "artifact.size_bytes"),
                                          ("fmt", "artifact.format"), ("run_id", "run_id")])
def test_registered_facts_are_never_removed(field, shown):
    base = model(NAME, version("1.0.0", "staging", **REGISTERED))
    head = model(NAME, version("1.0.0", "staging", **{**REGISTERED, field: None}))
    found = check(head, base, expect=["immutable-field"])
    assert found[0].message.startswith(f"faq-bot 1.0.0: {shown} removed (was ")


def test_adding_a_fact_that_was_never_registered_is_allowed():
    base = model(NAME, version("1.0.0", "staging", sha256=None))
    head = model(NAME, version("1.0.0", "staging", sha256=sha("late"), size_bytes=5, fmt="onnx", run_id="run-9"))
    check(head, base, expect=[])


def test_metrics_tags_and_descriptions_may_change():
    base = model(NAME, version("1.0.0", "staging", metrics={"accuracy": 0.9}))
    head = model(NAME, version("1.0.0", "staging", metrics={"accuracy": 0.91, "f1": 0.8}, tags=["rerun"],
                               description="re-evaluated"), owner="hazel")
    check(head, base, expect=[])


def test_several_changes_to_one_version():
    base = model(NAME, version("1.0.0", "staging", **REGISTERED))
    head = model(NAME, version("1.0.0", "none", **{**REGISTERED, "uri": "s3://x/y", "run_id": "run-2"}))
    check(head, base, expect=[(line_of(head, "uri:"), 12, "immutable-field"),
                              (line_of(head, "run_id:"), 13, "immutable-field")])


# --- version-removed / model-removed ------------------------------------------------------

def test_version_removed():
    base = model(NAME, version("1.0.0", "archived"), version("1.1.0", "staging"))
    head = model(NAME, version("1.1.0", "staging"))
    found = check(head, base, expect=[(line_of(head, "- version"), 3, "version-removed")])
    assert messages(found) == ["version 1.0.0 (was archived) was removed; archive it instead of deleting it"]


def test_last_version_removed():
    head = model(NAME)
    check(head, model(NAME, version("1.0.0", "none")), expect=[(line_of(head, "versions: []"), 11, "version-removed")])


def test_renamed_version_is_a_removal_and_a_new_version():
    base = model(NAME, version("1.0.0", "staging"))
    check(model(NAME, version("1.0.1", "staging")), base, expect=["version-removed"])


def test_model_removed():
    found = check(ABSENT, model(NAME, version("1.0.0", "archived")), expect=[(1, 1, "model-removed")])
    assert messages(found) == ["model faq-bot was removed; models are kept and their versions archived, never deleted"]


def test_model_renamed_away():
    renamed = model("faq-assistant", version("1.0.0", "staging"))
    check(ABSENT, model(NAME, version("1.0.0", "staging")), head_files={"models/faq-assistant.yaml": renamed},
          expect=[(1, 1, "model-removed")])


def test_new_model_is_fine():
    check(model(NAME, version("1.0.0", "none")), ABSENT, expect=[])


# --- demotion-required --------------------------------------------------------------------

def test_refuse_replacing_production_in_one_step():
    base = model(NAME, version("1.0.0", "production"), version("1.1.0", "staging"))
    head = model(NAME, version("1.0.0", "staging"), version("1.1.0", "production"))
    found = check(head, base, "on_promote: refuse\n", expect=[(stage_line(head, "1.1.0"), 12, "demotion-required")])
    assert "move 1.0.0 out of production in its own change first" in found[0].message


def test_refuse_allows_the_two_steps():
    base = model(NAME, version("1.0.0", "production"), version("1.1.0", "staging"))
    step1 = model(NAME, version("1.0.0", "staging"), version("1.1.0", "staging"))
    step2 = model(NAME, version("1.0.0", "staging"), version("1.1.0", "production"))
    check(step1, base, "on_promote: refuse\n", expect=[])
    check(step2, step1, "on_promote: refuse\n", expect=[])


def test_demote_is_the_default():
    base = model(NAME, version("1.0.0", "production"), version("1.1.0", "staging"))
    check(model(NAME, version("1.0.0", "staging"), version("1.1.0", "production")), base, expect=[])


# --- production gates ---------------------------------------------------------------------

def gates(body: str) -> str:
    return "gates:\n  production:\n" + "".join(f"    {line}\n" for line in body.splitlines())


def promote(**fields):
    """(head, base): 1.0.0 in production, 1.1.0 staged with ``fields`` then promoted (1.0.0 demoted)."""
    current = {"metrics": {"accuracy": 0.92, "latency_ms": 100}, "suites": {"core-v1": {"score": 0.9}}}
    base = model(NAME, version("1.0.0", "production", **current), version("1.1.0", "staging", **fields))
    head = model(NAME, version("1.0.0", "staging", **current), version("1.1.0", "production", **fields))
    return head, base


def test_gate_sha256():
    head, base = promote(sha256=None)
    found = check(head, base, gates("require_sha256: true"), expect=[(line_of(head, "artifact:", 2), 5, "gate-sha256")])
    assert messages(found) == ["faq-bot 1.1.0: production needs artifact.sha256"]


def test_gate_sha256_passes_with_a_sha():
    check(*promote(), gates("require_sha256: true"), expect=[])


def test_gate_required_metric():
    head, base = promote(metrics={"f1": 0.8})
    found = check(head, base, gates("required_metrics: [accuracy, f1]"),
                  expect=[(line_of(head, "f1: 0.8"), 7, "gate-required-metric")])
    assert messages(found) == ["faq-bot 1.1.0: production needs metric accuracy"]


def test_gate_required_metric_without_any_metrics():
    head, base = promote()
    check(head, base, gates("required_metrics: [accuracy]"),
          expect=[(line_of(head, 'version: "1.1.0"'), 5, "gate-required-metric")])


def test_gate_required_suite_scoped_metric():
    head, base = promote(suites={"core-v1": {"passed": True}})
    found = check(head, base, gates("required_metrics: [core-v1/score]"),
                  expect=[(line_of(head, "passed: true"), 11, "gate-required-metric")])
    assert messages(found) == ["faq-bot 1.1.0: production needs metric core-v1/score"]


def test_gate_required_suite():
    head, base = promote(metrics={"accuracy": 0.95}, suites={"smoke": {"ok": True}})
    found = check(head, base, gates("required_suites: [core-v1, smoke]"),
                  expect=[(line_of(head, "smoke:"), 9, "gate-required-suite")])
    assert messages(found) == ["faq-bot 1.1.0: production needs results of evaluation suite core-v1 (metrics.suites.core-v1)"]


def test_gate_required_suite_passes():
    check(*promote(suites={"core-v1": {"score": 0.5, "config_parse_ok": False}}), gates("required_suites: [core-v1]"),
          expect=[])


def test_gate_min_metric():
    head, base = promote(metrics={"accuracy": 0.85})
    found = check(head, base, gates("min_metrics: {accuracy: 0.9}"),
                  expect=[(line_of(head, "accuracy: 0.85"), 17, "gate-min-metric")])
    assert messages(found) == ["faq-bot 1.1.0: accuracy is 0.85; production needs at least 0.9"]


def test_gate_min_metric_at_the_bound_passes():
    check(*promote(metrics={"accuracy": 0.9}), gates("min_metrics: {accuracy: 0.9}"), expect=[])


def test_gate_min_suite_metric():
    head, base = promote(suites={"core-v1": {"score": 0.8}})
    found = check(head, base, gates("min_metrics: {core-v1/score: 0.85}"),
                  expect=[(line_of(head, "score: 0.8"), 18, "gate-min-metric")])
    assert messages(found) == ["faq-bot 1.1.0: core-v1/score is 0.8; production needs at least 0.85"]


def test_gate_min_metric_missing_or_boolean():
    head, base = promote(suites={"core-v1": {"score": True}})
    found = check(head, base, gates("min_metrics: {core-v1/score: 0.5, accuracy: 0.5}"),
                  expect=["gate-min-metric", "gate-min-metric"])
    assert sorted(messages(found)) == [
        "faq-bot 1.1.0: core-v1/score is true, not a number: at least 0.5 compares numbers only",
        "faq-bot 1.1.0: production needs numeric metric accuracy at least 0.5"]


def test_gates_say_when_a_top_level_metric_is_a_boolean():
    head, base = promote(metrics={"accuracy": False, "slo_ok": True})
    found = check(head, base, gates("min_metrics: {accuracy: 0.5}\nrequired_metrics: [slo_ok]\n"
                                    "no_regression: {accuracy: higher_is_better}"),
                  expect=["gate-min-metric", "gate-no-regression"])
    assert found[0].line == line_of(head, "accuracy: false")
    assert messages(found) == [
        "faq-bot 1.1.0: accuracy is false, not a number: at least 0.5 compares numbers only",
        "faq-bot 1.1.0: accuracy is false, not a number: no_regression compares numbers only (0.92 before)"]


def test_gate_max_metric():
    head, base = promote(metrics={"latency_ms": 300})
    found = check(head, base, gates("max_metrics: {latency_ms: 250}"),
                  expect=[(line_of(head, "latency_ms: 300"), 19, "gate-max-metric")])
    assert messages(found) == ["faq-bot 1.1.0: latency_ms is 300; production needs at most 250"]


def test_gate_no_regression_higher_is_better():
    head, base = promote(metrics={"accuracy": 0.9})
    found = check(head, base, gates("no_regression: {accuracy: higher_is_better}"),
                  expect=[(line_of(head, "accuracy: 0.9", 2), 17, "gate-no-regression")])
    assert messages(found) == ["faq-bot 1.1.0: accuracy is 0.9, worse than 0.92 of production version 1.0.0 (higher is better)"]


def test_gate_no_regression_lower_is_better():
    head, base = promote(metrics={"latency_ms": 120})
    found = check(head, base, gates("no_regression: {latency_ms: lower_is_better}"),
                  expect=[(line_of(head, "latency_ms: 120"), 19, "gate-no-regression")])
    assert messages(found) == ["faq-bot 1.1.0: latency_ms is 120, worse than 100 of production version 1.0.0 (lower is better)"]


def test_gate_no_regression_on_a_suite_metric():
    head, base = promote(suites={"core-v1": {"score": 0.89}})
    check(head, base, gates("no_regression: {core-v1/score: higher_is_better}"),
          expect=[(line_of(head, "score: 0.89"), 18, "gate-no-regression")])


def test_gate_no_regression_missing_metric_counts_as_worse():
    found = check(*promote(), gates("no_regression: {accuracy: higher_is_better}"), expect=["gate-no-regression"])
    assert "accuracy is missing" in found[0].message


def test_gate_no_regression_equal_or_better_passes():
    check(*promote(metrics={"accuracy": 0.92, "latency_ms": 90}),
          gates("no_regression: {accuracy: higher_is_better, latency_ms: lower_is_better}"), expect=[])


def test_gate_no_regression_without_a_current_production():
    base = model(NAME, version("1.1.0", "staging", metrics={"accuracy": 0.1}))
    head = model(NAME, version("1.1.0", "production", metrics={"accuracy": 0.1}))
    check(head, base, gates("no_regression: {accuracy: higher_is_better}"), expect=[])


def test_rollback_is_judged_by_the_gates():
    """A version re-entering production passes the gates again, against the version it replaces."""
    base = model(NAME, version("1.0.0", "staging", metrics={"accuracy": 0.9}),
                 version("1.1.0", "production", metrics={"accuracy": 0.95}))
    head = model(NAME, version("1.0.0", "production", metrics={"accuracy": 0.9}),
                 version("1.1.0", "staging", metrics={"accuracy": 0.95}))
    check(head, base, gates("no_regression: {accuracy: higher_is_better}"),
          expect=[(line_of(head, "accuracy: 0.9"), 17, "gate-no-regression")])


def test_gates_do_not_rejudge_a_version_already_in_production():
    base = model(NAME, version("1.0.0", "production", sha256=None))
    head = model(NAME, version("1.0.0", "production", sha256=None, description="still here"))
    check(head, base, gates("require_sha256: true"), expect=[])


def test_gates_when_the_policy_tightens_in_the_same_change():
    """Files are re-read when registry.yaml changes, but a standing production version is not re-judged."""
    base = model(NAME, version("1.0.0", "production", sha256=None))
    check(base, base, "on_promote: demote\n", head_policy=gates("require_sha256: true"), expect=[])


# --- per-model gates, and which policy judges ---------------------------------------------

OTHER = "models/image-classifier.yaml"
PER_MODEL = (gates("min_metrics: {accuracy: 0.5}")
             + "models:\n  faq-bot:\n    gates:\n      production:\n        min_metrics: {accuracy: 0.95}\n")


def other_model(stage: str) -> str:
    return model("image-classifier", version("v1", stage, metrics={"accuracy": 0.9}))


def test_per_model_gate_override():
    head, base = promote(metrics={"accuracy": 0.93})
    found = check(head, base, PER_MODEL,
                  files={OTHER: other_model("staging")}, head_files={OTHER: other_model("production")},
                  expect=[(line_of(head, "accuracy: 0.93"), 17, "gate-min-metric")])
    # faq-bot is held to its own 0.95; image-classifier to the global 0.5.
    assert messages(found) == ["faq-bot 1.1.0: accuracy is 0.93; production needs at least 0.95"]


def test_per_model_override_keeps_the_other_global_gates():
    policy = (gates("require_sha256: true")
              + "models:\n  faq-bot:\n    gates:\n      production:\n        required_metrics: [accuracy]\n")
    head, base = promote(sha256=None)
    found = violations(head, base, policy)
    assert sorted(v.rule for v in found) == ["gate-required-metric", "gate-sha256"]


STRICT = gates("require_sha256: true") + "transitions:\n  none: [staging, archived]\n"
RELAXED = "transitions:\n  none: [staging, production, archived]\n"


def test_relaxing_the_policy_in_the_same_change_does_not_help():
    """A pull request cannot relax the rules it is judged by: the base's policy judges."""
    head, base = promote(sha256=None)
    check(head, base, STRICT, head_policy=RELAXED, expect=[(line_of(head, "artifact:", 2), 5, "gate-sha256")])


def test_relaxed_transitions_in_the_same_change_do_not_help():
    head = model(NAME, version("1.0.0", "production"))
    check(head, model(NAME, version("1.0.0", "none")), "on_promote: demote\n", head_policy=RELAXED,
          expect=[(stage_line(head, "1.0.0"), 12, "skipped-stage")])


def test_the_relaxed_policy_judges_the_next_change():
    check(model(NAME, version("1.0.0", "production")), model(NAME, version("1.0.0", "none")), RELAXED, expect=[])


def test_an_invalid_head_policy_is_reported_and_stops():
    check(*promote(sha256=None), gates("require_sha256: true"), head_policy="on_promote: maybe\n",
          expect=[("registry.yaml", 1, 13, "schema")])


LEGACY = {"models/legacy.yaml": model("legacy", version("1", "production"), version("2", "production"))}


def test_unchanged_files_are_not_rejudged():
    """Only files whose bytes changed are read: an old problem in another file is not blamed on this change."""
    check(model(NAME, version("1.0.0", "staging")), model(NAME, version("1.0.0", "none")), files=LEGACY, expect=[])


# --- the CLI: four ways to judge a change, and the engine, agree ---------------------------

@pytest.fixture
def change(repo, cli):
    """``change(head, base, policy, ...)`` (the arguments of :func:`rulecheck.violations`) judged
    by the CLI: violations as (file, line, column, rule) and their messages, once they
    agree four ways."""

    def run(head, base, policy=None, *, head_policy=None, files=None, head_files=None):
        for path, text in {**(files or {}), **({"registry.yaml": policy} if policy is not None else {}),
                           **({PATH: base} if base is not ABSENT else {})}.items():
            repo.write(path, text)
        base_sha = repo.commit("base")
        for path, text in {**(head_files or {}), **({"registry.yaml": head_policy} if head_policy is not None else {}),
                           PATH: None if head is ABSENT else head}.items():
            if text is None:
                (repo.path / path).unlink(missing_ok=True)
            else:
                repo.write(path, text)

        _, in_tree, _ = validate_json(cli, repo.path, "--base", base_sha)
        repo.git("add", "-A")
        _, staged, _ = validate_json(cli, repo.path, "--staged")  # what pre-commit runs: the index against HEAD
        head_sha = repo.commit("head")
        _, committed, _ = validate_json(cli, repo.path, "--ref", "HEAD", "--base", base_sha)
        _, ranged, data = validate_json(cli, repo.path, "--range", f"{base_sha}..HEAD")
        assert committed == in_tree
        assert staged == in_tree
        assert data["commits_checked"] == [head_sha]
        assert all(v.pop("commit") == head_sha for v in ranged)
        assert ranged == in_tree
        return [(v["file"], v["line"], v["column"], v["rule"]) for v in in_tree], [v["message"] for v in in_tree]

    return run


def _legal():
    base = model(NAME, version("1.0.0", "production"), version("1.1.0", "staging"), version("1.2.0", "none"))
    return model(NAME, version("1.0.0", "staging"), version("1.1.0", "production"), version("1.2.0", "staging")), base


def _one(before, after, **fields):
    return model(NAME, version("1.0.0", after, **fields)), model(NAME, version("1.0.0", before, **fields))


SAMPLE = {
    "legal moves": (*_legal(), None, {}),
    "invalid-transition": (*_one("production", "none"), None, {}),
    "archived-promotion": (*_one("archived", "production"), None, {}),
    "skipped-stage, a new model": (model(NAME, version("1.0.0", "production")), ABSENT, None, {}),
    "immutable-field": (model(NAME, version("1.0.0", "staging", **{**REGISTERED, "uri": "s3://x/y"})),
                        model(NAME, version("1.0.0", "staging", **REGISTERED)), None, {}),
    "version-removed": (model(NAME, version("1.1.0", "none")),
                        model(NAME, version("1.0.0", "archived"), version("1.1.0", "none")), None, {}),
    "model-removed": (ABSENT, model(NAME, version("1.0.0", "archived")), None, {}),
    "model renamed away": (ABSENT, model(NAME, version("1.0.0", "none")), None,
                           {"head_files": {"models/faq-assistant.yaml": model("faq-assistant", version("1.0.0"))}}),
    "demotion-required": (*_legal(), "on_promote: refuse\n", {}),
    "gates": (*promote(sha256=None, metrics={"accuracy": 0.9}),
              gates("require_sha256: true\nno_regression: {accuracy: higher_is_better}"), {}),
    "per-model gates": (*promote(metrics={"accuracy": 0.93}), PER_MODEL,
                        {"files": {OTHER: other_model("staging")}, "head_files": {OTHER: other_model("production")}}),
    "a relaxed head policy": (*promote(sha256=None), STRICT, {"head_policy": RELAXED}),
    "an invalid head policy": (*promote(sha256=None), STRICT, {"head_policy": "on_promote: maybe\n"}),
    "an old problem in an unchanged file": (*_one("none", "staging"), None, {"files": LEGACY}),
}


@pytest.mark.parametrize("case", list(SAMPLE))
def test_the_cli_judges_as_the_engine_does_four_ways(change, case):
    head, base, policy, options = SAMPLE[case]
    expected = violations(head, base, policy, **options)
    assert change(head, base, policy, **options) == ([(v.file, v.line, v.column, v.rule) for v in expected],
                                                     [v.message for v in expected])
    assert (expected == []) == (case in ("legal moves", "an old problem in an unchanged file"))
