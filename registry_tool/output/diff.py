"""Output formats for ``diff``: text, json, markdown (for pull request comments and the
CI job summary). Each is a small function in ``DIFF_REPORTERS``, which also feeds the
CLI's ``--format`` choices."""

from __future__ import annotations

import json
from collections.abc import Callable

from registry_tool.output.escape import markdown_cell, markdown_code, printable
from registry_tool.output.sentences import POLICY_FILE, Line, summary_lines
from registry_tool.read.diff import GateCheck, SemanticDiff

Render = Callable[[SemanticDiff], str]


def _label(commit: str | None, fallback: str) -> str:
    return commit[:12] if commit else fallback


def _range(diff: SemanticDiff) -> str:
    return f"{_label(diff.base, 'empty')}..{_label(diff.head, 'working tree')}"


def _gate_words(check: GateCheck) -> str:
    mark = f"rollback (was in {check.target} before): " if check.rollback else ""
    if not check.checked:
        return mark + f"no {check.target} gates configured" + (" or all exempt" if check.rollback else "")
    if check.ok:
        return mark + f"{check.target} gates pass: " + ", ".join(check.checked)
    failed = sorted({v.rule for v in check.violations})
    return mark + f"{check.target} gates FAIL: " + ", ".join(failed)


def render_text(diff: SemanticDiff) -> str:
    out = [f"registry changes {_range(diff)}"]
    for line in summary_lines(diff.changes, diff.unique_stages):
        out.append(f"  {line.text()}")
        check = diff.gate_for(line.change)
        if check is not None:
            out.append(f"      {_gate_words(check)}")
            out += [f"        {v.file}:{v.line}:{v.column}: {v.rule}: {v.message}" for v in check.violations]
    if not diff.changes:
        out.append("  no model or policy changes")
    out += [f"  not compared: {v.file}:{v.line}:{v.column}: {v.rule}: {v.message}" for v in diff.unreadable]
    return "\n".join(printable(line) for line in out) + "\n"


def render_json(diff: SemanticDiff) -> str:
    return json.dumps(diff.to_dict(), indent=2, sort_keys=True) + "\n"


def _gate_cell(diff: SemanticDiff, line: Line) -> str:
    check = diff.gate_for(line.change)
    if check is None:
        return ""
    where = "" if check.target == "production" else f"{check.target}: "
    mark = "rollback; " if check.rollback else ""
    if not check.checked:
        return f"{where}{mark}no gates configured"
    if check.ok:
        return f"{where}{mark}✅ " + ", ".join(f"`{g}`" for g in check.checked)
    return f"{where}{mark}❌ " + ", ".join(f"`{r}`" for r in sorted({v.rule for v in check.violations}))


def render_markdown(diff: SemanticDiff) -> str:
    head = f"`{diff.head[:12]}`" if diff.head else "the working tree"
    base = f"`{diff.base[:12]}`" if diff.base else "an empty registry"
    out = ["### Registry changes", "", f"From {base} to {head}.", ""]
    lines = summary_lines(diff.changes, diff.unique_stages)
    if not lines:
        out.append("No model or policy changes.")
    else:
        gates = "Production gates" if all(check.target == "production" for check in diff.gates) else "Gates"
        out += [f"| Model | Change | {gates} |", "| --- | --- | --- |"]
        for line in lines:
            text = line.text(model=False)  # the model has its own column
            out.append(f"| {markdown_code(line.change.model or POLICY_FILE)} | {markdown_cell(text)} | {_gate_cell(diff, line)} |")
        failures = [v for check in diff.gates for v in check.violations]
        if failures:
            out += ["", "Gate failures:", ""]
            out += [f"- {markdown_code(v.file)} line {v.line}: `{v.rule}`: {markdown_cell(v.message)}" for v in failures]
    if diff.unreadable:
        out += ["", "Not compared (run `registry-tool validate`):", ""]
        out += [f"- {markdown_code(v.file)} line {v.line}: `{v.rule}`: {markdown_cell(v.message)}" for v in diff.unreadable]
    return "\n".join(out) + "\n"


DIFF_REPORTERS: dict[str, Render] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
