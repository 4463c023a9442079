"""Hypothesis strategies for near-valid documents, generated from a JSON Schema's shape.

``valid(schema)`` walks the schema (following local ``$ref``) and builds documents of its
shape: enum members, strings matching the pattern, lengths and numbers at their bounds,
required and optional fields, extra keys where they are allowed. ``near_valid(schema)``
mixes three kinds: such documents as they are, the same with exactly one mutation at a
random place (a capitalised or padded string, a trailing newline, a typo'd or dropped
key, a duplicated array item, a number where a string belongs, any JSON value), and
documents with noise at every level. Values are what the strict loader can produce:
strings, finite numbers, booleans, null, lists, and mappings with string keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

FINITE = st.floats(allow_nan=False, allow_infinity=False)
JSON_SCALARS = st.none() | st.booleans() | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1) | FINITE | st.text(max_size=8)
ANY_JSON = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                        max_leaves=8)
NEAR_MISS_TEXT = ["", " ", "..", "a b", "Name", "-x", "x-", "a..b", "A", "\u0430", "e\u0301", "stgae", "true", "1.10"]


def _string_miss(value: str, how: int) -> str:
    return [value + "\n", value.upper(), value.capitalize(), value + " ", " " + value, value + "/..", value[:-1], value * 2][how % 8]


class _Shapes:
    """Strategies of a schema's shape; ``noisy`` adds near misses at every node."""

    def __init__(self, root: Mapping[str, Any], noisy: bool) -> None:
        self.root = root
        self.noisy = noisy

    def resolve(self, schema: Any) -> Any:
        while isinstance(schema, Mapping) and "$ref" in schema:
            target: Any = self.root
            for part in schema["$ref"][2:].split("/"):
                target = target[part]
            schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return schema

    def value(self, schema: Any, depth: int = 0) -> st.SearchStrategy[Any]:
        shaped = self.shaped(self.resolve(schema), depth)
        return st.one_of(shaped, shaped, shaped, ANY_JSON) if self.noisy else shaped

    def shaped(self, schema: Any, depth: int) -> st.SearchStrategy[Any]:
        if schema is True or schema == {}:
            return ANY_JSON
        if schema is False:
            return st.nothing()
        if "enum" in schema:
            return self.strings(st.sampled_from(list(schema["enum"])))
        kinds = schema.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds] if kinds else ["object", "string", "number"]
        return st.one_of(*[self.of_type(schema, kind, depth) for kind in kinds])

    def strings(self, valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        if not self.noisy:
            return valid
        return st.one_of(valid, valid, st.builds(_string_miss, valid, st.integers(0, 7)), st.sampled_from(NEAR_MISS_TEXT))

    def of_type(self, schema: Mapping[str, Any], kind: str, depth: int) -> st.SearchStrategy[Any]:
        if kind == "object":
            return self.mapping(schema, depth)
        if kind == "array":
            return self.array(schema, depth)
        if kind == "string":
            return self.string(schema)
        if kind in ("number", "integer"):
            return self.number(schema, integer=kind == "integer")
        if kind == "boolean":
            return st.booleans()
        return st.none()

    def string(self, schema: Mapping[str, Any]) -> st.SearchStrategy[str]:
        valid = st.from_regex(schema["pattern"]) if "pattern" in schema else st.text(max_size=12)
        bounds = [n for n in (schema.get("minLength"), schema.get("maxLength")) if n is not None]
        if bounds:
            lengths = sorted({max(0, n + d) for n in bounds for d in (-1, 0, 1)})
            valid = valid | st.builds(lambda n, c: c * n, st.sampled_from(lengths), st.sampled_from(["a", "1", "é"]))
        return self.strings(valid)

    def number(self, schema: Mapping[str, Any], *, integer: bool) -> st.SearchStrategy[Any]:
        bounds = [n for n in (schema.get("minimum"), schema.get("maximum")) if n is not None]
        edges = st.sampled_from(sorted({n + d for n in bounds for d in (-1, 0, 1)} | {0, 1, -1}))
        whole = st.one_of(edges, edges, edges.map(float), st.integers(-10, 10))
        return whole if integer and not self.noisy else whole | FINITE | st.just(0.5)

    def array(self, schema: Mapping[str, Any], depth: int) -> st.SearchStrategy[list[Any]]:
        if depth > 5:
            return st.just([])
        item = self.value(schema.get("items", True), depth + 1)
        lists = st.lists(item, max_size=4)
        if schema.get("uniqueItems"):
            lists = st.lists(item, max_size=4, unique_by=repr) | st.lists(item, min_size=1, max_size=3).map(lambda xs: xs + [xs[0]])
        return lists

    def mapping(self, schema: Mapping[str, Any], depth: int) -> st.SearchStrategy[dict[str, Any]]:
        if depth > 5:
            return st.just({})
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        fields = {k: self.value(v, depth + 1) for k, v in props.items()}
        base = st.fixed_dictionaries({k: s for k, s in fields.items() if k in required},
                                     optional={k: s for k, s in fields.items() if k not in required})
        extra = schema.get("additionalProperties", True)
        if extra is False:
            if not self.noisy:
                return base
            keys: st.SearchStrategy[str] = st.sampled_from([k[:-1] + k[-1].upper() for k in props] + ["stgae"])
            values: st.SearchStrategy[Any] = ANY_JSON
        else:
            names = self.resolve(schema.get("propertyNames", {}))
            keys = self.string(names) if names else st.text(max_size=6)
            values = self.value(extra, depth + 1)
        extras = st.dictionaries(keys, values, max_size=2)
        return st.builds(_merge, base, extras)


def _merge(base: dict[str, Any], extras: dict[str, Any]) -> dict[str, Any]:
    return {**extras, **base}


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out.extend(_paths(value, prefix + (key,)))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            out.extend(_paths(value, prefix + (index,)))
    return out


def _replace(doc: Any, path: tuple, new: Any, *, delete: bool = False) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(doc, dict):
        copy = dict(doc)
        if delete and not rest:
            copy.pop(head, None)
        else:
            copy[head] = _replace(doc[head], rest, new, delete=delete)
        return copy
    copy = list(doc)
    if delete and not rest:
        del copy[head]
    else:
        copy[head] = _replace(doc[head], rest, new, delete=delete)
    return copy


def _get(doc: Any, path: tuple) -> Any:
    for part in path:
        doc = doc[part]
    return doc


@st.composite
def mutated_once(draw: st.DrawFn, docs: st.SearchStrategy[Any]) -> Any:
    """A document with exactly one change at a random place."""
    doc = draw(docs)
    path = draw(st.sampled_from(_paths(doc)))
    current = _get(doc, path)
    kind = draw(st.sampled_from(["json", "delete", "string", "number", "duplicate", "typo-key", "bool"]))
    if kind == "delete" and path:
        return _replace(doc, path, None, delete=True)
    if kind == "string" and isinstance(current, str):
        return _replace(doc, path, _string_miss(current, draw(st.integers(0, 7))))
    if kind == "number":
        return _replace(doc, path, draw(st.sampled_from([-1, 0, 0.5, 1.0, 2**53 - 1, -0.0, 1e300, "1"])))
    if kind == "duplicate" and isinstance(current, list) and current:
        return _replace(doc, path, current + [current[draw(st.integers(0, len(current) - 1))]])
    if kind == "typo-key" and isinstance(current, dict) and current:
        key = draw(st.sampled_from(sorted(current)))
        renamed = {(k + "e" if k == key else k): v for k, v in current.items()}
        return _replace(doc, path, renamed)
    if kind == "bool":
        return _replace(doc, path, draw(st.booleans()))
    return _replace(doc, path, draw(ANY_JSON))


def valid(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    shapes = _Shapes(schema, noisy=False)
    return shapes.shaped(shapes.resolve(schema), 0)


def near_valid(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Documents of the schema's shape: as they are, mutated once, or noisy throughout."""
    clean = valid(schema)
    noisy = _Shapes(schema, noisy=True)
    return st.one_of(clean, mutated_once(clean), mutated_once(clean), noisy.shaped(noisy.resolve(schema), 0))
