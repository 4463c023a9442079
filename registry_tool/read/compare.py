"""Versions of one model side by side: what ``registry-tool compare`` shows.

Each version as ``get`` shows it, and every metric (suite metrics included, as
``suite/name``) with its value in each version and its change against the first version
given. A metric the policy guards with ``no_regression`` (the model's gates, as
``validate`` reads them) carries its direction, and each change is ``better``, ``worse``
or ``same``: what the gate would say if that version replaced the first in production.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from registry_tool.core.model import MetricValue, Model, ModelVersion, flat_metrics, split_metric
from registry_tool.errors import RegistryError
from registry_tool.read.documents import version_dict

if TYPE_CHECKING:
    from registry_tool.core.policy import Policy
    from registry_tool.read.api import RegistrySnapshot

HIGHER = "higher_is_better"


@dataclass(frozen=True)
class MetricRow:
    """One metric across the versions compared."""

    metric: str  # accuracy, or suite/name
    values: tuple[MetricValue | None, ...]  # None: the version has no such metric
    deltas: tuple[int | float | None, ...]  # against the first version; None for the first and for non-numbers
    direction: str | None = None  # higher_is_better | lower_is_better, when no_regression guards it
    verdicts: tuple[str | None, ...] = ()  # better | worse | same against the first, when guarded

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "values": list(self.values), "deltas": list(self.deltas),
                "direction": self.direction, "verdicts": list(self.verdicts) or [None] * len(self.values)}


@dataclass(frozen=True)
class Comparison:
    model: Model
    versions: tuple[ModelVersion, ...]
    commit: str
    rev: str
    metrics: tuple[MetricRow, ...]

    def to_dict(self) -> dict[str, Any]:
        """``{"model", "commit", "versions": [version as get shows it], "metrics": [...]}``."""
        return {
            "model": self.model.name,
            "commit": self.commit,
            "versions": [version_dict(v) for v in self.versions],
            "metrics": [row.to_dict() for row in self.metrics],
        }


def compare(snap: RegistrySnapshot, name: str, labels: Sequence[str]) -> Comparison:
    """The versions ``labels`` of model ``name`` at ``snap``, the first being the reference.
    RegistryError for fewer than two or a label given twice; NotFound for a missing one."""
    if len(labels) < 2:
        raise RegistryError("give at least two versions to compare")
    twice = sorted({label for label in labels if labels.count(label) > 1})
    if twice:
        raise RegistryError(f"version {twice[0]} is given twice; give each version once")
    versions = tuple(snap.version(name, version=label) for label in labels)
    directions = _directions(snap.policy, name)
    return Comparison(snap.model(name), versions, snap.commit, snap.rev, metric_rows(versions, directions))


def _directions(policy: Policy, model: str) -> dict[str, str]:
    """The no_regression directions of the model's gates, whatever stage they guard."""
    found: dict[str, str] = {}
    for gates in policy.model_gates.get(model, policy.gates).values():
        found.update(gates.no_regression)
    return found


def metric_rows(versions: Sequence[ModelVersion], directions: Mapping[str, str]) -> tuple[MetricRow, ...]:
    """Every metric any of the versions has: top-level ones first, then each suite's, sorted."""
    flat = [flat_metrics(v) for v in versions]
    refs = sorted({ref for metrics in flat for ref in metrics}, key=lambda ref: (split_metric(ref)[0] or "", ref))
    rows = []
    for ref in refs:
        values = tuple(metrics.get(ref) for metrics in flat)
        deltas = (None, *(_delta(values[0], value) for value in values[1:]))
        direction = directions.get(ref)
        verdicts = tuple(_verdict(delta, direction) for delta in deltas) if direction else ()
        rows.append(MetricRow(ref, values, deltas, direction, verdicts))
    return tuple(rows)


def _number(value: MetricValue | None) -> int | float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _delta(first: MetricValue | None, value: MetricValue | None) -> int | float | None:
    a, b = _number(first), _number(value)
    if a is None or b is None:
        return None
    delta = b - a
    return delta if isinstance(delta, int) else float(f"{delta:.12g}")  # 0.93 - 0.92 is 0.01, not 0.010000000000000009


def _verdict(delta: int | float | None, direction: str) -> str | None:
    if delta is None:
        return None
    if delta == 0:
        return "same"
    return "better" if (delta > 0) == (direction == HIGHER) else "worse"
