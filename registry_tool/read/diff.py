"""The semantic difference between two registry snapshots, for pull requests.

Which versions were registered, promoted, demoted, archived or re-measured between a base
and a head (two commits, or a commit and the working tree), and, for each version that
enters production, how it fares against the production gates. The gates are the
validator's own (:func:`registry_tool.validation.rules.gates.check_gates`) under the **base's**
policy, as ``validate --base`` judges them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from registry_tool.core.changes import Change, model_changes, policy_change
from registry_tool.core.findings import Violation
from registry_tool.core.names import model_name
from registry_tool.core.policy import Gates, Policy
from registry_tool.snapshots.base import Entry, Snapshot
from registry_tool.validation import changed
from registry_tool.validation.model_file import ModelFile, read_model
from registry_tool.validation.past import ProductionPast
from registry_tool.validation.policy import policy_data_of, policy_id, policy_of
from registry_tool.validation.rules.gates import check_gates, configured_gates, entering_production


@dataclass(frozen=True)
class GateCheck:
    """The production gates for one version entering production."""

    model: str
    version: str
    checked: tuple[str, ...]  # the gate rule ids the policy sets for this model
    violations: tuple[Violation, ...]
    rollback: bool = False  # it was in production before (exempt from the metric gates unless the policy says not)

    @property
    def ok(self) -> bool:
        return not self.violations

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "version": self.version, "checked": list(self.checked), "ok": self.ok,
                "rollback": self.rollback, "violations": [v.to_dict() for v in self.violations]}


@dataclass
class SemanticDiff:
    base: str | None  # commit sha (None: not a commit)
    head: str | None  # commit sha, or None for the working tree
    changes: list[Change] = field(default_factory=list)
    gates: list[GateCheck] = field(default_factory=list)
    unreadable: list[Violation] = field(default_factory=list)  # files that could not be compared

    def gate_for(self, change: Change) -> GateCheck | None:
        for check in self.gates:
            if (check.model, check.version) == (change.model, change.version):
                return check
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"base": self.base, "head": self.head, "changes": [c.to_dict() for c in self.changes],
                "gates": [g.to_dict() for g in self.gates], "unreadable": [v.to_dict() for v in self.unreadable]}


def semantic_diff(base: Snapshot, head: Snapshot, past: ProductionPast | None = None) -> SemanticDiff:
    """Every model file whose bytes differ, compared as models; gates for promotions
    (``past``: what history says about production before the base, as validate is told)."""
    past = past if past is not None else ProductionPast()
    base_policy, base_problems = policy_of(base)
    head_policy, head_problems = policy_of(head)
    result = SemanticDiff(base.commit_id, head.commit_id)
    result.unreadable.extend(head_problems[:1])
    if base_problems:
        base_policy = head_policy if not head_problems else Policy()
    if head_problems:
        head_policy = base_policy
    if not base_problems and not head_problems and policy_id(base) != policy_id(head):
        moved = policy_change(policy_data_of(base)[0], policy_data_of(head)[0])
        result.changes.extend([moved] if moved is not None else [])
    found = changed.compute(base, head, base_policy.models_dir, head_policy.models_dir, everything=False,
                            limit=sys.maxsize, folds=changed.FoldIndex())
    pairs: dict[str, tuple[Entry | None, Entry | None]] = {
        e.name: (found.base_files.get(e.name), e) for e in found.changed if e.is_model_file}
    pairs.update((e.name, (e, None)) for e in found.removed)
    for name in sorted(pairs):
        old, new = pairs[name]
        old_mf, old_ok = _read(base, old, base_policy, result)
        new_mf, new_ok = _read(head, new, head_policy, result)
        if old_ok and new_ok:
            _compare(result, model_name(name), old_mf, new_mf, base_policy, past)
    return result


def _compare(result: SemanticDiff, name: str, old: ModelFile | None, new: ModelFile | None, policy: Policy,
             past: ProductionPast) -> None:
    changes = model_changes(name, old.model if old else None, new.model if new else None)
    result.changes.extend(changes)
    if new is not None:
        result.gates.extend(_gates(old, new, policy, past))


def _read(snapshot: Snapshot, entry: Entry | None, policy: Policy, result: SemanticDiff) -> tuple[ModelFile | None, bool]:
    if entry is None:
        return None, True
    mf, problems = read_model(snapshot, entry, policy)
    if mf is None:
        result.unreadable.append(problems[0])
        return None, False
    return mf, True


def _gates(base: ModelFile | None, head: ModelFile, policy: Policy, past: ProductionPast) -> list[GateCheck]:
    """The gates of each version entering production, as the validator's gate rule judges them."""
    gates: Gates = policy.gates_for(head.model.name)
    checks = []
    for entry in entering_production(base, head, policy, past):
        found = tuple(check_gates(head, gates, entry.version, entry.compared, entry.exempt))
        checked = configured_gates(gates, entry.compared is not None, entry.exempt)
        checks.append(GateCheck(head.model.name, entry.version.version, checked, found, entry.rollback))
    return checks
