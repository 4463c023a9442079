"""Where a proposal is read from and written to: the working tree, a commit on the current
branch, or a commit on a new branch, with a dry run for each.

=================  ===========================  =========================================
mode               the edit starts from         what is written
=================  ===========================  =========================================
working tree       the files on disk            the files, atomically
``--commit``       HEAD (= the clean files)     a commit on the current branch, then the
                                                files and the index (under index.lock)
``--branch NAME``  HEAD                         a commit on a new branch, nothing else
=================  ===========================  =========================================

In every mode the proposal is judged by the validator's code against the state it
started from, with that state's policy, before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pygit2

from registry_tool.atomic import atomic_write
from registry_tool.core.model import Stage
from registry_tool.core.policy import POLICY_FILE, Policy
from registry_tool.edit import proposal as proposals
from registry_tool.edit.git_commit import (
    Committed,
    branch_ref,
    commit_on_new_branch,
    head_commit,
    head_transaction,
)
from registry_tool.edit.patch import unified_diff
from registry_tool.edit.proposal import Proposal
from registry_tool.errors import EditRefused, RegistryError
from registry_tool.history.rollback import Previous, previous_production, production_past
from registry_tool.snapshots.base import EmptySnapshot, Snapshot
from registry_tool.snapshots.git import GitStore
from registry_tool.snapshots.worktree import WorktreeSnapshot, discover_worktree
from registry_tool.validation.past import ProductionPast
from registry_tool.validation.policy import policy_of


@dataclass
class Workspace:
    """What an operation reads: the base state, its policy, and Git when there is one."""

    base: Snapshot
    policy: Policy
    store: GitStore | None = None
    head: pygit2.Commit | None = None

    def previous_production(self, path: str, current: str | None, stage: Stage = Stage.PRODUCTION) -> Previous:
        if self.store is None:
            raise RegistryError("rollback reads the Git history, and this folder is not in a Git repository")
        return previous_production(self.store, self.head, path, current, stage)

    def past(self) -> ProductionPast:
        """What history says about production before this edit (HEAD's first-parent history)."""
        return production_past(self.store, self.head) if self.store is not None else ProductionPast()


@dataclass
class Mode:
    dry_run: bool = False
    commit: bool = False
    branch: str | None = None
    message: str | None = None


@dataclass
class Outcome:
    proposal: Proposal
    mode: Mode
    diff: str = ""
    written: list[str] = field(default_factory=list)
    committed: Committed | None = None


Build = Callable[[Workspace], Proposal]


def run(repo: Path | None, build: Build, mode: Mode, what: str) -> Outcome:
    """Build the proposal from the mode's base, judge it, then write it (unless a dry run).
    A value no UTF-8 file or commit can hold (a lone surrogate, as Python decodes a byte
    that is not UTF-8) is refused in one line; the command line names the option first."""
    try:
        if mode.message is not None:
            mode.message.encode("utf-8")  # before any object is written
        if mode.branch is not None:
            return _on_new_branch(GitStore.discover(repo or "."), mode.branch, build, mode, what)
        if mode.commit:
            return _on_current_branch(GitStore.discover(repo or "."), build, mode, what)
        return _in_work_tree(repo, build, mode, what)
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start] if isinstance(exc.object, str) else "?"
        raise RegistryError(f"{what}: a value holds U+{ord(bad):04X}, a lone surrogate no UTF-8 file or commit can hold "
                            "(a byte that is not UTF-8, decoded by Python); give UTF-8 text; nothing was written") from None


def _on_new_branch(store: GitStore, branch: str, build: Build, mode: Mode, what: str) -> Outcome:
    branch_ref(branch)  # a name git branch refuses is refused in a dry run too
    head = head_commit(store)
    base: Snapshot = store.snapshot(head) if head is not None else EmptySnapshot()
    outcome = _prepare(Workspace(base, _policy(base), store, head), build, mode, what)
    if not (mode.dry_run or outcome.proposal.empty):
        outcome.committed = commit_on_new_branch(store, branch, _changed(outcome), _message(outcome))
    return outcome


def _on_current_branch(store: GitStore, build: Build, mode: Mode, what: str) -> Outcome:
    with head_transaction(store, lock=not mode.dry_run) as tx:
        base = tx.base()
        outcome = _prepare(Workspace(base, _policy(base), store, tx.head), build, mode, what)
        if not (mode.dry_run or outcome.proposal.empty):
            outcome.committed = tx.commit(_changed(outcome), _message(outcome))
    return outcome


def _in_work_tree(repo: Path | None, build: Build, mode: Mode, what: str) -> Outcome:
    store, root = discover_worktree(repo, instead="use --branch to commit on a new branch")
    head = head_commit(store) if store is not None else None
    base = WorktreeSnapshot(root)
    policy = _policy(base)
    if store is None and base.policy_entry() is None and not (root / policy.models_dir).is_dir():
        raise RegistryError(f"no registry here: {root} is in no Git repository and has no {POLICY_FILE} nor "
                            f"{policy.models_dir}/ folder; run the command in your registry's folder (or "
                            "start one with registry-tool init)")
    outcome = _prepare(Workspace(base, policy, store, head), build, mode, what)
    if not (mode.dry_run or outcome.proposal.empty):
        for edit in _changed(outcome):
            atomic_write(root / edit.path, edit.after, display=edit.path, expect=edit.before)
            outcome.written.append(edit.path)
    return outcome


def _prepare(ws: Workspace, build: Build, mode: Mode, what: str) -> Outcome:
    proposal = build(ws)
    proposals.check(proposal, ws.base, ws.policy, what, ws.past())
    outcome = Outcome(proposal, mode)
    if mode.dry_run:
        outcome.diff = "".join(unified_diff(e) for e in _changed(outcome))
    return outcome


def _changed(outcome: Outcome) -> list[proposals.FileEdit]:
    return [e for e in outcome.proposal.edits if e.before != e.after]


def _message(outcome: Outcome) -> str:
    message = outcome.mode.message or outcome.proposal.message
    return message if message.endswith("\n") else message + "\n"


def _policy(base: Snapshot) -> Policy:
    policy, problems = policy_of(base)
    if problems:
        raise EditRefused(problems, "registry.yaml is not valid; the edit was")
    return policy
