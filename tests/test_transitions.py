"""Change rules and production gates, each broken once through ``validate --base``.

Every case is judged three ways, which must agree: the working tree against the base
(``--base``), the committed head against the base (``--ref HEAD --base``), and the head
commit against its parent (``--range``, where each violation also names the commit).
"""

from __future__ import annotations

import pytest
from builders import line_of, model, sha, validate_json, version

NAME = "faq-bot"
PATH = f"models/{NAME}.yaml"


def stage_line(text: str, label: str) -> int:
    """The builders put ``stage:`` on the line after ``version:``."""
    return line_of(text, f'version: "{label}"') + 1


@pytest.fixture
def change(repo, cli):
    """``change(base, head, policy=..., head_policy=...)`` -> violations as (file, line, column, rule)
    plus their messages. ``None`` for a file that does not exist on that side."""

    def run(base: str | None, head: str | None, *, policy: str | None = None, head_policy: str | None = None,
            path: str = PATH, extra: dict[str, str | None] | None = None):
        if policy is not None:
            repo.write("registry.yaml", policy)
        if base is not None:
            repo.write(path, base)
        base_sha = repo.commit("base")
        target = repo.path / path
        if head is None:
            target.unlink(missing_ok=True)
        else:
            repo.write(path, head)
        if head_policy is not None:
            repo.write("registry.yaml", head_policy)
        for other, text in (extra or {}).items():
            if text is None:
                (repo.path / other).unlink()
            else:
                repo.write(other, text)

        _, in_tree, _ = validate_json(cli, repo.path, "--base", base_sha)
        head_sha = repo.commit("head")
        _, committed, _ = validate_json(cli, repo.path, "--ref", "HEAD", "--base", base_sha)
        _, ranged, data = validate_json(cli, repo.path, "--range", f"{base_sha}..HEAD")
        assert committed == in_tree
        assert data["commits_checked"] == [head_sha]
        assert all(v.pop("commit") == head_sha for v in ranged)
        assert ranged == in_tree
        return [(v["file"], v["line"], v["column"], v["rule"]) for v in in_tree], [v["message"] for v in in_tree]

    return run


def test_legal_moves_pass(change):
    base = model(NAME, version("1.0.0", "production"), version("1.1.0", "staging"), version("1.2.0", "none"),
                 version("1.3.0", "staging"))
    head = model(NAME, version("1.0.0", "staging"), version("1.1.0", "production"), version("1.2.0", "staging"),
                 version("1.3.0", "none"), version("1.4.0", "none"), version("1.5.0", "staging"))
    assert change(base, head) == ([], [])


@pytest.mark.parametrize("before", ["none", "staging", "production"])
def test_anything_may_be_archived(change, before):
    assert change(model(NAME, version("1.0.0", before)), model(NAME, version("1.0.0", "archived"))) == ([], [])


# --- invalid-transition -------------------------------------------------------------------

def test_production_to_none(change):
    head = model(NAME, version("1.0.0", "none"))
    found, messages = change(model(NAME, version("1.0.0", "production")), head)
    assert found == [(PATH, stage_line(head, "1.0.0"), 12, "invalid-transition")]
    assert messages == ["faq-bot 1.0.0: production -> none is not allowed; from production a version may move to archived, staging"]


def test_new_version_born_archived(change):
    head = model(NAME, version("1.0.0", "staging"), version("0.9.0", "archived"))
    found, messages = change(model(NAME, version("1.0.0", "staging")), head)
    assert found == [(PATH, stage_line(head, "0.9.0"), 12, "invalid-transition")]
    assert messages == ["new version faq-bot 0.9.0 starts in archived; a new version starts in none, staging"]


def test_custom_transition_table(change):
    policy = "transitions:\n  staging: [production, archived]\n"
    head = model(NAME, version("1.0.0", "none"))
    found, messages = change(model(NAME, version("1.0.0", "staging")), head, policy=policy)
    assert found == [(PATH, stage_line(head, "1.0.0"), 12, "invalid-transition")]
    assert "from staging a version may move to archived, production" in messages[0]


def test_custom_initial_stages(change):
    head = model(NAME, version("1.0.0", "staging"))
    found, _ = change(model(NAME), head, policy="initial_stages: [none]\n")
    assert found == [(PATH, stage_line(head, "1.0.0"), 12, "invalid-transition")]


# --- archived-promotion -------------------------------------------------------------------

@pytest.mark.parametrize("after", ["none", "staging", "production"])
def test_archived_is_final(change, after):
    base = model(NAME, version("1.0.0", "archived"), version("1.1.0", "staging"))
    head = model(NAME, version("1.0.0", after), version("1.1.0", "staging"))
    found, messages = change(base, head)
    assert found == [(PATH, stage_line(head, "1.0.0"), 12, "archived-promotion")]
    assert messages == [f"faq-bot 1.0.0: archived -> {after}: archived versions are never promoted again"]


def test_archived_is_final_even_if_the_policy_allows_it(change):
    """registry.schema.json has no 'archived' key in transitions, and the code ignores it."""
    base = model(NAME, version("1.0.0", "archived"))
    head = model(NAME, version("1.0.0", "staging"))
    found, _ = change(base, head, policy="transitions:\n  none: [staging, production, archived]\n")
    assert [f[3] for f in found] == ["archived-promotion"]


# --- skipped-stage ------------------------------------------------------------------------

def test_none_to_production(change):
    head = model(NAME, version("1.0.0", "production"))
    found, messages = change(model(NAME, version("1.0.0", "none")), head)
    assert found == [(PATH, stage_line(head, "1.0.0"), 12, "skipped-stage")]
    assert messages == ["faq-bot 1.0.0: none -> production skips staging; promote it to staging first"]


def test_new_version_born_in_production(change):
    base = model(NAME, version("1.0.0", "staging"))
    head = model(NAME, version("1.0.0", "staging"), version("2.0.0", "production"))
    found, messages = change(base, head)
    assert found == [(PATH, stage_line(head, "2.0.0"), 12, "skipped-stage")]
    assert messages == ["new version faq-bot 2.0.0 starts in production; register it in none, staging, then promote it"]


def test_new_model_born_in_production(change):
    head = model(NAME, version("1.0.0", "production"))
    found, _ = change(None, head)
    assert found == [(PATH, stage_line(head, "1.0.0"), 12, "skipped-stage")]


def test_initial_production_allowed_by_policy(change):
    assert change(None, model(NAME, version("1.0.0", "production")),
                  policy="initial_stages: [none, staging, production]\n") == ([], [])


# --- immutable-field ----------------------------------------------------------------------

REGISTERED = dict(uri="s3://bucket/faq-bot/1.0.0/model.onnx", sha256=sha("a"), size_bytes=100, fmt="onnx", run_id="run-1")


@pytest.mark.parametrize("field, changed, needle, column, shown", [
    ("uri", "s3://bucket/faq-bot/1.0.0/model-v2.onnx", "uri:", 12, "artifact.uri"),
    ("sha256", sha("b"), "sha256:", 15, "artifact.sha256"),
    ("size_bytes", 101, "size_bytes:", 19, "artifact.size_bytes"),
    ("fmt", "safetensors", "format:", 15, "artifact.format"),
    ("run_id", "run-2", "run_id:", 13, "run_id"),
])
def test_registered_facts_never_change(change, field, changed, needle, column, shown):
    base = model(NAME, version("1.0.0", "staging", **REGISTERED))
    head = model(NAME, version("1.0.0", "staging", **{**REGISTERED, field: changed}))
    found, messages = change(base, head)
    assert found == [(PATH, line_of(head, needle), column, "immutable-field")]
    before = REGISTERED[field]
    assert messages == [f"faq-bot 1.0.0: {shown} changed from {before!r} to {changed!r}; "
                        "registered facts never change, register a new version"]


@pytest.mark.parametrize("field, shown", [("sha256", "artifact.sha256"), ("size_bytes", "artifact.size_bytes"),
                                          ("fmt", "artifact.format"), ("run_id", "run_id")])
def test_registered_facts_are_never_removed(change, field, shown):
    base = model(NAME, version("1.0.0", "staging", **REGISTERED))
    head = model(NAME, version("1.0.0", "staging", **{**REGISTERED, field: None}))
    found, messages = change(base, head)
    assert [f[3] for f in found] == ["immutable-field"]
    assert messages[0].startswith(f"faq-bot 1.0.0: {shown} removed (was ")


def test_adding_a_fact_that_was_never_registered_is_allowed(change):
    base = model(NAME, version("1.0.0", "staging", sha256=None))
    head = model(NAME, version("1.0.0", "staging", sha256=sha("late"), size_bytes=5, fmt="onnx", run_id="run-9"))
    assert change(base, head) == ([], [])


def test_metrics_tags_and_descriptions_may_change(change):
    base = model(NAME, version("1.0.0", "staging", metrics={"accuracy": 0.9}))
    head = model(NAME, version("1.0.0", "staging", metrics={"accuracy": 0.91, "f1": 0.8},
                               extra="    tags: [rerun]\n    description: re-evaluated\n"), header="owner: hazel\n")
    assert change(base, head) == ([], [])


def test_several_changes_to_one_version(change):
    base = model(NAME, version("1.0.0", "staging", **REGISTERED))
    head = model(NAME, version("1.0.0", "none", **{**REGISTERED, "uri": "s3://x/y", "run_id": "run-2"}))
    found, _ = change(base, head)
    assert [(f[1], f[3]) for f in found] == [(line_of(head, "uri:"), "immutable-field"),
                                             (line_of(head, "run_id:"), "immutable-field")]


# --- version-removed / model-removed ------------------------------------------------------

def test_version_removed(change):
    base = model(NAME, version("1.0.0", "archived"), version("1.1.0", "staging"))
    head = model(NAME, version("1.1.0", "staging"))
    found, messages = change(base, head)
    assert found == [(PATH, line_of(head, "- version"), 3, "version-removed")]
    assert messages == ["version 1.0.0 (was archived) was removed; archive it instead of deleting it"]


def test_last_version_removed(change):
    head = model(NAME)
    found, _ = change(model(NAME, version("1.0.0", "none")), head)
    assert found == [(PATH, line_of(head, "versions: []"), 11, "version-removed")]


def test_renamed_version_is_a_removal_and_a_new_version(change):
    base = model(NAME, version("1.0.0", "staging"))
    head = model(NAME, version("1.0.1", "staging"))
    found, _ = change(base, head)
    assert [f[3] for f in found] == ["version-removed"]


def test_model_removed(change):
    base = model(NAME, version("1.0.0", "archived"))
    found, messages = change(base, None)
    assert found == [(PATH, 1, 1, "model-removed")]
    assert messages == ["model faq-bot was removed; models are kept and their versions archived, never deleted"]


def test_model_renamed_away(change):
    base = model(NAME, version("1.0.0", "staging"))
    renamed = model("faq-assistant", version("1.0.0", "staging", name=NAME))
    found, _ = change(base, None, extra={"models/faq-assistant.yaml": renamed})
    assert found == [(PATH, 1, 1, "model-removed")]


def test_new_model_is_fine(change):
    assert change(None, model(NAME, version("1.0.0", "none"))) == ([], [])


# --- demotion-required --------------------------------------------------------------------

def test_refuse_replacing_production_in_one_step(change):
    base = model(NAME, version("1.0.0", "production"), version("1.1.0", "staging"))
    head = model(NAME, version("1.0.0", "staging"), version("1.1.0", "production"))
    found, messages = change(base, head, policy="on_promote: refuse\n")
    assert found == [(PATH, stage_line(head, "1.1.0"), 12, "demotion-required")]
    assert "move 1.0.0 out of production in its own change first" in messages[0]


def test_refuse_allows_the_two_steps(change, repo, cli):
    base = model(NAME, version("1.0.0", "production"), version("1.1.0", "staging"))
    step1 = model(NAME, version("1.0.0", "staging"), version("1.1.0", "staging"))
    assert change(base, step1, policy="on_promote: refuse\n") == ([], [])
    step2 = model(NAME, version("1.0.0", "staging"), version("1.1.0", "production"))
    assert change(None, step2) == ([], [])


def test_demote_is_the_default(change):
    base = model(NAME, version("1.0.0", "production"), version("1.1.0", "staging"))
    head = model(NAME, version("1.0.0", "staging"), version("1.1.0", "production"))
    assert change(base, head) == ([], [])


# --- production gates ---------------------------------------------------------------------

def gates(body: str) -> str:
    return "gates:\n  production:\n" + "".join(f"    {line}\n" for line in body.splitlines())


def promote(**fields):
    """(base, head): 1.0.0 in production, 1.1.0 staged with ``fields`` then promoted (1.0.0 demoted)."""
    current = dict(metrics={"accuracy": 0.92, "latency_ms": 100}, suites={"core-v1": {"score": 0.9}})
    base = model(NAME, version("1.0.0", "production", **current), version("1.1.0", "staging", **fields))
    head = model(NAME, version("1.0.0", "staging", **current), version("1.1.0", "production", **fields))
    return base, head


def test_gate_sha256(change):
    base, head = promote(sha256=None)
    found, messages = change(base, head, policy=gates("require_sha256: true"))
    assert found == [(PATH, line_of(head, "artifact:", 2), 5, "gate-sha256")]
    assert messages == ["faq-bot 1.1.0: production needs artifact.sha256"]


def test_gate_sha256_passes_with_a_sha(change):
    assert change(*promote(), policy=gates("require_sha256: true")) == ([], [])


def test_gate_required_metric(change):
    base, head = promote(metrics={"f1": 0.8})
    found, messages = change(base, head, policy=gates("required_metrics: [accuracy, f1]"))
    assert found == [(PATH, line_of(head, "f1: 0.8"), 7, "gate-required-metric")]
    assert messages == ["faq-bot 1.1.0: production needs metric accuracy"]


def test_gate_required_metric_without_any_metrics(change):
    base, head = promote()
    found, _ = change(base, head, policy=gates("required_metrics: [accuracy]"))
    assert found == [(PATH, line_of(head, 'version: "1.1.0"'), 5, "gate-required-metric")]


def test_gate_required_suite_scoped_metric(change):
    base, head = promote(suites={"core-v1": {"passed": True}})
    found, messages = change(base, head, policy=gates("required_metrics: [core-v1/score]"))
    assert found == [(PATH, line_of(head, "passed: true"), 11, "gate-required-metric")]
    assert messages == ["faq-bot 1.1.0: production needs metric core-v1/score"]


def test_gate_required_suite(change):
    base, head = promote(metrics={"accuracy": 0.95}, suites={"smoke": {"ok": True}})
    found, messages = change(base, head, policy=gates("required_suites: [core-v1, smoke]"))
    assert found == [(PATH, line_of(head, "smoke:"), 9, "gate-required-suite")]
    assert messages == ["faq-bot 1.1.0: production needs results of evaluation suite core-v1 (metrics.suites.core-v1)"]


def test_gate_required_suite_passes(change):
    base, head = promote(suites={"core-v1": {"score": 0.5, "config_parse_ok": False}})
    assert change(base, head, policy=gates("required_suites: [core-v1]")) == ([], [])


def test_gate_min_metric(change):
    base, head = promote(metrics={"accuracy": 0.85})
    found, messages = change(base, head, policy=gates("min_metrics: {accuracy: 0.9}"))
    line = line_of(head, "accuracy: 0.85")
    assert found == [(PATH, line, 17, "gate-min-metric")]
    assert messages == ["faq-bot 1.1.0: accuracy is 0.85; production needs at least 0.9"]


def test_gate_min_metric_at_the_bound_passes(change):
    base, head = promote(metrics={"accuracy": 0.9})
    assert change(base, head, policy=gates("min_metrics: {accuracy: 0.9}")) == ([], [])


def test_gate_min_suite_metric(change):
    base, head = promote(suites={"core-v1": {"score": 0.8}})
    found, messages = change(base, head, policy=gates("min_metrics: {core-v1/score: 0.85}"))
    assert found == [(PATH, line_of(head, "score: 0.8"), 18, "gate-min-metric")]
    assert messages == ["faq-bot 1.1.0: core-v1/score is 0.8; production needs at least 0.85"]


def test_gate_min_metric_missing_or_boolean(change):
    base, head = promote(suites={"core-v1": {"score": True}})
    found, messages = change(base, head, policy=gates("min_metrics: {core-v1/score: 0.5, accuracy: 0.5}"))
    assert [f[3] for f in found] == ["gate-min-metric", "gate-min-metric"]
    assert sorted(messages) == ["faq-bot 1.1.0: core-v1/score is true, not a number: at least 0.5 compares numbers only",
                                "faq-bot 1.1.0: production needs numeric metric accuracy at least 0.5"]


def test_gates_say_when_a_top_level_metric_is_a_boolean(change):
    base, head = promote(metrics={"accuracy": False, "slo_ok": True})
    found, messages = change(base, head, policy=gates("min_metrics: {accuracy: 0.5}\nrequired_metrics: [slo_ok]\n"
                                                      "no_regression: {accuracy: higher_is_better}"))
    assert [f[3] for f in found] == ["gate-min-metric", "gate-no-regression"]
    assert found[0][1] == line_of(head, "accuracy: false")
    assert messages == ["faq-bot 1.1.0: accuracy is false, not a number: at least 0.5 compares numbers only",
                        "faq-bot 1.1.0: accuracy is false, not a number: no_regression compares numbers only (0.92 before)"]


def test_gate_max_metric(change):
    base, head = promote(metrics={"latency_ms": 300})
    found, messages = change(base, head, policy=gates("max_metrics: {latency_ms: 250}"))
    assert found == [(PATH, line_of(head, "latency_ms: 300"), 19, "gate-max-metric")]
    assert messages == ["faq-bot 1.1.0: latency_ms is 300; production needs at most 250"]


def test_gate_no_regression_higher_is_better(change):
    base, head = promote(metrics={"accuracy": 0.9})
    found, messages = change(base, head, policy=gates("no_regression: {accuracy: higher_is_better}"))
    assert found == [(PATH, line_of(head, "accuracy: 0.9", 2), 17, "gate-no-regression")]
    assert messages == ["faq-bot 1.1.0: accuracy is 0.9, worse than 0.92 of production version 1.0.0 (higher is better)"]


def test_gate_no_regression_lower_is_better(change):
    base, head = promote(metrics={"latency_ms": 120})
    found, messages = change(base, head, policy=gates("no_regression: {latency_ms: lower_is_better}"))
    assert found == [(PATH, line_of(head, "latency_ms: 120"), 19, "gate-no-regression")]
    assert messages == ["faq-bot 1.1.0: latency_ms is 120, worse than 100 of production version 1.0.0 (lower is better)"]


def test_gate_no_regression_on_a_suite_metric(change):
    base, head = promote(suites={"core-v1": {"score": 0.89}})
    found, _ = change(base, head, policy=gates("no_regression: {core-v1/score: higher_is_better}"))
    assert found == [(PATH, line_of(head, "score: 0.89"), 18, "gate-no-regression")]


def test_gate_no_regression_missing_metric_counts_as_worse(change):
    base, head = promote()
    found, messages = change(base, head, policy=gates("no_regression: {accuracy: higher_is_better}"))
    assert [f[3] for f in found] == ["gate-no-regression"]
    assert "accuracy is missing" in messages[0]


def test_gate_no_regression_equal_or_better_passes(change):
    base, head = promote(metrics={"accuracy": 0.92, "latency_ms": 90})
    policy = gates("no_regression: {accuracy: higher_is_better, latency_ms: lower_is_better}")
    assert change(base, head, policy=policy) == ([], [])


def test_gate_no_regression_without_a_current_production(change):
    base = model(NAME, version("1.1.0", "staging", metrics={"accuracy": 0.1}))
    head = model(NAME, version("1.1.0", "production", metrics={"accuracy": 0.1}))
    assert change(base, head, policy=gates("no_regression: {accuracy: higher_is_better}")) == ([], [])


def test_rollback_is_judged_by_the_gates(change):
    """A version re-entering production passes the gates again, against the version it replaces."""
    base = model(NAME, version("1.0.0", "staging", metrics={"accuracy": 0.9}),
                 version("1.1.0", "production", metrics={"accuracy": 0.95}))
    head = model(NAME, version("1.0.0", "production", metrics={"accuracy": 0.9}),
                 version("1.1.0", "staging", metrics={"accuracy": 0.95}))
    found, _ = change(base, head, policy=gates("no_regression: {accuracy: higher_is_better}"))
    assert [(f[1], f[3]) for f in found] == [(line_of(head, "accuracy: 0.9"), "gate-no-regression")]


def test_gates_do_not_rejudge_a_version_already_in_production(change):
    base = model(NAME, version("1.0.0", "production", sha256=None))
    head = model(NAME, version("1.0.0", "production", sha256=None, extra="    description: still here\n"))
    assert change(base, head, policy=gates("require_sha256: true")) == ([], [])


def test_gates_when_the_policy_tightens_in_the_same_change(change):
    """Files are re-read when registry.yaml changes, but a standing production version is not re-judged."""
    base = model(NAME, version("1.0.0", "production", sha256=None))
    assert change(base, base, policy="on_promote: demote\n", head_policy=gates("require_sha256: true")) == ([], [])


# --- per-model gates, and which policy judges ---------------------------------------------

def test_per_model_gate_override(change, repo):
    policy = (gates("min_metrics: {accuracy: 0.5}")
              + "models:\n  faq-bot:\n    gates:\n      production:\n        min_metrics: {accuracy: 0.95}\n")
    other = "models/image-classifier.yaml"
    other_base = model("image-classifier", version("v1", "staging", name="image-classifier", metrics={"accuracy": 0.9}))
    other_head = model("image-classifier", version("v1", "production", name="image-classifier", metrics={"accuracy": 0.9}))
    repo.write(other, other_base)
    base, head = promote(metrics={"accuracy": 0.93})
    found, messages = change(base, head, policy=policy, extra={other: other_head})
    # faq-bot is held to its own 0.95; image-classifier to the global 0.5.
    assert found == [(PATH, line_of(head, "accuracy: 0.93"), 17, "gate-min-metric")]
    assert messages == ["faq-bot 1.1.0: accuracy is 0.93; production needs at least 0.95"]


def test_per_model_override_keeps_the_other_global_gates(change):
    policy = (gates("require_sha256: true")
              + "models:\n  faq-bot:\n    gates:\n      production:\n        required_metrics: [accuracy]\n")
    base, head = promote(sha256=None)
    found, _ = change(base, head, policy=policy)
    assert sorted(f[3] for f in found) == ["gate-required-metric", "gate-sha256"]


def test_relaxing_the_policy_in_the_same_change_does_not_help(change):
    """A pull request cannot relax the rules it is judged by: the base's policy judges."""
    base, head = promote(sha256=None)
    strict = gates("require_sha256: true") + "transitions:\n  none: [staging, archived]\n"
    relaxed = "transitions:\n  none: [staging, production, archived]\n"
    found, _ = change(base, head, policy=strict, head_policy=relaxed)
    assert found == [(PATH, line_of(head, "artifact:", 2), 5, "gate-sha256")]


def test_relaxed_transitions_in_the_same_change_do_not_help(change):
    base = model(NAME, version("1.0.0", "none"))
    head = model(NAME, version("1.0.0", "production"))
    found, _ = change(base, head, policy="on_promote: demote\n",
                      head_policy="transitions:\n  none: [staging, production, archived]\n")
    assert found == [(PATH, stage_line(head, "1.0.0"), 12, "skipped-stage")]


def test_the_relaxed_policy_judges_the_next_change(change):
    base = model(NAME, version("1.0.0", "none"))
    head = model(NAME, version("1.0.0", "production"))
    assert change(base, head, policy="transitions:\n  none: [staging, production, archived]\n") == ([], [])


def test_an_invalid_head_policy_is_reported_and_stops(change):
    base, head = promote(sha256=None)
    found, messages = change(base, head, policy=gates("require_sha256: true"), head_policy="on_promote: maybe\n")
    assert found == [("registry.yaml", 1, 13, "schema")]


def test_unchanged_files_are_not_rejudged(change, repo):
    """Only files whose bytes changed are read: an old problem in another file is not blamed on this change."""
    repo.write("models/legacy.yaml", model("legacy", version("1", "production", name="legacy"),
                                           version("2", "production", name="legacy")))
    found, _ = change(model(NAME, version("1.0.0", "none")), model(NAME, version("1.0.0", "staging")))
    assert found == []
