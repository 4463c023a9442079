"""A yes/no JSON Schema check compiled to closures: the fast path of validation.

Supports exactly the keywords our schemas use (listed in ``SUPPORTED``) with the
semantics of jsonschema's Draft 2020-12 validator. It answers only "valid or not"; when
the answer is "not", :mod:`registry_tool.schema.check` runs jsonschema for the detailed,
positioned messages. A differential test (tests/test_fastschema.py) holds the two to
the same answers, and compiling a schema with any other keyword fails loudly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]

ANNOTATIONS = frozenset(["$schema", "$id", "$comment", "title", "description", "default", "examples", "$defs"])
SUPPORTED = frozenset([
    "type", "enum", "const", "properties", "required", "additionalProperties", "propertyNames",
    "items", "uniqueItems", "minItems", "maxItems", "pattern", "minLength", "maxLength",
    "minimum", "maximum", "$ref",
]) | ANNOTATIONS


def _is_integer(x: Any) -> bool:
    # jsonschema: ints (not bools) and floats with an integral value.
    return (isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, float) and x.is_integer())


_TYPES: dict[str, Check] = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "number": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
    "integer": _is_integer,
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
}


def _always(_: Any) -> bool:
    return True


class UnsupportedSchema(ValueError):
    pass


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def ref(self, ref: str) -> Check:
        if not ref.startswith("#/"):
            raise UnsupportedSchema(f"only local $ref is supported: {ref}")
        if ref not in self.refs:
            holder: list[Check] = []
            self.refs[ref] = lambda x: holder[0](x)  # allows recursive references
            target: Any = self.root
            for part in ref[2:].split("/"):
                target = target[part]
            holder.append(self.compile(target))
            self.refs[ref] = holder[0]
        return self.refs[ref]

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return _always
        if schema is False:
            return lambda x: False
        unknown = set(schema) - SUPPORTED
        if unknown:
            raise UnsupportedSchema(f"unsupported keywords: {sorted(unknown)}")
        checks: list[Check] = []
        if "$ref" in schema:
            checks.append(self.ref(schema["$ref"]))
        names = names_of(schema)
        string_checks = self._string(schema)
        fuse = names == ["string"] and bool(string_checks)  # type and string keywords in one closure
        if names and not fuse:
            preds = [_TYPES[n] for n in names]
            checks.append(preds[0] if len(preds) == 1 else _any(preds))
        if "enum" in schema:
            checks.append(_enum(schema["enum"]))
        if "const" in schema:
            checks.append(_enum([schema["const"]]))
        if fuse:
            checks.append(_string_typed(schema))
        else:
            checks.extend(string_checks)
        checks.extend(self._number(schema))
        checks.extend(self._array(schema))
        checks.extend(self._object(schema))
        if not checks:
            return _always
        return _all(checks)

    def _string(self, s: Mapping[str, Any]) -> list[Check]:
        out: list[Check] = []
        if "pattern" in s:
            search = re.compile(s["pattern"]).search
            out.append(lambda x: not isinstance(x, str) or search(x) is not None)
        if "minLength" in s:
            n = s["minLength"]
            out.append(lambda x: not isinstance(x, str) or len(x) >= n)
        if "maxLength" in s:
            m = s["maxLength"]
            out.append(lambda x: not isinstance(x, str) or len(x) <= m)
        return out

    def _number(self, s: Mapping[str, Any]) -> list[Check]:
        out: list[Check] = []
        num = _TYPES["number"]
        if "minimum" in s:
            lo = s["minimum"]
            out.append(lambda x: not num(x) or x >= lo)
        if "maximum" in s:
            hi = s["maximum"]
            out.append(lambda x: not num(x) or x <= hi)
        return out

    def _array(self, s: Mapping[str, Any]) -> list[Check]:
        out: list[Check] = []
        if "items" in s:
            item = self.compile(s["items"])

            def items(x: Any) -> bool:
                if isinstance(x, list):
                    for i in x:
                        if not item(i):
                            return False
                return True
            out.append(items)
        if "minItems" in s:
            n = s["minItems"]
            out.append(lambda x: not isinstance(x, list) or len(x) >= n)
        if "maxItems" in s:
            m = s["maxItems"]
            out.append(lambda x: not isinstance(x, list) or len(x) <= m)
        if s.get("uniqueItems"):
            out.append(lambda x: not isinstance(x, list) or _unique(x))
        return out

    def _object(self, s: Mapping[str, Any]) -> list[Check]:
        out: list[Check] = []
        if "required" in s:
            req = frozenset(s["required"])
            out.append(lambda x: not isinstance(x, dict) or x.keys() >= req)
        props = {k: self.compile(v) for k, v in s.get("properties", {}).items()}
        extra = self.compile(s["additionalProperties"]) if "additionalProperties" in s else None
        names = self.compile(s["propertyNames"]) if "propertyNames" in s else None
        if props or extra is not None or names is not None:
            def check(x: Any) -> bool:
                if not isinstance(x, dict):
                    return True
                for k, v in x.items():
                    if names is not None and not names(k):
                        return False
                    sub = props.get(k)
                    if sub is not None:
                        if not sub(v):
                            return False
                    elif extra is not None and not extra(v):
                        return False
                return True
            out.append(check)
        return out


def names_of(schema: Mapping[str, Any]) -> list[str]:
    kind = schema.get("type")
    return [] if kind is None else kind if isinstance(kind, list) else [kind]


def _all(checks: list[Check]) -> Check:
    """Every check passes; plain calls, no generator per instance."""
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        a, b = checks
        return lambda x: a(x) and b(x)
    if len(checks) == 3:
        a, b, c = checks
        return lambda x: a(x) and b(x) and c(x)
    frozen = tuple(checks)

    def check(x: Any) -> bool:
        return all(c(x) for c in frozen)
    return check


def _any(checks: list[Check]) -> Check:
    frozen = tuple(checks)

    def check(x: Any) -> bool:
        return any(c(x) for c in frozen)
    return check


def _string_typed(s: Mapping[str, Any]) -> Check:
    """``type: string`` with its length and pattern keywords, fused: the same answers as
    the separate checks, with one call per instance instead of one per keyword."""
    lo, hi = s.get("minLength", 0), s.get("maxLength")
    if "pattern" in s:
        return _string_matching(re.compile(s["pattern"]).search, lo, hi)
    if hi is not None:
        return lambda x: isinstance(x, str) and lo <= len(x) <= hi
    return lambda x: isinstance(x, str) and lo <= len(x)


def _string_matching(search: Callable[[str], object], lo: int, hi: int | None) -> Check:
    if hi is not None and not lo:
        return lambda x: isinstance(x, str) and len(x) <= hi and search(x) is not None
    if hi is None and not lo:
        return lambda x: isinstance(x, str) and search(x) is not None
    return lambda x: (isinstance(x, str) and lo <= len(x) and (hi is None or len(x) <= hi)
                      and search(x) is not None)


def _enum(values: list[Any]) -> Check:
    if all(isinstance(v, str) for v in values):
        allowed = frozenset(values)
        return lambda x: isinstance(x, str) and x in allowed
    raise UnsupportedSchema("enum with non-string values")


def _unique(items: list[Any]) -> bool:
    if all(isinstance(i, str) for i in items):
        return len(set(items)) == len(items)
    # Mixed arrays: hash a key that follows JSON equality (1 != true, 1 == 1.0), in linear
    # time; a pairwise comparison lets a 60,000-item list of mappings hang validation.
    keys = {json_key(i) for i in items}
    return len(keys) == len(items)


def json_key(value: Any) -> Any:
    """A hashable key, equal for exactly the JSON values JSON Schema calls equal."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", value)  # 1 == 1.0 and hash(1) == hash(1.0)
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, list):
        return ("a", tuple(json_key(v) for v in value))
    if isinstance(value, dict):
        return ("o", frozenset((k, json_key(v)) for k, v in value.items()))
    return ("x", value)


def compile_schema(schema: Mapping[str, Any]) -> Check:
    """Compile a schema into a predicate: ``check(instance) -> bool``."""
    return _Compiler(schema).compile(schema)
