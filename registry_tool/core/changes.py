"""What changed in one model between two versions of its file, as semantic events.

Pure: takes two :class:`~registry_tool.model.Model` values (``None`` for "no file") and
returns :class:`Change` events. ``history`` (one commit against its parent) and ``diff``
(any two revisions) both use it, so a stage move reads the same in both.

Order is deterministic: ``model_created``, ``model_updated``, then each version of the
head in file order (``version_registered`` or ``stage_changed``, then
``version_updated``), then versions gone from the head in base order
(``version_removed``), then each alias set, moved or removed, by alias name
(``alias_changed``), and ``model_removed`` last.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from registry_tool.core.model import MetricValue, Model, ModelVersion, Stage, flat_metrics, same_value


class ChangeKind(str, Enum):
    MODEL_CREATED = "model_created"
    MODEL_UPDATED = "model_updated"
    VERSION_REGISTERED = "version_registered"
    STAGE_CHANGED = "stage_changed"
    VERSION_UPDATED = "version_updated"
    VERSION_REMOVED = "version_removed"
    ALIAS_CHANGED = "alias_changed"
    MODEL_REMOVED = "model_removed"
    POLICY_CHANGED = "policy_changed"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class MetricChange:
    """One metric's value before and after (None: absent on that side)."""

    metric: str  # ``accuracy`` or ``suite/metric``
    before: MetricValue | None
    after: MetricValue | None

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "from": self.before, "to": self.after}


@dataclass(frozen=True)
class PolicyChange:
    """One key of registry.yaml before and after, by its path of keys
    (``gates.production.require_sha256``); None: not set on that side."""

    key: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "from": self.before, "to": self.after}


@dataclass(frozen=True)
class Change:
    """One semantic event in one model.

    ``from_stage``/``to_stage``: a stage move; for ``version_registered`` only
    ``to_stage`` (where it starts), for ``version_removed`` only ``from_stage`` (where
    it was). ``fields``: what a ``version_updated``/``model_updated`` changed.
    ``alias``, ``from_version``/``to_version``: an ``alias_changed`` (None on one side:
    the alias was set, or removed).
    """

    kind: ChangeKind
    model: str
    version: str | None = None
    from_stage: Stage | None = None
    to_stage: Stage | None = None
    fields: tuple[str, ...] = ()
    metrics: tuple[MetricChange, ...] = ()
    policy: tuple[PolicyChange, ...] = ()  # policy_changed: the keys of registry.yaml that changed (model is "")
    alias: str | None = None
    from_version: str | None = None
    to_version: str | None = None

    def enters(self, stage: str) -> bool:
        """Whether this event put a version in ``stage`` (it was not there before)."""
        return self.to_stage == stage and self.from_stage != stage

    def leaves(self, stage: str) -> bool:
        return self.from_stage == stage and self.to_stage != stage

    @property
    def enters_production(self) -> bool:
        return self.enters(Stage.PRODUCTION)

    @property
    def leaves_production(self) -> bool:
        return self.leaves(Stage.PRODUCTION)

    @property
    def sets_stage(self) -> bool:
        """Whether this event put the version in the stage it has afterwards."""
        return self.kind in (ChangeKind.VERSION_REGISTERED, ChangeKind.STAGE_CHANGED)

    def to_dict(self) -> dict[str, Any]:
        """Every key always present (null or empty when it does not apply)."""
        return {
            "event": self.kind.value,
            "model": self.model or None,
            "version": self.version,
            "from_stage": self.from_stage.value if self.from_stage else None,
            "to_stage": self.to_stage.value if self.to_stage else None,
            "fields": list(self.fields),
            "metrics": [m.to_dict() for m in self.metrics],
            "policy": [p.to_dict() for p in self.policy],
            "alias": self.alias,
            "from_version": self.from_version,
            "to_version": self.to_version,
        }


MODEL_FIELDS = ("description", "owner", "task", "tags", "metadata")
VERSION_FIELDS = ("description", "artifact.uri", "artifact.sha256", "artifact.size_bytes", "artifact.format",
                  "run_id", "metrics", "tags", "metadata", "bindings")


def policy_change(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> Change | None:
    """registry.yaml's data before and after (None: no file, or all defaults) as one
    ``policy_changed`` event listing every key path whose value differs, or None."""
    old, new = _leaves(before or {}), _leaves(after or {})
    changed = tuple(PolicyChange(key, old.get(key), new.get(key)) for key in sorted(old.keys() | new.keys())
                    if old.get(key) != new.get(key) or (key in old) != (key in new))
    if not changed:
        return None
    return Change(ChangeKind.POLICY_CHANGED, "", fields=tuple(c.key for c in changed), policy=changed)


def _leaves(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every value of nested mappings by its dotted key path; lists and scalars are values."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(_leaves(value, path + "."))
        else:
            out[path] = value
    return out


def model_changes(name: str, base: Model | None, head: Model | None) -> list[Change]:
    """The events that turn ``base`` into ``head`` (either may be None: no file)."""
    return list(_changes(name, base, head))


def _changes(name: str, base: Model | None, head: Model | None) -> Iterator[Change]:
    if head is None:
        if base is not None:
            yield Change(ChangeKind.MODEL_REMOVED, name)
        return
    yield from _model_level(name, base, head)
    before = base.by_label if base is not None else {}
    for version in _unique(head.versions):
        yield from _version_changes(name, before.get(version.version), version)
    if base is not None:
        for old in _unique(base.versions):
            if old.version not in head.by_label:
                yield Change(ChangeKind.VERSION_REMOVED, name, old.version, from_stage=old.stage)
    yield from _alias_changes(name, base.aliases if base is not None else {}, head.aliases)


def _alias_changes(name: str, before: Mapping[str, str], after: Mapping[str, str]) -> Iterator[Change]:
    for alias in sorted(before.keys() | after.keys()):
        old, new = before.get(alias), after.get(alias)
        if old != new:
            yield Change(ChangeKind.ALIAS_CHANGED, name, alias=alias, from_version=old, to_version=new)


def _model_level(name: str, base: Model | None, head: Model) -> Iterator[Change]:
    if base is None:
        yield Change(ChangeKind.MODEL_CREATED, name)
        return
    fields = tuple(f for f in MODEL_FIELDS if getattr(base, f) != getattr(head, f))
    if fields:
        yield Change(ChangeKind.MODEL_UPDATED, name, fields=fields)


def _version_changes(name: str, old: ModelVersion | None, version: ModelVersion) -> Iterator[Change]:
    if old is version:
        return  # the very same value (history shares unchanged versions between files)
    if old is None:
        yield Change(ChangeKind.VERSION_REGISTERED, name, version.version, to_stage=version.stage)
        return
    if old.stage != version.stage:
        yield Change(ChangeKind.STAGE_CHANGED, name, version.version, old.stage, version.stage)
    fields = version_fields_changed(old, version)
    if fields:
        yield Change(ChangeKind.VERSION_UPDATED, name, version.version, fields=fields,
                     metrics=metric_changes(old, version))


def _unique(versions: tuple[ModelVersion, ...]) -> list[ModelVersion]:
    """Each label once, as ``Model.by_label`` sees it (the validator rejects repeats)."""
    seen: dict[str, ModelVersion] = {}
    for v in versions:
        seen.pop(v.version, None)
        seen[v.version] = v
    return sorted(seen.values(), key=lambda v: v.index)


def _field(version: ModelVersion, name: str) -> Any:
    value: Any = version
    for part in name.split("."):
        value = getattr(value, part)
    return value


def version_fields_changed(old: ModelVersion, new: ModelVersion) -> tuple[str, ...]:
    fields = []
    for name in VERSION_FIELDS:
        if name == "metrics":
            if metric_changes(old, new):
                fields.append(name)
        elif _field(old, name) != _field(new, name):
            fields.append(name)
    return tuple(fields)


def metric_changes(old: ModelVersion, new: ModelVersion) -> tuple[MetricChange, ...]:
    before, after = flat_metrics(old), flat_metrics(new)
    return tuple(
        MetricChange(ref, before.get(ref), after.get(ref))
        for ref in sorted(before.keys() | after.keys())
        if ref not in before or ref not in after or not same_value(before[ref], after[ref])
    )
