"""immutable-metric: the metric values of a version that has been in production (a unique
stage), or is archived (a final stage), are a record of what ran: they never change. New
metric keys may still be added (suite results arrive later), so recording more is
allowed; changing or removing a value is not (it would also lower the bar of the next
``no_regression`` check)."""

from __future__ import annotations

from collections.abc import Iterator

from registry_tool.core.findings import Violation
from registry_tool.core.model import ModelVersion, flat_metrics, same_value
from registry_tool.core.policy import Policy
from registry_tool.core.rules import declare
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.past import ProductionPast
from registry_tool.validation.rules.gates import metric_path
from registry_tool.validation.rules.registry import past_change_rule

IMMUTABLE_METRIC = declare("immutable-metric", "change",
                           "A metric value of a version that has been in production, or is archived, changed or was removed.",
                           help="The metrics of a version that has been in production (per first-parent history), or "
                                "is archived, record what ran; changing one would also lower the bar of the next "
                                "no_regression check. Add new metrics (suite results that arrive later) instead, or "
                                "register a new version with the new numbers.")


def _why(policy: Policy, model: str, old: ModelVersion, past: ProductionPast) -> str | None:
    """Why the version's metrics are a record, or None when they may still change: it is
    (or has been) in a unique stage (production), or it is in a final one (archived)."""
    if policy.is_unique(old.stage):
        return f"it is in {old.stage}"
    if policy.is_final(old.stage):
        return f"it is {old.stage}"
    for stage in policy.stages.unique_stages:
        if past.was_in(model, old.version, stage):
            return f"it has been in {stage}"
    return None


@past_change_rule
def recorded_metrics_fixed(base: ModelFile | None, head: ModelFile | None, policy: Policy,
                           past: ProductionPast) -> Iterator[Violation]:
    if base is None or head is None:
        return
    name = head.model.name
    for version in head.model.versions:
        old = base.model.by_label.get(version.version)
        if old is None or old is version:
            continue
        before, after = flat_metrics(old), flat_metrics(version)
        changed = [ref for ref, value in before.items() if ref not in after or not same_value(value, after[ref])]
        why = _why(policy, name, old, past) if changed else None
        if why is None:
            continue
        for ref in changed:
            if ref in after:
                where, what = metric_path(version, ref), f"changed from {before[ref]} to {after[ref]}"
            else:
                where, what = ("versions", version.index), f"removed (was {before[ref]})"
            yield head.violation(IMMUTABLE_METRIC.id, where,
                                 f"{name} {version.version}: metric {ref} {what}; {why}, so its metrics are a record "
                                 "and never change (new metrics may be added)")
