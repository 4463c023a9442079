"""``validate --format sarif`` and ``--format junit``, read back the way CI systems read them:
SARIF checked against the official SARIF 2.1.0 JSON Schema (tests/data, from the OASIS
TC's sarif-schema-2.1.0.json), JUnit XML parsed by junitparser, a JUnit reader CI plugins use."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest
from builders import column_of, line_of, model, validate_json, version
from junitparser import Failure, JUnitXml

from registry_tool.validation.rules import all_rules

SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
GOOD = model("faq-bot", version("1.0.0", "production"), version("1.1.0", "staging"))
TYPO = model("faq-bot", version("1.0.0", "production"), header="  ownr: ml-team\n".lstrip())


def sarif(cli, cwd, *args):
    run = cli(cwd, "validate", "--format", "sarif", *args)
    assert run.code in (0, 1), run.err
    log = json.loads(run.out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    return run.code, log


def junit(cli, cwd, *args):
    run = cli(cwd, "validate", "--format", "junit", *args)
    assert run.code in (0, 1), run.err
    return run.code, JUnitXml.fromstring(run.out.encode("utf-8"))


@pytest.fixture
def broken(repo):
    """One model file with a typo, one valid one, a stray file in models/."""
    repo.write("models/faq-bot.yaml", TYPO)
    repo.write("models/ranker.yaml", model("ranker", version("2.0.0", "staging")))
    repo.write("models/notes.txt", "notes\n")
    return repo


@pytest.fixture
def skipped_stage(repo):
    """Two commits: a valid registration, then a version moved from none straight to production."""
    repo.write("models/faq-bot.yaml", model("faq-bot", version("1.0.0", "none")))
    base = repo.commit("register faq-bot 1.0.0")
    repo.write("models/faq-bot.yaml", model("faq-bot", version("1.0.0", "production")))
    repo.write("models/ranker.yaml", model("ranker", version("2.0.0", "staging")))
    bad = repo.commit("faq-bot 1.0.0 to production, register ranker")
    repo.write("README.md", "a registry\n")
    quiet = repo.commit("no model changes")
    return repo, base, bad, quiet


# --- SARIF ----------------------------------------------------------------------------------

def test_sarif_validates_against_the_official_schema_and_lists_every_rule(broken, cli):
    code, log = sarif(cli, broken.path)
    assert code == 1
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "registry-tool"
    registry = all_rules()
    assert [r["id"] for r in driver["rules"]] == sorted(registry)
    for rule in driver["rules"]:
        info = registry[rule["id"]]
        assert rule["shortDescription"]["text"] == info.summary
        assert info.help in rule["fullDescription"]["text"] and info.help == rule["help"]["text"]
        assert info.help in rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] == "error"


def test_sarif_has_one_result_per_violation_at_its_place(broken, cli):
    _, violations, _ = validate_json(cli, broken.path)
    _, log = sarif(cli, broken.path)
    run = log["runs"][0]
    results = run["results"]
    assert len(results) == len(violations) == 2
    rules = run["tool"]["driver"]["rules"]
    for result, v in zip(results, violations, strict=True):
        location = result["locations"][0]["physicalLocation"]
        assert (result["ruleId"], result["level"], result["message"]["text"]) == (v["rule"], "error", v["message"])
        assert rules[result["ruleIndex"]]["id"] == v["rule"]
        assert location["artifactLocation"]["uri"] == v["file"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert (location["region"]["startLine"], location["region"]["startColumn"]) == (v["line"], v["column"])
    typo_line = line_of(TYPO, "ownr")
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results] == [
        ("unknown-field", typo_line), ("unexpected-file", 1)]
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startColumn"] == column_of(TYPO, typo_line, "ownr")


def test_sarif_change_violations_carry_their_commit(skipped_stage, cli):
    repo, base, bad, quiet = skipped_stage
    code, log = sarif(cli, repo.path, "--range", f"{base}..HEAD")
    assert code == 1
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["properties"]["commit"]) for r in results] == [("skipped-stage", bad)]
    assert log["runs"][0]["properties"]["commits"] == [bad, quiet]
    code, log = sarif(cli, repo.path, "--ref", "HEAD", "--base", base)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["skipped-stage"]
    assert "properties" not in log["runs"][0]["results"][0]  # no range, no commit


def test_sarif_without_violations_is_a_valid_empty_run(repo, cli):
    repo.write("models/faq-bot.yaml", GOOD)
    code, log = sarif(cli, repo.path)
    assert (code, log["runs"][0]["results"]) == (0, [])


def test_sarif_uris_are_percent_encoded_paths(repo, cli):
    repo.write("models/Faq Bot é.yml", "x: 1\n")
    _, log = sarif(cli, repo.path)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "models/Faq%20Bot%20%C3%A9.yml"
    assert unquote(uri) == "models/Faq Bot é.yml"


# --- JUnit ----------------------------------------------------------------------------------

def test_junit_one_case_per_checked_file_failures_carry_the_violations(broken, cli):
    code, xml = junit(cli, broken.path)
    assert code == 1
    suites = list(xml)
    assert len(suites) == 1
    cases = {case.name: case for case in suites[0]}
    assert sorted(cases) == ["models/faq-bot.yaml", "models/notes.txt", "models/ranker.yaml"]
    assert (suites[0].tests, suites[0].failures, suites[0].errors) == (3, 2, 0)
    assert cases["models/ranker.yaml"].is_passed
    typo = cases["models/faq-bot.yaml"].result
    assert len(typo) == 1 and isinstance(typo[0], Failure)
    assert typo[0].type == "unknown-field"
    assert typo[0].text == (f"models/faq-bot.yaml:{line_of(TYPO, 'ownr')}:1: unknown-field: "
                            "unknown field 'ownr'; did you mean 'owner'?")
    assert "unexpected-file" in cases["models/notes.txt"].result[0].text


def test_junit_range_gives_one_suite_per_commit(skipped_stage, cli):
    repo, base, bad, quiet = skipped_stage
    code, xml = junit(cli, repo.path, "--range", f"{base}..HEAD")
    assert code == 1
    suites = {suite.name: suite for suite in xml}
    assert list(suites) == [f"commit {bad[:12]}", f"commit {quiet[:12]}"]
    cases = {case.name: case for case in suites[f"commit {bad[:12]}"]}
    assert sorted(cases) == ["models/faq-bot.yaml", "models/ranker.yaml"]
    assert cases["models/ranker.yaml"].is_passed
    failure = cases["models/faq-bot.yaml"].result[0]
    assert failure.type == "skipped-stage" and "skipped-stage" in failure.text
    quiet_cases = list(suites[f"commit {quiet[:12]}"])
    assert [(c.name, c.is_passed) for c in quiet_cases] == [("(no model file changed)", True)]


def test_junit_passes_and_escapes_what_xml_cannot_carry(repo, cli):
    repo.write("models/faq-bot.yaml", GOOD)
    code, xml = junit(cli, repo.path)
    assert code == 0 and all(case.is_passed for suite in xml for case in suite)
    repo.write("models/odd\x1b]0;x\x07.yaml", "name: odd\n")  # control characters in a file name
    code, xml = junit(cli, repo.path)
    names = sorted(case.name for suite in xml for case in suite)
    assert code == 1 and names == ["models/faq-bot.yaml", "models/odd\\x1b]0;x\\x07.yaml"]


def test_every_rule_declares_help_beside_its_summary():
    """SARIF's help comes from the rule's own declaration, not a copy of its summary."""
    missing = [info.id for info in all_rules().values() if not info.help or info.help == info.summary]
    assert missing == []


def test_sarif_file_beside_the_printed_format(broken, cli, tmp_path):
    target = tmp_path / "out" / "registry-tool.sarif"
    run = cli(broken.path, "validate", "--format", "text", "--sarif", str(target))
    assert run.code == 1 and run.out.startswith("models/faq-bot.yaml:")
    log = json.loads(target.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["unknown-field", "unexpected-file"]
