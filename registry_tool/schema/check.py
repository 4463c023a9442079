"""The JSON Schemas shipped with the package, and schema violations with positions.

Valid documents take the compiled fast path (:mod:`registry_tool.fastschema`) and never
import jsonschema. Invalid ones are re-checked by jsonschema, whose errors are turned into
violations that name the field, its line, and a hint ("did you mean 'stage'?").
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from registry_tool.core.findings import Violation
from registry_tool.core.rules import declare
from registry_tool.schema.fast import Check, compile_schema, json_key
from registry_tool.yamlfile.loader import Document

MODEL_SCHEMA = "model.schema.json"
POLICY_SCHEMA = "registry.schema.json"
SCHEMA_VERSION = 1  # bump on any change that could reject a file that was valid before
MAX_SCHEMA_FINDINGS = 100  # per file; one more violation says how many were left out


# The schema's rules (declared here, where they are found).
UNKNOWN_FIELD = declare("unknown-field", "schema",
                        "A field the schema does not define (a typo such as 'stgae'), with a 'did you mean' hint.",
                        help="The schema does not define this field: often a typo of a field that then "
                             "silently has no effect. Correct the spelling (the message suggests the closest "
                             "field) or move the data under metadata, which takes any keys.")
SCHEMA = declare("schema", "schema", "Any other JSON Schema violation: missing field, wrong type, bad value or form.",
                 help="The value breaks the model schema (schemas/model.schema.json): a missing field, a "
                      "wrong type, a value outside its allowed set, or text in the wrong form. Fix the value "
                      "the message names; editors that read the file's yaml-language-server header show the "
                      "schema as you type.")

_JSON_TYPE = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "an integer",
              float: "a number", type(None): "null"}
_SCHEMA_TYPE = {"object": "a mapping", "array": "a list", "string": "a string", "boolean": "a boolean",
                "integer": "an integer", "number": "a number", "null": "null"}
_FORMS = {
    "name": "lower-case letters and digits separated by single '.', '_' or '-'",
    "task": "lower-case letters and digits separated by single '.', '_' or '-'",
    "provider": "lower-case letters and digits separated by single '.', '_' or '-'",
    "version": "letters, digits and '.', '_', '+', '-', starting with a letter or digit",
    "sha256": "64 lower-case hexadecimal digits",
    "uri": "a URI with a scheme and no spaces, such as s3://bucket/path/model.onnx",
    "endpoint_url": "an http:// or https:// URL",
    "run_id": "text without spaces",
    "models_dir": "a relative folder path inside the repository (no '..', no leading '/', no names starting with '.'), such as models",
    "models": "a model name: lower-case letters and digits separated by single '.', '_' or '-'",
    "metrics": "a metric name: a letter or '_', then letters, digits, '_', '@', '%' or '-'",
    "suites": "a suite name: letters, digits, '.', '_' and '-', starting with a letter or digit",
    "required_suites": "a suite name: letters, digits, '.', '_' and '-', starting with a letter or digit",
    "tags": "a tag: letters, digits and '.', '_', ':', '/', '=', '+', '-', starting with a letter or digit",
}
_METRIC_REF = "a metric name (accuracy) or a suite-scoped one (core-v1/score)"
_FORMS.update(dict.fromkeys(["required_metrics", "min_metrics", "max_metrics", "no_regression"], _METRIC_REF))
# Forms told by the pattern itself, before the field's name (a stage's ``name`` is not a model's).
_PATTERN_FORMS = {
    "^[a-z][a-z0-9_-]*$(?!\\n)": "a stage name: a lower-case letter, then lower-case letters, digits, '_' and '-'",
    "^[a-z][a-z0-9-]*$(?!\\n)": "an alias name: a lower-case letter, then lower-case letters, digits and '-'",
    "^[A-Za-z0-9][A-Za-z0-9._+-]*$(?!\\n)": _FORMS["version"],
}


SHIPPED = "registry_tool.schema.files"  # the package that carries the schema files when installed


def schema_text(name: str) -> str:
    """A schema file's text as shipped inside the package (the same bytes as the
    repository's schemas/, which editors point at)."""
    # Plain files first: importlib.resources costs a few ms of imports on every start,
    # which `registry-tool get` cannot afford (see bench/bench_get.py).
    here = Path(__file__).parent
    for candidate in (here / "files" / name,  # installed: the package's copy
                      here.parents[1] / "schemas" / name):  # a source checkout that was never installed
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    from importlib import resources

    return resources.files(SHIPPED).joinpath(name).read_text(encoding="utf-8")


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A schema as shipped inside the package, parsed."""
    result: dict[str, Any] = json.loads(schema_text(name))
    return result


@cache
def fast_check(name: str) -> Check:
    return compile_schema(load_schema(name))


@cache
def _detailed_validator(name: str) -> Any:
    from jsonschema import Draft202012Validator, validators

    # jsonschema compares unsortable array items pairwise: quadratic in a hostile list.
    linear = validators.extend(Draft202012Validator, {"uniqueItems": _unique_items})  # type: ignore[no-untyped-call, unused-ignore]
    return linear(load_schema(name))


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Iterable[Any]:
    from jsonschema.exceptions import ValidationError

    if unique and validator.is_type(instance, "array") and len({json_key(i) for i in instance}) != len(instance):
        yield ValidationError(f"{_show(instance)} has non-unique elements")


def check(doc: Document, name: str = MODEL_SCHEMA, ours: Iterable[Violation] = ()) -> list[Violation]:
    """Schema violations of a loaded document, sorted by position: the first
    ``MAX_SCHEMA_FINDINGS``, then one that says how many more there are.

    ``ours``: the violations of checks that run beside the schema and know what it cannot
    (the policy's stages): where one points at the same place as the schema's, it replaces
    it, and they count toward the cap alike."""
    extra = sorted(ours)
    if fast_check(name)(doc.data):
        return _capped(doc, extra, 0)
    found: set[Violation] = set()
    unlisted = 0
    for error in _detailed_validator(name).iter_errors(doc.data):
        found.update(_to_violations(doc, error))
        unlisted += _unknown_unlisted(error)
    taken = {(v.line, v.column) for v in extra}
    return _capped(doc, sorted([v for v in found if (v.line, v.column) not in taken] + extra), unlisted)


def _unknown_keys(instance: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """The keys of a mapping its schema does not define, in file order: at most one more
    than a file lists, so that thousands of unknown keys cost no more than a hundred."""
    defined = schema.get("properties", {})
    return list(islice((key for key in instance if key not in defined), MAX_SCHEMA_FINDINGS + 1))


def _unknown_unlisted(error: Any) -> int:
    """How many unknown keys :func:`_unknown_keys` left out of an error."""
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return 0
    defined = error.schema.get("properties", {})
    return max(0, sum(1 for key in error.instance if key not in defined) - (MAX_SCHEMA_FINDINGS + 1))


def _capped(doc: Document, found: list[Violation], unlisted: int) -> list[Violation]:
    if len(found) <= MAX_SCHEMA_FINDINGS:
        return found
    first_unlisted = found[MAX_SCHEMA_FINDINGS]
    more = len(found) - MAX_SCHEMA_FINDINGS + unlisted
    return [*found[:MAX_SCHEMA_FINDINGS],
            Violation(doc.path, first_unlisted.line, first_unlisted.column, SCHEMA.id,
                      f"{more} more schema violations from here on are not listed "
                      f"(the first {MAX_SCHEMA_FINDINGS} of this file are)")]


def describe(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _type_name(value: Any) -> str:
    return _JSON_TYPE.get(type(value), type(value).__name__)


class _Failure(NamedTuple):
    """One jsonschema error, seen as what it says about the document: where, and which rule."""

    doc: Document
    error: Any
    path: tuple[str | int, ...]
    prefix: str  # "versions[0].stage: ", or "" at the top level

    @property
    def instance(self) -> Any:
        return self.error.instance

    @property
    def bound(self) -> Any:
        return self.error.validator_value

    @property
    def on_key(self) -> bool:
        """The failing value is a mapping key (checked by propertyNames), not a value."""
        return "propertyNames" in self.error.schema_path

    def at(self, message: str, *, rule: str = "schema") -> list[Violation]:
        if self.on_key:  # point at the key itself
            return [self.doc.violation(rule, (*self.path, self.instance), message, key=True)]
        return [self.doc.violation(rule, self.path, message)]


def _to_violations(doc: Document, error: Any) -> list[Violation]:
    """Violations in this project's words: jsonschema's own sentences are never shown."""
    path = tuple(error.absolute_path)
    where = describe(path)
    failure = _Failure(doc, error, path, f"{where}: " if where else "")
    return _MESSAGES.get(error.validator, _other)(failure)


def _unknown_fields(f: _Failure) -> list[Violation]:
    if not isinstance(f.instance, dict):
        return _other(f)
    allowed = sorted(f.error.schema.get("properties", {}))
    return [f.doc.violation("unknown-field", (*f.path, key),
                            f"{f.prefix}unknown field '{key}'{_hint(key, allowed, listing=True)}", key=True)
            for key in _unknown_keys(f.instance, f.error.schema)]


def _missing(f: _Failure) -> list[Violation]:
    present = f.instance if isinstance(f.instance, dict) else {}
    return [f.doc.violation("schema", f.path, f"{f.prefix}missing required field '{k}'") for k in f.bound if k not in present]


def _not_one_of(f: _Failure) -> list[Violation]:
    options = [str(o) for o in f.bound]
    return f.at(f"{f.prefix}{_show(f.instance)} is not one of {', '.join(options)}{_hint(f.instance, options)}")


def _wrong_type(f: _Failure) -> list[Violation]:
    if not f.path and f.instance is None and not getattr(f.doc.root, "value", ""):
        # an empty document ('' or '---'): its implicit null node may sit past the last line
        return [Violation(f.doc.path, 1, 1, "schema", _type_message(f.doc, f.path, f.prefix, f.error))]
    return f.at(_type_message(f.doc, f.path, f.prefix, f.error))


def _wrong_form(f: _Failure) -> list[Violation]:
    form = _form(f.path, f.bound)
    text = f"is not {form}" if form else f"does not match the pattern {f.bound}"
    return f.at(f"{f.prefix}{_show(f.instance)} {text}{_non_ascii(f.instance)}")


def _repeated(f: _Failure) -> list[Violation]:
    seen: set[Any] = set()
    for index, item in enumerate(f.instance if isinstance(f.instance, list) else []):
        marker = json_key(item)
        if marker in seen:
            return [f.doc.violation("schema", (*f.path, index), f"{f.prefix}{_show(item)} appears more than once")]
        seen.add(marker)
    return _other(f)


def _length(f: _Failure) -> list[Violation]:
    if not isinstance(f.instance, str):
        return _other(f)
    bound = "at most" if f.error.validator == "maxLength" else "at least"
    what = f"key {_show(f.instance)} is" if f.on_key else "is"
    return f.at(f"{f.prefix}{what} {len(f.instance)} characters long; {bound} {f.bound} are allowed")


def _items(f: _Failure) -> list[Violation]:
    if not isinstance(f.instance, list):
        return _other(f)
    bound = "at most" if f.error.validator == "maxItems" else "at least"
    return f.at(f"{f.prefix}has {len(f.instance)} items; {bound} {f.bound} are allowed")


def _fields(f: _Failure) -> list[Violation]:
    count = len(f.instance) if isinstance(f.instance, dict) else 0
    bound = "at most" if f.error.validator == "maxProperties" else "at least"
    return f.at(f"{f.prefix}has {count} fields; {bound} {f.bound} are allowed")


def _range(f: _Failure) -> list[Violation]:
    kind = f.error.validator
    if kind == "minimum":
        return f.at(f"{f.prefix}{_show(f.instance)} is too small; the smallest allowed is {f.bound}")
    if kind == "maximum":
        return f.at(f"{f.prefix}{_show(f.instance)} is too large; the largest allowed is {f.bound}")
    side = "greater" if kind == "exclusiveMinimum" else "less"
    return f.at(f"{f.prefix}{_show(f.instance)} must be {side} than {f.bound}")


def _multiple(f: _Failure) -> list[Violation]:
    return f.at(f"{f.prefix}{_show(f.instance)} is not a multiple of {f.bound}")


def _constant(f: _Failure) -> list[Violation]:
    return f.at(f"{f.prefix}{_show(f.instance)} must be {_show(f.bound)}")


def _key_not_allowed(f: _Failure) -> list[Violation]:
    # propertyNames: false (no key allowed), or a rule jsonschema reports on the key as a whole
    return f.at(f"{f.prefix}key {_show(f.instance)} is not allowed here")


def _other(f: _Failure) -> list[Violation]:
    """A keyword the shipped schemas do not use (a newer schema), or a 'false' schema: named,
    in our words."""
    if f.error.validator is None:
        return f.at(f"{f.prefix}{_show(f.instance)} is not allowed here")
    return f.at(f"{f.prefix}{_show(f.instance)} does not satisfy the schema's '{f.error.validator}' rule")


_MESSAGES: dict[str, Callable[[_Failure], list[Violation]]] = {
    "additionalProperties": _unknown_fields,
    "required": _missing,
    "enum": _not_one_of,
    "type": _wrong_type,
    "pattern": _wrong_form,
    "uniqueItems": _repeated,
    "maxLength": _length,
    "minLength": _length,
    "maxItems": _items,
    "minItems": _items,
    "maxProperties": _fields,
    "minProperties": _fields,
    "minimum": _range,
    "maximum": _range,
    "exclusiveMinimum": _range,
    "exclusiveMaximum": _range,
    "multipleOf": _multiple,
    "const": _constant,
    "propertyNames": _key_not_allowed,
}


def _form(path: tuple[Any, ...], pattern: str) -> str | None:
    """What a value at ``path`` failing ``pattern`` should be, in words (None: unknown)."""
    field = next((p for p in reversed(path) if isinstance(p, str)), "")  # tags[2] -> tags
    return _PATTERN_FORMS.get(pattern) or _FORMS.get(field)


def show_value(value: Any) -> str:
    """A value as the schema's messages show it (shortened repr)."""
    return _show(value)


def did_you_mean(value: Any, options: list[str], *, listing: bool = False) -> str:
    """The schema's hint: ``; did you mean 'staging'?`` (or ``; allowed: ...`` with ``listing``), or ''."""
    return _hint(value, options, listing=listing)


def _show(value: Any, limit: int = 80) -> str:
    """A value's repr, shortened: a violation stays one readable line whatever the file holds."""
    text = repr(value) if len(str(value)) <= 4 * limit else repr(str(value)[: 4 * limit])
    return text if len(text) <= limit else f"{text[:limit]}..."


def _cut(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else f"{message[:limit]}..."


def _type_message(doc: Document, path: tuple[Any, ...], prefix: str, error: Any) -> str:
    expected = error.validator_value
    names = expected if isinstance(expected, list) else [expected]
    expected_text = " or ".join(_SCHEMA_TYPE.get(n, str(n)) for n in names)
    instance = error.instance
    if not path:
        if instance is None:
            return "the document is empty; expected a mapping of fields"
        return f"the document is {_type_name(instance)}; expected a mapping of fields"
    if expected == "string" and isinstance(instance, (int, float)) and not isinstance(instance, bool):
        written = _cut(doc.source_text(path) or str(instance), 80)
        field = path[-1]
        return (f"{prefix}{written} is read as a number ({instance!r}), not a string; "
                f"quote the {field}: {field}: \"{written}\"")
    return f"{prefix}must be {expected_text}, not {_type_name(instance)}"


def _non_ascii(value: Any) -> str:
    """Name the first non-ASCII character: a Cyrillic 'а' looks exactly like a Latin 'a'."""
    if not isinstance(value, str):
        return ""
    for char in value:
        if ord(char) > 127:
            return f" (it contains {char!r}, U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')})"
    return ""


def _hint(value: Any, options: list[str], *, listing: bool = False) -> str:
    if not isinstance(value, str):
        return ""
    lowered = {o.lower(): o for o in options}
    if value.lower() in lowered:
        return f"; did you mean '{lowered[value.lower()]}'?"
    import difflib

    close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    if listing and options:
        return f"; allowed: {', '.join(options)}"
    return ""
