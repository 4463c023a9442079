"""The policy: registry.yaml at the repository root, or the defaults.

Says where the models live, which stage moves are allowed, what a promotion does to the
current production version, and which gates a version must pass to enter production.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Mapping

from registry_tool.core.model import Stage

POLICY_FILE = "registry.yaml"  # at the repository root
POLICY_MAX_BYTES = 64 * 1024  # a larger registry.yaml is refused unread
DEFAULT_MAX_BYTES = 1024 * 1024  # a larger model file is refused unread (policy max_file_bytes)

S = Stage
DEFAULT_TRANSITIONS: Mapping[Stage, frozenset[Stage]] = MappingProxyType({
    S.NONE: frozenset({S.STAGING, S.ARCHIVED}),
    S.STAGING: frozenset({S.PRODUCTION, S.NONE, S.ARCHIVED}),
    S.PRODUCTION: frozenset({S.STAGING, S.ARCHIVED}),
    S.ARCHIVED: frozenset(),  # final, whatever the policy says
})


@dataclass(frozen=True)
class Gates:
    """What a version must show to enter production."""

    require_sha256: bool = False
    required_metrics: tuple[str, ...] = ()
    required_suites: tuple[str, ...] = ()
    min_metrics: Mapping[str, float] = field(default_factory=dict)
    max_metrics: Mapping[str, float] = field(default_factory=dict)
    no_regression: Mapping[str, str] = field(default_factory=dict)  # ref -> higher_is_better | lower_is_better

    @classmethod
    def from_data(cls, data: Mapping[str, Any], base: "Gates | None" = None) -> "Gates":
        values: dict[str, Any] = {}
        for key, value in data.get("production", {}).items():
            values[key] = tuple(value) if isinstance(value, list) else value
        return replace(base or cls(), **values)


@dataclass(frozen=True)
class Policy:
    models_dir: str = "models"
    max_file_bytes: int = DEFAULT_MAX_BYTES
    transitions: Mapping[Stage, frozenset[Stage]] = field(default_factory=lambda: DEFAULT_TRANSITIONS)
    initial_stages: frozenset[Stage] = frozenset({S.NONE, S.STAGING})
    on_promote: str = "demote"  # demote | refuse
    demote_to: Stage = S.STAGING
    gates: Gates = field(default_factory=Gates)
    model_gates: Mapping[str, Gates] = field(default_factory=dict)
    retention_keep: int | None = None  # retention: {keep: N}: what `retention` without --keep keeps
    model_retention: Mapping[str, int] = field(default_factory=dict)  # models: {name: {retention: {keep: N}}}

    def allows(self, before: Stage, after: Stage) -> bool:
        return after in self.transitions.get(before, frozenset())

    def gates_for(self, model: str) -> Gates:
        return self.model_gates.get(model, self.gates)

    def keep_for(self, model: str) -> int | None:
        """How many of a model's newest versions retention keeps by default (None: not set)."""
        return self.model_retention.get(model, self.retention_keep)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> "Policy":
        transitions = dict(DEFAULT_TRANSITIONS)
        for stage, targets in data.get("transitions", {}).items():
            transitions[Stage(stage)] = frozenset(Stage(t) for t in targets)
        gates = Gates.from_data(data.get("gates", {}))
        defaults = cls()
        return cls(
            models_dir=data.get("models_dir", defaults.models_dir).rstrip("/"),
            max_file_bytes=data.get("max_file_bytes", defaults.max_file_bytes),
            transitions=MappingProxyType(transitions),
            initial_stages=frozenset(Stage(s) for s in data.get("initial_stages", [s.value for s in defaults.initial_stages])),
            on_promote=data.get("on_promote", defaults.on_promote),
            demote_to=Stage(data.get("demote_to", defaults.demote_to.value)),
            gates=gates,
            model_gates={
                name: Gates.from_data(override.get("gates", {}), base=gates)
                for name, override in data.get("models", {}).items()
            },
            retention_keep=data.get("retention", {}).get("keep"),
            model_retention={name: override["retention"]["keep"] for name, override in data.get("models", {}).items()
                             if "keep" in override.get("retention", {})},
        )
