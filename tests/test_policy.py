"""registry.yaml: checked against its own schema, and obeyed (models_dir, limits, defaults)."""

from __future__ import annotations

import pytest
from builders import model, validate_json, version
from rulecheck import ABSENT, check, report

FAQ = model("faq-bot", version("1.0.0", "staging"))


def found_in(cli, repo, *args):
    code, found, data = validate_json(cli, repo.path, *args)
    return code, [(v["file"], v["line"], v["column"], v["rule"]) for v in found], [v["message"] for v in found], data


@pytest.mark.parametrize("text, where, message", [
    ("modles_dir: models\n", (1, 1, "unknown-field"), "unknown field 'modles_dir'; did you mean 'models_dir'?"),
    ("gates:\n  production:\n    require_sha: true\n", (3, 5, "unknown-field"),
     "gates.production: unknown field 'require_sha'; did you mean 'require_sha256'?"),
    ("transitions:\n  archived: [staging]\n", (2, 3, "unknown-field"),
     "transitions: unknown field 'archived'; allowed: none, production, staging"),
    ("transitions:\n  none: [prod]\n", (2, 10, "schema"),
     "transitions.none[0]: 'prod' is not one of none, staging, production, archived"),
    ("transitions:\n  staging: [Production]\n", (2, 13, "schema"),
     "transitions.staging[0]: 'Production' is not one of none, staging, production, archived; did you mean 'production'?"),
    ("on_promote: reject\n", (1, 13, "schema"), "on_promote: 'reject' is not one of demote, refuse"),
    ("demote_to: production\n", (1, 12, "schema"), "demote_to: 'production' is not one of none, staging, archived"),
    ("max_file_bytes: 10\n", (1, 17, "schema"), "max_file_bytes: 10 is too small; the smallest allowed is 1024"),
    ("models_dir: ../elsewhere\n", (1, 13, "schema"),
     "models_dir: '../elsewhere' is not a relative folder path inside the repository (no '..', no leading '/', no names starting with '.'), such as models"),
    ("models_dir: /abs\n", (1, 13, "schema"),
     "models_dir: '/abs' is not a relative folder path inside the repository (no '..', no leading '/', no names starting with '.'), such as models"),
    ("models:\n  Faq-Bot:\n    gates: {}\n", (2, 3, "schema"),
     "models: 'Faq-Bot' is not a model name: lower-case letters and digits separated by single '.', '_' or '-'"),
    ("gates:\n  production:\n    min_metrics: {accuracy: high}\n", (3, 29, "schema"),
     "gates.production.min_metrics.accuracy: must be a number, not a string"),
    ("gates:\n  production:\n    no_regression: {accuracy: up}\n", (3, 31, "schema"),
     "gates.production.no_regression.accuracy: 'up' is not one of higher_is_better, lower_is_better"),
    ("- models\n", (1, 1, "schema"), "the document is a list; expected a mapping of fields"),
])
def test_invalid_policy(text, where, message):
    found = check(FAQ, policy=text, expect=[("registry.yaml", *where)])
    assert [v.message for v in found] == [message]


def test_policy_loader_rules_apply():
    check(ABSENT, policy="on_promote: demote\non_promote: refuse\n",
          expect=[("registry.yaml", 2, 1, "yaml-duplicate-key")])


def test_policy_too_large():
    found = check(ABSENT, policy="# " + "x" * (64 * 1024) + "\n",
                  expect=[("registry.yaml", 1, 1, "file-too-large")])
    assert "limit is 65536 bytes" in found[0].message


def test_an_invalid_policy_stops_the_run():
    """With no sound policy, nothing else is judged (not even where the models are)."""
    judged = report(FAQ.replace("staging", "live"), policy="on_promote: reject\n")
    assert [(v.file, v.rule) for v in judged.violations] == [("registry.yaml", "schema")]
    assert judged.files_checked == 0


@pytest.mark.parametrize("text", ["", "\n", "# all defaults\n", "---\n"])
def test_empty_policy_means_defaults(text):
    base = model("faq-bot", version("1.0.0", "none"))
    check(base, policy=text, expect=[])
    # the default transitions judge
    check(model("faq-bot", version("1.0.0", "production")), base, text, expect=["skipped-stage"])


# --- models_dir ---------------------------------------------------------------------------

def test_custom_models_dir():
    judged = report(FAQ.replace("staging", "live"), policy="models_dir: registry/models\n",
                    path="registry/models/faq-bot.yaml",
                    files={"models/ignored.yaml": "not: [a model"})  # not the models directory any more
    assert [(v.file, v.line, v.column, v.rule) for v in judged.violations] == [
        ("registry/models/faq-bot.yaml", 4, 12, "undeclared-stage")]
    assert judged.files_checked == 1


def test_custom_models_dir_at_a_commit(repo, cli):
    repo.write("registry.yaml", "models_dir: registry/models\n")
    repo.write("registry/models/faq-bot.yaml", FAQ)
    repo.write("registry/models/README.md", "x")
    repo.commit("custom layout")
    _, found, _, data = found_in(cli, repo, "--ref", "HEAD")
    assert found == [("registry/models/README.md", 1, 1, "unexpected-file")]
    assert data["files_checked"] == 1


def test_custom_models_dir_with_paths(repo, cli):
    repo.write("registry.yaml", "models_dir: ml\n")
    repo.write("ml/faq-bot.yaml", FAQ.replace("staging", "live"))
    _, found, _, _ = found_in(cli, repo, "ml/faq-bot.yaml")
    assert found == [("ml/faq-bot.yaml", 4, 12, "undeclared-stage")]


def test_moving_the_models_directory_is_not_a_removal():
    check(ABSENT, FAQ, head_policy="models_dir: ml\n", head_files={"ml/faq-bot.yaml": FAQ}, expect=[])


def test_models_dir_pointing_nowhere_is_not_a_pass(repo, cli):
    repo.write("models/faq-bot.yaml", FAQ.replace("staging", "live"))
    repo.write("registry.yaml", "models_dir: typo\n")
    run = cli(repo.path, "validate")
    assert run.code == 2 and run.out == ""
    assert run.err == (f"registry-tool: error: nothing to check in {repo.path}: the models folder typo/ (models_dir in "
                       "registry.yaml) is missing or empty; is models_dir spelt right?\n")
    repo.commit("typo")
    run = cli(repo.path, "validate", "--ref", "HEAD")
    assert run.code == 2 and "nothing to check at HEAD (" in run.err and "typo/" in run.err


# --- a broken base policy -----------------------------------------------------------------

def test_a_broken_base_policy_falls_back_to_the_head_policy():
    check(model("faq-bot", version("1.0.0", "production")), model("faq-bot", version("1.0.0", "none")),
          "on_promote: maybe\n", head_policy="on_promote: refuse\n", expect=["skipped-stage"])


def test_pointing_models_dir_away_in_a_change_removes_every_model():
    """A pull request cannot hide the registry from the validator by renaming models_dir."""
    check(FAQ, FAQ, files={"models/image-classifier.yaml": model("image-classifier", version("v1", "none"))},
          head_policy="models_dir: elsewhere\n",
          expect=[("models/faq-bot.yaml", 1, 1, "model-removed"),
                  ("models/image-classifier.yaml", 1, 1, "model-removed")])
