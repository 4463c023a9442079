"""Output formats for validation reports: text, json, github, markdown, sarif, junit.

Each reporter is a small function in ``REPORTERS``; the same table feeds the CLI's
``--format`` choices (SARIF and JUnit live in their own modules).
"""

from __future__ import annotations

from collections.abc import Callable

from registry_tool.core.findings import Violation
from registry_tool.output.escape import markdown_cell, markdown_code, printable
from registry_tool.validation.report import Report

Render = Callable[[Report, bool], str]


def _paint(text: str, color: bool, **style: object) -> str:
    if not color:
        return text
    import click

    return click.style(text, **style)  # type: ignore[arg-type]


def _where(v: Violation) -> str:
    return f" (commit {v.commit[:12]})" if v.commit else ""


def render_text(report: Report, color: bool = False) -> str:
    lines = [
        f"{_paint(printable(v.file), color, bold=True)}:{v.line}:{v.column}: "
        f"{_paint(v.rule, color, fg='red')}: {printable(v.message)}{_where(v)}"
        for v in report.violations
    ]
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _summary(report: Report) -> str:
    scope = f"{report.files_checked} model file{'s' if report.files_checked != 1 else ''}"
    if report.commits_checked:
        scope += f" in {len(report.commits_checked)} commit{'s' if len(report.commits_checked) != 1 else ''}"
    if report.ok:
        return f"ok: {scope} checked, no violations"
    files = len({v.file for v in report.violations})
    n = len(report.violations)
    return f"{n} violation{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''} ({scope} checked)"


def render_json(report: Report, color: bool = False) -> str:
    import json

    data = {
        "ok": report.ok,
        "violations": [v.to_dict() for v in report.violations],
        "files_checked": report.files_checked,
    }
    if report.commits_checked is not None:  # a range: its commits, even none
        data["commits_checked"] = report.commits_checked
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


MAX_ANNOTATIONS = 50  # GitHub shows 10 error annotations per step and 50 per job
SUMMARY_LIMIT = 1024 * 1024  # GitHub refuses a job summary of 1 MiB or more per step


def _annotation(v: Violation) -> str:
    """A workflow command, its file and message escaped as the text format escapes them
    (a terminal escape or an undecodable byte in a file name goes out as text), then as
    workflow commands need."""
    return (f"::error file={_escape_property(printable(v.file))},line={v.line},col={v.column},"
            f"title={_escape_property(v.rule)}::{_escape_data(printable(v.message) + _where(v))}")


def _line(v: Violation) -> str:
    return f"{printable(v.file)}:{v.line}:{v.column}: {v.rule}: {printable(v.message)}{_where(v)}"


def render_github(report: Report, color: bool = False) -> str:
    """GitHub Actions workflow commands: an annotation for each of the first
    ``MAX_ANNOTATIONS`` violations; past that one notice with the total, and the rest as
    plain log lines (more annotations would not be shown anyway)."""
    shown = report.violations[:MAX_ANNOTATIONS]
    lines = [_annotation(v) for v in shown]
    rest = report.violations[MAX_ANNOTATIONS:]
    if rest:
        n = len(report.violations)
        lines.append(f"::notice title=registry-tool validate::{n} violations in total; the first {len(shown)} "
                     f"are annotated, the other {len(rest)} are listed in the log below")
        lines += [_line(v) for v in rest]
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _row(v: Violation) -> str:
    return f"| {markdown_code(v.file)} | {v.line} | `{v.rule}` | {markdown_cell(v.message + _where(v))} |\n"


def _more(n: int) -> str:
    return f"\n… and {n} more\n"


def render_markdown(report: Report, color: bool = False, *, limit: int = SUMMARY_LIMIT) -> str:
    """A Markdown report smaller than ``limit`` bytes (UTF-8) whatever the number of
    violations: rows are listed while they fit, and a last line says "… and N more"."""
    title = "### registry-tool validate\n\n"
    if report.ok:
        return title + f"✅ {_summary(report)}\n"
    head = title + f"❌ {_summary(report)}\n\n| File | Line | Rule | Message |\n| --- | ---: | --- | --- |\n"
    reserve = len(_more(len(report.violations)).encode("utf-8"))
    room = limit - 1 - len(head.encode("utf-8")) - reserve
    rows: list[str] = []
    for v in report.violations:
        row = _row(v)
        room -= len(row.encode("utf-8"))
        if room < 0:
            break
        rows.append(row)
    text = head + "".join(rows)
    if len(rows) < len(report.violations):
        text += _more(len(report.violations) - len(rows))
    return text


def _sarif(report: Report, color: bool) -> str:
    from registry_tool.output.sarif import render_sarif  # the rule table and urllib: only for this format

    return render_sarif(report, color)


def _junit(report: Report, color: bool) -> str:
    from registry_tool.output.junit import render_junit  # xml.etree: 5 ms that every other format would pay

    return render_junit(report, color)


REPORTERS: dict[str, Render] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "markdown": render_markdown,
    "sarif": _sarif,
    "junit": _junit,
}
