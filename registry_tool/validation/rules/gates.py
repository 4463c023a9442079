"""Gates: what a version must show to enter production (policy ``gates``).

Each gate is one entry of :data:`GATES`: its rule id, whether a policy sets it, whether
it judges metrics, and its check. The validator (``validate --base``/``--range``, the
editing commands) and ``diff``'s gate report both read this one table.

What history says about production before the change (a
:class:`~registry_tool.validation.past.ProductionPast`) decides two things here:

* a **rollback** (a version entering production that was in production before) is exempt
  from the metric gates unless the policy says ``rollback: {exempt_gates: false}``; the
  stage rules and ``require_sha256`` still apply;
* ``no_regression`` compares with the production version the change replaces, or, when
  the base has none (it was demoted in an earlier change), with the last version that was
  in production: demoting first does not lower the bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

from registry_tool.core.findings import Violation
from registry_tool.core.model import ModelVersion, Stage, split_metric
from registry_tool.core.policy import Gates, Policy
from registry_tool.core.rules import RuleInfo, declare
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.past import ProductionPast
from registry_tool.validation.rules.registry import past_change_rule


def metric_path(version: ModelVersion, ref: str) -> tuple[str | int, ...]:
    """Where a metric (``accuracy`` or ``suite/name``) of a version is in its model file."""
    suite, name = split_metric(ref)
    if suite is not None:
        return ("versions", version.index, "metrics", "suites", suite, name)
    return ("versions", version.index, "metrics", name)


@dataclass(frozen=True)
class Candidate:
    """A version entering production: its file, the gates it is held to, the production
    version it is compared with (the one it replaces, or the last one in production; None:
    there is none), and whether it is a rollback exempt from the metric gates."""

    mf: ModelFile
    gates: Gates
    version: ModelVersion
    current: ModelVersion | None
    exempt: bool = False

    @property
    def label(self) -> str:
        return f"{self.mf.model.name} {self.version.version}"

    def metric_path(self, ref: str) -> tuple[str | int, ...]:
        return metric_path(self.version, ref)

    def violation(self, rule: RuleInfo, path: tuple[str | int, ...], message: str, *, key: bool = False) -> Violation:
        return self.mf.violation(rule.id, path, f"{self.label}: {message}", key=key)


@dataclass(frozen=True)
class Gate:
    rule: RuleInfo
    configured: Callable[[Gates], object]  # truthy when the policy sets this gate
    check: Callable[[Candidate], Iterator[Violation]]
    metric: bool = True  # judges metrics: a rollback is exempt (policy rollback.exempt_gates)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _sha256(c: Candidate) -> Iterator[Violation]:
    if c.gates.require_sha256 and c.version.artifact.sha256 is None:
        yield c.violation(SHA256, ("versions", c.version.index, "artifact"), "production needs artifact.sha256", key=True)


def _required_metrics(c: Candidate) -> Iterator[Violation]:
    for ref in c.gates.required_metrics:
        if c.version.metric(ref) is None:
            yield c.violation(REQUIRED_METRIC, c.metric_path(ref), f"production needs metric {ref}")


def _required_suites(c: Candidate) -> Iterator[Violation]:
    for suite in c.gates.required_suites:
        if suite not in c.version.suites:
            yield c.violation(REQUIRED_SUITE, ("versions", c.version.index, "metrics", "suites"),
                              f"production needs results of evaluation suite {suite} (metrics.suites.{suite})")


def _bounds(rule: RuleInfo, bounds: Mapping[str, float], word: str, fails: Callable[[float, float], bool],
            c: Candidate) -> Iterator[Violation]:
    for ref, bound in bounds.items():
        value = _number(c.version.metric(ref))
        if value is None:
            yield c.violation(rule, c.metric_path(ref), f"production needs numeric metric {ref} {word} {bound}")
        elif fails(value, bound):
            yield c.violation(rule, c.metric_path(ref), f"{ref} is {c.version.metric(ref)}; production needs {word} {bound}")


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
        if now is None or (now < was if direction == "higher_is_better" else now > was):
            shown = "missing" if after is None else after
            yield c.violation(NO_REGRESSION, c.metric_path(ref),
                              f"{ref} is {shown}, worse than {before} of production version {c.current.version} "
                              f"({direction.replace('_', ' ')}){_since(c)}")


def _since(c: Candidate) -> str:
    if c.current is None or c.current.stage is Stage.PRODUCTION:
        return ""
    return f"; {c.current.version} was the last version in production (now {c.current.stage})"


SHA256 = declare("gate-sha256", "change", "Gate: a version enters production without artifact.sha256 (require_sha256).",
                 help="The production gate requires artifact.sha256 so that deploy tools can verify what "
                      "they download. Add the artifact's SHA-256 (64 lower-case hex digits) before "
                      "promoting.")
REQUIRED_METRIC = declare("gate-required-metric", "change", "Gate: a version enters production without a required metric.",
                          help="The production gate requires this metric (required_metrics in "
                               "registry.yaml). Record it with registry-tool metrics before promoting.")
REQUIRED_SUITE = declare("gate-required-suite", "change",
                         "Gate: a version enters production without results of a required evaluation suite.",
                         help="The production gate requires results of this evaluation suite "
                              "(required_suites). Record the suite's results before promoting.")
MIN_METRIC = declare("gate-min-metric", "change", "Gate: a metric below its minimum (min_metrics).",
                     help="The metric is below the minimum that registry.yaml sets for production "
                          "(min_metrics). Promote a version that meets it, or change the gate in a separate, "
                          "reviewed change.")
MAX_METRIC = declare("gate-max-metric", "change", "Gate: a metric above its maximum (max_metrics).",
                     help="The metric is above the maximum that registry.yaml sets for production "
                          "(max_metrics). Promote a version that meets it, or change the gate in a separate, "
                          "reviewed change.")
NO_REGRESSION = declare("gate-no-regression", "change",
                        "Gate: a metric worse than the production version's it replaces, or the last one in "
                        "production's (no_regression).",
                        help="The new production version is worse than the one it replaces on a metric the "
                             "policy guards (no_regression); when no version is in production, than the last one "
                             "that was, so demoting first does not lower the bar. Promote a version that is at "
                             "least as good, or change the gate in a separate, reviewed change. A rollback (a "
                             "version that was in production before) is exempt unless rollback.exempt_gates is false.")

GATES: tuple[Gate, ...] = (
    Gate(SHA256, lambda g: g.require_sha256, _sha256, metric=False),
    Gate(REQUIRED_METRIC, lambda g: g.required_metrics, _required_metrics),
    Gate(REQUIRED_SUITE, lambda g: g.required_suites, _required_suites),
    Gate(MIN_METRIC, lambda g: g.min_metrics, _min_metrics),
    Gate(MAX_METRIC, lambda g: g.max_metrics, _max_metrics),
    Gate(NO_REGRESSION, lambda g: g.no_regression, _no_regression),
)


def configured_gates(gates: Gates, compared: bool, exempt: bool = False) -> tuple[str, ...]:
    """The gate rule ids a version entering production is held to (no_regression only
    when there is a production version to compare with; none of the metric gates for an
    exempt rollback)."""
    return tuple(g.rule.id for g in GATES
                 if g.configured(gates) and (compared or g.rule is not NO_REGRESSION) and not (exempt and g.metric))


def check_gates(mf: ModelFile, gates: Gates, version: ModelVersion, current: ModelVersion | None,
                exempt: bool = False) -> Iterator[Violation]:
    """Every gate the version fails on its way into production (``current``: the production
    version it is compared with; ``exempt``: a rollback, spared the metric gates)."""
    candidate = Candidate(mf, gates, version, current, exempt)
    for gate in GATES:
        if not (exempt and gate.metric):
            yield from gate.check(candidate)


@dataclass(frozen=True)
class Entry:
    """One version entering production in a change, as the gates see it."""

    version: ModelVersion
    compared: ModelVersion | None  # what no_regression compares with
    rollback: bool  # it was in production before
    exempt: bool  # a rollback the policy exempts from the metric gates


def entering_production(base: ModelFile | None, head: ModelFile, policy: Policy,
                        past: ProductionPast) -> Iterator[Entry]:
    """The versions of ``head`` that enter production since ``base``, each with the
    version ``no_regression`` compares it with and whether it is a rollback."""
    model = head.model.name
    before = base.model.by_label if base is not None else {}
    current = base.model.production if base is not None else None
    for version in head.model.in_stage(Stage.PRODUCTION):
        old = before.get(version.version)
        if old is not None and old.stage is Stage.PRODUCTION:
            continue  # already in production: gates judged its entry
        rollback = past.was_in_production(model, version.version)
        compared = current if current is not None and current.version != version.version else None
        if current is None:
            last = past.last(model)
            compared = before.get(last) if last is not None and last != version.version else None
        yield Entry(version, compared, rollback, rollback and policy.rollback_exempt_gates)


@past_change_rule
def production_gates(base: ModelFile | None, head: ModelFile | None, policy: Policy,
                     past: ProductionPast) -> Iterator[Violation]:
    if head is None:
        return
    gates = policy.gates_for(head.model.name)
    for entry in entering_production(base, head, policy, past):
        yield from check_gates(head, gates, entry.version, entry.compared, entry.exempt)
