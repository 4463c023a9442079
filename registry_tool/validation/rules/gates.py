"""Gates: what a version must show to enter a stage (policy ``gates``, by stage: production
by default) or to take an alias (policy ``aliases``).

Each gate is one entry of :data:`GATES`: its rule id, whether a policy sets it, and its
check. The validator (``validate --base``/``--range``, the editing commands) and
``diff``'s gate report both read this one table, for stages and aliases alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

from registry_tool.core.findings import Violation
from registry_tool.core.model import ModelVersion, split_metric
from registry_tool.core.policy import Gates, Policy
from registry_tool.core.rules import RuleInfo, declare
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.rules.registry import change_rule


@dataclass(frozen=True)
class Candidate:
    """A version entering a stage or taking an alias: its file, the gates it is held to,
    the version it replaces there (None: there is none), and what it enters, in words
    (``production``, ``alias champion``)."""

    mf: ModelFile
    gates: Gates
    version: ModelVersion
    current: ModelVersion | None
    target: str = "production"

    @property
    def label(self) -> str:
        return f"{self.mf.model.name} {self.version.version}"

    def metric_path(self, ref: str) -> tuple[str | int, ...]:
        suite, name = split_metric(ref)
        base: tuple[str | int, ...] = ("versions", self.version.index, "metrics")
        return base + ("suites", suite, name) if suite is not None else base + (name,)

    def violation(self, rule: RuleInfo, path: tuple[str | int, ...], message: str, *, key: bool = False) -> Violation:
        return self.mf.violation(rule.id, path, f"{self.label}: {message}", key=key)


@dataclass(frozen=True)
class Gate:
    rule: RuleInfo
    configured: Callable[[Gates], object]  # truthy when the policy sets this gate
    check: Callable[[Candidate], Iterator[Violation]]


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _not_a_number(value: object) -> bool:
    """Set, but not something a numeric gate can compare (a boolean such as ``slo_ok: true``)."""
    return value is not None and _number(value) is None


def _shown(value: object) -> str:
    return "true" if value is True else "false" if value is False else str(value)


def _sha256(c: Candidate) -> Iterator[Violation]:
    if c.gates.require_sha256 and c.version.artifact.sha256 is None:
        yield c.violation(SHA256, ("versions", c.version.index, "artifact"), f"{c.target} needs artifact.sha256", key=True)


def _required_metrics(c: Candidate) -> Iterator[Violation]:
    for ref in c.gates.required_metrics:
        if c.version.metric(ref) is None:
            yield c.violation(REQUIRED_METRIC, c.metric_path(ref), f"{c.target} needs metric {ref}")


def _required_suites(c: Candidate) -> Iterator[Violation]:
    for suite in c.gates.required_suites:
        if suite not in c.version.suites:
            yield c.violation(REQUIRED_SUITE, ("versions", c.version.index, "metrics", "suites"),
                              f"{c.target} needs results of evaluation suite {suite} (metrics.suites.{suite})")


def _bounds(rule: RuleInfo, bounds: Mapping[str, float], word: str, fails: Callable[[float, float], bool],
            c: Candidate) -> Iterator[Violation]:
    for ref, bound in bounds.items():
        if _not_a_number(c.version.metric(ref)):
            yield c.violation(rule, c.metric_path(ref), f"{ref} is {_shown(c.version.metric(ref))}, not a number: "
                                                        f"{word} {bound} compares numbers only")
            continue
        value = _number(c.version.metric(ref))
        if value is None:
            yield c.violation(rule, c.metric_path(ref), f"{c.target} needs numeric metric {ref} {word} {bound}")
        elif fails(value, bound):
            yield c.violation(rule, c.metric_path(ref), f"{ref} is {c.version.metric(ref)}; {c.target} needs {word} {bound}")


def _min_metrics(c: Candidate) -> Iterator[Violation]:
    return _bounds(MIN_METRIC, c.gates.min_metrics, "at least", lambda v, b: v < b, c)


def _max_metrics(c: Candidate) -> Iterator[Violation]:
    return _bounds(MAX_METRIC, c.gates.max_metrics, "at most", lambda v, b: v > b, c)


def _no_regression(c: Candidate) -> Iterator[Violation]:
    if c.current is None:
        return
    for ref, direction in c.gates.no_regression.items():
        before, after = c.current.metric(ref), c.version.metric(ref)
        was, now = _number(before), _number(after)
        if was is None:
            continue  # nothing to regress from
        if _not_a_number(after):
            yield c.violation(NO_REGRESSION, c.metric_path(ref), f"{ref} is {_shown(after)}, not a number: no_regression "
                                                                 f"compares numbers only ({before} before)")
            continue
        if now is None or (now < was if direction == "higher_is_better" else now > was):
            shown = "missing" if after is None else after
            yield c.violation(NO_REGRESSION, c.metric_path(ref),
                              f"{ref} is {shown}, worse than {before} of {c.target} version {c.current.version} "
                              f"({direction.replace('_', ' ')})")


SHA256 = declare("gate-sha256", "change",
                 "Gate: a version enters production (a gated stage or alias) without artifact.sha256 (require_sha256).",
                 help="The gate requires artifact.sha256 so that deploy tools can verify what they "
                      "download. Add the artifact's SHA-256 (64 lower-case hex digits) before promoting "
                      "(or moving the alias).")
REQUIRED_METRIC = declare("gate-required-metric", "change",
                          "Gate: a version enters production (a gated stage or alias) without a required metric.",
                          help="The gate requires this metric (required_metrics in registry.yaml). Record it "
                               "with registry-tool metrics before promoting (or moving the alias).")
REQUIRED_SUITE = declare("gate-required-suite", "change",
                         "Gate: a version enters production (a gated stage or alias) without results of a required evaluation suite.",
                         help="The gate requires results of this evaluation suite (required_suites). Record "
                              "the suite's results before promoting (or moving the alias).")
MIN_METRIC = declare("gate-min-metric", "change", "Gate: a metric below its minimum (min_metrics).",
                     help="The metric is below the minimum that registry.yaml sets for the stage or alias "
                          "(min_metrics). Promote a version that meets it, or change the gate in a separate, "
                          "reviewed change.")
MAX_METRIC = declare("gate-max-metric", "change", "Gate: a metric above its maximum (max_metrics).",
                     help="The metric is above the maximum that registry.yaml sets for the stage or alias "
                          "(max_metrics). Promote a version that meets it, or change the gate in a separate, "
                          "reviewed change.")
NO_REGRESSION = declare("gate-no-regression", "change",
                        "Gate: a metric worse than the current production version's, or the alias's previous version's (no_regression).",
                        help="The new version is worse than the one it replaces (in production, or under the "
                             "alias) on a metric the policy guards (no_regression). Promote a version that is "
                             "at least as good, or change the gate in a separate, reviewed change.")

GATES: tuple[Gate, ...] = (
    Gate(SHA256, lambda g: g.require_sha256, _sha256),
    Gate(REQUIRED_METRIC, lambda g: g.required_metrics, _required_metrics),
    Gate(REQUIRED_SUITE, lambda g: g.required_suites, _required_suites),
    Gate(MIN_METRIC, lambda g: g.min_metrics, _min_metrics),
    Gate(MAX_METRIC, lambda g: g.max_metrics, _max_metrics),
    Gate(NO_REGRESSION, lambda g: g.no_regression, _no_regression),
)


def configured_gates(gates: Gates, replacing: bool) -> tuple[str, ...]:
    """The gate rule ids a version entering a stage (or taking an alias) is held to
    (no_regression only when it replaces a version there)."""
    return tuple(g.rule.id for g in GATES if g.configured(gates) and (replacing or g.rule is not NO_REGRESSION))


def check_gates(mf: ModelFile, gates: Gates, version: ModelVersion, current: ModelVersion | None,
                target: str = "production") -> Iterator[Violation]:
    """Every gate the version fails on its way into ``target`` (a stage, or ``alias NAME``;
    ``current``: the version it replaces there)."""
    candidate = Candidate(mf, gates, version, current, target)
    for gate in GATES:
        yield from gate.check(candidate)


def alias_target(alias: str) -> str:
    """What a version taking an alias enters, in words: ``alias champion``."""
    return f"alias {alias}"


@change_rule
def production_gates(base: ModelFile | None, head: ModelFile | None, policy: Policy) -> Iterator[Violation]:
    """The gates of each stage a version enters (production by default)."""
    if head is None:
        return
    before = base.model.by_label if base is not None else {}
    for stage in policy.stages.names:
        if not policy.gated_stage(head.model.name, stage):
            continue
        gates = policy.gates_for(head.model.name, stage)
        occupants = base.model.in_stage(stage) if base is not None and policy.is_unique(stage) else []
        current = occupants[0] if occupants else None
        for version in head.model.in_stage(stage):
            old = before.get(version.version)
            if old is not None and old.stage == stage:
                continue  # already there: the gates judged its entry
            replaced = current if current is not None and current.version != version.version else None
            yield from check_gates(head, gates, version, replaced, stage)


@change_rule
def alias_gates(base: ModelFile | None, head: ModelFile | None, policy: Policy) -> Iterator[Violation]:
    """The gates of each alias that moves to a version (or is set for the first time)."""
    if head is None:
        return
    before = base.model.aliases if base is not None else {}
    for alias, label in sorted(head.model.aliases.items()):
        gates = policy.alias_gates.get(alias)
        version = head.model.version(label)
        if gates is None or version is None or before.get(alias) == label:
            continue
        old = before.get(alias)
        replaced = base.model.version(old) if base is not None and old is not None else None
        yield from check_gates(head, gates, version, replaced, alias_target(alias))
