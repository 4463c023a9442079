"""The pure comparison of two versions of one model: which semantic events, in which order."""

from __future__ import annotations

from audit_scenarios import faq
from builders import model, version

from registry_tool.core.changes import Change, ChangeKind, MetricChange, model_changes
from registry_tool.core.model import Model, Stage
from registry_tool.core.policy import Policy
from registry_tool.validation.model_file import parse_model

K = ChangeKind
S = Stage


def parsed(text: str) -> Model:
    mf, problems = parse_model(text.encode(), "models/faq-bot.yaml", "faq-bot", Policy())
    assert mf is not None, problems
    return mf.model


def kinds(changes: list[Change]) -> list[tuple]:
    return [(c.kind, c.version, c.from_stage, c.to_stage) for c in changes]


def test_new_model_is_created_with_its_versions_in_file_order():
    head = parsed(faq(("1.0.0", "none"), ("1.1.0", "staging")))
    assert kinds(model_changes("faq-bot", None, head)) == [
        (K.MODEL_CREATED, None, None, None),
        (K.VERSION_REGISTERED, "1.0.0", None, S.NONE),
        (K.VERSION_REGISTERED, "1.1.0", None, S.STAGING),
    ]


def test_promotion_with_demotion_lists_both_moves_in_file_order():
    base = parsed(faq(("1.0.0", "production"), ("1.1.0", "staging")))
    head = parsed(faq(("1.0.0", "staging"), ("1.1.0", "production")))
    changes = model_changes("faq-bot", base, head)
    assert kinds(changes) == [
        (K.STAGE_CHANGED, "1.0.0", S.PRODUCTION, S.STAGING),
        (K.STAGE_CHANGED, "1.1.0", S.STAGING, S.PRODUCTION),
    ]
    assert [c.enters_production for c in changes] == [False, True]
    assert [c.leaves_production for c in changes] == [True, False]


def test_same_model_gives_no_events():
    text = faq(("1.0.0", "production"))
    assert model_changes("faq-bot", parsed(text), parsed(text)) == []


def test_version_updated_names_fields_and_metric_values():
    base = parsed(model("faq-bot", version("1.0.0", "staging", metrics={"accuracy": 0.9}, suites={"core": {"score": 1}})))
    head = parsed(model("faq-bot", version("1.0.0", "production", metrics={"accuracy": 0.95, "f1": 0.8},
                                           suites={"core": {"score": 1}}, tags=["ab"], description="tuned")))
    changes = model_changes("faq-bot", base, head)
    assert kinds(changes) == [(K.STAGE_CHANGED, "1.0.0", S.STAGING, S.PRODUCTION), (K.VERSION_UPDATED, "1.0.0", None, None)]
    assert changes[1].fields == ("description", "metrics", "tags")
    assert changes[1].metrics == (MetricChange("accuracy", 0.9, 0.95), MetricChange("f1", None, 0.8))


def test_suite_metrics_are_named_by_reference_and_true_is_not_one():
    base = parsed(model("faq-bot", version("1.0.0", "staging", suites={"core": {"ok": 1}})))
    head = parsed(model("faq-bot", version("1.0.0", "staging", suites={"core": {"ok": True}})))
    (change,) = model_changes("faq-bot", base, head)
    assert change.metrics == (MetricChange("core/ok", 1, True),)


def test_removed_version_and_removed_model():
    base = parsed(faq(("1.0.0", "production"), ("1.1.0", "staging")))
    head = parsed(faq(("1.0.0", "production")))
    assert kinds(model_changes("faq-bot", base, head)) == [(K.VERSION_REMOVED, "1.1.0", S.STAGING, None)]
    assert kinds(model_changes("faq-bot", base, None)) == [(K.MODEL_REMOVED, None, None, None)]
    assert model_changes("faq-bot", None, None) == []


def test_model_fields_changed():
    base = parsed(model("faq-bot", version("1.0.0", "none"), owner="hazel"))
    head = parsed(model("faq-bot", version("1.0.0", "none"), owner="ml-platform"))
    (change,) = model_changes("faq-bot", base, head)
    assert (change.kind, change.fields) == (K.MODEL_UPDATED, ("owner",))


def test_order_is_created_updated_versions_then_removals():
    base = parsed(faq(("0.9.0", "archived"), ("1.0.0", "none")))
    head = parsed(faq(("1.0.0", "staging"), ("1.1.0", "none")))
    assert kinds(model_changes("faq-bot", base, head)) == [
        (K.STAGE_CHANGED, "1.0.0", S.NONE, S.STAGING),
        (K.VERSION_REGISTERED, "1.1.0", None, S.NONE),
        (K.VERSION_REMOVED, "0.9.0", S.ARCHIVED, None),
    ]


def test_to_dict_has_every_key():
    change = Change(K.VERSION_REGISTERED, "faq-bot", "1.0.0", to_stage=S.NONE)
    assert change.to_dict() == {"event": "version_registered", "model": "faq-bot", "version": "1.0.0",
                                "from_stage": None, "to_stage": "none", "fields": [], "metrics": [], "policy": [],
                                "alias": None, "from_version": None, "to_version": None}
