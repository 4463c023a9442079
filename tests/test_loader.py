"""The strict loader, rule by rule.

Each test puts bytes at models/faq-bot.yaml of a registry held in memory, runs the
validation engine on it (what ``registry-tool validate`` runs) and asserts the exact
(line, column, rule); commits are read in the tests that say so.
"""

from __future__ import annotations

import os
import random

import pytest
import yaml
from builders import at, check_model_file, model, rules, version
from conftest import REPO_ROOT
from rulecheck import violations

from registry_tool.core.policy import Policy
from registry_tool.validation.checks import check_model
from registry_tool.validation.model_file import parse_model
from registry_tool.yamlfile import loader, nesting, parsers, tabs

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
    assert at(found) == [(3, 1, "yaml-tab")]
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



# --- malformed YAML, in the loader's own words ----------------------------------------------
# Each (file, line, column, message): the same with libyaml and without it (see the run
# without libyaml below), whatever either library calls the problem.

SYNTAX = [
    ("mapping-value-in-a-value", "name: faq-bot\ndescription: a: b\nversions: []\n", 2, 15,
     "malformed YAML: a mapping value is not allowed here: quote a value that holds ': ', and start a mapping on a line of its own"),
    ("list-entry-in-a-value", "name: faq-bot\ntags: - a\nversions: []\n", 2, 7,
     "malformed YAML: a list entry ('- ') is not allowed here: start a list on a line of its own, or quote the value"),
    ("unclosed-list", "name: faq-bot\ntags: [nlp, chat\nversions: []\n", 3, 9,
     "malformed YAML: expected ',' or ']' in the list that '[' opened at line 2, column 7"),
    ("unclosed-mapping", "name: faq-bot\nmetadata: {a: 1\nversions: []\n", 3, 9,
     "malformed YAML: expected ',' or '}' in the mapping that '{' opened at line 2, column 11"),
    ("unclosed-quote", "name: 'faq-bot\nversions: []\n", 3, 1,
     "malformed YAML: unexpected end of file inside the quoted value that started at line 1, column 7"),
    ("key-out-of-line", "name: faq-bot\nversions: []\n owner: hazel\n", 3, 2,
     "malformed YAML: this does not continue the mapping that starts at line 1, column 1: expected 'key: value' at its indentation"),
    ("bad-dedent", "metadata:\n  a: 1\n b: 2\nname: faq-bot\n", 3, 2,
     "malformed YAML: this does not continue the mapping that starts at line 1, column 1: expected 'key: value' at its indentation"),
    ("key-after-a-list", "- a\nname: faq-bot\n", 2, 1,
     "malformed YAML: this does not continue the list that starts at line 1, column 1: expected '- ' at its indentation"),
    ("line-without-colon", "name: faq-bot\nversions\n", 3, 1,
     "malformed YAML: expected ':' after the key at line 2, column 1: a key is one line of at most 1024 characters"),
    ("missing-value-in-flow", "name: faq-bot\ntags: [a, , b]\nversions: []\n", 2, 11, "malformed YAML: expected a value here, found ','"),
    ("content-after-document-end", "name: faq-bot\nversions: []\n...\nowner: x\n", 4, 1,
     "malformed YAML: unexpected content after the end of the document"),
    ("unknown-escape", 'name: faq-bot\ndescription: "a\\qb"\nversions: []\n', 2, 16,
     "malformed YAML: unknown escape '\\q' in a double-quoted value; write '\\\\' for a backslash"),
    ("surrogate-escape", 'name: faq-bot\ndescription: "\\ud83d\\ude00"\nversions: []\n', 2, 17,
     "malformed YAML: an escape that names no Unicode character (a surrogate, or beyond U+10FFFF)"),
    ("escape-beyond-unicode", 'name: faq-bot\ndescription: "\\U00110000"\nversions: []\n', 2, 17,
     "malformed YAML: an escape that names no Unicode character (a surrogate, or beyond U+10FFFF)"),
    ("short-hex-escape", 'name: faq-bot\ndescription: "\\x4"\nversions: []\n', 2, 17,
     "malformed YAML: an escape with too few hexadecimal digits (\\xHH, \\uHHHH, \\UHHHHHHHH)"),
    ("block-scalar-indicator-0", "name: faq-bot\ndescription: |0\n  x\nversions: []\n", 2, 15,
     "malformed YAML: the indentation indicator after '|' or '>' is a digit 1-9, not 0"),
    ("block-scalar-header", "name: faq-bot\ndescription: |x\n  x\nversions: []\n", 2, 15,
     "malformed YAML: only '+', '-', one digit 1-9 and a comment may follow '|' or '>' on their line"),
    ("unknown-directive", "%FOO bar\n---\nname: faq-bot\nversions: []\n", 1, 5, "malformed YAML: an unknown directive: only %YAML and %TAG exist"),
    ("yaml-2-directive", "%YAML 2.0\n---\nname: faq-bot\nversions: []\n", 1, 1,
     "malformed YAML: a %YAML directive for a version other than 1.x"),
    ("cannot-start-a-value", "name: faq-bot\nowner: @hazel\nversions: []\n", 2, 8, "malformed YAML: '@' cannot start a value; quote the value"),
    ("empty-anchor", "name: faq-bot\nowner: & hazel\nversions: []\n", 2, 9,
     "malformed YAML: an anchor ('&') or alias ('*') without a valid name"),
    ("colon-before-a-bracket", "name: faq-bot\nmetadata: {a:{b: 1}}\nversions: []\n", 2, 13,
     "malformed YAML: a ':' right before ',', '?' or a bracket inside a flow collection; put a space after it"),
    ("malformed-directive", "%YAML: 1.1\n---\nname: faq-bot\nversions: []\n", 1, 6,
     "malformed YAML: a malformed directive (a line that starts with '%')"),
    ("control-character", "name: faq-bot\ndescription: caf\u00e9 \u65e5\u672c \x07\nversions: []\n", 2, 22,
     "malformed YAML: U+0007 (a control character) is not allowed in a YAML file; remove it"),
    ("control-character-before-a-tab", "name: faq-bot\ndescription: a\x07\tb\nversions: []\n", 2, 15,
     "malformed YAML: U+0007 (a control character) is not allowed in a YAML file; remove it"),
    ("control-character-after-astral", "name: faq-bot\ndescription: \U0001f600\U0001f600 \x1b\nversions: []\n", 2, 17,
     "malformed YAML: U+001B (a control character) is not allowed in a YAML file; remove it"),
]


@pytest.mark.parametrize("content, line, column, message", [case[1:] for case in SYNTAX], ids=[case[0] for case in SYNTAX])
def test_malformed_yaml_in_our_words(content, line, column, message):
    found = check(content)
    assert at(found) == [(line, column, "yaml-syntax")]
    assert found[0]["message"] == message


# --- yaml-tab --------------------------------------------------------------------------------
# libyaml reads a tab as a space almost anywhere; PyYAML's pure-Python reader refuses it
# everywhere but in a comment, a quoted value and a block scalar's lines, ruamel.yaml too
# outside brackets (tests/test_hostile_corpus.py compares the three readers on these).

INDENT, PLAIN, FLOW, BETWEEN = tabs.INDENT, tabs.PLAIN, tabs.FLOW, tabs.BETWEEN
TABS = [
    ("tab-in-indentation", 'name: faq-bot\nversions:\n\t- version: "1.0.0"\n', 3, 1, INDENT),
    ("tab-in-a-value's-continuation", "name: faq-bot\ndescription: a\n\tb\nversions: []\n", 3, 1, INDENT),
    ("tab-after-continuation-indent", "name: faq-bot\ndescription: a\n  \tb\nversions: []\n", 3, 3, INDENT),
    ("tab-in-block-scalar-indentation", "name: faq-bot\ndescription: |\n  \ttext\nversions: []\n", 3, 3, INDENT),
    ("tab-on-a-blank-line", "name: faq-bot\n\t\nversions: []\n", 2, 1, INDENT),
    ("tab-before-a-comment-line", "name: faq-bot\n  \t# why\nversions: []\n", 2, 3, INDENT),
    ("tab-after-colon", "name:\tfaq-bot\nversions: []\n", 1, 6, BETWEEN),
    ("tab-after-colon-before-a-block", "name: faq-bot\nmetadata:\t\n  a: b\nversions: []\n", 2, 10, BETWEEN),
    ("trailing-tab", "name: faq-bot\t\nversions: []\n", 1, 14, BETWEEN),
    ("trailing-tab-at-end-of-file", "name: faq-bot\nversions: []\t", 2, 13, BETWEEN),
    ("tab-before-comment", "name: faq-bot\t# a tab before a comment\nversions: []\n", 1, 14, BETWEEN),
    ("tab-after-a-quoted-value", 'name: "faq-bot"\t\nversions: []\n', 1, 16, BETWEEN),
    ("tab-after-a-single-quoted-key", "'name'\t: faq-bot\nversions: []\n", 1, 7, BETWEEN),
    ("tab-before-colon", "name\t: faq-bot\nversions: []\n", 1, 5, BETWEEN),
    ("tab-after-dash", "name: faq-bot\ntags:\n-\tnlp\nversions: []\n", 3, 2, BETWEEN),
    ("tab-after-a-list-item", "name: faq-bot\ntags:\n- nlp\t\nversions: []\n", 3, 6, BETWEEN),
    ("tab-after-question-mark", "? name\n:\tfaq-bot\nversions: []\n", 2, 2, BETWEEN),
    ("tab-after-block-header", "name: faq-bot\ndescription: |\t# a tab after the header\n  text\nversions: []\n", 2, 15, BETWEEN),
    ("tab-after-block-indicators", "name: faq-bot\ndescription: >-\t\n  text\nversions: []\n", 2, 16, BETWEEN),
    ("tab-after-document-start", "---\t\nname: faq-bot\nversions: []\n", 1, 4, BETWEEN),
    ("tab-after-document-end", "name: faq-bot\nversions: []\n...\t\n", 3, 4, BETWEEN),
    ("tab-after-an-anchor", "name: &n\tfaq-bot\nversions: []\n", 1, 9, BETWEEN),
    ("tab-in-a-directive", "%YAML\t1.1\n---\nname: faq-bot\nversions: []\n", 1, 6, BETWEEN),
    ("tab-inside-a-value", "name: faq-bot\ndescription: a\tb\nversions: []\n", 2, 15, PLAIN),
    ("tab-inside-a-key", "name: faq-bot\nde\tscription: a\nversions: []\n", 2, 3, PLAIN),
    ("tab-inside-a-continuation", "name: faq-bot\ndescription: a\n  b\tc\nversions: []\n", 3, 4, PLAIN),
    ("tab-inside-a-value-in-brackets", "name: faq-bot\ntags: [a\tb]\nversions: []\n", 2, 9, PLAIN),
    ("tab-in-empty-brackets", "name: faq-bot\nversions: [\t]\n", 2, 12, FLOW),
    ("tab-after-a-bracket", "name: faq-bot\ntags: [\tnlp]\nversions: []\n", 2, 8, FLOW),
    ("tab-before-a-bracket", "name: faq-bot\ntags: [nlp\t]\nversions: []\n", 2, 11, FLOW),
    ("tab-after-a-comma", "name: faq-bot\ntags: [nlp,\tchat]\nversions: []\n", 2, 12, FLOW),
    ("tab-after-colon-in-braces", "name: faq-bot\nmetadata: {a:\tb}\nversions: []\n", 2, 14, FLOW),
    ("tab-after-question-mark-in-braces", "name: faq-bot\nmetadata: {?\ta: b}\nversions: []\n", 2, 13, FLOW),
    ("tab-starting-a-line-in-brackets", "name: faq-bot\ntags: [nlp,\n\tchat]\nversions: []\n", 3, 1, FLOW),
    ("first-of-two-tabs", "name:\tfaq-bot\nversions:\n\t- x\n", 1, 6, BETWEEN),
    ("a-tab-in-a-comment-then-one-outside", "# a\tcomment\nname: 'faq\tbot' # and\tthis\nversions: []\t\n", 3, 13, BETWEEN),
]


@pytest.mark.parametrize("content, line, column, message", [case[1:] for case in TABS], ids=[case[0] for case in TABS])
def test_tab_readers_disagree_on(content, line, column, message):
    found = check(content)
    assert at(found) == [(line, column, "yaml-tab")]
    assert found[0]["message"] == message


TABS_EVERY_READER_TAKES = [
    ("tab-in-a-comment", "name: faq-bot # a\tcomment\nversions: []\n"),
    ("tab-right-after-the-hash", "name: faq-bot #\tcomment\nversions: []\n"),
    ("tab-in-a-comment-line", "#\ta comment\nname: faq-bot\nversions: []\n"),
    ("tab-in-the-comment-after-a-document-start", "--- # a\tcomment\nname: faq-bot\nversions: []\n"),
    ("tab-in-a-block-header's-comment", "name: faq-bot\ndescription: | # a\tcomment\n  text\nversions: []\n"),
    ("tab-in-a-double-quoted-value", 'name: faq-bot\ndescription: "a\tb\t"\nversions: []\n'),
    ("tab-in-a-single-quoted-value", "name: faq-bot\ndescription: 'a\tb'\nversions: []\n"),
    ("tab-indenting-a-quoted-value's-next-line", 'name: faq-bot\ndescription: "a\n\tb"\nversions: []\n'),
    ("tab-in-a-quoted-value-with-a-hash", "name: faq-bot\ndescription: 'a\n #b\tc'\nversions: []\n"),
    ("tab-in-block-text", "name: faq-bot\ndescription: |\n  a\tb\n  \tc\n  d\t\nversions: []\n"),
    ("tab-in-folded-text", "name: faq-bot\ndescription: >\n  a\tb\n  \tc\nversions: []\n"),
    ("tab-on-a-blank-line-of-block-text", "name: faq-bot\ndescription: |\n  a\n  \t\n  b\nversions: []\n"),
    ("comment-after-block-header", "name: faq-bot\ndescription: |# a comment right after the header\n  text\nversions: []\n"),
    ("escaped-tab", 'name: faq-bot\ndescription: "a\\tb"\nversions: []\n'),
]


@pytest.mark.parametrize("content", [case[1] for case in TABS_EVERY_READER_TAKES], ids=[case[0] for case in TABS_EVERY_READER_TAKES])
def test_tabs_every_reader_takes_as_text(content):
    """In a comment, inside quotes, in a block scalar's lines: every reader reads the same."""
    assert check(content) == []


def test_a_tab_after_an_unclosed_quote_is_the_quotes_problem():
    found = check('name: faq-bot\ndescription: "a\tb\nversions: []\n')
    assert at(found) == [(4, 1, "yaml-syntax")]


def _findings(raw: bytes) -> list[tuple[int, int, str, str]]:
    """What validate reports on a model file: the loader's findings, or the schema's and the
    file rules' (their positions come from the parser's marks too)."""
    model, found = parse_model(raw, "models/m.yaml", "m", Policy())
    if model is not None:
        found = found + check_model(model, Policy())
    return [(v.line, v.column, v.rule, v.message) for v in found]


def _mutated(rng: random.Random, raw: bytes) -> bytes:
    text = list(raw.decode())
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(text) + 1)
        if rng.random() < 0.4 and text:
            del text[min(at, len(text) - 1)]
        else:
            text.insert(at, rng.choice([" ", "-", ":", "[", "]", "{", "}", "#", "'", '"', "\n", "|", "?", ",", "\t", ": ", "- "]))
    return "".join(text).encode()


@pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False) or bool(os.environ.get("REGISTRY_TOOL_NO_LIBYAML")),
                    reason="compares with libyaml")
def test_the_same_findings_with_and_without_libyaml(monkeypatch):
    """Every case above, the hostile corpus, generated documents and mutated model files give
    the same rule, line, column and message with libyaml and with the pure-Python parser."""
    from hostile_support import HOSTILE

    cases = [c[1].encode() for c in SYNTAX + TABS + TABS_EVERY_READER_TAKES] + [p.read_bytes() for p in sorted(HOSTILE.glob("*/*.yaml"))]
    rng = random.Random(7)
    cases += [_random_document(rng).encode() for _ in range(200)]
    written = len(SYNTAX) + len(TABS) + len(TABS_EVERY_READER_TAKES)
    seeds = [p.read_bytes() for p in sorted((REPO_ROOT / "models").glob("*.yaml"))] + cases[written:]
    cases += [_mutated(rng, rng.choice(seeds)) for _ in range(250)]
    cases.append((VALID + "    metrics: {accuracy: , f1: }\n").encode())  # empty values in flow: where are they?
    cases += [SHAPES[shape](levels)[0].encode() for shape in SHAPES for levels in (64, 65, 1_100)]
    monkeypatch.setattr(parsers, "LOADER", yaml.CSafeLoader)
    with_libyaml = [_findings(raw) for raw in cases]
    monkeypatch.setattr(parsers, "LOADER", parsers.PureLoader)
    without = [_findings(raw) for raw in cases]
    for raw, ours, theirs in zip(cases, with_libyaml, without, strict=True):
        assert ours == theirs, raw


def test_nesting_the_scan_cannot_follow_is_found_by_the_pure_python_events(monkeypatch):
    """The fallback for nesting the scan could not measure (libyaml's 1,000-level limit,
    Python's recursion limit): PyYAML's event stream points at level 65."""
    text, line, column = _compact_lists(3_000)
    _, line, column = _compact_lists(65)
    monkeypatch.setattr(parsers, "LOADER", parsers.PureLoader)
    root, problem = loader._compose(text, "models/m.yaml")  # the composer's recursion fails
    assert root is None and problem is not None
    assert (problem.line, problem.column, problem.rule, problem.message) == (line, column, "yaml-too-deep", "nesting deeper than 64 levels")


@pytest.mark.skipif(bool(os.environ.get("REGISTRY_TOOL_NO_LIBYAML")), reason="this is the run without libyaml")
def test_loader_and_hostile_suites_pass_without_libyaml(without_libyaml):
    """tests/test_loader.py and tests/test_hostile_corpus.py again with the pure-Python parser
    (REGISTRY_TOOL_NO_LIBYAML=1), as on a platform without PyYAML's C build: every rule,
    line, column and message the same. It runs in the background from the start of the
    session (see conftest.py)."""
    code, output, seconds = without_libyaml.result(timeout=900)
    print(f"the run without libyaml took {seconds:.0f} s:\n{output[-4000:]}")
    summary = output.strip().splitlines()[-1]
    assert code == 0
    assert " passed" in summary and "failed" not in summary and "error" not in summary


def test_the_parser_in_use():
    if os.environ.get("REGISTRY_TOOL_NO_LIBYAML"):
        assert parsers.LOADER is parsers.PureLoader and not parsers.HAS_LIBYAML
    else:
        assert bool(getattr(yaml, "__with_libyaml__", False)) == parsers.HAS_LIBYAML

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
    """Past a budget of nesting indicators the loader also streams events first; a comment
    full of them does not confuse the nesting scan: same answer."""
    pad = "# " + "-" * 2100 + "\n"
    assert check(nested(64, pad)) == []
    found = check(nested(65, pad))
    assert at(found) == [(VALID.count("\n") + 2, LEVEL_65_COLUMN, "yaml-too-deep")]

def test_wide_indentation_is_not_depth():
    """A shallow file indented far to the right passes the cheap bound's threshold; the exact
    scan then finds it shallow, and a deep block file indented one space per level is
    still refused at its 65th level."""
    wide = VALID + "metadata:\n" + " " * 22 + "k: 1\n"
    assert nesting.could_be_deep(wide)
    assert check(wide) == []
    deep = VALID + "metadata:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 64)) + " " * 64 + "v: 1\n"
    found = check(deep)
    assert at(found) == [(VALID.count("\n") + 65, 65, "yaml-too-deep")]



def test_very_deep_flow_nesting_is_refused_without_crashing():
    found = check("name: faq-bot\nversions: []\nmetadata: {k: " + "[" * 100_000 + "]" * 100_000 + "}\n")
    assert rules(found) == ["yaml-too-deep"]
    assert found[0]["line"] == 3


# Each shape builds ``levels`` nested collections and says where the last one opens (1-based).
def _block_mappings(levels: int) -> tuple[str, int, int]:
    # root mapping (level 1) at column 1; "metadata:"'s mapping is level 2, one column in
    lines = ["name: faq-bot", "versions: []", "metadata:"] + [" " * (i + 1) + f"k{i}:" for i in range(levels - 1)]
    return "\n".join(lines) + " leaf\n", 2 + levels, levels


def _compact_lists(levels: int) -> tuple[str, int, int]:
    # the root (1), metadata's mapping (2), then "- - - leaf": one list per dash, two columns apart
    return "name: faq-bot\nversions: []\nmetadata:\n  x:\n    " + "- " * (levels - 2) + "leaf\n", 5, 5 + 2 * (levels - 3)


def _compact_mappings(levels: int) -> tuple[str, int, int]:
    # "- k:" opens a list and, two columns in, a mapping; k's value is the next line, further in
    lines = ["name: faq-bot", "versions: []", "metadata:", "  x:"]
    indent = 4
    for _ in range((levels - 2) // 2):
        lines.append(" " * indent + "- k:")
        indent += 4
    if (levels - 2) % 2:
        lines.append(" " * indent + "- leaf")
        return "\n".join(lines) + "\n", len(lines), indent + 1
    lines[-1] += " leaf"
    return "\n".join(lines) + "\n", len(lines), indent - 1


def _indentless_lists(levels: int) -> tuple[str, int, int]:
    # "k:" and its list at the same column: a mapping and a list per column
    lines = ["name: faq-bot", "versions: []", "metadata:"]
    column = 2
    while len(lines) - 2 < levels:  # each line after "metadata:" opens one level
        lines.append(" " * column + "k:")
        if len(lines) - 2 < levels:
            lines.append(" " * column + "-")
        column += 2
    lines[-1] += " leaf"
    return "\n".join(lines) + "\n", len(lines), column - 1


def _flow_mixed(levels: int) -> tuple[str, int, int]:
    inner = levels - 1
    text = "name: faq-bot\nversions: " + "".join("[" if i % 2 == 0 else "{a: " for i in range(inner))
    column = len(text.rsplit("\n", 1)[1]) - (1 if inner % 2 else 4) + 1
    closing = "".join("]" if i % 2 == 0 else "}" for i in reversed(range(inner)))
    return text + "1" + closing + "\n", 2, column


def _block_then_flow(levels: int) -> tuple[str, int, int]:
    lines = ["name: faq-bot", "versions: []", "metadata:"] + [" " * (i + 1) + f"k{i}:" for i in range(30)]
    depth = 2 + 30  # the root, metadata's mapping, 30 more mappings
    flow = levels - depth
    last = " " * 31 + "k: " + "[" * flow + "]" * flow
    return "\n".join(lines + [last]) + "\n", len(lines) + 1, 31 + 3 + flow


SHAPES = {"block mappings": _block_mappings, "compact lists": _compact_lists, "compact mappings": _compact_mappings,
          "indentless lists": _indentless_lists, "flow lists and mappings": _flow_mixed, "block then flow": _block_then_flow}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_nesting_is_measured_in_every_shape(shape):
    text, _, _ = SHAPES[shape](64)
    assert [v for v in check(text) if v["rule"] == "yaml-too-deep"] == []
    text, line, column = SHAPES[shape](65)
    found = check(text)
    assert at(found) == [(line, column, "yaml-too-deep")]
    assert found[0]["message"] == "nesting deeper than 64 levels"


@pytest.mark.parametrize("shape, levels", [("block mappings", 1_100), ("indentless lists", 1_100), ("compact mappings", 1_100),
                                           ("compact lists", 1_100), ("compact lists", 20_000)])
def test_deep_block_nesting_is_refused_where_level_65_opens(shape, levels):
    """Past 1,000 levels libyaml 0.2.6 gives up with its own error and PyYAML's composer runs
    out of recursion: the loader has counted first."""
    text, _, _ = SHAPES[shape](levels)
    _, line, column = SHAPES[shape](65)
    assert at(check(text)) == [(line, column, "yaml-too-deep")]


@pytest.mark.parametrize("hidden", [
    "  description: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ - - - - k: v'\n",
    '  description: "{{{{{{{{{{{{{{{{{{{{\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[["\n',
    "  description: \"a [[[[[[[[[[[[[[[[[[[[[[[[[\n    ]]]] [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"\n",
    "  description: |\n    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n    - - - - - - - - - - - - - - - - - - - - - - - - - - x\n",
    "  # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n",
    "  description: a plain value [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n    - - - - - - - - - - - [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n",
    "  tags: [\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\", '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[', a#b] # [[[[[[[[[[[[[[[[[[[[[[[[[\n",
], ids=["single-quoted", "double-quoted", "quoted-over-lines", "block-scalar", "comment", "plain-over-lines", "flow-with-quotes"])
def test_brackets_and_dashes_that_hold_no_structure_are_not_counted(hidden):
    """64 real levels plus text full of nesting indicators that nest nothing: not too deep."""
    text, _, _ = _block_mappings(62)
    text = text.replace("metadata:\n", "metadata:\n" + hidden, 1)
    assert [v["rule"] for v in check(text)] != ["yaml-too-deep"]
    assert "yaml-too-deep" not in rules(check(text))


def _random_document(rng: random.Random) -> str:
    """Random nested data in random YAML styles: block and flow, all five scalar styles,
    plain and quoted strings full of brackets, dashes, colons and quotes."""
    words = ["a", "b c", "x[1]", "{y}", "- z", "k: v", "#no", "a #c", "it's", 'say "hi"', "[[", "]", "- ", "?", "|", "a\nb"]

    def data(depth: int) -> object:
        if depth == 0 or rng.random() < 0.25:
            return "".join(rng.choice(words) for _ in range(rng.randint(1, 3))) if rng.random() < 0.8 else rng.randint(0, 9)
        if rng.random() < 0.5:
            return [data(depth - 1) for _ in range(rng.randint(1, 3))]
        return {f"k{i}": data(depth - 1) for i in range(rng.randint(1, 3))}

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style=rng.choice([None, "'", '"', "|", ">"])))
    Dumper.add_representer(list, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=rng.choice([None, False, True])))
    Dumper.add_representer(dict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=rng.choice([None, False, True])))
    return yaml.dump(data(rng.randint(2, 9)), Dumper=Dumper, width=rng.choice([20, 60, 1000]), indent=rng.choice([2, 3, 4]))


def _first_level_beyond(text: str, limit: int, parser: object) -> tuple[int, int, int] | None:
    """Where the parser's event stream first opens level ``limit + 1``."""
    depth = 0
    for event in yaml.parse(text, Loader=parser):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > limit:
                return event.start_mark.line, event.start_mark.column, event.start_mark.index
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
    return None


@pytest.mark.parametrize("limit", [2, 3, 5])
def test_nesting_scan_agrees_with_the_parser(monkeypatch, limit):
    """On 300 generated documents, the scan finds the first level beyond the limit exactly
    where PyYAML's parser opens it, or finds none when the parser opens none."""
    monkeypatch.setattr(nesting, "MAX_DEPTH", limit)
    rng = random.Random(limit)
    deep = 0
    for _ in range(300):
        text = _random_document(rng)
        expected = _first_level_beyond(text, limit, parsers.PureLoader)
        found = nesting.Nesting().first_too_deep(text)
        assert (found and found[:2]) == (expected and expected[:2]), text
        if expected is not None:
            deep += 1
            assert nesting.could_be_deep(text), text  # the cheap bound never hides a deep file
    assert 50 < deep < 300  # both kinds of documents were made


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
