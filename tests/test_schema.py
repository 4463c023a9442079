"""The JSON Schema of a model file, as validate reports it: rule, line, column, message."""

from __future__ import annotations

import pytest
from builders import at, line_of, model, version
from rulecheck import violations

# line 1 name, 2 versions, 3 version, 4 stage, 5 artifact, 6 uri
VALID = model("faq-bot", version("1.0.0", "staging", uri="s3://b/m.onnx", sha256=None))


def check(content: str) -> list[dict]:
    """The violations of models/faq-bot.yaml holding ``content``, as ``validate --format json`` lists them."""
    found = [v.to_dict() for v in violations(content)]
    assert all(v["file"] == "models/faq-bot.yaml" for v in found)
    return found


def only(found: list[dict], rule: str) -> list[dict]:
    return [v for v in found if v["rule"] == rule]


def test_the_example_header_is_valid():
    assert check("# yaml-language-server: $schema=../schemas/model.schema.json\n" + VALID) == []


# --- unknown-field ------------------------------------------------------------------------

def test_typo_in_stage_gets_a_hint_on_the_key():
    found = check(VALID.replace("stage:", "stgae:"))
    unknown = only(found, "unknown-field")
    assert at(unknown) == [(4, 5, "unknown-field")]
    assert unknown[0]["message"] == "versions[0]: unknown field 'stgae'; did you mean 'stage'?"


@pytest.mark.parametrize("text, line, column, hint", [
    (VALID + "ownr: hazel\n", 7, 1, "did you mean 'owner'?"),
    (VALID + "      sha: abc\n", 7, 7, "did you mean 'sha256'?"),
    (VALID + "    metadat: {}\n", 7, 5, "did you mean 'metadata'?"),
    (VALID + "zzz: 1\n", 7, 1, "allowed: aliases, description, metadata, name, owner, tags, task, versions"),
])
def test_unknown_fields_everywhere(text, line, column, hint):
    found = check(text)
    assert at(found) == [(line, column, "unknown-field")]
    assert found[0]["message"].endswith(hint)


def test_unknown_field_in_a_binding():
    found = check(VALID + "    bindings:\n      - provider: openai\n        provider_model_id: m\n        regoin: eu\n")
    assert at(found) == [(10, 9, "unknown-field")]
    assert "did you mean 'region'?" in found[0]["message"]


# --- enums, types, forms ------------------------------------------------------------------

def test_stage_enum_with_case_hint():
    found = check(VALID.replace("stage: staging", "stage: Production"))
    assert at(found) == [(4, 12, "undeclared-stage")]
    assert found[0]["message"] == ("versions[0].stage: 'Production' is not one of none, staging, production, archived; "
                                   "did you mean 'production'?")


def test_format_enum():
    found = check(VALID + "      format: ONNX\n")
    assert at(found) == [(7, 15, "schema")]
    assert "did you mean 'onnx'?" in found[0]["message"]


def test_unquoted_version_1_10_says_quote_it():
    found = check(VALID.replace('"1.0.0"', "1.10"))
    assert at(found) == [(3, 14, "schema")]
    message = found[0]["message"]
    assert "quote the version" in message
    assert 'version: "1.10"' in message  # as written, not as the float 1.1
    assert "(1.1)" in message


def test_unquoted_integer_version():
    found = check(VALID.replace('"1.0.0"', "2"))
    assert at(found) == [(3, 14, "schema")]
    assert 'version: "2"' in found[0]["message"]


def test_missing_required_fields():
    found = check("name: faq-bot\nversions:\n  - version: \"1.0.0\"\n")
    assert at(found) == [(3, 5, "schema"), (3, 5, "schema")]
    assert sorted(v["message"] for v in found) == ["versions[0]: missing required field 'artifact'",
                                                    "versions[0]: missing required field 'stage'"]


def test_missing_name_and_versions():
    found = check("owner: hazel\n")
    assert [v["message"] for v in found] == ["missing required field 'name'", "missing required field 'versions'"]
    assert at(found) == [(1, 1, "schema"), (1, 1, "schema")]


def test_missing_artifact_uri():
    found = check(VALID.replace("      uri: s3://b/m.onnx\n", "      format: onnx\n"))
    assert at(found) == [(6, 7, "schema")]
    assert found[0]["message"] == "versions[0].artifact: missing required field 'uri'"


@pytest.mark.parametrize("value", ["ABC", "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", "a" * 63,
                                   "a" * 65, "g" * 64])
def test_sha256_pattern(value):
    found = check(VALID + f"      sha256: {value}\n")
    assert at(found) == [(7, 15, "schema")]
    assert "64 lower-case hexadecimal digits" in found[0]["message"]


def test_sha256_with_trailing_newline_is_rejected():
    """$ would match before a final newline in Python; the schema's $(?!\\n) does not."""
    found = check(VALID + '      sha256: "' + "a" * 64 + '\\n"\n')
    assert at(found) == [(7, 15, "schema")]


def test_negative_size():
    found = check(VALID + "      size_bytes: -1\n")
    assert at(found) == [(7, 19, "schema")]
    assert found[0]["message"] == "versions[0].artifact.size_bytes: -1 is too small; the smallest allowed is 0"


@pytest.mark.parametrize("text, line, column, expected", [
    (VALID + "      size_bytes: '10'\n", 7, 19, "versions[0].artifact.size_bytes: must be an integer, not a string"),
    (VALID + "      size_bytes: 1.5\n", 7, 19, "versions[0].artifact.size_bytes: must be an integer, not a number"),
    ("name: faq-bot\nversions: {}\n", 2, 11, "versions: must be a list, not a mapping"),
    ("name: faq-bot\ntags: nlp\nversions: []\n", 2, 7, "tags: must be a list, not a string"),
    ("name: [faq-bot]\nversions: []\n", 1, 7, "name: must be a string, not a list"),
    (VALID + "    metadata: [a]\n", 7, 15, "versions[0].metadata: must be a mapping, not a list"),
    (VALID.replace("    artifact:\n      uri: s3://b/m.onnx\n", "    artifact: s3://b/m.onnx\n"), 5, 15,
     "versions[0].artifact: must be a mapping, not a string"),
])
def test_wrong_types(text, line, column, expected):
    found = check(text)
    assert at(found) == [(line, column, "schema")]
    assert found[0]["message"] == expected


def test_integral_float_size_is_an_integer():
    assert check(VALID + "      size_bytes: 10.0\n") == []  # JSON Schema: 10.0 is an integer


def test_duplicate_tags():
    found = check(VALID + "    tags: [a, b, a]\n")
    assert at(found) == [(7, 18, "schema")]
    assert found[0]["message"] == "versions[0].tags: 'a' appears more than once"


def test_duplicate_model_tags():
    found = check("name: faq-bot\ntags:\n  - nlp\n  - chat\n  - nlp\nversions: []\n")
    assert at(found) == [(5, 5, "schema")]


def test_non_number_metric():
    found = check(VALID + "    metrics:\n      accuracy: high\n")
    assert at(found) == [(8, 17, "schema")]
    assert found[0]["message"] == "versions[0].metrics.accuracy: must be a number or a boolean, not a string"


def test_boolean_top_level_metric_is_accepted():
    """Seed 003's ``slo_ok: true``: a top-level metric may be a boolean (gates compare numbers only)."""
    assert check(VALID + "    metrics: {passed: true, accuracy: 0.9}\n") == []
    found = check(VALID + "    metrics: {passed: null}\n")
    assert at(found) == [(7, 23, "schema")]
    assert found[0]["message"] == "versions[0].metrics.passed: must be a number or a boolean, not null"


def test_suite_metrics_accept_numbers_and_booleans():
    assert check(VALID + "    metrics:\n      accuracy: 0.9\n      suites:\n"
                         "        core-v1: {score: 0.91, config_parse_ok: true, cases: 120}\n") == []


def test_suite_metric_must_not_be_a_string():
    found = check(VALID + "    metrics:\n      suites:\n        core-v1:\n          score: good\n")
    assert at(found) == [(10, 18, "schema")]
    assert "versions[0].metrics.suites.core-v1.score" in found[0]["message"]


def test_bad_metric_name_points_at_the_key():
    found = check(VALID + '    metrics:\n      "top 1": 0.5\n')
    assert at(found) == [(8, 7, "schema")]
    assert "is not a metric name" in found[0]["message"]


def test_bad_tag_is_described_in_words():
    found = check(VALID + '    tags: ["a b"]\n')
    assert at(found) == [(7, 12, "schema")]
    assert "is not a tag" in found[0]["message"]


# --- bindings -----------------------------------------------------------------------------

def test_binding_requires_provider_model_id():
    found = check(VALID + "    bindings:\n      - provider: openai\n")
    assert at(found) == [(8, 9, "schema")]
    assert found[0]["message"] == "versions[0].bindings[0]: missing required field 'provider_model_id'"


def test_binding_requires_provider():
    found = check(VALID + '    bindings:\n      - provider_model_id: "ft:gpt-4o"\n')
    assert at(found) == [(8, 9, "schema")]
    assert found[0]["message"] == "versions[0].bindings[0]: missing required field 'provider'"


def test_binding_status_and_url():
    found = check(VALID + "    bindings:\n      - provider: openai\n        provider_model_id: m\n"
                          "        status: live\n        endpoint_url: ftp://x\n")
    assert at(found) == [(10, 17, "schema"), (11, 23, "schema")]


def test_full_binding_is_valid():
    assert check(VALID + '    bindings:\n      - provider: openai\n        provider_model_id: "ft:gpt-4o-mini:acme:9x"\n'
                         "        status: active\n        region: us-east-1\n        endpoint_url: https://api.example.com/v1\n"
                         "        config: {temperature: 0.2}\n") == []


# --- model names --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Faq-bot", "faq/bot", "'..'", "a..b", "'faq\\\\bot'", "-faq", "faq-", "faq bot"])
def test_bad_model_names(name):
    found = check(VALID.replace("name: faq-bot", f"name: {name}"))
    assert at(found) == [(1, 7, "schema")]
    assert "lower-case letters and digits" in found[0]["message"]


def test_look_alike_unicode_letter_is_named():
    found = check(VALID.replace("name: faq-bot", "name: f\u0430q-bot"))  # Cyrillic a
    assert at(found) == [(1, 7, "schema")]
    assert "U+0430 CYRILLIC SMALL LETTER A" in found[0]["message"]


def test_long_model_name():
    found = check(VALID.replace("name: faq-bot", "name: " + "a" * 101))
    assert at(found) == [(1, 7, "schema")]


def test_schema_errors_are_sorted_by_position():
    text = VALID.replace("stage: staging", "stage: live") + "      size_bytes: -1\nowner: [x]\n"
    found = check(text)
    assert [(v["line"]) for v in found] == sorted(v["line"] for v in found)
    assert [v["line"] for v in found] == [line_of(text, "stage: live"), line_of(text, "size_bytes"), line_of(text, "owner")]
