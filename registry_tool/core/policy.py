"""The policy: registry.yaml at the repository root, or the defaults.

Says where the models live, which stages exist (in order, with their properties: a
*unique* stage holds at most one version of a model, a *final* stage is never left),
which stage moves are allowed, what entering a unique stage does to the version already
there, and which gates a version must pass to enter a stage or to take an alias.

Rules and commands ask the policy about a stage ("is it unique?", "is it final?") and
never compare with ``production`` or ``archived`` themselves: without ``stages`` in
registry.yaml the answers are today's defaults (none, staging, production unique,
archived final).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from registry_tool.core.model import EMPTY, Stage
from registry_tool.core.record import Record

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
GATE_KEYS = ("require_sha256", "required_metrics", "required_suites", "min_metrics", "max_metrics", "no_regression")


class StageDef(NamedTuple):
    """One stage as registry.yaml declares it."""

    name: Stage
    unique: bool = False  # at most one version of a model is in it
    final: bool = False  # a version never leaves it


class StageSet(Record):
    """The stages of a registry, in their declared order, with their properties."""

    __slots__ = ("_by_name", "declared", "defs")
    _fields = ("defs", "declared")

    def __init__(self, defs: tuple[StageDef, ...], declared: bool = False) -> None:
        self.defs: Final = defs
        self.declared: Final = declared  # from registry.yaml's ``stages`` (False: the four defaults)
        self._by_name: Final[dict[str, StageDef]] = {d.name: d for d in defs}

    @property
    def names(self) -> tuple[Stage, ...]:
        return tuple(d.name for d in self.defs)

    def __iter__(self) -> Iterator[Stage]:
        return iter(self.names)

    def __contains__(self, stage: object) -> bool:
        return stage in self._by_name

    def get(self, name: str) -> StageDef | None:
        return self._by_name.get(name)

    def unique(self, stage: str) -> bool:
        found = self._by_name.get(stage)
        return found is not None and found.unique

    def final(self, stage: str) -> bool:
        found = self._by_name.get(stage)
        return found is not None and found.final

    def index(self, stage: str) -> int:
        """The stage's place in the declared order (-1: not declared)."""
        found = self._by_name.get(stage)
        return self.defs.index(found) if found is not None else -1

    @property
    def unique_stages(self) -> tuple[Stage, ...]:
        return tuple(d.name for d in self.defs if d.unique)

    @property
    def open_stages(self) -> tuple[Stage, ...]:
        """The stages a version may leave (not final)."""
        return tuple(d.name for d in self.defs if not d.final)

    def between(self, before: str, after: str) -> tuple[Stage, ...]:
        """The ordinary stages (neither unique nor final) strictly between two stages, in order:
        what a move from ``before`` to ``after`` skips."""
        low, high = self.index(before), self.index(after)
        return tuple(d.name for d in self.defs[low + 1:high] if not d.unique and not d.final) if 0 <= low < high else ()

    @property
    def archive_stage(self) -> Stage | None:
        """Where ``archive`` puts a version: ``archived`` when it is declared final, else the
        first final stage (None: the policy declares no final stage)."""
        finals = [d.name for d in self.defs if d.final]
        return Stage.ARCHIVED if Stage.ARCHIVED in finals else (finals[0] if finals else None)

    @property
    def first(self) -> Stage:
        """The first stage a version may leave (``none`` by default): where retention archives from."""
        return self.open_stages[0] if self.open_stages else self.defs[0].name

    def demote_target(self, stage: str) -> Stage | None:
        """Where a version leaving a unique stage goes when nothing says: the nearest ordinary
        stage before it, else any ordinary stage, else the archive stage."""
        ordinary = [d for d in self.defs if not d.unique and not d.final]
        earlier = [d.name for d in ordinary if self.index(d.name) < self.index(stage)]
        if earlier:
            return earlier[-1]
        return ordinary[0].name if ordinary else self.archive_stage

    @classmethod
    def from_data(cls, items: list[Mapping[str, Any]]) -> StageSet:
        return cls(tuple(StageDef(Stage(i["name"]), bool(i.get("unique", False)), bool(i.get("final", False)))
                         for i in items), declared=True)


DEFAULT_STAGES = StageSet((StageDef(S.NONE), StageDef(S.STAGING), StageDef(S.PRODUCTION, unique=True),
                           StageDef(S.ARCHIVED, final=True)))


class Gates(NamedTuple):
    """What a version must show to enter a stage or to take an alias."""

    require_sha256: bool = False
    required_metrics: tuple[str, ...] = ()
    required_suites: tuple[str, ...] = ()
    min_metrics: Mapping[str, float] = EMPTY
    max_metrics: Mapping[str, float] = EMPTY
    no_regression: Mapping[str, str] = EMPTY  # ref -> higher_is_better | lower_is_better

    @classmethod
    def from_values(cls, values: Mapping[str, Any], base: Gates | None = None) -> Gates:
        """The gates a registry.yaml gate mapping sets, merged over ``base``."""
        fields: dict[str, Any] = {key: tuple(value) if isinstance(value, list) else value for key, value in values.items()}
        return (base or cls())._replace(**fields)


def _stage_gates(data: Mapping[str, Any], base: Mapping[Stage, Gates] | None = None) -> Mapping[Stage, Gates]:
    """``gates: {stage: {...}}`` as gates by stage, each merged over ``base``'s for that stage."""
    merged = dict(base or {})
    for stage, values in data.items():
        merged[Stage(stage)] = Gates.from_values(values, merged.get(Stage(stage)))
    return MappingProxyType(merged)


class Policy(NamedTuple):
    models_dir: str = "models"
    max_file_bytes: int = DEFAULT_MAX_BYTES
    stages: StageSet = DEFAULT_STAGES
    transitions: Mapping[Stage, frozenset[Stage]] = DEFAULT_TRANSITIONS
    initial_stages: frozenset[Stage] = frozenset({S.NONE, S.STAGING})
    on_promote: str = "demote"  # demote | refuse
    demote_to: Stage | None = S.STAGING  # None: each unique stage's nearest ordinary stage before it
    gates: Mapping[Stage, Gates] = EMPTY  # by the stage a version enters
    model_gates: Mapping[str, Mapping[Stage, Gates]] = EMPTY
    alias_gates: Mapping[str, Gates] = EMPTY  # by the alias a version takes
    retention_keep: int | None = None  # retention: {keep: N}: what `retention` without --keep keeps
    model_retention: Mapping[str, int] = EMPTY  # models: {name: {retention: {keep: N}}}
    rollback_exempt_gates: bool = True  # rollback: {exempt_gates}: a return to a unique stage skips the metric gates

    def allows(self, before: Stage, after: Stage) -> bool:
        """Whether an existing version may move from one stage to another (a final stage is never left)."""
        return not self.stages.final(before) and after in self.transitions.get(before, frozenset())

    def is_unique(self, stage: str) -> bool:
        return self.stages.unique(stage)

    def is_final(self, stage: str) -> bool:
        return self.stages.final(stage)

    def demote_target(self, stage: str) -> Stage | None:
        """Where the version in a unique stage goes when another one enters it (on_promote: demote)."""
        return self.demote_to if self.demote_to is not None else self.stages.demote_target(stage)

    def gates_for(self, model: str, stage: str = S.PRODUCTION) -> Gates:
        """The gates a version of ``model`` must pass to enter ``stage`` (none set: empty gates)."""
        found = self.model_gates.get(model, self.gates).get(Stage(stage))
        return found if found is not None else Gates()

    def gated_stage(self, model: str, stage: str) -> bool:
        """Whether entering ``stage`` is judged at all: a unique stage always (its gates may be
        empty: ``diff`` says so), any other stage when the policy sets gates for it."""
        return self.stages.unique(stage) or Stage(stage) in self.model_gates.get(model, self.gates)

    def keep_for(self, model: str) -> int | None:
        """How many of a model's newest versions retention keeps by default (None: not set)."""
        return self.model_retention.get(model, self.retention_keep)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Policy:
        """A policy from registry.yaml's data (schema-valid, and its stage names consistent:
        :func:`registry_tool.validation.policy.load_policy` checks both first)."""
        defaults = cls()
        stages = StageSet.from_data(data["stages"]) if "stages" in data else DEFAULT_STAGES
        if stages.declared:
            transitions = {s: frozenset() if stages.final(s) else frozenset(t for t in stages.names if t != s)
                           for s in stages.names}
            initial = [stages.open_stages[0].value] if stages.open_stages else []
            demote_to = data.get("demote_to")
        else:
            transitions = dict(DEFAULT_TRANSITIONS)
            initial = sorted(s.value for s in defaults.initial_stages)
            demote_to = data.get("demote_to", S.STAGING.value)
        for stage, targets in data.get("transitions", {}).items():
            transitions[Stage(stage)] = frozenset(Stage(t) for t in targets)
        gates = _stage_gates(data.get("gates", {}))
        return cls(
            models_dir=data.get("models_dir", defaults.models_dir).rstrip("/"),
            max_file_bytes=data.get("max_file_bytes", defaults.max_file_bytes),
            stages=stages,
            transitions=MappingProxyType(transitions),
            initial_stages=frozenset(Stage(s) for s in data.get("initial_stages", initial)),
            on_promote=data.get("on_promote", defaults.on_promote),
            demote_to=Stage(demote_to) if demote_to is not None else None,
            gates=gates,
            model_gates={name: _stage_gates(override.get("gates", {}), base=gates)
                         for name, override in data.get("models", {}).items()},
            alias_gates={alias: Gates.from_values(entry.get("gates", {}))
                         for alias, entry in data.get("aliases", {}).items()},
            retention_keep=data.get("retention", {}).get("keep"),
            model_retention=_model_retention(data),
            rollback_exempt_gates=data.get("rollback", {}).get("exempt_gates", defaults.rollback_exempt_gates),
        )


def _model_retention(data: Mapping[str, Any]) -> Mapping[str, int]:
    """``models: {NAME: {retention: {keep: N}}}`` as NAME -> N."""
    return {name: override["retention"]["keep"] for name, override in data.get("models", {}).items()
            if "keep" in override.get("retention", {})}
