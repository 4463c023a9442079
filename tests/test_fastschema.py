"""The compiled fast path (registry_tool/schema/fast.py) and jsonschema's Draft 2020-12
validator accept exactly the same documents; the detailed path reports at least one
violation whenever the answer is 'invalid'; and a schema with a keyword the compiler
does not know fails loudly instead of being half-checked."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from schema_strategies import ANY_JSON, near_valid

from registry_tool.schema import check as schemas
from registry_tool.schema.fast import SUPPORTED, UnsupportedSchema, compile_schema
from registry_tool.yamlfile.loader import Document

# Deterministic in CI (derandomize), fast enough for every run, no example database.
FUZZ = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])

MODEL = schemas.load_schema(schemas.MODEL_SCHEMA)
POLICY = schemas.load_schema(schemas.POLICY_SCHEMA)
STOCK = {schemas.MODEL_SCHEMA: Draft202012Validator(MODEL), schemas.POLICY_SCHEMA: Draft202012Validator(POLICY)}


def _agree(name: str, doc: Any) -> None:
    expected = STOCK[name].is_valid(doc)
    assert schemas.fast_check(name)(doc) is expected
    # The detailed path (jsonschema with the linear uniqueItems) finds something exactly when invalid.
    found = schemas.check(Document("f.yaml", "", data=doc), name)
    assert (found == []) is expected, found


@FUZZ
@given(near_valid(MODEL))
def test_model_schema_fast_path_agrees_with_jsonschema(doc: Any) -> None:
    _agree(schemas.MODEL_SCHEMA, doc)


@FUZZ
@given(near_valid(POLICY))
def test_registry_schema_fast_path_agrees_with_jsonschema(doc: Any) -> None:
    _agree(schemas.POLICY_SCHEMA, doc)


@pytest.mark.parametrize("doc", [
    {"name": "m", "versions": []},
    {"name": "m", "versions": [], "tags": ["a", "a"]},
    {"name": "m", "versions": [], "tags": [{"a": 1}, {"a": 1.0}]},
    {"name": "m", "versions": [], "tags": [1, True]},
    {"name": "m", "versions": [], "tags": [[1], [True]]},
    {"name": "m\n", "versions": []},
    {"name": "m", "versions": [{"version": "1", "stage": "none", "artifact": {"uri": "s3://b/k", "size_bytes": 1.0}}]},
    {"name": "m", "versions": [{"version": "1", "stage": "none", "artifact": {"uri": "s3://b/k", "size_bytes": True}}]},
    {"name": "m", "versions": [{"version": "1", "stage": "none", "artifact": {"uri": "s3://b/k"}, "metrics": {"suites": {"s": {"x": True}}}}]},
    {"name": "m", "versions": [{"version": "1", "stage": "none", "artifact": {"uri": "s3://b/k"}, "metrics": {"x": True}}]},
    {"name": "m", "versions": [{"version": "1", "stage": "none", "artifact": {"uri": "s3://b/k"}, "metrics": {"1x": 1}}]},
    [], None, "text", 1,
], ids=lambda d: repr(d)[:40])
def test_model_schema_edge_cases(doc: Any) -> None:
    _agree(schemas.MODEL_SCHEMA, doc)


def _artifact(**extra: Any) -> dict:
    return {"name": "m", "versions": [{"version": "1", "stage": "none", "artifact": {"uri": "s3://b/k", **extra}}]}


@pytest.mark.parametrize("size", [-1, 0, 0.0, -0.0, 1, 1.0, 1.5, 2**53 - 1, 1e300, True, "1"])
def test_model_schema_number_bounds(size: Any) -> None:
    _agree(schemas.MODEL_SCHEMA, _artifact(size_bytes=size))


@pytest.mark.parametrize("limit", [1023, 1024, 1024.0, 1024.5, 16777216, 16777217, 16777216.0, True, "2048"])
def test_registry_schema_number_bounds(limit: Any) -> None:
    _agree(schemas.POLICY_SCHEMA, {"max_file_bytes": limit})


@pytest.mark.parametrize("length", [63, 64, 65])
def test_string_length_bounds(length: int) -> None:
    _agree(schemas.MODEL_SCHEMA, {"name": "m", "versions": [{"version": "v" * length, "stage": "none", "artifact": {"uri": "s3://b/k"}}]})


@FUZZ
@given(st.lists(ANY_JSON, max_size=6))
def test_unique_items_follows_json_equality(items: list[Any]) -> None:
    """1 == 1.0 but 1 != true, for nested values too: both paths agree with jsonschema."""
    schema = {"uniqueItems": True}
    expected = Draft202012Validator(schema).is_valid(items)
    assert compile_schema(schema)(items) is expected
    extended = schemas._detailed_validator(schemas.MODEL_SCHEMA).__class__(schema)
    assert extended.is_valid(items) is expected


@pytest.mark.parametrize("keyword, value", [
    ("patternProperties", {"^x": {}}), ("anyOf", [{}]), ("oneOf", [{}]), ("allOf", [{}]), ("not", {}),
    ("if", {}), ("prefixItems", [{}]), ("contains", {}), ("format", "uri"), ("multipleOf", 2),
    ("exclusiveMinimum", 0), ("minProperties", 1), ("dependentRequired", {}), ("unevaluatedProperties", False),
])
def test_unsupported_keyword_fails_loudly(keyword: str, value: Any) -> None:
    assert keyword not in SUPPORTED
    with pytest.raises(UnsupportedSchema, match=keyword):
        compile_schema({"type": "object", keyword: value})
    nested = {"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}}, "$defs": {"a": {keyword: value}}}
    with pytest.raises(UnsupportedSchema, match=keyword):
        compile_schema(nested)


@pytest.mark.parametrize("schema, why", [
    ({"enum": [1, 2]}, "enum with non-string values"),
    ({"const": 3}, "enum with non-string values"),
    ({"$ref": "https://example.com/other.json"}, "only local \\$ref"),
])
def test_unsupported_forms_fail_loudly(schema: dict, why: str) -> None:
    with pytest.raises(UnsupportedSchema, match=why):
        compile_schema(schema)


def test_shipped_schemas_use_only_supported_keywords() -> None:
    def keywords(node: Any, out: set[str]) -> set[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("properties", "$defs"):
                    for sub in value.values():
                        keywords(sub, out)
                else:
                    out.add(key)
                    keywords(value, out)
        elif isinstance(node, list):
            for item in node:
                keywords(item, out)
        return out

    for schema in (MODEL, POLICY):
        assert keywords(schema, set()) <= SUPPORTED
        compile_schema(schema)
