"""The import's translations in our terms, as pure functions: how far ``--step`` moves a
version, stage maps, names, tags, metrics and versions competing for a unique stage."""

from __future__ import annotations

import math

import pytest

from registry_tool.core.model import Stage
from registry_tool.core.policy import Policy
from registry_tool.errors import RegistryError
from registry_tool.imports.imported import (
    ImportedModel,
    ImportedVersion,
    Source,
    StageMap,
    UniqueStageConflict,
    metric_values,
    parse_renames,
    parse_stage_map,
    settle_unique_stages,
    split_tags,
    suggested_name,
)
from registry_tool.imports.plan import toward

DEFAULT = Policy()
DECLARED = Policy.from_data({"stages": [{"name": "dev"}, {"name": "qa"}, {"name": "prod", "unique": True},
                                        {"name": "retired", "final": True}]})
SOURCE = Source("MLflow", "at http://mlflow")
S = Stage


@pytest.mark.parametrize(("current", "target", "step"), [
    (None, S.NONE, S.NONE),
    (None, S.STAGING, S.STAGING),
    (None, S.PRODUCTION, S.STAGING),  # a new version starts where new versions start, the nearest to production
    (None, S.ARCHIVED, S.NONE),  # born archived is not allowed; none -> archived is
    (S.NONE, S.PRODUCTION, S.STAGING),
    (S.STAGING, S.PRODUCTION, S.PRODUCTION),
    (S.PRODUCTION, S.NONE, S.STAGING),  # production -> none is not a transition; through staging
    (S.ARCHIVED, S.PRODUCTION, S.PRODUCTION),  # no way out of archived: left to the validator to refuse
    (S.STAGING, S.STAGING, S.STAGING),
])
def test_a_step_is_the_first_stage_on_the_shortest_allowed_way(current, target, step):
    assert toward(DEFAULT, current, target) is step


def test_steps_follow_declared_stages():
    assert toward(DECLARED, None, Stage("prod")) == "dev"  # only dev is initial; dev -> prod is a transition there
    restricted = Policy.from_data({**{"stages": [{"name": "dev"}, {"name": "qa"}, {"name": "prod", "unique": True},
                                                 {"name": "retired", "final": True}]},
                                   "transitions": {"dev": ["qa", "retired"], "qa": ["prod", "dev", "retired"],
                                                   "prod": ["qa", "retired"]}})
    assert [toward(restricted, None, Stage("prod")), toward(restricted, Stage("dev"), Stage("prod")),
            toward(restricted, Stage("qa"), Stage("prod"))] == ["dev", "qa", "prod"]


def test_stage_maps_given_then_declared_then_the_sources_usual_names():
    mapping = StageMap(SOURCE, parse_stage_map(["Production=prod", "Staging=qa,None=dev"]),
                       {"Archived": "archived", "None": "none"})
    assert [mapping.stage(s, DECLARED) for s in ("Production", "Staging", "None")] == ["prod", "qa", "dev"]
    assert StageMap(SOURCE, {}, {"prod": "production"}).stage("prod", DECLARED) == "prod"  # declared: kept
    assert StageMap(SOURCE, {}, {"prod": "production"}).stage("prod", DEFAULT) == "production"
    with pytest.raises(RegistryError, match=r"MLflow stage 'Archived' is not a stage of this registry \(dev, qa, prod, "
                                            r"retired\): give --stage-map Archived=STAGE"):
        mapping.stage("Archived", DECLARED)
    with pytest.raises(RegistryError, match="--stage-map takes FROM=TO pairs"):
        parse_stage_map(["prod"])


def test_renames_and_suggested_names():
    assert parse_renames(["Fraud Detector=fraud-detector", "a=b=c"]) == {"Fraud Detector": "fraud-detector", "a=b": "c"}
    with pytest.raises(RegistryError, match="'Bad Name' is not a model name"):
        parse_renames(["x=Bad Name"])
    with pytest.raises(RegistryError, match=f"'{'b' * 101}' is not a model name: at most 100 characters, not 101"):
        parse_renames([f"x={'b' * 101}"])
    assert [suggested_name(n) for n in ("Fraud Detector", "nlp:bert", "__x__", "ÄÖ")] == ["fraud-detector", "nlp-bert",
                                                                                         "x", "model"]


def test_tags_without_a_value_are_tags_and_the_others_metadata():
    assert split_tags([("team", "risk"), ("nlp", ""), ("has space", ""), ("k", "v=w")]) == (
        ["nlp"], {"has space": "", "k": "v=w", "team": "risk"})


def test_metric_names_in_our_terms():
    notes: list[str] = []
    tree = metric_values([("accuracy", 0.9), ("val/loss", 0.3), ("eval.f1", 0.7), ("a/b/c", 1.0), ("9lives", 2.0),
                          ("nan", math.nan), ("eval_f1", 0.71), ("suites", 3)], "m 1", notes)
    assert tree == {"accuracy": 0.9, "a_b_c": 1.0, "_9lives": 2.0, "eval_f1": 0.71, "suites_": 3,
                    "suites": {"val": {"loss": 0.3}}}
    assert notes == ["m 1: metric '9lives' imported as _9lives", "m 1: metric 'a/b/c' imported as a_b_c",
                     "m 1: metric 'eval.f1' left out (not a metric name here, and no close name is free)",
                     "m 1: metric nan = nan left out (not a finite number)", "m 1: metric 'suites' imported as suites_"]


def _model(*stages: str) -> ImportedModel:
    versions = [ImportedVersion(str(i + 1), Stage(s), {"uri": f"s3://b/{i}"}, source_stage=s.title())
                for i, s in enumerate(stages)]
    return ImportedModel("m", "m", versions)


def test_several_versions_in_a_unique_stage_are_refused_or_the_newest_kept():
    models = [_model("production", "staging", "production", "production")]
    with pytest.raises(UniqueStageConflict) as refused:
        settle_unique_stages(SOURCE, models, DEFAULT, None, "resolve-production")
    assert refused.value.conflicts == [("m", "Production", ["1", "3", "4"])]
    assert refused.value.exit_code == 1
    settle_unique_stages(SOURCE, models, DEFAULT, "newest", "resolve-production")
    assert [v.stage for v in models[0].versions] == ["staging", "staging", "staging", "production"]


def test_the_registered_models_user_is_its_owner():
    """MLflow's open-source server leaves a registered model's user_id empty (the test server
    cannot show it); Databricks' fills it in, and it becomes the owner."""
    from registry_tool.imports import mlflow

    version = mlflow.MlflowVersion("m", "1", "None", "s3://b/m/1", user_id="ada@example.com")
    registry = mlflow.MlflowRegistry("http://mlflow", [mlflow.MlflowModel("m", user_id="ada@example.com",
                                                                          versions=(version,)),
                                                       mlflow.MlflowModel("n", versions=(version,))], {})
    owned, unowned = mlflow.translate(registry, DEFAULT, mlflow.Options())
    assert (owned.owner, owned.data()["owner"]) == ("ada@example.com", "ada@example.com")
    assert unowned.owner is None and "owner" not in unowned.data()
    assert owned.history[0][1].startswith("m 1: registered at an unknown time by ada@example.com; None in MLflow")
