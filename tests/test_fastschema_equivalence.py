"""The compiled fast path answers exactly as jsonschema does, keyword by keyword: every
definition of both shipped schemas against a corpus of edge values and random JSON."""

from __future__ import annotations

import json

import pytest
from conftest import REPO_ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from registry_tool.schema.check import MODEL_SCHEMA, POLICY_SCHEMA, load_schema
from registry_tool.schema.fast import compile_schema

SCALARS = [None, True, False, 0, 1, -1, 1.0, 1.5, -0.5, 2**40, float(2**53), "", "a", "A", "a" * 64, "a" * 65,
           "a" * 101, "a" * 201, "faq-bot", "Faq-bot", "faq--bot", "faq.bot_v2", "1.0.0", "-1", "x y", "abc\n",
           "s3://bucket/m.onnx", "s3:// x", "https://e.example/v1", "http:/x", "ft:gpt-4o", "0" * 64, "g" * 64,
           "A" * 64, "onnx", "gguf", "none", "staging", "production", "archived", "active", "higher_is_better",
           "core-v1/score", "accuracy", "é", "models", "../x", "a/b", "\u00e9" * 101]
CONTAINERS = [[], ["a"], ["a", "a"], ["a", "b"], [1, True], [1, 1.0], [{"a": 1}, {"a": 1}], {}, {"uri": "s3://b/m"},
              {"uri": 1}, {"uri": "s3://b/m", "sha256": "0" * 64, "size_bytes": 1, "format": "onnx"},
              {"uri": "s3://b/m", "size_bytes": -1}, {"uri": "s3://b/m", "size_bytes": 1.0},
              {"uri": "s3://b/m", "size_bytes": True}, {"accuracy": 0.9}, {"accuracy": "x"},
              {"suites": {"core-v1": {"score": 1, "ok": True}}}, {"suites": {"core-v1": {"score": "x"}}},
              {"suites": {"-bad": {}}}, {"1bad": 1}, {"provider": "openai", "provider_model_id": "m"},
              {"provider": "openai", "provider_model_id": ""}, {"version": "1.0.0", "stage": "none", "artifact": {"uri": "s3://b"}},
              {"version": "1.0.0", "stage": "none", "artifact": {"uri": "s3://b"}, "stgae": 1}]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 2**33) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=70) | st.sampled_from(SCALARS),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(
        ["name", "uri", "version", "stage", "artifact", "metrics", "suites", "tags", "score", "x", "format"]), inner,
        max_size=4),
    max_leaves=12,
)


def definitions() -> list[tuple[str, dict]]:
    out = []
    for name in (MODEL_SCHEMA, POLICY_SCHEMA):
        schema = load_schema(name)
        out.append((f"{name}", schema))
        for key in schema.get("$defs", {}):
            out.append((f"{name}#/$defs/{key}", {"$defs": schema["$defs"], "$ref": f"#/$defs/{key}"}))
        for key in schema.get("properties", {}):
            out.append((f"{name}#/properties/{key}", {"$defs": schema.get("$defs", {}), **schema["properties"][key]}))
    return out


DEFINITIONS = definitions()


@pytest.mark.parametrize("label,schema", DEFINITIONS, ids=[d[0] for d in DEFINITIONS])
def test_compiled_check_agrees_with_jsonschema_on_edge_values(label, schema):
    fast, slow = compile_schema(schema), Draft202012Validator(schema)
    for value in SCALARS + CONTAINERS:
        assert fast(value) == slow.is_valid(value), (label, value)


@settings(max_examples=300, deadline=None)
@given(value=json_values, which=st.integers(0, len(DEFINITIONS) - 1))
def test_compiled_check_agrees_with_jsonschema_on_random_json(value, which):
    label, schema = DEFINITIONS[which]
    assert compile_schema(schema)(value) == Draft202012Validator(schema).is_valid(value), (label, value)


def test_examples_pass_both():
    import yaml

    fast, slow = compile_schema(load_schema(MODEL_SCHEMA)), Draft202012Validator(load_schema(MODEL_SCHEMA))
    for path in sorted((REPO_ROOT / "models").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        assert fast(data) and slow.is_valid(data), path
        broken = json.loads(json.dumps(data))
        broken["versions"][0]["artifact"]["uri"] = "no scheme"
        assert not fast(broken) and not slow.is_valid(broken), path
