"""Read a model file as an edit of a neighbouring version of it: cost follows the edit.

History compares each version of a model file with the next. Two neighbours usually
differ in one version item (a stage, a metric) or by an appended item, yet a full strict
parse costs as much as the whole file. :func:`derive` reads a file from a *reference*
(a valid neighbour already parsed, with the line span of each version item): it finds
the lines that differ, widens them to whole version items, parses only those items with
the same strict loader, checks them against the schema's version definition, and splices
them into the reference's model.

It answers only when that is provably the same as a full parse: the header (everything
outside the versions list) is unchanged, the new text is a block sequence of mappings at
the same column, with no document markers or directives, no line breaks Python and YAML
count differently, and no nesting near the depth limit. Anything else returns None and
the caller parses the file in full, so a derived answer is never a guess. The property
tests in tests/test_incremental.py hold it to the full parse.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from yaml.nodes import MappingNode, SequenceNode

from registry_tool.core.model import Model, model_from_data
from registry_tool.core.policy import DEFAULT_STAGES, StageSet
from registry_tool.schema import check as schema
from registry_tool.schema.fast import Check, compile_schema
from registry_tool.validation.model_file import ModelFile
from registry_tool.yamlfile import loader, nesting

_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")  # YAML line breaks besides \n (Python's split differs)
_MARKERS = ("---", "...", "%")  # document markers and directives change what surrounds an item
_VERSIONS_SCHEMA = {"type": "array", "items": {"$ref": "#/$defs/version"}}


@dataclass(frozen=True)
class Layout:
    """A valid model file's model, its lines, and where each version item starts."""

    model: Model
    lines: tuple[str, ...]  # text.split("\n")
    starts: tuple[int, ...]  # first line (0-based) of each version item: its "-" line
    end: int  # first line after the versions list (a top-level key, or len(lines))
    column: int  # the column of every item's "-"


@lru_cache(maxsize=1)
def _version_check() -> Check | None:
    """The schema's check for one version item, or None when the schema constrains the
    versions list as a whole (then only a full parse can tell)."""
    full = schema.load_schema(schema.MODEL_SCHEMA)
    versions = {k: v for k, v in full["properties"]["versions"].items() if k not in ("description", "$comment")}
    if versions != _VERSIONS_SCHEMA:
        return None
    return compile_schema({"$defs": full["$defs"], "$ref": "#/$defs/version"})


def layout_of(mf: ModelFile) -> Layout | None:
    """The layout of a fully parsed file, or None when its shape is not one derive handles."""
    text = mf.doc.text
    if any(b in text for b in _OTHER_BREAKS) or mf.doc.root is None:
        return None
    lines = tuple(text.split("\n"))
    seq = None
    for key, value in mf.doc.root.value:
        if key.value == "versions":
            seq = value
    if not isinstance(seq, SequenceNode):
        return None
    column = seq.start_mark.column
    starts = _item_lines(seq, lines, column)
    end = _end_line(seq, lines)
    if starts is None or end is None or any(line.startswith(_MARKERS) for line in lines):
        return None
    return Layout(mf.model, lines, starts, end, column)


def _item_lines(seq: SequenceNode, lines: tuple[str, ...] | list[str], column: int) -> tuple[int, ...] | None:
    """The "-" line of each item, when every item is a mapping that starts on its "-" line."""
    starts = []
    for item in seq.value:
        line = item.start_mark.line
        text = lines[line]
        if (not isinstance(item, MappingNode) or len(text) <= column or text[column] != "-"
                or text[:column].strip() or text[column + 1:item.start_mark.column].strip()):
            return None
        starts.append(line)
    return tuple(starts)


def _end_line(seq: SequenceNode, lines: tuple[str, ...]) -> int | None:
    """The line the versions list ends before: the next top-level key, or the end of the text."""
    mark = seq.end_mark
    if mark.column != 0 or mark.line >= len(lines):
        return None
    after = lines[mark.line]
    if (after == "" and mark.line == len(lines) - 1) or after[:1] not in ("", " ", "\t", "#", "-"):
        return mark.line
    return None


def derive(ref: Layout, raw: bytes, path: str, stem: str, max_bytes: int,
           stages: StageSet = DEFAULT_STAGES) -> Layout | None:
    """The file ``raw`` read as an edit of ``ref``; None when only a full parse can tell
    (also when an edited item's stage is not one of ``stages``: the full parse says so)."""
    check = _version_check()
    if check is None or not ref.starts:
        return None
    lines = _lines(raw, max_bytes)
    if lines is None:
        return None
    old = ref.lines
    n_old, n_new = len(old), len(lines)
    prefix, suffix = _common_ends(old, lines)
    if prefix == n_old == n_new:
        return ref
    first, stop = ref.starts[0], n_old - suffix  # changed lines of ref: [prefix, stop)
    if prefix < first or stop > ref.end:
        return None  # the header changed: parse in full
    bounds = (*ref.starts, ref.end)
    k = _first_changed_item(ref, lines, bounds, prefix)
    m = bisect.bisect_left(bounds, stop)  # the first item boundary at or after the change (k == m: an insertion)
    delta = n_new - n_old
    if delta == 0:  # same line count: each run of changed items on its own (a promotion and its demotion)
        changed = [r for r in range(k, m) if old[bounds[r]:bounds[r + 1]] != tuple(lines[bounds[r]:bounds[r + 1]])]
        spans = _runs(changed)
    else:
        spans = [(k, m)]
    return _splice(ref, lines, bounds, spans, delta, path, stem, lambda item: check(item) and item["stage"] in stages)


def _lines(raw: bytes, max_bytes: int) -> list[str] | None:
    """The text's lines, or None when the bytes are not plain UTF-8 text within the limit
    with line breaks Python and YAML count alike (then only a full parse can tell)."""
    if len(raw) > max_bytes or b"\x00" in raw:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(b in text for b in _OTHER_BREAKS):
        return None
    return text.split("\n")


def _common_ends(old: tuple[str, ...], new: list[str]) -> tuple[int, int]:
    """How many lines the two texts share at the start, and then at the end."""
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    return prefix, suffix


def _first_changed_item(ref: Layout, lines: list[str], bounds: tuple[int, ...], prefix: int) -> int:
    """The index of the first version item the change touches."""
    at = bisect.bisect_left(bounds, prefix)
    if at <= len(ref.starts) and bounds[at] == prefix and _item_line(lines, prefix, ref.column):
        return at  # the change starts a new item right after a whole one: that one is untouched
    return bisect.bisect_right(ref.starts, max(prefix - 1, ref.starts[0])) - 1  # the item holding the last equal line


def _item_line(lines: list[str], i: int, column: int) -> bool:
    """Whether line i starts a block sequence item at ``column``."""
    if i >= len(lines):
        return False
    text = lines[i]
    return len(text) > column and text[column] == "-" and not text[:column].strip() and text[column + 1:column + 2] in (" ", "")


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted indexes as half-open ranges: [1, 2, 5] -> [(1, 3), (5, 6)]."""
    runs: list[tuple[int, int]] = []
    for i in indexes:
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def _splice(ref: Layout, lines: list[str], bounds: tuple[int, ...], spans: list[tuple[int, int]], delta: int,
            path: str, stem: str, check: Check) -> Layout | None:
    """Ref's items with the items of each span [k, m) replaced by the new text's lines there.
    Outside the spans the lines are equal (shifted by ``delta`` after a span that changed size)."""
    versions: list[Any] = []
    starts: list[int] = []
    shift = 0
    done = 0
    for k, m in spans:
        versions.extend(ref.model.versions[done:k])
        starts.extend(s + shift for s in ref.starts[done:k])
        span_delta = delta if len(spans) == 1 else 0
        items = _parse_items(lines, bounds[k] + shift, bounds[m] + shift + span_delta, ref.column, path, stem, check)
        if items is None:
            return None
        versions.extend(items[0])
        starts.extend(items[1])
        shift += span_delta
        done = m
    versions.extend(ref.model.versions[done:])
    starts.extend(s + shift for s in ref.starts[done:])
    if not versions:
        return None  # "versions:" with nothing under it is null, not an empty list
    renumbered = tuple(v if v.index == i else v._replace(index=i) for i, v in enumerate(versions))
    return Layout(ref.model.replace(versions=renumbered), tuple(lines), tuple(starts), ref.end + delta, ref.column)


def _parse_items(lines: list[str], start: int, stop: int, column: int, path: str, stem: str,
                 check: Check) -> tuple[tuple[Any, ...], tuple[int, ...]] | None:
    """Strictly parse lines [start, stop) as version items at ``column``: (versions, start lines)."""
    chunk = lines[start:stop]
    if any(line.startswith(_MARKERS) for line in chunk):
        return None
    doc = loader.load("\n".join(chunk).encode("utf-8") + b"\n", path)
    if doc.problems:
        return None
    if doc.root is None:
        return (), ()  # only comments and blank lines: no items
    if not isinstance(doc.root, SequenceNode) or doc.root.start_mark.column != column:
        return None
    starts = _item_lines(doc.root, chunk, column)
    data = doc.data
    if starts is None or not isinstance(data, list) or not all(check(item) for item in data):
        return None
    if max((_depth(item) for item in data), default=0) + 1 >= nesting.MAX_DEPTH:
        return None  # depth counts differently outside the file; let the full parse judge
    model = model_from_data({"name": stem, "versions": data})
    return model.versions, tuple(start + s for s in starts)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0
