"""``show``'s table and JSON rows: a version per row, with when, by whom and in which
commit it reached its stage when history was read, and the pull request its commit message
claims (``CLAIMED PR``: what the message says, like history's ``message claims PR #41``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from registry_tool.core.model import Model, ModelVersion
from registry_tool.history.events import Event
from registry_tool.output.table import Column, table_record
from registry_tool.read.documents import version_document

Provenance = Mapping[str, Mapping[str, Event]]  # model -> version -> the event that set its stage
CLAIMED_PR = "CLAIMED PR"  # the pull request a commit message names: nothing verifies it


@dataclass(frozen=True)
class VersionRow:
    """One line of ``show``: a version of a model."""

    model: Model
    version: ModelVersion


# The columns every ``show`` prints, in order; its JSON rows carry these keys too (``artifact``
# as ``get``'s object, see :func:`show_records`).
VERSION_COLUMNS: list[Column[VersionRow]] = [
    Column("MODEL", "model", lambda r: r.model.name),
    Column("VERSION", "version", lambda r: r.version.version),
    Column("STAGE", "stage", lambda r: r.version.stage.value),
    Column("ARTIFACT", "artifact", lambda r: r.version.artifact.uri),
    Column("ALIASES", "aliases", lambda r: ", ".join(r.model.aliases_of(r.version.version)),
           lambda r: list(r.model.aliases_of(r.version.version))),
]


def version_rows(found: Iterable[tuple[Model, ModelVersion]]) -> list[VersionRow]:
    """The rows of versions a query found (models sorted by name, each oldest first)."""
    return [VersionRow(m, v) for m, v in sorted(found, key=lambda pair: pair[0].name)]


def show_records(rows: Iterable[VersionRow], columns: Sequence[Column[VersionRow]]) -> Iterator[dict[str, Any]]:
    """``show --format json``'s rows, one at a time: each the version as ``get`` shows it
    (without the commit, which the document states once), plus the columns beyond the
    table's basic ones (when and by whom it reached its stage)."""
    for row in rows:
        yield {**table_record(row, columns), **version_document(row.model, row.version)}


def show_columns(events: Provenance | None) -> list[Column[VersionRow]]:
    """The columns of ``show``; with ``events`` (read from history), also when, by whom
    and in which commit and pull request each version reached its stage."""
    if events is None:
        return list(VERSION_COLUMNS)

    def event(row: VersionRow) -> Event | None:
        return events.get(row.model.name, {}).get(row.version.version)

    def cell(text: Callable[[Event], str]) -> Callable[[VersionRow], str]:
        return lambda row: text(e) if (e := event(row)) is not None else "?"  # before a shallow clone's boundary

    def value(data: Callable[[Event], Any]) -> Callable[[VersionRow], Any]:
        return lambda row: data(e) if (e := event(row)) is not None else None

    return [
        *VERSION_COLUMNS,
        Column("SINCE", "since", cell(lambda e: e.commit.time[:16].replace("T", " ")), value(lambda e: e.commit.time)),
        Column("BY", "by", cell(lambda e: e.proposer.name), value(lambda e: e.proposer.to_dict())),
        Column("COMMIT", "stage_commit", cell(lambda e: e.commit.id[:12]), value(lambda e: e.commit.id)),
        # The number the commit message names: a claim, as history says ("message claims PR #41");
        # the same JSON key and value as history's.
        Column(CLAIMED_PR, "pull_request", cell(lambda e: f"#{e.commit.pull_request}" if e.commit.pull_request else ""),
               value(lambda e: e.commit.pull_request)),
        # JSON only: the rest of the attribution (see history)
        Column("", "proposed_by", cell(lambda e: ""), value(lambda e: e.proposer.to_dict()), shown=False),
        Column("", "merged_by", cell(lambda e: ""), value(lambda e: e.commit.lander.to_dict()), shown=False),
        Column("", "approved_by", cell(lambda e: ""), value(lambda e: [p.to_dict() for p in e.commit.approved_by]),
               shown=False),
        Column("", "reason", cell(lambda e: ""), value(lambda e: e.commit.reason or e.commit.comment), shown=False),
    ]


def text_columns(rows: list[VersionRow], columns: list[Column[VersionRow]]) -> list[Column[VersionRow]]:
    """The table's columns: ALIASES only when a row has an alias (JSON rows always carry it)."""
    if any(row.model.aliases_of(row.version.version) for row in rows):
        return columns
    return [c for c in columns if c.key != "aliases"]
