"""Finding versions: the filters of ``show`` and of :meth:`RegistrySnapshot.find`.

A :class:`Query` keeps the versions that pass every filter it is given (AND):

* ``stage``: the version is in this stage;
* ``tags``: the version, or its model, has each of these tags;
* ``owner``, ``task``: the model's owner or task is exactly this;
* ``where``: conditions ``FIELD OP VALUE`` on the version's document, the JSON of ``get``
  (without ``commit``), FIELD a dotted path as ``get --field`` takes it
  (``metrics.accuracy``, ``metrics.suites.core-v1.score``, ``artifact.format``, ``run_id``,
  ``metadata.team``), OP one of ``= != < <= > >=``.

How a condition compares: with the value found at FIELD, by its kind. A number compares
as a number (``1`` equals ``1.0``), a boolean equals ``true`` or ``false``, a string
compares as text (``version = 1.10`` is the label "1.10"; ``<`` and ``>`` order strings
as text); a list (``tags``) ``=`` VALUE when it holds VALUE, ``!=`` when it does not. A
version without the field never matches, whatever OP. VALUE may be quoted ('a b', "1.0").

A typo is an error, never an empty answer: a FIELD outside the document's shape is
refused when the query is made (with a "did you mean"); a free-form FIELD (a metric or
metadata key) that no version read has is refused after reading, with the closest fields
the versions do have.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from registry_tool.core.model import Model, ModelVersion, Stage
from registry_tool.core.numbers import NUMBER
from registry_tool.errors import RegistryError
from registry_tool.read.documents import GET_KEYS, check_field, field_hint, field_of, version_document

OPERATORS = ("=", "!=", "<", "<=", ">", ">=")
ORDERING = frozenset({"<", "<=", ">", ">="})
# FIELD, then the operator (the longest that fits), then VALUE; spaces around OP are optional.
_EXPRESSION = re.compile(r"\s*(?P<field>[^\s=!<>]+)\s*(?P<op>!=|<=|>=|==|=|<|>)\s*(?P<value>.*?)\s*")

WHERE_FIELDS = frozenset(GET_KEYS - {"commit"})  # a show row: get's document without the commit
NUMERIC_FIELDS = ("metrics", "artifact.size_bytes")  # ordering these needs a number


@dataclass(frozen=True)
class Condition:
    """``FIELD OP VALUE``, parsed once: VALUE as written (unquoted) and as a number when it is one."""

    field: str
    op: str
    value: str
    number: float | None = None
    quoted: bool = False

    @property
    def text(self) -> str:
        return f"{self.field}{self.op}{self.value}"

    def holds(self, found: Any) -> bool:
        """Whether the value found at FIELD satisfies the condition."""
        if isinstance(found, list):
            if self.op not in ("=", "!="):
                return False
            contained = any(self._equals(item) for item in found)
            return contained if self.op == "=" else not contained
        if self.op in ("=", "!="):
            return self._equals(found) == (self.op == "=")
        return self._ordered(found)

    def _equals(self, found: Any) -> bool:
        if isinstance(found, bool):
            return not self.quoted and self.value == ("true" if found else "false")
        if isinstance(found, (int, float)):
            return self.number is not None and not self.quoted and found == self.number
        if isinstance(found, str):
            return found == self.value
        return found is None and not self.quoted and self.value == "null"

    def _ordered(self, found: Any) -> bool:
        if isinstance(found, (bool, dict, list)) or found is None:
            return False
        if isinstance(found, (int, float)):
            if self.number is None or self.quoted:
                return False
            return _compare(float(found), self.number, self.op)
        if isinstance(found, str):
            return _compare(found, self.value, self.op)
        return False


def _compare(a: Any, b: Any, op: str) -> bool:
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def parse_condition(text: str, option: str = "--where") -> Condition:
    """``metrics.accuracy>=0.9``, ``'artifact.format = onnx'``, ``version!="1.0"`` -> a Condition;
    RegistryError (exit 2) for anything else, and for a field outside the document's shape."""
    match = _EXPRESSION.fullmatch(text)
    if match is None or not match["value"]:
        raise RegistryError(f"{option} '{text}': not FIELD OP VALUE (e.g. metrics.accuracy>=0.9, artifact.format=onnx); "
                            f"OP is one of {' '.join(OPERATORS)}")
    path, op, value = match["field"], match["op"], match["value"]
    op = "=" if op == "==" else op
    check_field(path, f"{option} '{text}'", WHERE_FIELDS)
    quoted = len(value) >= 2 and value[0] == value[-1] and value[0] in "'\""
    if quoted:
        value = value[1:-1]
    number = float(value) if not quoted and NUMBER.fullmatch(value) else None
    if number is not None and not math.isfinite(number):
        number = None
    if op in ORDERING and number is None and _numeric(path):
        raise RegistryError(f"{option} '{text}': {path} is compared as a number, and {value!r} is not one")
    return Condition(path, op, value, number, quoted)


def _numeric(path: str) -> bool:
    return any(path == f or path.startswith(f + ".") for f in NUMERIC_FIELDS)


@dataclass(frozen=True)
class Query:
    """Filters on versions; all of them must hold (AND). An empty query keeps every version."""

    stage: Stage | None = None
    tags: tuple[str, ...] = ()
    owner: str | None = None
    task: str | None = None
    where: tuple[Condition, ...] = ()

    @classmethod
    def of(cls, *, stage: Stage | None = None, tags: Sequence[str] = (), owner: str | None = None,
           task: str | None = None, where: Sequence[str | Condition] = ()) -> Query:
        """A query from plain values; ``where`` as strings (``metrics.accuracy>=0.9``) or Conditions."""
        conditions = tuple(c if isinstance(c, Condition) else parse_condition(c) for c in where)
        return cls(stage, tuple(tags), owner, task, conditions)

    @property
    def filters(self) -> bool:
        """Whether anything beyond the stage is asked."""
        return bool(self.tags or self.owner is not None or self.task is not None or self.where)

    def select(self, models: Iterable[Model]) -> list[tuple[Model, ModelVersion]]:
        """The versions of ``models`` that pass, in the order given (each model's versions
        oldest first). RegistryError when a ``where`` field is in no version of ``models``."""
        models = list(models)
        return list(self.each(lambda: models))

    def each(self, models: Callable[[], Iterable[Model]]) -> Iterator[tuple[Model, ModelVersion]]:
        """:meth:`select`, a model at a time (``models()`` may read them one by one and keep
        none: ``show`` of 50,000 models); it is called again only to word an error."""
        seen = [False] * len(self.where)
        for model in models():
            if self._model_passes(model):
                yield from ((model, v) for v in model.versions if self._version_passes(model, v, seen))
        absent = [c for c, present in zip(self.where, seen, strict=True) if not present]
        if absent:
            _refuse_absent(absent, models)

    def _model_passes(self, model: Model) -> bool:
        return (self.owner is None or model.owner == self.owner) and (self.task is None or model.task == self.task)

    def _version_passes(self, model: Model, version: ModelVersion, seen: list[bool]) -> bool:
        if self.stage is not None and version.stage != self.stage:
            return False
        if self.tags and not all(t in version.tags or t in model.tags for t in self.tags):
            return False
        if not self.where:
            return True
        document = version_document(model, version)
        for i, condition in enumerate(self.where):
            try:
                value = field_of(document, condition.field)
            except KeyError:
                return False
            seen[i] = True
            if not condition.holds(value):
                return False
        return True


def free_form(path: str) -> bool:
    """Whether a field path names what the files choose (a metric, a metadata key, a
    binding's config key) rather than a field of the schema."""
    parts = path.split(".")
    if parts[0] in ("metrics", "metadata"):
        return len(parts) > 1
    return parts[0] == "bindings" and len(parts) > 3 and parts[2] == "config"


def _paths(value: Any, prefix: str, into: set[str]) -> None:
    into.add(prefix)
    if isinstance(value, dict):
        for key, item in value.items():
            _paths(item, f"{prefix}.{key}", into)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _paths(item, f"{prefix}.{index}", into)


def _refuse_absent(absent: list[Condition], models: Callable[[], Iterable[Model]]) -> None:
    """A free-form field (a metric, a metadata key) that no version read has: a typo until
    shown otherwise. A field of the schema's shape that no version has is an empty answer."""
    for condition in absent:
        # Usually some version has it (the filters before it in the query kept the ones
        # that do from being asked): stop at the first.
        if not free_form(condition.field) or any(_has(version_document(m, v), condition.field)
                                                 for m in models() for v in m.versions):
            continue
        head = condition.field.split(".")[0]
        known: set[str] = set()
        names: list[str] = []
        for model in models():
            names.append(model.name)
            for document in (version_document(model, v) for v in model.versions):
                if head in document:
                    _paths(document[head], head, known)
        where = f" of {names[0]}" if len(names) == 1 else ""
        raise RegistryError(f"--where '{condition.text}': no version{where} has {condition.field}"
                            f"{_closest(condition.field, known)}")


def _closest(path: str, known: set[str]) -> str:
    """A "did you mean" for the first part of ``path`` that no version has, among the
    fields beside it; or the fields there."""
    parts = path.split(".")
    depth = max(i for i in range(1, len(parts)) if ".".join(parts[:i]) in known or i == 1)
    prefix = ".".join(parts[:depth])
    siblings = sorted({p.split(".")[depth] for p in known if p.startswith(prefix + ".") and p.count(".") >= depth})
    close = field_hint(parts[depth], siblings)
    if close:
        guess = close.split("'")[1]
        return f"; did you mean '{'.'.join([*parts[:depth], guess, *parts[depth + 1:]])}'?"
    if not siblings:
        return f"; no version has anything under {prefix}"
    shown = ", ".join(f"{prefix}.{s}" for s in siblings[:12]) + (", ..." if len(siblings) > 12 else "")
    return f"; fields there: {shown}"


def _has(document: dict[str, Any], path: str) -> bool:
    try:
        field_of(document, path)
    except KeyError:
        return False
    return True
