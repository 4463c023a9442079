"""A proposed change to the registry: new bytes for some model files, judged before writing.

An edit is checked by the validator's own code on the edited bytes: the loader and the
schema (:func:`~registry_tool.validator.parse_model`), the file rules
(:func:`~registry_tool.validator.check_model`), the change rules and gates against the
file as it was before the edit (:func:`~registry_tool.validator.check_change`), and the
tree rules for a new file. A refused edit carries exactly the violations ``validate``
would report once it was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from registry_tool.core.findings import Violation
from registry_tool.core.names import model_name_of_path
from registry_tool.core.policy import Policy
from registry_tool.errors import EditRefused
from registry_tool.snapshots.base import Entry, EntryKind, Snapshot
from registry_tool.validation.checks import check_change, check_model, check_tree
from registry_tool.validation.model_file import ModelFile, parse_model
from registry_tool.validation.past import ProductionPast


@dataclass(frozen=True)
class FileEdit:
    """New bytes for one file (``before`` is None for a new file)."""

    path: str  # repository-relative, POSIX separators
    before: bytes | None
    after: bytes
    base: ModelFile | None = field(default=None, compare=False, repr=False)  # ``before`` parsed, when known
    # A new model file brought in whole from another registry (``import``): its versions'
    # stages are that registry's history, not moves made here, so it is judged as a state
    # (loader, schema, file and tree rules), as ``validate`` judges a tree, without the
    # change rules. Only ever set for a file that did not exist (``before`` is None).
    adopted: bool = field(default=False, compare=False)

    @property
    def stem(self) -> str:
        return model_name_of_path(self.path)

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name


@dataclass
class Proposal:
    """What an editing command wants to write, and how to describe it."""

    edits: list[FileEdit] = field(default_factory=list)
    message: str = ""  # the commit message: a subject line, maybe a body
    notes: list[str] = field(default_factory=list)  # what happened besides the subject ("1.0.0 demoted to staging")
    warnings: list[str] = field(default_factory=list)  # allowed, but worth a second look (no production version left)

    @property
    def empty(self) -> bool:
        return not any(e.before != e.after for e in self.edits)

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]




def judge(edit: FileEdit, base: Snapshot, policy: Policy, past: ProductionPast | None = None,
          listing: list[Entry] | None = None) -> list[Violation]:
    """Every violation the validator would report for the edited file against its base
    (``past``: what history says about production before it; ``listing``: the base's models
    directory, when the caller already listed it)."""
    head, problems = parse_model(edit.after, edit.path, edit.stem, policy)
    if head is None:
        return problems
    found = check_model(head, policy)
    before = edit.base
    if edit.before is not None and before is None:
        before, _ = parse_model(edit.before, edit.path, edit.stem, policy)
    else:
        listed = listing if listing is not None else base.entries(policy.models_dir)
        entries = [e for e in listed if e.name != edit.name]
        entries.append(Entry(name=edit.name, path=edit.path, kind=EntryKind.FILE, size=len(edit.after)))
        found += check_tree(entries, {edit.name}, policy)
    if not (edit.adopted and edit.before is None):
        found += check_change(before, head, policy, past)
    return sorted(found)


def check(proposal: Proposal, base: Snapshot, policy: Policy, what: str = "edit",
          past: ProductionPast | None = None) -> None:
    """Raise :class:`EditRefused` when any edited file would break a rule."""
    listing = base.entries(policy.models_dir) if sum(e.before is None for e in proposal.edits) > 1 else None
    found = [v for edit in proposal.edits for v in judge(edit, base, policy, past, listing)]
    if found:
        raise EditRefused(found, what)
