"""The hostile-input corpus: bad model files and registry.yaml files, each run through the
real CLI in a subprocess capped at 1 GiB, each giving its exact rule, line, column and
message, exit 1, and nothing on stderr.

Readable cases live in tests/hostile/models/ and tests/hostile/registry/, each starting
with its expectation (``# expect: RULE at LINE:COL`` and ``# message: ...``). Cases that
cannot live in a reviewable file (encodings, control characters, megabytes, 10,000-deep
nesting) are generated below.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from builders import model, raw, version
from hostile_support import (
    HOSTILE,
    SHA,
    assert_clean_violations,
    expectation,
    run_capped,
    valid_model,
)

MODEL_CASES = sorted((HOSTILE / "models").glob("*.yaml"))
REGISTRY_CASES = sorted((HOSTILE / "registry").glob("*.yaml"))


def _put(root: Path, relpath: str, data: bytes) -> None:
    target = root / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _first(violations: list[dict]) -> tuple:
    v = violations[0]
    return v["file"], v["line"], v["column"], v["rule"], v["message"]


@pytest.mark.parametrize("case", MODEL_CASES, ids=lambda p: p.stem)
def test_hostile_model_file(repo, case: Path) -> None:
    expected = expectation(case)
    _put(repo.path, f"models/{case.name}", case.read_bytes())
    violations = assert_clean_violations(run_capped(repo.path, "validate", "--format", "json"))
    assert {v["rule"] for v in violations} == {expected["rule"]}
    assert _first(violations) == (f"models/{case.name}", expected["line"], expected["column"], expected["rule"], expected["message"])


@pytest.mark.parametrize("case", REGISTRY_CASES, ids=lambda p: p.stem)
def test_hostile_registry_file(repo, case: Path) -> None:
    expected = expectation(case)
    _put(repo.path, "registry.yaml", case.read_bytes())
    _put(repo.path, "models/m.yaml", valid_model("m").encode())
    violations = assert_clean_violations(run_capped(repo.path, "validate", "--format", "json"))
    assert {v["rule"] for v in violations} == {expected["rule"]}
    assert _first(violations) == ("registry.yaml", expected["line"], expected["column"], expected["rule"], expected["message"])


@pytest.mark.parametrize("where", ["working tree", "--ref"])
def test_whole_corpus_in_one_registry(repo, where: str) -> None:
    """All bad files side by side, in the working tree and as committed: each file gets
    exactly its own findings, and one bad file never stops the others being checked."""
    for case in MODEL_CASES:
        _put(repo.path, f"models/{case.name}", case.read_bytes())
    repo.commit("the hostile corpus")
    args = ["validate", "--format", "json"] + (["--ref", "HEAD"] if where == "--ref" else [])
    violations = assert_clean_violations(run_capped(repo.path, *args))
    by_file: dict[str, list[dict]] = defaultdict(list)
    for v in violations:
        by_file[v["file"]].append(v)
    assert set(by_file) == {f"models/{case.name}" for case in MODEL_CASES}
    for case in MODEL_CASES:
        expected = expectation(case)
        found = by_file[f"models/{case.name}"]
        assert {v["rule"] for v in found} == {expected["rule"]}, case.name
        assert _first(found)[1:] == (expected["line"], expected["column"], expected["rule"], expected["message"]), case.name


# --- generated cases -----------------------------------------------------------------

class Generated(NamedTuple):
    data: Callable[[], bytes]
    rule: str
    line: int
    column: int | None = None  # None: not pinned
    message: str | None = None


def _model(**fields) -> str:
    return valid_model("m", **fields)


def _versions(count: int, stage: str) -> bytes:
    versions = (version(str(i), stage, uri=raw(f'"s3://bucket/m/{i}.onnx"'), sha256=None) for i in range(count))
    return model("m", *versions, layout="flow-items").encode()


NOT_UTF8 = "file contains a NUL byte: binary or UTF-16 data, not UTF-8 YAML"
BOM16 = "file starts with a UTF-16/32 byte-order mark; save it as UTF-8 without BOM"
TOO_DEEP = "nesting deeper than 64 levels"
TAB_INDENT = "a tab in indentation: YAML indents with spaces only; use spaces"
TAB_BETWEEN = ("a tab outside quotes, comments and block text: libyaml reads it as a space, PyYAML and ruamel.yaml "
               "refuse the file; use spaces")
TAB_PLAIN = "a tab inside a plain value: libyaml keeps it, PyYAML and ruamel.yaml refuse the file; use a space, or quote the value"
TAB_FLOW = "a tab inside brackets: libyaml and ruamel.yaml read it as a space, PyYAML refuses the file; use spaces"

GENERATED_MODELS: dict[str, Generated] = {
    "empty-file": Generated(lambda: b"", "schema", 1, 1, "the document is empty; expected a mapping of fields"),
    "only-comments": Generated(lambda: b"# nothing here\n\n# at all\n", "schema", 1, 1, "the document is empty; expected a mapping of fields"),
    "utf8-byte-order-mark": Generated(lambda: b"\xef\xbb\xbf" + _model().encode(), "yaml-encoding", 1, 1,
                                      "file starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM"),
    "utf16-with-bom": Generated(lambda: _model().encode("utf-16"), "yaml-encoding", 1, 1, BOM16),
    "utf16-without-bom": Generated(lambda: _model().encode("utf-16-le"), "yaml-encoding", 1, 1, NOT_UTF8),
    "utf32": Generated(lambda: _model().encode("utf-32"), "yaml-encoding", 1, 1, BOM16),
    "nul-byte": Generated(lambda: _model().encode().replace(b"stage: staging", b"stage: staging\x00production"), "yaml-encoding", 4, 1, NOT_UTF8),
    "binary-file": Generated(lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 64, "yaml-encoding", 3, 1, NOT_UTF8),
    "latin-1": Generated(lambda: _model(owner=raw("Ren\xe9e")).encode("latin-1"), "yaml-encoding", 2, 11,
                         "file is not valid UTF-8 (byte 0xe9)"),
    "just-over-the-size-limit": Generated(lambda: (_model() + "#" * (1024 * 1024 + 1 - len(_model()))).encode(), "file-too-large", 1, 1,
                                          "file is 1048577 bytes; the limit is 1048576 bytes"),
    "nesting-10000-flow-sequences": Generated(lambda: ("name: m\nversions: []\nmetadata: {x: " + "[" * 10000 + "]" * 10000 + "}\n").encode(),
                                              "yaml-too-deep", 3, None, TOO_DEEP),
    "nesting-10000-flow-mappings": Generated(lambda: ("name: m\nversions: []\nmetadata: " + "{a: " * 10000 + "1" + "}" * 10000 + "\n").encode(),
                                             "yaml-too-deep", 3, None, TOO_DEEP),
    "nesting-10000-flow-mixed": Generated(lambda: ("name: m\nversions: " + "[{a: " * 5000 + "1" + "}]" * 5000 + "\n").encode(),
                                          "yaml-too-deep", 2, None, TOO_DEEP),
    "nesting-10000-block-sequences": Generated(lambda: ("name: m\nversions: []\nmetadata:\n  x:\n    " + "- " * 10000 + "leaf\n").encode(),
                                               "yaml-too-deep", 5, None, TOO_DEEP),
    "nesting-1400-block-mappings": Generated(lambda: ("name: m\nversions: []\nmetadata:\n" + "".join(" " * (i + 1) + "k:\n" for i in range(1400))).encode(),
                                             "yaml-too-deep", 67, None, TOO_DEEP),
    # 10,000 levels of block mappings need 50 MB of indentation: refused unread.
    "nesting-10000-block-mappings": Generated(lambda: ("name: m\nmetadata:\n" + "".join(" " * (i + 1) + "k:\n" for i in range(10000))).encode(),
                                              "file-too-large", 1, 1, "file is 50035018 bytes; the limit is 1048576 bytes"),
    "ten-thousand-versions-in-production": Generated(lambda: _versions(10000, "production"), "multiple-production", 4, 27,
                                                     "m 1 is in production, but so is 0 (line 3); at most one version is in production"),
    "very-long-description": Generated(lambda: _model(description=raw('"' + "a" * 900_000 + '"')).encode(), "schema", 2, 14,
                                       "description: is 900000 characters long; at most 10000 are allowed"),
    "very-long-plain-key": Generated(lambda: _model(extra={"k" * 2000: 1}).encode(), "yaml-syntax", 2, None, None),
    "very-long-integer": Generated(lambda: _model(fields={"metadata": {"size": raw("9" * 5000)}, "flow": True}).encode(), "yaml-ambiguous-scalar", 8, 22,
                                   "integer 9999999999999999999999999999999999999999... (5000 characters) is larger in size than 2^53-1: "
                                   "readers that hold numbers as doubles (JSON, JavaScript) read another value"),
    # jsonschema compares unsortable items pairwise: 20,000 mappings would take minutes.
    "twenty-thousand-mapping-tags": Generated(lambda: ("name: m\nversions: []\ntags: [" + ", ".join(f"{{a: {i}}}" for i in range(20000)) + "]\n").encode(),
                                             "schema", 3, 8, "tags[0]: must be a string, not a mapping"),
    "hundred-thousand-aliases": Generated(lambda: ("name: m\nversions: []\nmetadata:\n  a: &a x\n  b: [" + ", ".join(["*a"] * 100_000) + "]\n").encode(),
                                          "yaml-alias", 4, 6, "anchor &a: anchors and aliases are not allowed; write the value out"),
    "carriage-returns-only": Generated(lambda: _model().replace("\n", "\r").encode(), "yaml-hidden-char", 1, 8,
                                       "a carriage return without a line feed: YAML readers start a new line here, diffs and Git do not; "
                                       "use LF or CRLF line endings"),
    # Tabs: libyaml reads these files, PyYAML's pure-Python reader refuses them (and ruamel.yaml
    # outside brackets); libyaml itself refuses a tab in indentation.
    "tab-indentation": Generated(lambda: _model().replace("    stage:", "\tstage:").encode(), "yaml-tab", 4, 1, TAB_INDENT),
    "tab-after-colon": Generated(lambda: _model().replace("stage: staging", "stage:\tstaging").encode(), "yaml-tab", 4, 11, TAB_BETWEEN),
    "trailing-tab-after-a-plain-value": Generated(lambda: _model().replace("stage: staging", "stage: staging\t").encode(),
                                                  "yaml-tab", 4, 19, TAB_BETWEEN),
    "trailing-tab-after-a-quoted-value": Generated(lambda: _model().replace('"1.0.0"', '"1.0.0"\t').encode(), "yaml-tab", 3, 21, TAB_BETWEEN),
    "tab-before-a-comment": Generated(lambda: _model().replace("stage: staging", "stage: staging\t# moved").encode(),
                                      "yaml-tab", 4, 19, TAB_BETWEEN),
    "tab-after-dash": Generated(lambda: _model().replace("  - version:", "  -\tversion:").encode(), "yaml-tab", 3, 4, TAB_BETWEEN),
    "tab-inside-a-plain-value": Generated(lambda: _model(owner=raw("ha\tzel")).encode(), "yaml-tab", 2, 10, TAB_PLAIN),
    "tab-in-a-flow-sequence": Generated(lambda: _model(tags=raw("[nlp\t]")).encode(), "yaml-tab", 2, 11, TAB_FLOW),
    "tab-after-colon-in-a-flow-mapping": Generated(lambda: _model(fields={"metadata": raw("{team:\tsearch}")}).encode(),
                                                   "yaml-tab", 8, 21, TAB_FLOW),
    "tab-after-question-mark-in-a-flow-mapping": Generated(lambda: _model(fields={"metadata": raw("{?\tteam: search}")}).encode(),
                                                           "yaml-tab", 8, 17, TAB_FLOW),
    "tab-after-a-block-scalar-header": Generated(lambda: _model(description=raw("|\t\n  text")).encode(), "yaml-tab", 2, 15, TAB_BETWEEN),
    "bidi-override-in-comment": Generated(lambda: _model().replace("    stage: staging\n", "    stage: staging # \u202e } \u2066\n").encode(),
                                          "yaml-hidden-char", 4, 22,
                                          "invisible character U+202E (RIGHT-TO-LEFT OVERRIDE): a reviewer cannot see it, and it can "
                                          "reorder what a diff shows; remove it"),
    "zero-width-space-in-uri": Generated(lambda: _model().replace("s3://bucket/", "s3://bucket\u200b/").encode(), "yaml-hidden-char", 6, 23,
                                         "invisible character U+200B (ZERO WIDTH SPACE): a reviewer cannot see it, and it can reorder "
                                         "what a diff shows; remove it"),
    "line-separator": Generated(lambda: _model().replace("stage: staging\n", "stage: staging\u2028    stage: production\n").encode(),
                                "yaml-hidden-char", 4, 19,
                                "U+2028 (LINE SEPARATOR) is a line break to YAML 1.1 readers (PyYAML, libyaml) but not to YAML 1.2 "
                                "readers or diffs; use LF"),
    "next-line-character": Generated(lambda: _model().replace("stage: staging\n", "stage: staging\x85").encode(), "yaml-hidden-char", 4, 19,
                                     "U+0085 (NEXT LINE) is a line break to YAML 1.1 readers (PyYAML, libyaml) but not to YAML 1.2 "
                                     "readers or diffs; use LF"),
    "byte-order-mark-inside": Generated(lambda: _model(owner=raw("\ufeffhazel")).encode(), "yaml-hidden-char", 2, 8, None),
    "raw-escape-character": Generated(lambda: _model(owner=raw('"ha\x1b[2Jzel"')).encode(), "yaml-syntax", 2, 11,
                                      "malformed YAML: U+001B (a control character) is not allowed in a YAML file; remove it"),
    "keys-equal-after-normalisation": Generated(lambda: _model(fields={"metadata": {"caf\u00e9": 1, "cafe\u0301": 2}, "flow": True}).encode(),
                                                "yaml-duplicate-key", 8, 27,
                                                "duplicate key 'cafe\u0301': the same text as an earlier key in another Unicode form; a "
                                                "reviewer would see one key twice"),
    "look-alike-key": Generated(lambda: _model().replace("    stage: staging", "    \u0455tage: production\n    stage: staging").encode(),
                                "unknown-field", 4, 5, "versions[0]: unknown field '\u0455tage'; did you mean 'stage'?"),
}


@pytest.mark.parametrize("name", sorted(GENERATED_MODELS))
def test_generated_hostile_model_file(repo, name: str) -> None:
    case = GENERATED_MODELS[name]
    _put(repo.path, "models/m.yaml", case.data())
    violations = assert_clean_violations(run_capped(repo.path, "validate", "--format", "json"))
    assert {v["rule"] for v in violations} == {case.rule}
    file, line, column, rule, message = _first(violations)
    assert (file, line, rule) == ("models/m.yaml", case.line, case.rule)
    if case.column is not None:
        assert column == case.column
    if case.message is not None:
        assert message == case.message
    assert all(len(v["message"]) < 400 for v in violations)  # one readable line, whatever the input


def test_findings_per_rule_are_capped(repo) -> None:
    """100,000 aliases give a bounded report, not 100,000 lines."""
    _put(repo.path, "models/m.yaml", GENERATED_MODELS["hundred-thousand-aliases"].data())
    violations = assert_clean_violations(run_capped(repo.path, "validate", "--format", "json"))
    assert 1 < len(violations) <= 20


def test_ten_thousand_versions_with_a_bad_stage(repo) -> None:
    """The first 100 of 10,000 bad versions are reported, each on its own line, then one
    violation counts the rest (schema findings are capped per file), in bounded time."""
    _put(repo.path, "models/m.yaml", _versions(10000, "Production"))
    violations = assert_clean_violations(run_capped(repo.path, "validate", "--format", "json"))
    assert {v["rule"] for v in violations[:100]} == {"undeclared-stage"}
    assert len(violations) == 101
    assert _first(violations) == ("models/m.yaml", 3, 27, "undeclared-stage", "versions[0].stage: 'Production' is not one of none, staging, "
                                  "production, archived; did you mean 'production'?")
    assert [v["line"] for v in violations[:100]] == list(range(3, 103))
    assert (violations[-1]["line"], violations[-1]["message"]) == (
        103, "9900 more schema violations from here on are not listed (the first 100 of this file are)")


GENERATED_VALID: dict[str, Callable[[], bytes]] = {
    "crlf-line-endings": lambda: _model(fields={"metrics": {"accuracy": 0.9}, "flow": True}).replace("\n", "\r\n").encode(),
    "exactly-at-the-size-limit": lambda: (_model() + "#" * (1024 * 1024 - len(_model()))).encode(),
    "ten-thousand-versions": lambda: _versions(10000, "none"),
    "tabs-every-reader-takes-as-text": lambda: _model(owner=raw('"ha\tzel" # a\tcomment'), description=raw("|\n  a\tb\n  \tc")).encode(),
    "non-ascii-description": lambda: _model(description=raw("Modèle de réponses — 日本語 ✓")).encode(),
}


@pytest.mark.parametrize("name", sorted(GENERATED_VALID))
def test_generated_valid_model_file(repo, name: str) -> None:
    data = GENERATED_VALID[name]()
    _put(repo.path, "models/m.yaml", data)
    if name == "exactly-at-the-size-limit":
        assert len(data) == 1024 * 1024
    proc = run_capped(repo.path, "validate", "--format", "json")
    assert proc.err == ""
    assert proc.code == 0
    assert proc.json() == {"files_checked": 1, "ok": True, "violations": []}


GENERATED_REGISTRY: dict[str, Generated] = {
    "just-over-the-size-limit": Generated(lambda: b"models_dir: models\n#" + b"x" * (64 * 1024 - 20) + b"\n", "file-too-large", 1, 1,
                                          "file is 65537 bytes; the limit is 65536 bytes"),
    "utf8-byte-order-mark": Generated(lambda: b"\xef\xbb\xbfmodels_dir: models\n", "yaml-encoding", 1, 1,
                                      "file starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM"),
    "utf16-with-bom": Generated(lambda: "models_dir: models\n".encode("utf-16"), "yaml-encoding", 1, 1, BOM16),
    "nul-byte": Generated(lambda: b"models_dir: models\n\x00\n", "yaml-encoding", 2, 1, NOT_UTF8),
    "binary-file": Generated(lambda: bytes(range(256)), "yaml-encoding", 1, 1, NOT_UTF8),
    "tab-indentation": Generated(lambda: b"gates:\n\tproduction: {}\n", "yaml-tab", 2, 1, TAB_INDENT),
    "tab-after-colon": Generated(lambda: b"models_dir:\tmodels\n", "yaml-tab", 1, 12, TAB_BETWEEN),
    "trailing-tab": Generated(lambda: b"models_dir: models\t\non_promote: refuse\n", "yaml-tab", 1, 19, TAB_BETWEEN),
    "tab-in-a-flow-sequence": Generated(lambda: b"stages: [none,\tstaging, production, archived]\n", "yaml-tab", 1, 15, TAB_FLOW),
    "nesting-10000-flow": Generated(lambda: ("models: " + "{a: " * 10000 + "}" * 10000 + "\n").encode(), "yaml-too-deep", 1, None, TOO_DEEP),
    "bidi-override": Generated(lambda: "models_dir: models # \u202e\n".encode(), "yaml-hidden-char", 1, 22, None),
    "carriage-returns-only": Generated(lambda: b"models_dir: models\ron_promote: refuse\r", "yaml-hidden-char", 1, 19, None),
    "top-level-string": Generated(lambda: b"models\n", "schema", 1, 1, "the document is a string; expected a mapping of fields"),
}


@pytest.mark.parametrize("name", sorted(GENERATED_REGISTRY))
def test_generated_hostile_registry_file(repo, name: str) -> None:
    case = GENERATED_REGISTRY[name]
    _put(repo.path, "registry.yaml", case.data())
    _put(repo.path, "models/m.yaml", valid_model("m").encode())
    violations = assert_clean_violations(run_capped(repo.path, "validate", "--format", "json"))
    assert {v["rule"] for v in violations} == {case.rule}
    file, line, column, rule, message = _first(violations)
    assert (file, line, rule) == ("registry.yaml", case.line, case.rule)
    if case.column is not None:
        assert column == case.column
    if case.message is not None:
        assert message == case.message


@pytest.mark.parametrize("data", [b"", b"~\n", b"# defaults\n", b"models_dir: models\r\non_promote: refuse\r\n"],
                         ids=["empty", "null", "comment-only", "crlf"])
def test_registry_files_that_mean_the_defaults_or_are_valid(repo, data: bytes) -> None:
    _put(repo.path, "registry.yaml", data)
    _put(repo.path, "models/m.yaml", valid_model("m").encode())
    proc = run_capped(repo.path, "validate", "--format", "json")
    assert (proc.code, proc.err) == (0, "")
    assert proc.json()["ok"] is True


def test_corpus_size() -> None:
    """The issue asks for at least 40 hostile files and repository states."""
    hostile = len(MODEL_CASES) + len(REGISTRY_CASES) + len(GENERATED_MODELS) + len(GENERATED_REGISTRY) + 1
    assert hostile >= 40
    assert SHA in valid_model("x")


# --- invisible text beyond format characters (category Cf) ---------------------------------
# Unicode's Default_Ignorable_Code_Point characters that are not Cf, and blank glyphs: each
# passed yaml-hidden-char before, in plain values, comments and artifact.uri alike.

BLANK = {
    "\u3164": "HANGUL FILLER", "\u115f": "HANGUL CHOSEONG FILLER", "\u1160": "HANGUL JUNGSEONG FILLER",
    "\uffa0": "HALFWIDTH HANGUL FILLER", "\u2800": "BRAILLE PATTERN BLANK", "\u034f": "COMBINING GRAPHEME JOINER",
    "\ufe0f": "VARIATION SELECTOR-16", "\ufe00": "VARIATION SELECTOR-1", "\U000e0100": "VARIATION SELECTOR-17",
    "\u180b": "MONGOLIAN FREE VARIATION SELECTOR ONE", "\u180f": "MONGOLIAN FREE VARIATION SELECTOR FOUR",
    "\u17b4": "KHMER VOWEL INHERENT AQ", "\u17b5": "KHMER VOWEL INHERENT AA", "\U0001d159": "MUSICAL SYMBOL NULL NOTEHEAD",
    "\u2065": "an unassigned character", "\ufff0": "an unassigned character", "\U000e0000": "an unassigned character",
}
BLANK_WHY = "it shows as nothing or as a blank that is not a space, so a reviewer cannot see it; remove it"
URI_LINE = 6  # valid_model's artifact.uri line: "      uri: s3://bucket/m/1.0.0/model.onnx"


def _blank_message(char: str) -> str:
    return f"invisible character U+{ord(char):04X} ({BLANK[char]}): {BLANK_WHY}"


@pytest.mark.parametrize("char", sorted(BLANK), ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("where", ["artifact.uri", "plain value", "comment"])
def test_invisible_character_beyond_format_characters(repo, char: str, where: str) -> None:
    text = _model()
    if where == "artifact.uri":
        text, line, column = text.replace("s3://bucket/", f"s3://bucket{char}/"), URI_LINE, 23
    elif where == "plain value":
        text, line, column = text.replace("name: m\n", f"name: m\nowner: ha{char}zel\n"), 2, 10
    else:
        text, line, column = text.replace("    stage: staging\n", f"    stage: staging # ok{char}\n"), 4, 24
    _put(repo.path, "models/m.yaml", text.encode())
    violations = assert_clean_violations(run_capped(repo.path, "validate", "--format", "json"))
    assert [_first(violations)] == [("models/m.yaml", line, column, "yaml-hidden-char", _blank_message(char))]
    assert len(violations) == 1


@pytest.mark.parametrize("char", ["\u3164", "\ufe0f", "\U000e0100"], ids=lambda c: f"U+{ord(c):04X}")
def test_invisible_character_written_as_an_escape(repo, char: str) -> None:
    escape = f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}"
    _put(repo.path, "models/m.yaml", _model(owner=raw(f'"ha{escape}zel"')).encode())
    violations = assert_clean_violations(run_capped(repo.path, "validate", "--format", "json"))
    assert [_first(violations)] == [("models/m.yaml", 2, 8, "yaml-hidden-char",
                                     f"escaped control or invisible character U+{ord(char):04X} ({BLANK[char]}) in a value: "
                                     "readers, terminals and web pages show it differently or not at all; remove it")]


def test_spaces_a_reader_sees_are_allowed(repo) -> None:
    """No-break and ideographic spaces show as space: not hidden (the schema judges where they may go)."""
    _put(repo.path, "models/m.yaml", _model(description=raw("Modèle\u00a0de réponses\u3000日本語")).encode())
    proc = run_capped(repo.path, "validate", "--format", "json")
    assert (proc.code, proc.err) == (0, "")


# --- plain values other readers read differently (ruamel.yaml, Go's yaml) ---------------------

OTHER_READERS = {
    "1_0e3": "a number to other readers", "1_e3": "a number to other readers", "+.5_": "a number to other readers",
    "0X1F": "a number to other readers", "0B1": "a number to other readers", "0O7": "a number to other readers",
    "1e1_0": "a number to other readers", "2024-1-1": "a date to other readers",
}


@pytest.mark.parametrize("value", sorted(OTHER_READERS))
def test_plain_value_other_readers_read_as_a_number_or_date(repo, value: str) -> None:
    _put(repo.path, "models/m.yaml", _model(owner=raw(value)).encode())
    violations = assert_clean_violations(run_capped(repo.path, "validate", "--format", "json"))
    reader = ("Go's yaml.v3" if "date" in OTHER_READERS[value] else
              "ruamel.yaml reads '_' in numbers, Go's yaml reads 0X, 0B and 0O and '_' in exponents")
    assert [_first(violations)] == [("models/m.yaml", 2, 8, "yaml-ambiguous-scalar",
                                     f"plain value {value!r} is a string to PyYAML but {OTHER_READERS[value]} ({reader}); "
                                     f'quote it: "{value}"')]


@pytest.mark.parametrize("value", ["0ba228492fdc46f9ae24b7b4bf09b308", "0o9abc", "0xZZ", "0b2"])
def test_a_radix_prefix_without_its_digits_is_text_to_every_reader(repo, value: str) -> None:
    """An MLflow run id is 32 hex digits and may start with 0b or 0o: no reader takes it for a
    number (a binary number has only 0 and 1, an octal one 0 to 7), so it stays plain."""
    _put(repo.path, "models/m.yaml", _model(owner=raw(value)).encode())
    proc = run_capped(repo.path, "validate", "--format", "json")
    assert (proc.code, proc.err) == (0, "")

def test_plain_scalars_every_reader_reads_alike() -> None:
    """A differential test: every generated plain value our loader accepts is read as the same
    value by PyYAML and by ruamel.yaml (a YAML 1.2 reader, in the test extras for this)."""
    hypothesis = pytest.importorskip("hypothesis")
    ruamel = pytest.importorskip("ruamel.yaml")
    import yaml
    from hypothesis import strategies as st

    from registry_tool.yamlfile import loader

    reader = ruamel.YAML(typ="safe", pure=True)

    @hypothesis.settings(max_examples=3000, deadline=None, derandomize=True)
    @hypothesis.given(st.text(alphabet="0123456789_.eE+-xXoObBaf:tTnNy", min_size=1, max_size=8))
    def same_everywhere(value: str) -> None:
        text = f"k: {value}\n"
        doc = loader.load(text.encode(), "m.yaml", max_bytes=4096)
        if doc.problems:
            return
        ours = doc.data["k"]
        theirs = reader.load(text)["k"]
        pyyaml = yaml.safe_load(text)["k"]
        assert (type(ours), ours) == (type(theirs), theirs) == (type(pyyaml), pyyaml), value

    same_everywhere()


@pytest.mark.parametrize("size", ["1.0e+300", "9.1e+15"])
def test_size_written_as_a_float_beyond_2_53(repo, size: str) -> None:
    """1.0e+300 was served as a 301-digit integer (while 9007199254740993 is refused)."""
    _put(repo.path, "models/m.yaml", _model().replace("      sha256:", f"      size_bytes: {size}\n      sha256:").encode())
    violations = assert_clean_violations(run_capped(repo.path, "validate", "--format", "json"))
    assert [_first(violations)] == [("models/m.yaml", 7, 19, "schema",
                                     f"versions[0].artifact.size_bytes: {float(size)!r} is larger than 2^53-1; readers "
                                     "that hold numbers as doubles read another whole number of bytes")]


# --- tabs: where libyaml, PyYAML and ruamel.yaml part ways ----------------------------------

TAB_SEEDS = [
    valid_model("m", owner=raw("'hazel' # team"), tags=raw("[nlp, chat]"), fields={"metadata": raw("{a: b, ? c : d}")}),
    "name: m\ndescription: |-\n  a\n\n  b\nnotes: >\n  c\n  d\n# the end\nversions:\n- version: \"1\"\n  stage: none\n",
    "? name\n: m\ndescription: \"a\n  b c d e\"\nowner: 'f g\n  h i'\n--- # doc\n",
    "name: m\ndescription: |\n  a long\n  block of\n\n  text\n  in lines\nversions: []\n",
]


def test_tabs_every_reader_reads_alike() -> None:
    """A differential test: tabs put anywhere in model-like files. Where the loader takes the
    file, libyaml, PyYAML's pure-Python reader and ruamel.yaml read the same data; where it
    refuses the file for a tab and nothing else, they do not (one fails, or reads another value)."""
    hypothesis = pytest.importorskip("hypothesis")
    ruamel = pytest.importorskip("ruamel.yaml")
    import yaml
    from hypothesis import strategies as st

    from registry_tool.yamlfile import loader

    other = ruamel.YAML(typ="safe", pure=True)

    def read(reader: Callable[[str], object], text: str) -> tuple[str, object]:
        try:
            return "read", reader(text)
        except Exception as exc:  # any reader's failure is an outcome here
            return "failed", type(exc).__name__

    @hypothesis.settings(max_examples=1500, deadline=None, derandomize=True)
    @hypothesis.given(st.sampled_from(TAB_SEEDS), st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["\t", " \t", "\t#", "\t ", " #\t"])),
                                                           min_size=1, max_size=3))
    def same_everywhere(seed: str, inserts: list[tuple[float, str]]) -> None:
        text = seed
        for where, what in inserts:
            at = int(where * len(text))
            text = text[:at] + what + text[at:]
        found = loader.load(text.encode(), "m.yaml").problems
        readings = [read(lambda t: yaml.load(t, Loader=yaml.CSafeLoader), text), read(yaml.safe_load, text), read(other.load, text)]
        if not found:
            assert readings[0] == readings[1] == readings[2], text
        elif {v.rule for v in found} == {"yaml-tab"}:
            assert not (readings[0] == readings[1] == readings[2] and readings[0][0] == "read"), text

    same_everywhere()
