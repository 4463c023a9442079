"""File-scope state rules: the name matches the file, versions are unique, one production."""

from __future__ import annotations

from builders import line_of, model, validate_json, version, where
from rulecheck import check


def test_name_mismatch():
    found = check(model("faq-bot", version("1.0.0", "staging")), path="models/faq-assistant.yaml",
                  expect=[(1, 7, "name-mismatch")])
    assert "'faq-bot'" in found[0].message and "'faq-assistant.yaml'" in found[0].message


def test_name_mismatch_in_a_commit(repo, cli):
    repo.write("models/faq-assistant.yaml", model("faq-bot", version("1.0.0", "staging")))
    repo.commit("register")
    code, found, _ = validate_json(cli, repo.path, "--ref", "HEAD")
    assert (code, where(found)) == (1, [("models/faq-assistant.yaml", 1, "name-mismatch")])


def test_duplicate_version():
    text = model("faq-bot", version("1.0.0", "archived"), version("1.1.0", "staging"), version("1.0.0", "none"))
    first, second = line_of(text, 'version: "1.0.0"'), line_of(text, 'version: "1.0.0"', nth=2)
    found = check(text, expect=[(second, 14, "duplicate-version")])
    assert found[0].message == f"version 1.0.0 is listed twice (first at line {first})"


def test_versions_differing_only_in_label_are_distinct():
    check(model("faq-bot", version("1.0.0", "archived"), version("1.0.0-rc1", "staging"), version("v1.0.0", "none")),
          expect=[])


def test_multiple_production():
    text = model("faq-bot", version("1.0.0", "production"), version("1.1.0", "staging"), version("1.2.0", "production"))
    first, second = line_of(text, "stage: production"), line_of(text, "stage: production", nth=2)
    found = check(text, expect=[(second, 12, "multiple-production")])
    assert found[0].message == (f"faq-bot 1.2.0 is in production, but so is 1.0.0 (line {first}); "
                                "at most one version is in production")


def test_three_production_versions_give_two_violations():
    text = model("faq-bot", *(version(f"1.{i}.0", "production") for i in range(3)))
    check(text, expect=[(line_of(text, "stage: production", 2), 12, "multiple-production"),
                        (line_of(text, "stage: production", 3), 12, "multiple-production")])


def test_one_production_per_model_not_per_registry():
    other = model("image-classifier", version("v1", "production"))
    check(model("faq-bot", version("1.0.0", "production")), files={"models/image-classifier.yaml": other}, expect=[])


def test_state_rules_all_at_once():
    text = model("faq-bot", version("1.0.0", "production"), version("1.0.0", "production"))
    second = line_of(text, 'version: "1.0.0"', 2)
    check(text, path="models/faq.yaml",
          expect=[(1, 7, "name-mismatch"), (second, 14, "duplicate-version"), (second + 1, 12, "multiple-production")])


def test_file_rules_skip_files_with_schema_errors():
    text = model("faq-bot", version("1.0.0", "production"), version("1.1.0", "production"), extra={"ownr": "x"})
    check(text, path="models/other.yaml", expect=[(line_of(text, "ownr: x"), 1, "unknown-field")])


def test_example_registry_state_is_valid(cli):
    from conftest import REPO_ROOT

    code, found, data = validate_json(cli, REPO_ROOT, "--ref", "HEAD")
    assert (code, found, data["files_checked"]) == (0, [], 4)
