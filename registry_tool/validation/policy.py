"""The policy of a snapshot: its registry.yaml read strictly and checked against the
policy schema, or the defaults when there is none.

Beyond the schema, every stage registry.yaml names (in ``transitions``,
``initial_stages``, ``demote_to``, ``gates``) must be one it declares (``stages``, or the
four defaults), and alias names in ``aliases`` must not be reserved. Those messages take
the schema's form (``transitions.none[0]: 'prod' is not one of none, staging,
production, archived``), and replace the schema's where both point at the same place.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from registry_tool.core.findings import Violation
from registry_tool.core.model import reserved_alias
from registry_tool.core.policy import DEFAULT_STAGES, POLICY_FILE, POLICY_MAX_BYTES, Policy
from registry_tool.schema import check as schema
from registry_tool.schema.check import describe, did_you_mean, show_value
from registry_tool.snapshots.base import EntryKind, Snapshot
from registry_tool.yamlfile import loader
from registry_tool.yamlfile.loader import Document

Path = tuple[str | int, ...]


def load_policy(raw: bytes | None) -> tuple[Policy, list[Violation]]:
    """The policy from registry.yaml's bytes (None: no file, the defaults)."""
    data, problems = load_policy_data(raw)
    if problems:
        return Policy(), problems
    return (Policy.from_data(data), []) if data is not None else (Policy(), [])


def load_policy_data(raw: bytes | None) -> tuple[dict[str, Any] | None, list[Violation]]:
    """registry.yaml's bytes as checked data (None: no file, or only comments: all defaults),
    or what is wrong with them."""
    if raw is None:
        return None, []
    doc = loader.load(raw, POLICY_FILE, max_bytes=POLICY_MAX_BYTES)
    if doc.problems:
        return None, doc.problems
    if doc.data is None:  # an empty registry.yaml means "all defaults"
        return None, []
    ours = list(_StageNames(doc).problems()) if isinstance(doc.data, dict) else []
    problems = schema.check(doc, schema.POLICY_SCHEMA, ours)
    if problems:
        return None, problems
    return dict(doc.data), []


def policy_data_of(snapshot: Snapshot) -> tuple[dict[str, Any] | None, list[Violation]]:
    """The snapshot's registry.yaml as checked data (see :func:`load_policy_data`)."""
    entry = snapshot.policy_entry()
    if entry is None or entry.kind is not EntryKind.FILE or snapshot.size(entry) > POLICY_MAX_BYTES:
        return None, policy_of(snapshot)[1]
    return load_policy_data(snapshot.read(entry))


class _StageNames:
    """The stage and alias names registry.yaml uses, held to the stages it declares."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.data: Mapping[str, Any] = doc.data
        declared = self.data.get("stages")
        self.declared = isinstance(declared, list)
        items = declared if isinstance(declared, list) else []
        if self.declared:
            self.stages = [i for i in items if isinstance(i, dict) and isinstance(i.get("name"), str)]
        else:
            self.stages = [{"name": d.name.value, "unique": d.unique, "final": d.final} for d in DEFAULT_STAGES.defs]
        self.names = [i["name"] for i in self.stages]
        self.open = [i["name"] for i in self.stages if not i.get("final")]
        self.ordinary_or_final = [i["name"] for i in self.stages if not i.get("unique")]

    def problems(self) -> Iterator[Violation]:
        yield from self._declarations()
        yield from self._transitions()
        yield from self._values(("initial_stages",), self.open)
        if isinstance(self.data.get("demote_to"), str):
            yield from self._value(("demote_to",), self.data["demote_to"], self.ordinary_or_final)
        yield from self._keys(("gates",), self.open)
        models = self.data.get("models")
        for name, override in models.items() if isinstance(models, dict) else ():
            if isinstance(override, dict):
                yield from self._keys(("models", name, "gates"), self.open)
        yield from self._aliases()

    def _violation(self, rule: str, path: Path, message: str, *, key: bool = False) -> Violation:
        return self.doc.violation(rule, path, message, key=key)

    def _declarations(self) -> Iterator[Violation]:
        if not self.declared:
            return
        first: dict[str, int] = {}
        for index, item in enumerate(self.data["stages"]):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            if name in first:
                yield self._violation("schema", ("stages", index, "name"),
                                      f"stages[{index}].name: {show_value(name)} is declared twice (first at stages[{first[name]}])")
            first.setdefault(name, index)
        if self.stages and not self.open:
            yield self._violation("schema", ("stages",), "stages: every stage is final; a new version needs a stage to start in")

    def _transitions(self) -> Iterator[Violation]:
        yield from self._keys(("transitions",), self.open)
        transitions = self.data.get("transitions")
        for stage in transitions if isinstance(transitions, dict) else ():
            yield from self._values(("transitions", stage), self.names)

    def _node(self, path: Path) -> Any:
        value: Any = self.data
        for part in path:
            if isinstance(value, dict) and isinstance(part, str):
                value = value.get(part)
            else:
                return None
        return value

    def _keys(self, path: Path, allowed: list[str]) -> Iterator[Violation]:
        """Keys of the mapping at ``path`` that are not allowed stages: unknown fields, as the schema says."""
        mapping = self._node(path)
        for key in mapping if isinstance(mapping, dict) else ():
            if key not in allowed:
                yield self._violation("unknown-field", (*path, key),
                                      f"{describe(path)}: unknown field '{key}'{did_you_mean(key, sorted(allowed), listing=True)}",
                                      key=True)

    def _values(self, path: Path, allowed: list[str]) -> Iterator[Violation]:
        items = self._node(path)
        for index, value in enumerate(items if isinstance(items, list) else ()):
            if isinstance(value, str):
                yield from self._value((*path, index), value, allowed)

    def _value(self, path: Path, value: str, allowed: list[str]) -> Iterator[Violation]:
        if value not in allowed:
            yield self._violation("schema", path,
                                  f"{describe(path)}: {show_value(value)} is not one of {', '.join(allowed)}{did_you_mean(value, allowed)}")

    def _aliases(self) -> Iterator[Violation]:
        aliases = self.data.get("aliases")
        for name in aliases if isinstance(aliases, dict) else ():
            if not isinstance(name, str):
                continue
            if reserved_alias(name) or name in self.names:
                why = "a stage name" if name in self.names else "MLflow's name for a version"
                yield self._violation("schema", ("aliases", name),
                                      f"aliases: {show_value(name)} is reserved ({why}), never an alias name", key=True)


def policy_of(snapshot: Snapshot) -> tuple[Policy, list[Violation]]:
    """The snapshot's policy (registry.yaml, or the defaults) and what is wrong with it."""
    entry = snapshot.policy_entry()
    if entry is None:
        return load_policy(None)
    if entry.kind is not EntryKind.FILE:
        kind = "special file (FIFO, socket or device)" if entry.kind is EntryKind.OTHER else entry.kind.value
        return Policy(), [Violation(POLICY_FILE, 1, 1, "unexpected-file", f"{POLICY_FILE} is a {kind}, not a regular file")]
    size = snapshot.size(entry)
    if size > POLICY_MAX_BYTES:
        return Policy(), [loader.too_large(POLICY_FILE, size, POLICY_MAX_BYTES)]
    return load_policy(snapshot.read(entry))


def policy_id(snapshot: Snapshot) -> str | None:
    entry = snapshot.policy_entry()
    return snapshot.blob_id(entry) if entry is not None and entry.kind is EntryKind.FILE else None
