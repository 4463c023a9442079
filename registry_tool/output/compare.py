"""``compare``'s formats: an aligned text table, JSON, and a Markdown table for a pull
request comment. One row per fact (stage, artifact, tags, ...) and per metric, one column
per version; a metric's change against the first version follows its value, with
``better``/``worse`` where the policy's ``no_regression`` gives it a direction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from registry_tool.core.model import ModelVersion
from registry_tool.output.escape import markdown_cell, printable
from registry_tool.output.table import Column, render_table
from registry_tool.output.values import dump, raw
from registry_tool.read.compare import Comparison, MetricRow

Render = Callable[[Comparison], str]
MISSING = "-"
_MARK = {"better": "✅ better", "worse": "❌ worse", "same": "same"}


@dataclass(frozen=True)
class Line:
    """One row of the table: a label and one cell per version."""

    label: str
    cells: tuple[str, ...]


def _facts(version: ModelVersion) -> dict[str, str]:
    art = version.artifact
    sha = art.sha256[:12] + "..." if art.sha256 else None
    facts = {"stage": version.stage.value, "artifact": art.uri, "sha256": sha,
             "size_bytes": str(art.size_bytes) if art.size_bytes is not None else None,
             "format": art.format, "run_id": version.run_id, "tags": ", ".join(version.tags) or None,
             "description": version.description}
    return {key: value for key, value in facts.items() if value is not None}


def fact_lines(comparison: Comparison) -> list[Line]:
    """The versions' facts, a row for each that any version has."""
    facts = [_facts(v) for v in comparison.versions]
    keys = [k for k in ("stage", "artifact", "sha256", "size_bytes", "format", "run_id", "tags", "description")
            if any(k in f for f in facts)]
    return [Line(key, tuple(f.get(key, MISSING) for f in facts)) for key in keys]


def metric_label(row: MetricRow) -> str:
    if row.direction is None:
        return row.metric
    return f"{row.metric} ({row.direction.replace('_is_', ' is ').replace('_', ' ')})"


def metric_cell(row: MetricRow, index: int, marks: dict[str, str]) -> str:
    value = row.values[index]
    if value is None:
        return MISSING
    cell = raw(value)
    delta = row.deltas[index]
    verdict = row.verdicts[index] if row.verdicts else None
    if delta is None:
        return cell
    change = f"+{raw(delta)}" if delta > 0 else raw(delta) if delta < 0 else "+0"
    return f"{cell} ({change}{', ' + marks[verdict] if verdict else ''})"


def metric_lines(comparison: Comparison, marks: dict[str, str]) -> list[Line]:
    return [Line(metric_label(row), tuple(metric_cell(row, i, marks) for i in range(len(row.values))))
            for row in comparison.metrics]


def _columns(comparison: Comparison) -> list[Column[Line]]:
    first = Column[Line](comparison.model.name, "label", lambda line: printable(line.label))
    return [first] + [Column[Line](v.version, v.version, _cell(i)) for i, v in enumerate(comparison.versions)]


def _cell(index: int) -> Callable[[Line], str]:
    return lambda line: printable(line.cells[index])


def _footer(comparison: Comparison) -> str:
    return (f"{comparison.model.name} at {comparison.rev} ({comparison.commit[:12]}); "
            f"changes against {comparison.versions[0].version}")


def render_text(comparison: Comparison) -> str:
    marks = {verdict: verdict for verdict in _MARK}
    lines = fact_lines(comparison) + metric_lines(comparison, marks)
    return render_table(lines, _columns(comparison)) + _footer(comparison) + "\n"


def render_markdown(comparison: Comparison) -> str:
    lines = fact_lines(comparison) + metric_lines(comparison, _MARK)
    names = [markdown_cell(v.version) for v in comparison.versions]
    out = [f"### {markdown_cell(comparison.model.name)}: {' vs '.join(names)}", "",
           "| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    out += ["| " + " | ".join(markdown_cell(cell) for cell in (line.label, *line.cells)) + " |" for line in lines]
    out += ["", markdown_cell(_footer(comparison)) + ("; better and worse as no_regression in registry.yaml judges them"
                                                      if any(row.direction for row in comparison.metrics) else "")]
    return "\n".join(out) + "\n"


def render_json(comparison: Comparison) -> str:
    return dump(comparison.to_dict())


COMPARE_REPORTERS: dict[str, Render] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
