"""The strict loader, rule by rule.

Each test puts bytes at models/faq-bot.yaml of a registry held in memory, runs the
validation engine on it (what ``registry-tool validate`` runs) and asserts the exact
(line, column, rule); commits are read in the tests that say so.
"""

from __future__ import annotations

import pytest
from builders import at, check_model_file, model, rules, version
from rulecheck import violations

# A valid model: line 1 name, 2 versions, 3 version, 4 stage, 5 artifact, 6 uri.
VALID = model("faq-bot", version("1.0.0", "staging", uri="s3://b/m.onnx", sha256=None))
LIMIT = 1024 * 1024


def check(content: bytes | str, policy: str | None = None) -> list[dict]:
    """The violations of models/faq-bot.yaml holding ``content``, as ``validate --format json`` lists them."""
    found = [v.to_dict() for v in violations(content, policy=policy)]
    assert all(v["file"] == "models/faq-bot.yaml" for v in found)
    return found


def test_valid_file_passes():
    assert check(VALID) == []


# --- yaml-syntax ---------------------------------------------------------------------------

def test_tab_indentation():
    found = check('name: faq-bot\nversions:\n\t- version: "1.0.0"\n')
    assert at(found) == [(3, 1, "yaml-syntax")]
    assert "tab" in found[0]["message"]


def test_unclosed_bracket_names_where_it_opened():
    found = check("name: faq-bot\ntags: [nlp, chat\nversions: []\n")
    assert at(found) == [(3, 9, "yaml-syntax")]
    assert "']'" in found[0]["message"]
    assert "line 2" in found[0]["message"]  # where the '[' that was never closed is


def test_unclosed_quote():
    found = check("name: 'faq-bot\nversions: []\n")
    assert rules(found) == ["yaml-syntax"]
    assert "line 1" in found[0]["message"]


# --- yaml-duplicate-key -------------------------------------------------------------------

def test_duplicate_key_depth_1():
    found = check("name: faq-bot\nversions: []\nname: faq-bot\n")
    assert at(found) == [(3, 1, "yaml-duplicate-key")]
    assert "'name'" in found[0]["message"]


def test_duplicate_key_depth_2():
    found = check(VALID.replace("    stage: staging\n", "    stage: staging\n    stage: production\n"))
    assert at(found) == [(5, 5, "yaml-duplicate-key")]
    assert "'stage'" in found[0]["message"]


def test_duplicate_key_depth_3():
    found = check(VALID + "      uri: s3://b/other.onnx\n")
    assert at(found) == [(7, 7, "yaml-duplicate-key")]
    assert "'uri'" in found[0]["message"]


def test_duplicate_key_in_flow_mapping():
    found = check(VALID + "    metrics: {accuracy: 0.9, accuracy: 0.1}\n")
    assert at(found) == [(7, 30, "yaml-duplicate-key")]  # the second 'accuracy'


def test_duplicate_key_with_equal_values_is_still_rejected():
    assert at(check(VALID + "    run_id: r1\n    run_id: r1\n")) == [(8, 5, "yaml-duplicate-key")]


# --- yaml-alias ---------------------------------------------------------------------------

def test_anchor_and_alias():
    found = check("name: faq-bot\nowner: &who hazel\ndescription: *who\nversions: []\n")
    assert at(found) == [(2, 8, "yaml-alias"), (3, 14, "yaml-alias")]
    assert "&who" in found[0]["message"] and "*who" in found[1]["message"]


def test_anchor_alone():
    assert at(check(VALID + "    metadata: &m {a: 1}\n")) == [(7, 15, "yaml-alias")]


# --- yaml-tag -----------------------------------------------------------------------------

@pytest.mark.parametrize("tag", ["!!str", "!!python/object:os.system", "!custom"])
def test_explicit_tags(tag):
    found = check(f"name: {tag} faq-bot\nversions: []\n")
    assert at(found) == [(1, 7, "yaml-tag")]
    assert "tag" in found[0]["message"]


def test_tag_on_a_collection():
    assert at(check("name: faq-bot\nversions: !!seq []\n")) == [(2, 11, "yaml-tag")]


# --- yaml-multi-document ------------------------------------------------------------------

def test_two_documents():
    found = check(VALID + "---\nname: other\n")
    assert at(found) == [(7, 1, "yaml-multi-document")]
    assert "'---'" in found[0]["message"]


def test_a_leading_document_marker_alone_is_one_document():
    assert check("---\n" + VALID) == []


# --- yaml-encoding ------------------------------------------------------------------------

def test_latin_1_byte():
    found = check(b"name: faq-bot\ndescription: caf\xe9\nversions: []\n")
    assert at(found) == [(2, 17, "yaml-encoding")]
    assert "0xe9" in found[0]["message"]


def test_utf8_bom():
    found = check(b"\xef\xbb\xbf" + VALID.encode())
    assert at(found) == [(1, 1, "yaml-encoding")]
    assert "byte-order mark" in found[0]["message"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16(codec):
    found = check(VALID.encode(codec))
    assert at(found) == [(1, 1, "yaml-encoding")]


def test_nul_byte():
    found = check(VALID.encode().replace(b"stage: staging", b"stage: stag\x00ing"))
    assert at(found) == [(4, 1, "yaml-encoding")]
    assert "NUL" in found[0]["message"]


def test_non_ascii_utf8_is_fine():
    assert check(VALID.replace("versions:", "description: café ☕ 模型\nversions:")) == []


# --- file-too-large -----------------------------------------------------------------------

def padded(size: int) -> bytes:
    """A valid model file of exactly ``size`` bytes (a comment pads it)."""
    head = VALID.encode() + b"#"
    body = head + b"x" * (size - len(head) - 1) + b"\n"
    assert len(body) == size
    return body


def test_file_exactly_at_the_limit_passes():
    assert check(padded(LIMIT)) == []


def test_file_one_byte_over_the_limit():
    found = check(padded(LIMIT + 1))
    assert at(found) == [(1, 1, "file-too-large")]
    assert f"{LIMIT + 1} bytes" in found[0]["message"] and f"{LIMIT} bytes" in found[0]["message"]


def test_file_too_large_in_a_commit(repo, cli):
    check_model_file(cli, repo.path, padded(LIMIT + 1))
    repo.commit("big")
    (repo.path / "models/faq-bot.yaml").write_bytes(VALID.encode())  # the commit is read, not the file
    assert at(check_model_file(cli, repo.path, VALID, "--ref", "HEAD")) == [(1, 1, "file-too-large")]
    assert check_model_file(cli, repo.path, VALID) == []


def test_custom_max_file_bytes():
    assert check(padded(2048), "max_file_bytes: 2048\n") == []
    found = check(padded(2049), "max_file_bytes: 2048\n")
    assert at(found) == [(1, 1, "file-too-large")]
    assert "limit is 2048 bytes" in found[0]["message"]


def test_custom_max_file_bytes_raises_the_limit():
    assert check(padded(LIMIT + 1), f"max_file_bytes: {2 * LIMIT}\n") == []


# --- yaml-too-deep ------------------------------------------------------------------------

def nested(levels: int, pad: str = "") -> str:
    """VALID plus metadata nested so the document has exactly ``levels`` collections."""
    inner = levels - 2  # the root mapping and metadata's own mapping
    return VALID + pad + "metadata: {k: " + "[" * inner + "]" * inner + "}\n"


def test_64_levels_pass():
    assert check(nested(64)) == []


# "metadata: {k: [[[": the root is level 1, '{' (column 11) level 2, the first '[' (column 15)
# level 3, so the 65th level opens at column 15 + 62.
LEVEL_65_COLUMN = 15 + 62


def test_65_levels_are_too_deep():
    found = check(nested(65))
    line = VALID.count("\n") + 1
    assert at(found) == [(line, LEVEL_65_COLUMN, "yaml-too-deep")]
    assert "64" in found[0]["message"]


def test_too_deep_found_by_the_event_scan_too():
    """Past a budget of nesting indicators the loader streams events first: same answer."""
    pad = "# " + "-" * 2100 + "\n"
    assert check(nested(64, pad)) == []
    found = check(nested(65, pad))
    assert at(found) == [(VALID.count("\n") + 2, LEVEL_65_COLUMN, "yaml-too-deep")]


def test_very_deep_flow_nesting_is_refused_without_crashing():
    found = check("name: faq-bot\nversions: []\nmetadata: {k: " + "[" * 100_000 + "]" * 100_000 + "}\n")
    assert rules(found) == ["yaml-too-deep"]
    assert found[0]["line"] == 3


# --- yaml-key-type ------------------------------------------------------------------------

@pytest.mark.parametrize("key, kind", [("1", "an integer"), ("null", "null"), ("~", "null"), ("1.5", "a number"),
                                       ("true", "a boolean")])
def test_non_string_scalar_keys(key, kind):
    found = check(VALID + f"    metadata:\n      {key}: x\n")
    assert at(found) == [(8, 7, "yaml-key-type")]
    assert f"read as {kind};" in found[0]["message"] and "quote it" in found[0]["message"]


def test_collection_key():
    found = check(VALID + "    metadata:\n      ? [a, b]\n      : x\n")
    assert at(found) == [(8, 9, "yaml-key-type")]


# --- yaml-ambiguous-scalar ----------------------------------------------------------------

AMBIGUOUS = ["yes", "no", "on", "off", "y", "n", "010", "0o17", "1:20", "1_000", "1e3", "1.0e5", "0b11", "-0x1F",
             "2024-01-01", "Yes", "NO", "+.5"]
ACCEPTED = ['"yes"', "'on'", "0x1F", "1.5", "10", "-3", ".5", "true", "false", "null", "0", "1.0e+5", "1.0.0", "s3://b"]
LINE = VALID.count("\n") + 2  # metadata: / k: value


@pytest.mark.parametrize("value", AMBIGUOUS)
def test_ambiguous_plain_scalars(value):
    found = check(VALID + f"metadata:\n  k: {value}\n")
    assert at(found) == [(LINE, 6, "yaml-ambiguous-scalar")]
    assert f'"{value}"' in found[0]["message"]  # says how to quote it


@pytest.mark.parametrize("value", ACCEPTED)
def test_unambiguous_scalars_are_accepted(value):
    assert check(VALID + f"metadata:\n  k: {value}\n") == []


@pytest.mark.parametrize("key", ["yes", "on", "010", "2024-01-01"])
def test_ambiguous_keys(key):
    assert at(check(VALID + f"metadata:\n  {key}: 1\n")) == [(LINE, 3, "yaml-ambiguous-scalar")]


def test_merge_key():
    found = check(VALID + "metadata:\n  <<: {a: 1}\n")
    assert at(found) == [(LINE, 3, "yaml-ambiguous-scalar")]
    assert "merge" in found[0]["message"]


def test_quoted_merge_key_is_a_plain_string():
    assert check(VALID + "metadata:\n  '<<': {a: 1}\n") == []


def test_ambiguous_version_label():
    found = check(VALID.replace('"1.0.0"', "2024-01-01"))
    assert at(found) == [(3, 14, "yaml-ambiguous-scalar")]


# --- yaml-non-finite ----------------------------------------------------------------------

@pytest.mark.parametrize("value", [".inf", "-.inf", "+.inf", ".nan", ".NaN", ".Inf"])
def test_non_finite_numbers(value):
    found = check(VALID + f"    metrics:\n      loss: {value}\n")
    assert at(found) == [(8, 13, "yaml-non-finite")]
    assert value in found[0]["message"]


def test_quoted_inf_is_a_string():
    found = check(VALID + '    metrics:\n      loss: ".inf"\n')
    assert at(found) == [(8, 13, "schema")]  # a string, not a number: the schema says so


# --- line endings, empty documents, the top level -----------------------------------------

def test_crlf_file_is_valid():
    assert check(VALID.replace("\n", "\r\n")) == []


def test_crlf_lines_are_counted_once():
    found = check((VALID + "name: faq-bot\n").replace("\n", "\r\n"))
    assert at(found) == [(7, 1, "yaml-duplicate-key")]


@pytest.mark.parametrize("content", ["", "\n", "---\n", "# only a comment\n", "---\n# c\n# d\n"])
def test_empty_document_is_a_clean_schema_error(content):
    found = check(content)
    assert at(found) == [(1, 1, "schema")]
    assert "empty" in found[0]["message"]


def test_top_level_list():
    found = check("- name: faq-bot\n- versions: []\n")
    assert at(found) == [(1, 1, "schema")]
    assert "a list" in found[0]["message"] and "mapping" in found[0]["message"]


def test_top_level_scalar():
    found = check("faq-bot\n")
    assert at(found) == [(1, 1, "schema")]
    assert "a string" in found[0]["message"]


def test_loader_problems_stop_further_checks():
    """A file with a loader violation gets no schema or file rules: its meaning is unsettled."""
    found = check("name: other\nname: other\nversions: [1]\n")
    assert rules(found) == ["yaml-duplicate-key"]


def test_findings_per_rule_are_capped():
    body = "".join(f"  k{i}: yes\n" for i in range(50))
    found = check(VALID + "metadata:\n" + body)
    assert rules(found) == ["yaml-ambiguous-scalar"] * 20
    assert [v["line"] for v in found] == list(range(LINE, LINE + 20))
