"""Fuzzing the loader and the validator: random text and bytes, YAML token soup, mutated
example files, and schema-shaped documents. The only acceptable outcomes are a parsed
document or clean violations (known rule ids, positions from 1, one report line each);
no other exception may escape."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schema_strategies import near_valid

from registry_tool.core.findings import Violation
from registry_tool.core.policy import POLICY_FILE, Policy
from registry_tool.output.validate import REPORTERS
from registry_tool.schema.check import MODEL_SCHEMA, load_schema
from registry_tool.snapshots.memory import MemorySnapshot
from registry_tool.validation import engine
from registry_tool.validation.model_file import parse_model
from registry_tool.validation.report import Report
from registry_tool.validation.rules import RULES
from registry_tool.yamlfile import loader, nesting

FUZZ = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = {f"models/{p.name}": p.read_bytes() for p in sorted((ROOT / "models").glob("*.yaml"))}
POLICY = (ROOT / POLICY_FILE).read_bytes()


def _json_like(value: Any, depth: int = 0) -> None:
    assert depth <= nesting.MAX_DEPTH
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str)
            _json_like(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _json_like(item, depth + 1)
    elif isinstance(value, float):
        assert math.isfinite(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        assert abs(value) <= 2**53 - 1  # what JSON readers hold exactly
    else:
        assert value is None or isinstance(value, (str, bool))


def _clean(violations: list[Violation]) -> None:
    for v in violations:
        assert isinstance(v, Violation)
        assert v.rule in RULES, v
        assert v.line >= 1 and v.column >= 1, v
        assert isinstance(v.message, str) and v.message
    report = Report(list(violations))
    for render in REPORTERS.values():
        render(report, False)
    # one line per violation, plus the summary, whatever the file names and keys hold
    assert len(REPORTERS["text"](report, False).splitlines()) == len(violations) + 1


def _load(raw: bytes) -> None:
    doc = loader.load(raw, "models/m.yaml")
    _clean(doc.problems)
    if doc.ok:
        _json_like(doc.data)
    mf, problems = parse_model(raw, "models/m.yaml", "m", Policy())
    _clean(problems)
    if mf is not None:
        _clean(engine.check_model(mf, Policy()))
        _clean(engine.check_change(mf, mf, Policy()))


@FUZZ
@given(st.text(max_size=300))
def test_loader_on_random_text(text: str) -> None:
    _load(text.encode("utf-8"))


@FUZZ
@given(st.binary(max_size=300))
def test_loader_on_random_bytes(raw: bytes) -> None:
    _load(raw)


TOKENS = [
    "name", "versions", "version", "stage", "artifact", "uri", "metrics", "tags", "metadata", "production", "staging",
    ":", ": ", " ", "  ", "\n", "\r\n", "\r", "\t", "- ", "-", "[", "]", "{", "}", ", ", "? ", "#", "'", '"', "|", ">",
    "&a ", "*a", "!!str ", "!!python/object:os.system ", "!x ", "<<: ", "---\n", "...\n", "%YAML 1.1\n", "%TAG !e! tag:x:\n",
    "yes", "on", "NO", "~", "null", "1.10", "010", "0o17", "0x1F", "1:20", "1e3", "1.0e+400", ".inf", "-.nan", "2024-01-01",
    "9" * 30, '"\\u202e"', '"\\0"', '"\\x1b"', "\u202e", "\u200b", "\u2028", "\x85", "\ufeff", "e\u0301", "\u00e9", "\u0430",
    "s3://b/k", '"1.0.0"', "a" * 50, '"a\\nb": ', '"\\x1b[2J": ',
]


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=80).map("".join))
def test_loader_on_yaml_token_soup(text: str) -> None:
    _load(text.encode("utf-8"))


@st.composite
def mutated_text(draw: st.DrawFn, original: bytes) -> bytes:
    """The file with 1-3 line-level or character-level edits."""
    lines = original.decode("utf-8").split("\n")
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, max(0, len(lines) - 1)))
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "replace", "indent", "truncate", "value"]))
        line = lines[at] if lines else ""
        if kind == "delete" and lines:
            del lines[at]
        elif kind == "duplicate":
            lines.insert(at, line)
        elif kind == "swap" and len(lines) > 1:
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif kind == "insert":
            pos = draw(st.integers(0, len(line)))
            lines[at:at + 1] = [line[:pos] + draw(st.sampled_from(TOKENS)) + line[pos:]]
        elif kind == "replace" and line:
            start = draw(st.integers(0, len(line) - 1))
            end = draw(st.integers(start, len(line)))
            lines[at] = line[:start] + draw(st.sampled_from(TOKENS)) + line[end:]
        elif kind == "indent":
            lines[at] = " " * draw(st.integers(0, 8)) + line.lstrip(" ")
        elif kind == "truncate":
            lines = lines[:at]
        elif kind == "value" and ": " in line:
            key = line.split(": ", 1)[0]
            lines[at] = key + ": " + draw(st.sampled_from(TOKENS + ["[]", "{}", "-1", "0.5", "true", '""']))
    return "\n".join(lines).encode("utf-8")


@st.composite
def mutated_registry(draw: st.DrawFn) -> tuple[dict[str, bytes], dict[str, bytes]]:
    base = {**EXAMPLES, POLICY_FILE: POLICY}
    target = draw(st.sampled_from(sorted(base)))
    head = dict(base)
    head[target] = draw(mutated_text(base[target]))
    return base, head


@FUZZ
@given(mutated_registry())
def test_validator_on_mutated_example_registry(files: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    """One example file (or registry.yaml) edited at random: the state and the change
    are judged with clean violations only."""
    base, head = files
    _clean(engine.validate_snapshot(MemorySnapshot(head)).violations)
    _clean(engine.validate_change(MemorySnapshot(base), MemorySnapshot(head)).violations)
    _clean(engine.validate_change(MemorySnapshot(head), MemorySnapshot(base)).violations)


MODEL = load_schema(MODEL_SCHEMA)


@FUZZ
@given(near_valid(MODEL), near_valid(MODEL))
def test_validator_on_schema_shaped_documents(before: Any, after: Any) -> None:
    """Documents of the schema's shape, written as YAML, judged as a state and as a change
    (before -> after): the file, change and gate rules meet odd but valid models here."""
    files = []
    for doc in (before, after):
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False) if doc is not None else ""
        files.append({"models/m.yaml": text.encode("utf-8"), POLICY_FILE: POLICY})
    base, head = MemorySnapshot(files[0]), MemorySnapshot(files[1])
    _clean(engine.validate_snapshot(head).violations)
    _clean(engine.validate_change(base, head).violations)


PLAIN_BUT_ODD = st.text(alphabet=st.sampled_from(list("ab-_ :#'\"\\\n\r\t\u00e9")), max_size=8)
ANY_CHARACTERS = st.text(alphabet=st.sampled_from(list("\x1b\x85\u2028\u202e\u200b")) | st.characters(), max_size=8)
KEYS_AND_VALUES = st.one_of(PLAIN_BUT_ODD, PLAIN_BUT_ODD, PLAIN_BUT_ODD, ANY_CHARACTERS)


@FUZZ
@given(st.dictionaries(KEYS_AND_VALUES, KEYS_AND_VALUES, min_size=1, max_size=4))
def test_arbitrary_keys_and_values_in_a_model_file(extra: dict[str, str]) -> None:
    """Keys and values with any characters (newlines, escapes, bidi controls, written by a
    YAML dumper as escapes): still clean violations, one report line each."""
    doc = {"name": "m", "versions": [{"version": "1", "stage": "none", "artifact": {"uri": "s3://b/k"}, "metadata": dict(extra)}]}
    doc.update(extra)
    _load(yaml.safe_dump(doc, allow_unicode=True).encode("utf-8"))
