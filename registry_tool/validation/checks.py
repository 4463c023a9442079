"""The rules of each scope run on their input: one model file (``file``), one file
against its base (``change``), the models directory (``tree``), and the whole check of
one model file in a snapshot (``check_state``, what the validator and its worker
processes run per file)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry_tool.core.findings import Violation
from registry_tool.core.policy import Policy
from registry_tool.snapshots.base import Entry, Snapshot
from registry_tool.validation import rules
from registry_tool.validation.model_file import ModelFile, read_model
from registry_tool.validation.past import ProductionPast
from registry_tool.validation.rules import CHANGE_RULES, FILE_RULES, PAST_CHANGE_RULES, TREE_RULES

if TYPE_CHECKING:
    from registry_tool.validation.report import Report


def check_model(mf: ModelFile, policy: Policy) -> list[Violation]:
    """The file-scope rules on a parsed model file."""
    return [v for check in FILE_RULES for v in check(mf, policy)]


def check_change(base: ModelFile | None, head: ModelFile | None, policy: Policy,
                 past: ProductionPast | None = None) -> list[Violation]:
    """The change-scope rules on one model file against its base version; ``past``: what
    history says about production before the base (None: only what the base shows)."""
    rules.load_all()
    known = past if past is not None else ProductionPast()
    found = [v for check in CHANGE_RULES for v in check(base, head, policy)]
    return found + [v for check in PAST_CHANGE_RULES for v in check(base, head, policy, known)]


def check_tree(entries: list[Entry], changed: set[str] | None, policy: Policy) -> list[Violation]:
    """The tree-scope rules on the models directory's entries (``changed``: only these names are judged)."""
    rules.load_all()
    return [v for check in TREE_RULES for v in check(entries, changed, policy)]


def check_state(snapshot: Snapshot, entry: Entry, policy: Policy) -> Report:
    from registry_tool.validation.report import Checked, Report  # the validator's, not get's

    mf, problems = read_model(snapshot, entry, policy)
    if mf is not None:
        problems = check_model(mf, policy)
    return Report(problems, [Checked(entry.path)])
