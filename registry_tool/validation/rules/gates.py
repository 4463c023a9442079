"""Gates: what a version must show to enter a stage (policy ``gates``, by stage: production
by default) or to take an alias (policy ``aliases``).

Each gate is one entry of :data:`GATES`: its rule id, whether a policy sets it, whether
it judges metrics, and its check. The validator (``validate --base``/``--range``, the
editing commands) and ``diff``'s gate report both read this one table, for stages and
aliases alike.

What history says about the stages before the change (a
:class:`~registry_tool.validation.past.ProductionPast`) decides two things for a unique
stage (production):

* a **rollback** (a version entering it that was in it before) is exempt from the metric
  gates unless the policy says ``rollback: {exempt_gates: false}``; the stage rules and
  ``require_sha256`` still apply;
* ``no_regression`` compares with the version the change replaces there, or, when the
  base has none there (it was demoted in an earlier change), with the last version that
  was: demoting first does not lower the bar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import NamedTuple

from registry_tool.core.findings import Violation
from registry_tool.core.model import ModelVersion, Stage, split_metric
from registry_tool.core.policy import Gates, Policy
from registry_tool.core.rules import RuleInfo, declare
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.past import ProductionPast
from registry_tool.validation.rules.registry import change_rule, past_change_rule


def metric_path(version: ModelVersion, ref: str) -> tuple[str | int, ...]:
    """Where a metric (``accuracy`` or ``suite/name``) of a version is in its model file."""
    suite, name = split_metric(ref)
    if suite is not None:
        return ("versions", version.index, "metrics", "suites", suite, name)
    return ("versions", version.index, "metrics", name)


class Candidate(NamedTuple):
    """A version entering a stage or taking an alias: its file, the gates it is held to,
    the version it is compared with there (the one it replaces; or, ``remembered``, the
    last one there in history; None: there is none), what it enters, in words
    (``production``, ``alias champion``), and whether it is a rollback exempt from the
    metric gates."""

    mf: ModelFile
    gates: Gates
    version: ModelVersion
    current: ModelVersion | None
    target: str = "production"
    exempt: bool = False
    remembered: bool = False

    @property
    def label(self) -> str:
        return f"{self.mf.model.name} {self.version.version}"

    def metric_path(self, ref: str) -> tuple[str | int, ...]:
        return metric_path(self.version, ref)

    def violation(self, rule: RuleInfo, path: tuple[str | int, ...], message: str, *, key: bool = False) -> Violation:
        return self.mf.violation(rule.id, path, f"{self.label}: {message}", key=key)


class Gate(NamedTuple):
    rule: RuleInfo
    configured: Callable[[Gates], object]  # truthy when the policy sets this gate
    check: Callable[[Candidate], Iterator[Violation]]
    metric: bool = True  # judges metrics: a rollback is exempt (policy rollback.exempt_gates)


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
                              f"({direction.replace('_', ' ')}){_since(c)}")


def _since(c: Candidate) -> str:
    if not c.remembered or c.current is None:
        return ""
    return f"; {c.current.version} was the last version in {c.target} (now {c.current.stage})"


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
                        "Gate: a metric worse than the production version's it replaces (or the last one in production), "
                        "or the alias's previous version's (no_regression).",
                        help="The new version is worse than the one it replaces (in production, or under the "
                             "alias) on a metric the policy guards (no_regression); when no version is in "
                             "production, than the last one that was, so demoting first does not lower the bar. "
                             "Promote a version that is at least as good, or change the gate in a separate, "
                             "reviewed change. A rollback (a version that was in production before) is exempt "
                             "unless rollback.exempt_gates is false.")

GATES: tuple[Gate, ...] = (
    Gate(SHA256, lambda g: g.require_sha256, _sha256, metric=False),
    Gate(REQUIRED_METRIC, lambda g: g.required_metrics, _required_metrics),
    Gate(REQUIRED_SUITE, lambda g: g.required_suites, _required_suites),
    Gate(MIN_METRIC, lambda g: g.min_metrics, _min_metrics),
    Gate(MAX_METRIC, lambda g: g.max_metrics, _max_metrics),
    Gate(NO_REGRESSION, lambda g: g.no_regression, _no_regression),
)


def configured_gates(gates: Gates, replacing: bool, exempt: bool = False) -> tuple[str, ...]:
    """The gate rule ids a version entering a stage (or taking an alias) is held to
    (no_regression only when there is a version to compare with; none of the metric gates
    for an exempt rollback)."""
    return tuple(g.rule.id for g in GATES
                 if g.configured(gates) and (replacing or g.rule is not NO_REGRESSION) and not (exempt and g.metric))


def check_gates(mf: ModelFile, gates: Gates, version: ModelVersion, current: ModelVersion | None,
                target: str = "production", *, exempt: bool = False, remembered: bool = False) -> Iterator[Violation]:
    """Every gate the version fails on its way into ``target`` (a stage, or ``alias NAME``;
    ``current``: the version it is compared with there; ``exempt``: a rollback, spared the
    metric gates; ``remembered``: ``current`` is the last one there, not the one replaced)."""
    candidate = Candidate(mf, gates, version, current, target, exempt, remembered)
    for gate in GATES:
        if not (exempt and gate.metric):
            yield from gate.check(candidate)


class Entry(NamedTuple):
    """One version entering a gated stage in a change, as the gates see it."""

    stage: Stage
    version: ModelVersion
    compared: ModelVersion | None  # what no_regression compares with
    remembered: bool  # ``compared`` is the last version there in history (the base has none there)
    rollback: bool  # a unique stage it was in before
    exempt: bool  # a rollback the policy exempts from the metric gates


def entering(base: ModelFile | None, head: ModelFile, policy: Policy, past: ProductionPast) -> Iterator[Entry]:
    """The versions of ``head`` that enter a gated stage since ``base`` (production by
    default), each with the version ``no_regression`` compares it with and, for a unique
    stage, whether it is a rollback."""
    name = head.model.name
    before = base.model.by_label if base is not None else {}
    for stage in policy.stages.names:
        if not policy.gated_stage(name, stage):
            continue
        unique = policy.is_unique(stage)
        occupants = base.model.in_stage(stage) if base is not None and unique else []
        current = occupants[0] if occupants else None
        for version in head.model.in_stage(stage):
            old = before.get(version.version)
            if old is None or old.stage != stage:  # already there: the gates judged its entry
                yield _entry(name, stage, version, current, before, policy, past)


def _entry(name: str, stage: Stage, version: ModelVersion, current: ModelVersion | None,
           before: Mapping[str, ModelVersion], policy: Policy, past: ProductionPast) -> Entry:
    """One version entering ``stage``: compared with the one it replaces there, or (the base
    has none there, in a unique stage) with the last one there in history."""
    unique = policy.is_unique(stage)
    compared = current if current is not None and current.version != version.version else None
    last = past.last(name, stage) if unique and current is None else None
    if last is not None and last != version.version:
        compared = before.get(last)
    rollback = unique and past.was_in(name, version.version, stage)
    return Entry(stage, version, compared, compared is not None and current is None, rollback,
                 rollback and policy.rollback_exempt_gates)


def alias_target(alias: str) -> str:
    """What a version taking an alias enters, in words: ``alias champion``."""
    return f"alias {alias}"


@past_change_rule
def production_gates(base: ModelFile | None, head: ModelFile | None, policy: Policy,
                     past: ProductionPast) -> Iterator[Violation]:
    """The gates of each stage a version enters (production by default)."""
    if head is None:
        return
    for entry in entering(base, head, policy, past):
        gates = policy.gates_for(head.model.name, entry.stage)
        yield from check_gates(head, gates, entry.version, entry.compared, entry.stage, exempt=entry.exempt,
                               remembered=entry.remembered)


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
