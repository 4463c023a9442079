"""The editing commands' output: what was proposed, written or committed, as text or as
one JSON object (``--json``), and a refusal with the violations that caused it."""

from __future__ import annotations

from typing import Any

from registry_tool.core.findings import Violation
from registry_tool.edit.targets import Mode, Outcome
from registry_tool.output.escape import printable
from registry_tool.output.values import dump


def outcome_json(outcome: Outcome) -> str:
    proposal, done = outcome.proposal, outcome.committed
    data: dict[str, Any] = {
        "ok": True,
        "changed": not proposal.empty,
        "dry_run": outcome.mode.dry_run,
        "message": (outcome.mode.message or proposal.message) if not proposal.empty else None,
        "notes": proposal.notes,
        "files": [e.path for e in proposal.edits if e.before != e.after],
        "diff": outcome.diff if outcome.mode.dry_run else None,
        "commit": done.commit if done is not None else None,
        "branch": done.branch if done is not None else None,
        "warnings": proposal.warnings + (done.warnings if done is not None else []),
    }
    return dump(data)


def refusal_json(violations: list[Violation]) -> str:
    return dump({"ok": False, "violations": [v.to_dict() for v in violations]})


def refusal_text(violations: list[Violation]) -> str:
    return "".join(printable(f"{v.file}:{v.line}:{v.column}: {v.rule}: {v.message}") + "\n" for v in violations)


def outcome_text(outcome: Outcome, mode: Mode) -> tuple[str, str]:
    """(standard output, standard error) of an editing command."""
    proposal = outcome.proposal
    if proposal.empty:
        return "", "".join(f"{note}\n" for note in proposal.notes)
    done = outcome.committed
    cautions = _warnings(proposal.warnings + (done.warnings if done is not None else []))
    if mode.dry_run:
        target = f" on new branch {mode.branch}" if mode.branch else (" on the current branch" if mode.commit else "")
        return outcome.diff, (f"dry run: {proposal.subject}; would write{' and commit' if mode.commit else ''}{target}; "
                              "nothing written\n" + cautions)
    lines = [f"[{done.branch} {done.short}] {(mode.message or proposal.message).splitlines()[0]}" if done is not None
             else f"{proposal.subject}: wrote {', '.join(outcome.written)}"]
    lines += [f"  {note}" for note in proposal.notes]
    if done is not None and mode.branch:
        lines.append(f"  push it and open a pull request: git push -u origin {mode.branch}")
    return "".join(line + "\n" for line in lines), cautions


def _warnings(warnings: list[str]) -> str:
    return "".join(f"registry-tool: warning: {w}\n" for w in warnings)
