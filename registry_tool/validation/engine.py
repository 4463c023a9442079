"""Validation: a snapshot's state, a change against a base, or every commit of a range.

Works on :class:`~registry_tool.snapshots.base.Snapshot` objects only, so the same code judges the
working tree, a commit read from the object database, or an edit not yet written.
Each model file is loaded, checked and dropped in turn: memory stays flat as the
registry grows.
"""

from __future__ import annotations

from collections.abc import Iterable

from registry_tool.core.findings import Violation
from registry_tool.core.policy import POLICY_FILE, Policy, StageSet
from registry_tool.snapshots.base import Entry, Snapshot
from registry_tool.validation import changed, parallel
from registry_tool.validation.checks import (
    check_change,
    check_model,
    check_state,
    check_tree,
)
from registry_tool.validation.earlier import last_valid
from registry_tool.validation.model_file import ModelFile, read_model
from registry_tool.validation.past import ProductionPast
from registry_tool.validation.policy import policy_id, policy_of
from registry_tool.validation.report import Checked, Report
from registry_tool.validation.rules.rewritten_history import rewritten


def validate_snapshot(snapshot: Snapshot, jobs: int | None = None) -> Report:
    """Every rule that needs no base, on every file of the snapshot; large registries are
    checked in worker processes (``jobs``; see :mod:`registry_tool.validation.parallel`)."""
    policy, problems = policy_of(snapshot)
    report = Report(list(problems))
    if problems:
        return report
    entries = snapshot.entries(policy.models_dir)
    report.violations.extend(check_tree(entries, None, policy))
    model_entries = [e for e in entries if e.is_model_file]
    workers = parallel.jobs_for(len(model_entries), jobs)
    how = parallel.recipe(snapshot) if workers > 1 else None
    if how is not None:
        found, files = parallel.check_states(how, model_entries, workers)
        report.violations.extend(found)
        report.checked.extend(Checked(path) for path in files)
    else:
        for entry in model_entries:
            report.extend(check_state(snapshot, entry, policy))
    report.violations.sort()
    return report


def nothing_to_check(snapshot: Snapshot) -> str | None:
    """Why a snapshot holds no registry to check (no model files, and no registry.yaml
    saying this is one; or a models_dir that names nothing), or None when it is a
    registry: one with model files, or a new one (registry.yaml, no model files yet)."""
    policy, problems = policy_of(snapshot)
    if problems or snapshot.entries(policy.models_dir):
        return None
    if policy.models_dir != Policy().models_dir:
        return (f"the models folder {policy.models_dir}/ (models_dir in {POLICY_FILE}) is missing or empty; "
                "is models_dir spelt right?")
    if snapshot.policy_entry() is None:
        return (f"no {POLICY_FILE}, and nothing in {policy.models_dir}/: this is not a registry (run it in the "
                "registry's repository, or pass --repo)")
    return None


def validate_files(snapshot: Snapshot, entries: Iterable[Entry]) -> Report:
    """Only the given files (as pre-commit passes them): the policy file or model files."""
    policy, problems = policy_of(snapshot)
    report = Report(list(problems))
    if problems:
        return report
    for entry in entries:
        if entry.path == POLICY_FILE:
            continue  # already checked above
        if entry.path.startswith(policy.models_dir + "/") and entry.path.rpartition("/")[0] != policy.models_dir:
            report.violations.append(Violation(entry.path, 1, 1, "unexpected-file",
                                               f"{entry.path} is in a folder inside {policy.models_dir}/; "
                                               "model files sit directly in the models directory"))
            continue
        if not entry.is_model_file:
            report.violations.extend(check_tree([entry], None, policy))
            continue
        report.extend(check_state(snapshot, entry, policy))
    report.violations.sort()
    return report


class ChangeCache:
    """What the steps of a range share: each commit's head is the next commit's base, so
    its parsed files are kept for one more step, its policy and its folded names too."""

    def __init__(self, carry_folds: bool = True) -> None:
        self.folds = changed.FoldIndex(carry=carry_folds)  # a range carries them; one change looks its names up
        self._policies: dict[str | None, tuple[Policy, list[Violation]]] = {}
        self._previous: dict[tuple[str, str, int, StageSet], tuple[ModelFile | None, list[Violation]]] = {}
        self._current: dict[tuple[str, str, int, StageSet], tuple[ModelFile | None, list[Violation]]] = {}

    def policy(self, snapshot: Snapshot) -> tuple[Policy, list[Violation]]:
        key = policy_id(snapshot)
        if key is None:  # no registry.yaml, or not a file: nothing to share
            return policy_of(snapshot)
        if key not in self._policies:
            self._policies[key] = policy_of(snapshot)
        return self._policies[key]

    def read_model(self, snapshot: Snapshot, entry: Entry, policy: Policy) -> tuple[ModelFile | None, list[Violation]]:
        if entry.blob_id is None:  # a file on disk: no id without reading it
            return read_model(snapshot, entry, policy)
        key = (entry.blob_id, entry.path, policy.max_file_bytes, policy.stages)  # a parse depends on the stages
        found = self._current.get(key) or self._previous.get(key)
        if found is None:
            found = read_model(snapshot, entry, policy)
        self._current[key] = found
        return found

    def next_step(self) -> None:
        self._previous, self._current = self._current, {}


def validate_change(base: Snapshot, head: Snapshot, cache: ChangeCache | None = None,
                    past: ProductionPast | None = None) -> Report:
    """The head's changed files on their own, and against their base versions.

    Files whose bytes are unchanged since the base are not read again (the cost follows
    the change, not the registry), unless the policy itself changed. Stage moves and gates
    are judged by the base's policy: a change cannot relax the rules it is judged by.
    ``past``: what history says about production before the base (rollbacks, the last
    production version, recorded metrics); it is told what the head puts in production.
    """
    cache = cache if cache is not None else ChangeCache(carry_folds=False)
    head_policy, problems = cache.policy(head)
    base_policy, base_problems = cache.policy(base)
    report = Report(list(problems))
    if problems:
        return report
    if base_problems:
        base_policy = head_policy  # a broken base policy cannot judge; fall back to the head's
    found = changed.compute(base, head, base_policy.models_dir, head_policy.models_dir,
                          everything=policy_id(base) != policy_id(head), limit=head_policy.max_file_bytes,
                          folds=cache.folds)
    report.violations.extend(check_tree(found.tree_view, found.changed_names, head_policy))
    for entry in found.changed:
        if not entry.is_model_file:
            continue
        head_mf, problems = cache.read_model(head, entry, head_policy)
        report.checked.append(Checked(entry.path))
        if head_mf is None:
            report.violations.extend(problems)
            continue
        report.violations.extend(check_model(head_mf, head_policy))
        old = found.base_files.get(entry.name)
        base_mf = _quiet_base(cache, base, old, base_policy) if old is not None else None
        if old is not None and base_mf is None:  # a base copy that is itself invalid: its last valid copy, or none
            base_mf = last_valid(base, old, base_policy)
        report.violations.extend(check_change(base_mf, head_mf, base_policy, past))
        if past is not None:
            _observe(past, head_mf, head_policy)
    for entry in found.removed:
        base_mf = _quiet_base(cache, base, entry, base_policy) or last_valid(base, entry, base_policy)
        if base_mf is not None:
            report.violations.extend(check_change(base_mf, None, base_policy, past))
    cache.next_step()
    report.violations.sort()
    return report


def _observe(past: ProductionPast, mf: ModelFile, policy: Policy) -> None:
    """Tell ``past`` which version each unique stage holds at the head (the next step's base)."""
    for stage in policy.stages.unique_stages:
        for version in mf.model.in_stage(stage):
            past.observe(mf.model.name, stage, version.version)


def _quiet_base(cache: ChangeCache, base: Snapshot, entry: Entry, policy: Policy) -> ModelFile | None:
    """The base version of a file, or None when the base copy is itself invalid (its
    violations were reported when it was committed; the caller looks further back)."""
    mf, _ = cache.read_model(base, entry, policy)
    return mf


def validate_commits(steps: Iterable[tuple[str, Snapshot, Snapshot]], past: ProductionPast | None = None) -> Report:
    """Each (commit, parent snapshot, commit snapshot) judged as a change; violations
    name the commit that introduced them, oldest commit first. ``past``: what history
    says about production before the first step (each step tells it what it changed)."""
    commits: list[str] = []
    report = Report(commits_checked=commits)
    cache = ChangeCache()
    past = past if past is not None else ProductionPast()
    for commit_id, parent, snapshot in steps:
        step = validate_change(parent, snapshot, cache, past)
        report.violations.extend(v.at_commit(commit_id) for v in step.violations)
        report.checked.extend(Checked(c.path, commit_id) for c in step.checked)
        commits.append(commit_id)
    return report



def validate_rewrite(before: tuple[str, Snapshot], after: tuple[str, Snapshot], how: str,
                     past: ProductionPast | None = None) -> Report:
    """A range whose BEFORE is not on AFTER's first-parent history (``how``: what happened
    instead): AFTER judged against BEFORE as one change, plus the ``history-rewritten``
    finding, all named by AFTER's commit."""
    (before_id, base), (after_id, head) = before, after
    step = validate_change(base, head, past=past)
    policy, _ = policy_of(head)
    report = Report([v.at_commit(after_id) for v in step.violations], [Checked(c.path, after_id) for c in step.checked],
                    [after_id])
    report.violations.append(rewritten(policy.models_dir, before_id, after_id, how).at_commit(after_id))
    report.violations.sort()
    return report
