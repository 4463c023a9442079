"""Aligned text tables built from a list of columns.

A column is a header, a JSON key and a function from a row to its text, so a command
adds a column by appending one :class:`Column` (and the JSON output follows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from registry_tool.output.escape import printable, table_cell

Row = TypeVar("Row")


@dataclass(frozen=True)
class Column(Generic[Row]):
    header: str
    key: str
    value: Callable[[Row], str]
    json: Callable[[Row], Any] | None = None  # the JSON value, when it differs from the cell text
    shown: bool = True  # False: a JSON key only, not a column of the text table


def render_table(rows: Sequence[Row], columns: Sequence[Column[Row]]) -> str:
    """Left-aligned columns separated by two spaces; the last column is not padded."""
    columns = [c for c in columns if c.shown]
    return render_cells([c.header for c in columns], [row_cells(row, columns) for row in rows])


def row_cells(row: Row, columns: Sequence[Column[Row]]) -> list[str]:
    """A row's cells as the table prints them (the columns given, shown or not)."""
    return [printable(table_cell(c.value(row))) for c in columns]


def render_cells(headers: list[str], cells: Sequence[list[str]]) -> str:
    """:func:`render_table` of cells already made (a row's text, not the row)."""
    lines = [headers, *cells]
    widths = [max(len(line[i]) for line in lines) for i in range(len(headers))]
    text = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines]
    return "\n".join(text) + "\n"


def table_record(row: Row, columns: Sequence[Column[Row]]) -> dict[str, Any]:
    """A row's cells as a JSON object, keyed by each column's key."""
    return {c.key: (c.json or c.value)(row) for c in columns}
