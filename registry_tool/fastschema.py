"""A yes/no JSON Schema check compiled to closures: the fast path of validation.

Supports exactly the keywords our schemas use (listed in ``SUPPORTED``) with the
semantics of jsonschema's Draft 2020-12 validator. It answers only "valid or not"; when
the answer is "not", :mod:`registry_tool.schemas` runs jsonschema for the detailed,
positioned messages. A differential test (tests/test_fastschema.py) holds the two to
the same answers, and compiling a schema with any other keyword fails loudly.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

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
        if "type" in schema:
            names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            preds = [_TYPES[n] for n in names]
            checks.append(preds[0] if len(preds) == 1 else (lambda x, p=tuple(preds): any(f(x) for f in p)))
        if "enum" in schema:
            checks.append(_enum(schema["enum"]))
        if "const" in schema:
            checks.append(_enum([schema["const"]]))
        checks.extend(self._string(schema))
        checks.extend(self._number(schema))
        checks.extend(self._array(schema))
        checks.extend(self._object(schema))
        if not checks:
            return _always
        if len(checks) == 1:
            return checks[0]
        frozen = tuple(checks)
        return lambda x: all(c(x) for c in frozen)

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
            out.append(lambda x: not isinstance(x, list) or all(item(i) for i in x))
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
            req = tuple(s["required"])
            out.append(lambda x: not isinstance(x, dict) or all(k in x for k in req))
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
