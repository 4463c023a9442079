"""The JSON Schemas shipped with the package, and schema violations with positions.

Valid documents take the compiled fast path (:mod:`registry_tool.fastschema`) and never
import jsonschema. Invalid ones are re-checked by jsonschema, whose errors are turned into
violations that name the field, its line, and a hint ("did you mean 'stage'?").
"""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any, Iterable

from registry_tool.core.findings import Violation
from registry_tool.core.rules import declare
from registry_tool.schema.fast import Check, compile_schema, json_key
from registry_tool.yamlfile.loader import Document

MODEL_SCHEMA = "model.schema.json"
POLICY_SCHEMA = "registry.schema.json"
SCHEMA_VERSION = 1  # bump on any change that could reject a file that was valid before
MAX_SCHEMA_FINDINGS = 100  # per file; one more violation says how many were left out


# The schema's rules (declared here, where they are found).
UNKNOWN_FIELD = declare("unknown-field", "schema", "A field the schema does not define (a typo such as 'stgae'), with a 'did you mean' hint.",
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
    from importlib import resources  # noqa: PLC0415 - a zipped install

    return resources.files(SHIPPED).joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    """A schema as shipped inside the package, parsed."""
    result: dict[str, Any] = json.loads(schema_text(name))
    return result


@lru_cache(maxsize=None)
def fast_check(name: str) -> Check:
    return compile_schema(load_schema(name))


@lru_cache(maxsize=None)
def _detailed_validator(name: str) -> Any:
    from jsonschema import Draft202012Validator, validators  # noqa: PLC0415 - only needed for failures

    # jsonschema compares unsortable array items pairwise: quadratic in a hostile list.
    linear = validators.extend(Draft202012Validator, {"uniqueItems": _unique_items})
    return linear(load_schema(name))


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Iterable[Any]:
    from jsonschema.exceptions import ValidationError  # noqa: PLC0415

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


def _unknown_fields(instance: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """The keys of a mapping its schema does not define, in file order: at most one more
    than a file lists, so that thousands of unknown keys cost no more than a hundred."""
    defined = schema.get("properties", {})
    return list(islice((key for key in instance if key not in defined), MAX_SCHEMA_FINDINGS + 1))


def _unknown_unlisted(error: Any) -> int:
    """How many unknown keys :func:`_unknown_fields` left out of an error."""
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


def _to_violations(doc: Document, error: Any) -> list[Violation]:
    path = tuple(error.absolute_path)
    where = describe(path)
    prefix = f"{where}: " if where else ""
    kind, instance, schema = error.validator, error.instance, error.schema

    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        return [
            doc.violation("unknown-field", path + (key,), f"{prefix}unknown field '{key}'{_hint(key, allowed, listing=True)}", key=True)
            for key in _unknown_fields(instance, schema)
        ]
    if kind == "required":
        missing = [k for k in error.validator_value if k not in instance]
        return [doc.violation("schema", path, f"{prefix}missing required field '{k}'") for k in missing]
    if kind == "enum":
        options = [str(o) for o in error.validator_value]
        return [doc.violation("schema", path, f"{prefix}{_show(instance)} is not one of {', '.join(options)}{_hint(instance, options)}")]
    if kind == "type":
        if not path and instance is None and not getattr(doc.root, "value", ""):
            # an empty document ('' or '---'): its implicit null node may sit past the last line
            return [Violation(doc.path, 1, 1, "schema", _type_message(doc, path, prefix, error))]
        return [doc.violation("schema", path, _type_message(doc, path, prefix, error))]
    if kind == "pattern":
        form = _form(path, error.validator_value)
        text = f"is not {form}" if form else f"does not match the pattern {error.validator_value}"
        message = f"{prefix}{_show(instance)} {text}{_non_ascii(instance)}"
        if "propertyNames" in error.schema_path:  # the instance is a key of the mapping at path: point at it
            return [doc.violation("schema", path + (instance,), message, key=True)]
        return [doc.violation("schema", path, message)]
    if kind == "propertyNames":
        return [doc.violation("schema", path + (instance,), f"{prefix}key {_show(instance)} is not allowed: {_cut(error.message)}", key=True)]
    if kind == "uniqueItems" and isinstance(instance, list):
        seen: set[Any] = set()
        for index, item in enumerate(instance):
            marker = json_key(item)
            if marker in seen:
                return [doc.violation("schema", path + (index,), f"{prefix}{_show(item)} appears more than once")]
            seen.add(marker)
    if kind in ("maxLength", "minLength") and isinstance(instance, str):
        bound = "at most" if kind == "maxLength" else "at least"
        return [doc.violation("schema", path, f"{prefix}is {len(instance)} characters long; {bound} {error.validator_value} are allowed")]
    if kind in ("maxItems", "minItems") and isinstance(instance, list):
        bound = "at most" if kind == "maxItems" else "at least"
        return [doc.violation("schema", path, f"{prefix}has {len(instance)} items; {bound} {error.validator_value} are allowed")]
    return [doc.violation("schema", path, f"{prefix}{_cut(error.message)}")]


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
    expected_text = " or ".join(_SCHEMA_TYPE.get(n, n) for n in names)
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
    import difflib  # noqa: PLC0415 - only for messages about invalid files

    close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    if listing and options:
        return f"; allowed: {', '.join(options)}"
    return ""
