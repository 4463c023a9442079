"""File-scope state rules: the name matches the file, versions are unique, one production."""

from __future__ import annotations

from builders import line_of, model, validate_json, version, where


def test_name_mismatch(repo, cli):
    text = model("faq-bot", version("1.0.0", "staging"))
    repo.write("models/faq-assistant.yaml", text)
    code, found, _ = validate_json(cli, repo.path)
    assert code == 1
    assert [(v["file"], v["line"], v["column"], v["rule"]) for v in found] == [
        ("models/faq-assistant.yaml", 1, 7, "name-mismatch")]
    assert "'faq-bot'" in found[0]["message"] and "'faq-assistant.yaml'" in found[0]["message"]


def test_name_mismatch_in_a_commit(repo, cli):
    repo.write("models/faq-assistant.yaml", model("faq-bot", version("1.0.0", "staging")))
    repo.commit("register")
    _, found, _ = validate_json(cli, repo.path, "--ref", "HEAD")
    assert where(found) == [("models/faq-assistant.yaml", 1, "name-mismatch")]


def test_duplicate_version(repo, cli):
    text = model("faq-bot", version("1.0.0", "archived"), version("1.1.0", "staging"), version("1.0.0", "none"))
    repo.write("models/faq-bot.yaml", text)
    _, found, _ = validate_json(cli, repo.path)
    first, second = line_of(text, 'version: "1.0.0"'), line_of(text, 'version: "1.0.0"', nth=2)
    assert where(found) == [("models/faq-bot.yaml", second, "duplicate-version")]
    assert found[0]["column"] == 14
    assert found[0]["message"] == f"version 1.0.0 is listed twice (first at line {first})"


def test_versions_differing_only_in_label_are_distinct(repo, cli):
    repo.write("models/faq-bot.yaml", model("faq-bot", version("1.0.0", "archived"), version("1.0.0-rc1", "staging"),
                                            version("v1.0.0", "none")))
    assert validate_json(cli, repo.path)[1] == []


def test_multiple_production(repo, cli):
    text = model("faq-bot", version("1.0.0", "production"), version("1.1.0", "staging"), version("1.2.0", "production"))
    repo.write("models/faq-bot.yaml", text)
    code, found, _ = validate_json(cli, repo.path)
    assert code == 1
    first, second = line_of(text, "stage: production"), line_of(text, "stage: production", nth=2)
    assert [(v["file"], v["line"], v["column"], v["rule"]) for v in found] == [
        ("models/faq-bot.yaml", second, 12, "multiple-production")]
    assert found[0]["message"] == (f"faq-bot 1.2.0 is in production, but so is 1.0.0 (line {first}); "
                                   "at most one version is in production")


def test_three_production_versions_give_two_violations(repo, cli):
    text = model("faq-bot", *(version(f"1.{i}.0", "production") for i in range(3)))
    repo.write("models/faq-bot.yaml", text)
    _, found, _ = validate_json(cli, repo.path)
    assert [v["line"] for v in found] == [line_of(text, "stage: production", 2), line_of(text, "stage: production", 3)]
    assert {v["rule"] for v in found} == {"multiple-production"}


def test_one_production_per_model_not_per_registry(repo, cli):
    repo.write("models/faq-bot.yaml", model("faq-bot", version("1.0.0", "production")))
    repo.write("models/image-classifier.yaml",
               model("image-classifier", version("v1", "production")))
    code, found, _ = validate_json(cli, repo.path)
    assert (code, found) == (0, [])


def test_state_rules_all_at_once(repo, cli):
    text = model("faq-bot", version("1.0.0", "production"), version("1.0.0", "production"))
    repo.write("models/faq.yaml", text)
    _, found, _ = validate_json(cli, repo.path)
    second = line_of(text, 'version: "1.0.0"', 2)
    assert where(found) == [("models/faq.yaml", 1, "name-mismatch"),
                            ("models/faq.yaml", second, "duplicate-version"),
                            ("models/faq.yaml", second + 1, "multiple-production")]


def test_file_rules_skip_files_with_schema_errors(repo, cli):
    text = model("faq-bot", version("1.0.0", "production"), version("1.1.0", "production")).replace("name: faq-bot",
                                                                                                    "name: faq-bot\nownr: x")
    repo.write("models/other.yaml", text)
    _, found, _ = validate_json(cli, repo.path)
    assert [v["rule"] for v in found] == ["unknown-field"]


def test_example_registry_state_is_valid(cli):
    from conftest import REPO_ROOT

    code, found, data = validate_json(cli, REPO_ROOT, "--ref", "HEAD")
    assert (code, found, data["files_checked"]) == (0, [], 4)
