"""Inline SVG drawn in Python: a metric across versions, and a model's stage timeline.

Each chart is an ``<svg role="img">`` with a title and a description that say in words
what it shows (the values, the marked version); every point and every segment also has
its own ``<title>`` (a tooltip). Coordinates are rounded to one decimal, so the same data
always gives the same bytes.
"""

from __future__ import annotations

import math
import sys

from registry_tool.output.escape import html_text as h
from registry_tool.output.site.html import Look, number
from registry_tool.read.catalog import Lane, MetricSeries, StageGrid

# metric chart geometry (in SVG user units; the chart scales with its box)
WIDTH, HEIGHT = 360, 190
LEFT, RIGHT, TOP, BOTTOM = 56, 18, 26, 44
INSET = 18  # the first and last points stand this far inside the axes
MAX_LABELS = 8  # more points than this: only the first, last and marked versions are labelled below the axis


def _f(value: float) -> str:
    return f"{value:.1f}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"


def _scale(values: list[float]) -> tuple[float, float, list[float]]:
    """The y axis: round ticks (1, 2, 2.5 or 5 times a power of ten) that cover the values,
    about four of them, and the axis's ends at the outer ticks. Where round ticks cannot be
    had in doubles (values near the largest double, or apart by a subnormal), the axis runs
    from the lowest value to the highest, with those two ticks."""
    low, high = min(values), max(values)
    if low == high:
        pad = abs(low) * 0.05 or 1.0
        low, high = max(low - pad, -sys.float_info.max), min(high + pad, sys.float_info.max)
    raw = high / 4 - low / 4  # halves of halves: the difference itself may overflow
    try:
        power = 10.0 ** math.floor(math.log10(raw))
        step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
        first, last = math.floor(low / step), math.ceil(high / step)
        ticks = [float(f"{k * step:.12g}") for k in range(first, last + 1)]
    except (ValueError, OverflowError, ZeroDivisionError, StopIteration):  # raw 0, or a power beyond the doubles
        ticks = []
    if len(ticks) < 2 or not all(math.isfinite(t) for t in ticks):
        ticks = [low, high]
    return ticks[0], ticks[-1], ticks


def _fraction(value: float, low: float, high: float) -> float:
    """Where ``value`` lies between ``high`` (0) and ``low`` (1), without overflowing."""
    span = high - low
    if math.isinf(span):
        return (high / 2 - value / 2) / (high / 2 - low / 2)
    return (high - value) / span


def metric_chart(series: MetricSeries, ident: str) -> str:
    """One metric across versions: a line through one point per version (oldest left), the
    version in a unique stage (production) drawn as a larger diamond and labelled with its
    stage. ``ident`` makes the ids of the title and description unique in the page."""
    points = series.points
    values = [float(p.value) for p in points]
    low, high, ticks = _scale(values)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (inner_w / 2 if len(points) == 1 else INSET + (inner_w - 2 * INSET) * i / (len(points) - 1))

    def y(value: float) -> float:
        return TOP + inner_h * _fraction(value, low, high)

    said = "; ".join(f"{p.version}: {number(p.value)}" + (f" ({p.stage})" if p.marked else "") for p in points)
    out = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
           f'aria-labelledby="{ident}-t {ident}-d" class="metric" data-metric="{h(series.metric)}">',
           f'<title id="{ident}-t">{h(series.metric)} by version</title>',
           f'<desc id="{ident}-d">{h(said)}</desc>']
    for value in ticks:
        out.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_f(y(value))}" y2="{_f(y(value))}"/>'
                   f'<text x="{LEFT - 6}" y="{_f(y(value) + 4)}" text-anchor="end" font-size="11">{h(number(value))}</text>')
    out.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}"/>'
               f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}"/>')
    if len(points) > 1:
        coords = " ".join(f"{_f(x(i))},{_f(y(v))}" for i, v in enumerate(values))
        out.append(f'<polyline class="line" points="{coords}"/>')
    for i, p in enumerate(points):
        out.append(_point(x(i), y(values[i]), p.version, number(p.value), str(p.stage) if p.marked else None))
        if len(points) <= MAX_LABELS or p.marked or i in (0, len(points) - 1):
            out.append(f'<text x="{_f(x(i))}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11">'
                       f"{h(_short(p.version, 10))}</text>")
    out.append(f'<text x="{_f(LEFT + inner_w / 2)}" y="{HEIGHT - 6}" text-anchor="middle" font-size="11">version</text>')
    out.append("</svg>")
    return "\n".join(out)


def _point(cx: float, cy: float, version: str, value: str, marked: str | None) -> str:
    tip = f"<title>{h(version)}: {h(value)}{f' ({h(marked)})' if marked else ''}</title>"
    data = f'data-version="{h(version)}" data-value="{h(value)}"'
    if marked is None:
        return f'<circle class="pt" cx="{_f(cx)}" cy="{_f(cy)}" r="4.5" {data}>{tip}</circle>'
    d = f"M{_f(cx)},{_f(cy - 8)} L{_f(cx + 8)},{_f(cy)} L{_f(cx)},{_f(cy + 8)} L{_f(cx - 8)},{_f(cy)} Z"
    anchor = "end" if cx > WIDTH - RIGHT - 30 else "start" if cx < LEFT + 30 else "middle"
    return (f'<path class="pt mark" d="{d}" {data} data-stage="{h(marked)}">{tip}</path>'
            f'<text class="marklabel" x="{_f(cx)}" y="{_f(max(cy - 12, 11))}" text-anchor="{anchor}" font-size="11">'
            f"{h(marked)}</text>")


# stage timeline geometry
STEP_W, ROW_H, HEAD_H, PAD = 120, 32, 48, 8


def stage_timeline(grid: StageGrid, look: Look, model: str) -> str:
    """Which version was in which stage after each commit that moved one: a row per
    version, a column per commit (oldest left, headed by its date and pull request or
    short sha, linked to the Git host when there is one), each run of a stage a coloured
    bar with the stage's name on it."""
    label_w = max(64, min(200, 9 * max((len(lane.version) for lane in grid.lanes), default=4) + 16))
    columns = len(grid.steps) + (1 if grid.has_before else 0)
    width = label_w + STEP_W * max(columns, 1) + PAD
    height = HEAD_H + ROW_H * len(grid.lanes) + PAD
    out = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
           f'aria-labelledby="tl-t tl-d" class="stage-timeline">',
           f'<title id="tl-t">Stage timeline of {h(model)}</title>',
           f'<desc id="tl-d">{h(_timeline_words(grid))}</desc>']
    if grid.has_before:
        out.append(_head(label_w, "earlier", f"{grid.earlier} commits", None, look) if grid.earlier
                   else _head(label_w, "before", "history", None, look))
    for i, step in enumerate(grid.steps):
        commit = step.commit
        second = f"#{commit.pull_request}" if commit.pull_request else commit.id[:7]
        out.append(_head(label_w + STEP_W * (i + (1 if grid.has_before else 0)), commit.time[:10], second, commit.id, look))
    for row, lane in enumerate(grid.lanes):
        out.append(_lane(lane, row, label_w, grid, look))
    out.append("</svg>")
    return "\n".join(out)


def _head(x: float, first: str, second: str, sha: str | None, look: Look) -> str:
    text = (f'<text x="{_f(x + STEP_W / 2)}" y="18" text-anchor="middle" font-size="13">{h(first)}</text>'
            f'<text x="{_f(x + STEP_W / 2)}" y="36" text-anchor="middle" font-size="13">{h(second)}</text>')
    if sha is not None and look.repo_url is not None:
        return f'<a href="{h(look.repo_url)}/commit/{h(sha)}">{text}</a>'
    return text


def _lane(lane: Lane, row: int, label_w: int, grid: StageGrid, look: Look) -> str:
    y = HEAD_H + ROW_H * row
    out = [f'<g class="lane" data-version="{h(lane.version)}">',
           f'<text x="{label_w - 8}" y="{y + 21}" text-anchor="end" font-size="14">{h(_short(lane.version, 20))}</text>']
    cells = ([lane.before] if grid.has_before else []) + list(lane.stages)
    start = 0
    while start < len(cells):
        end = start
        while end + 1 < len(cells) and cells[end + 1] == cells[start]:
            end += 1
        stage = cells[start]
        if stage is not None:
            x, w = label_w + STEP_W * start, STEP_W * (end - start + 1)
            span = _span(grid, start, end)
            out.append(f'<g class="{look.stage_class(stage)}" data-stage="{h(stage)}">'
                       f'<rect class="seg" x="{x + 1}" y="{y + 3}" width="{w - 2}" height="{ROW_H - 6}" rx="3">'
                       f"<title>{h(lane.version)}: {h(stage)} {h(span)}</title></rect>"
                       f'<text class="segtext" x="{x + 8}" y="{y + 21}">{h(_short(stage, (w - 14) // 8))}</text></g>')
        start = end + 1
    out.append("</g>")
    return "".join(out)


def _span(grid: StageGrid, start: int, end: int) -> str:
    """When a run of cells began and ended, in words."""
    offset = 1 if grid.has_before else 0
    first = grid.steps[start - offset].commit.time[:10] if start - offset >= 0 else "before the commits shown"
    if end + 1 >= len(grid.steps) + offset:
        return f"since {first}"
    return f"from {first} to {grid.steps[end + 1 - offset].commit.time[:10]}"


def _timeline_words(grid: StageGrid) -> str:
    if not grid.steps:
        return "No stage changes in the history read."
    now = "; ".join(f"{lane.version} {lane.stages[-1] or 'gone'}" for lane in grid.lanes)
    shown = f"The newest {len(grid.steps)} of {len(grid.steps) + grid.earlier}" if grid.earlier else f"{len(grid.steps)}"
    return (f"{shown} commits moved versions between stages, from {grid.steps[0].commit.time[:10]} "
            f"to {grid.steps[-1].commit.time[:10]}. Now: {now}. The table below lists every change.")
