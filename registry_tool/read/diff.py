"""The semantic difference between two registry snapshots, for pull requests.

Which versions were registered, promoted, demoted, archived or re-measured, and which
aliases moved, between a base and a head (two commits, or a commit and the working tree),
and, for each version that enters production (any unique or gated stage) or takes a gated
alias, how it fares against the gates. The gates are the validator's own
(:func:`registry_tool.validation.rules.gates.check_gates`) under the **base's** policy, as
``validate --base`` judges them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from registry_tool.core.changes import Change, ChangeKind, model_changes, policy_change
from registry_tool.core.findings import Violation
from registry_tool.core.names import model_name
from registry_tool.core.policy import Policy
from registry_tool.snapshots.base import Entry, Snapshot
from registry_tool.validation import changed
from registry_tool.validation.earlier import last_valid
from registry_tool.validation.model_file import ModelFile, read_model
from registry_tool.validation.past import ProductionPast
from registry_tool.validation.policy import policy_data_of, policy_id, policy_of
from registry_tool.validation.rules.gates import Entry as GateEntry
from registry_tool.validation.rules.gates import alias_target, check_gates, configured_gates, entering


@dataclass(frozen=True)
class GateCheck:
    """The gates for one version entering a stage (production) or taking an alias."""

    model: str
    version: str
    checked: tuple[str, ...]  # the gate rule ids the policy sets for this model
    violations: tuple[Violation, ...]
    stage: str | None = "production"  # the stage entered (None: an alias)
    alias: str | None = None  # the alias taken
    rollback: bool = False  # it was in this unique stage before (exempt from the metric gates unless the policy says not)

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def target(self) -> str:
        """What the version enters, in words: ``production``, ``alias champion``."""
        return self.stage if self.stage is not None else alias_target(self.alias or "")

    def about(self, change: Change) -> bool:
        """Whether this check judges that change."""
        if change.model != self.model:
            return False
        if self.alias is not None:
            return change.kind is ChangeKind.ALIAS_CHANGED and change.alias == self.alias
        return change.version == self.version and self.stage is not None and change.enters(self.stage)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "version": self.version, "stage": self.stage, "alias": self.alias,
                "checked": list(self.checked), "ok": self.ok, "rollback": self.rollback,
                "violations": [v.to_dict() for v in self.violations]}


@dataclass
class SemanticDiff:
    base: str | None  # commit sha (None: not a commit)
    head: str | None  # commit sha, or None for the working tree
    changes: list[Change] = field(default_factory=list)
    gates: list[GateCheck] = field(default_factory=list)
    unreadable: list[Violation] = field(default_factory=list)  # files that could not be compared
    unique_stages: tuple[str, ...] = ("production",)  # the base policy's: a promotion there shows its demotion

    def gate_for(self, change: Change) -> GateCheck | None:
        return next((check for check in self.gates if check.about(change)), None)

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
    if not base_problems and not head_problems:
        result.changes.extend(_policy_changes(base, head))
    found = changed.compute(base, head, base_policy.models_dir, head_policy.models_dir, everything=False,
                            limit=sys.maxsize, folds=changed.FoldIndex(carry=False))
    pairs: dict[str, tuple[Entry | None, Entry | None]] = {
        e.name: (found.base_files.get(e.name), e) for e in found.changed if e.is_model_file}
    pairs.update((e.name, (e, None)) for e in found.removed)
    result.unique_stages = tuple(s.value for s in base_policy.stages.unique_stages)
    for name in sorted(pairs):
        old, new = pairs[name]
        old_mf, old_ok = _read_base(base, old, base_policy, result)
        new_mf, new_ok = _read(head, new, head_policy, result)
        if old_ok and new_ok:
            _compare(result, model_name(name), old_mf, new_mf, base_policy, past)
    return result


def _policy_changes(base: Snapshot, head: Snapshot) -> list[Change]:
    """registry.yaml's changes by key path (none when its blob is the same)."""
    if policy_id(base) == policy_id(head):
        return []
    moved = policy_change(policy_data_of(base)[0], policy_data_of(head)[0])
    return [moved] if moved is not None else []


def _compare(result: SemanticDiff, name: str, old: ModelFile | None, new: ModelFile | None, policy: Policy,
             past: ProductionPast) -> None:
    changes = model_changes(name, old.model if old else None, new.model if new else None)
    result.changes.extend(changes)
    if new is not None:
        result.gates.extend(_gates(changes, old, new, policy, past))


def _read_base(base: Snapshot, entry: Entry | None, policy: Policy, result: SemanticDiff) -> tuple[ModelFile | None, bool]:
    """The base copy; an invalid one is compared as its last valid copy (None: as a new file)."""
    mf, ok = _read(base, entry, policy, result)
    if ok or entry is None:
        return mf, ok
    result.unreadable.pop()
    return last_valid(base, entry, policy), True


def _read(snapshot: Snapshot, entry: Entry | None, policy: Policy, result: SemanticDiff) -> tuple[ModelFile | None, bool]:
    if entry is None:
        return None, True
    mf, problems = read_model(snapshot, entry, policy)
    if mf is None:
        result.unreadable.append(problems[0])
        return None, False
    return mf, True


def _gates(changes: list[Change], base: ModelFile | None, head: ModelFile, policy: Policy,
           past: ProductionPast) -> list[GateCheck]:
    """The gates of each version entering a gated stage (as the validator's gate rule judges
    them, rollbacks and the last version there included) or taking a gated alias."""
    entries = {(e.stage, e.version.version): e for e in entering(base, head, policy, past)}
    checks = []
    for change in changes:
        if change.kind is ChangeKind.ALIAS_CHANGED:
            check = _alias_gates(change, base, head, policy)
        else:
            entry = entries.get((change.to_stage, change.version or "")) if change.to_stage is not None else None
            check = _stage_gates(change, head, policy, entry) if entry is not None and change.enters(entry.stage) else None
        if check is not None:
            checks.append(check)
    return checks


def _stage_gates(change: Change, head: ModelFile, policy: Policy, entry: GateEntry) -> GateCheck:
    gates = policy.gates_for(head.model.name, entry.stage)
    found = tuple(check_gates(head, gates, entry.version, entry.compared, entry.stage, exempt=entry.exempt,
                              remembered=entry.remembered))
    return GateCheck(change.model, entry.version.version, configured_gates(gates, entry.compared is not None, entry.exempt),
                     found, stage=entry.stage.value, rollback=entry.rollback)


def _alias_gates(change: Change, base: ModelFile | None, head: ModelFile, policy: Policy) -> GateCheck | None:
    gates = policy.alias_gates.get(change.alias or "")
    version = head.model.version(change.to_version) if change.to_version is not None else None
    if gates is None or version is None or change.alias is None:
        return None
    replaced = base.model.version(change.from_version) if base is not None and change.from_version is not None else None
    found = tuple(check_gates(head, gates, version, replaced, alias_target(change.alias)))
    return GateCheck(change.model, version.version, configured_gates(gates, replaced is not None), found,
                     stage=None, alias=change.alias)
