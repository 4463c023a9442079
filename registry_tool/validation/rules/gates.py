"""Production gates: what a version must show to enter production (policy ``gates``)."""

from __future__ import annotations

from typing import Iterator

from registry_tool.core.findings import Violation
from registry_tool.core.model import ModelVersion, Stage
from registry_tool.core.policy import Gates, Policy
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.rules import rule


def metric_path(version: ModelVersion, ref: str) -> tuple[str | int, ...]:
    suite, sep, name = ref.rpartition("/")
    base: tuple[str | int, ...] = ("versions", version.index, "metrics")
    return base + ("suites", suite, name) if sep else base + (name,)


def _number(value: object) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None  # type: ignore[return-value]


def check_gates(mf: ModelFile, gates: Gates, version: ModelVersion, current: ModelVersion | None) -> Iterator[Violation]:
    """Every gate the version fails on its way into production (``current``: the version it replaces)."""
    label = f"{mf.model.name} {version.version}"
    vpath = ("versions", version.index)
    if gates.require_sha256 and version.artifact.sha256 is None:
        yield mf.violation("gate-sha256", vpath + ("artifact",), f"{label}: production needs artifact.sha256", key=True)
    for ref in gates.required_metrics:
        if version.metric(ref) is None:
            yield mf.violation("gate-required-metric", metric_path(version, ref), f"{label}: production needs metric {ref}")
    for suite in gates.required_suites:
        if suite not in version.suites:
            yield mf.violation("gate-required-suite", vpath + ("metrics", "suites"),
                               f"{label}: production needs results of evaluation suite {suite} (metrics.suites.{suite})")
    for rule_id, bounds, word, fails in (
        ("gate-min-metric", gates.min_metrics, "at least", lambda v, b: v < b),
        ("gate-max-metric", gates.max_metrics, "at most", lambda v, b: v > b),
    ):
        for ref, bound in bounds.items():
            value = _number(version.metric(ref))
            if value is None:
                yield mf.violation(rule_id, metric_path(version, ref), f"{label}: production needs numeric metric {ref} {word} {bound}")
            elif fails(value, bound):
                yield mf.violation(rule_id, metric_path(version, ref), f"{label}: {ref} is {value}; production needs {word} {bound}")
    if current is None:
        return
    for ref, direction in gates.no_regression.items():
        before = _number(current.metric(ref))
        if before is None:
            continue  # nothing to regress from
        after = _number(version.metric(ref))
        worse = after is None or (after < before if direction == "higher_is_better" else after > before)
        if worse:
            shown = "missing" if after is None else after
            yield mf.violation("gate-no-regression", metric_path(version, ref),
                               f"{label}: {ref} is {shown}, worse than {before} of production version {current.version} ({direction.replace('_', ' ')})")


@rule(
    ("gate-sha256", "Gate: a version enters production without artifact.sha256 (require_sha256)."),
    ("gate-required-metric", "Gate: a version enters production without a required metric."),
    ("gate-required-suite", "Gate: a version enters production without results of a required evaluation suite."),
    ("gate-min-metric", "Gate: a metric below its minimum (min_metrics)."),
    ("gate-max-metric", "Gate: a metric above its maximum (max_metrics)."),
    ("gate-no-regression", "Gate: a metric worse than the current production version's (no_regression)."),
    scope="change",
)
def production_gates(base: ModelFile | None, head: ModelFile | None, policy: Policy) -> Iterator[Violation]:
    if head is None:
        return
    before = base.model.by_label if base is not None else {}
    current = base.model.production if base is not None else None
    gates = policy.gates_for(head.model.name)
    for version in head.model.in_stage(Stage.PRODUCTION):
        old = before.get(version.version)
        if old is not None and old.stage is Stage.PRODUCTION:
            continue  # already in production: gates judged its entry
        replaced = current if current is not None and current.version != version.version else None
        yield from check_gates(head, gates, version, replaced)
