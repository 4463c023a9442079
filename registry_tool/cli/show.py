"""``registry-tool show`` (the registry at a glance) and ``registry-tool export`` (all of it, as JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import click

from registry_tool.cli.options import emit, format_option, repo_option
from registry_tool.core.model import Model, ModelVersion, Stage
from registry_tool.output.table import Column, render_table, table_records

if TYPE_CHECKING:
    from registry_tool.history.events import Event
    from registry_tool.read.api import RegistrySnapshot


@dataclass(frozen=True)
class VersionRow:
    """One line of ``show``: a version of a model."""

    model: Model
    version: ModelVersion


# The columns every ``show`` prints, in order; the JSON output uses the same keys.
VERSION_COLUMNS: list[Column[VersionRow]] = [
    Column("MODEL", "model", lambda r: r.model.name),
    Column("VERSION", "version", lambda r: r.version.version),
    Column("STAGE", "stage", lambda r: r.version.stage.value),
    Column("ARTIFACT", "artifact", lambda r: r.version.artifact.uri),
]


def show_columns(snap: "RegistrySnapshot", rows: list[VersionRow], *, provenance: bool) -> list[Column[VersionRow]]:
    """The columns for these rows; with ``provenance``, also when, by whom and in which
    commit and pull request each version reached its stage, read from history."""
    if not provenance or not rows:
        return list(VERSION_COLUMNS)
    from registry_tool.history.provenance import registry_provenance, stage_provenance  # noqa: PLC0415

    store, commit = snap.snapshot.store, snap.snapshot.commit
    names = sorted({row.model.name for row in rows})
    events = ({names[0]: stage_provenance(store, commit, names[0])} if len(names) == 1
              else registry_provenance(store, commit))

    def event(row: VersionRow) -> "Event | None":
        return events.get(row.model.name, {}).get(row.version.version)

    def cell(text: Callable[["Event"], str]) -> Callable[[VersionRow], str]:
        return lambda row: text(e) if (e := event(row)) is not None else "?"  # before a shallow clone's boundary

    def value(data: Callable[["Event"], Any]) -> Callable[[VersionRow], Any]:
        return lambda row: data(e) if (e := event(row)) is not None else None

    return list(VERSION_COLUMNS) + [
        Column("SINCE", "since", cell(lambda e: e.commit.time[:16].replace("T", " ")), value(lambda e: e.commit.time)),
        Column("BY", "by", cell(lambda e: e.commit.author.name), value(lambda e: e.commit.author.to_dict())),
        Column("COMMIT", "stage_commit", cell(lambda e: e.commit.id[:12]), value(lambda e: e.commit.id)),
        Column("PR", "pull_request", cell(lambda e: f"#{e.commit.pull_request}" if e.commit.pull_request else ""),
               value(lambda e: e.commit.pull_request)),
    ]


def version_rows(models: list[Model], stage: Stage | None) -> list[VersionRow]:
    """Every version of the models (sorted by name), oldest first, optionally of one stage."""
    return [VersionRow(m, v) for m in sorted(models, key=lambda m: m.name)
            for v in m.versions if stage is None or v.stage is stage]


@click.command()
@click.argument("model", required=False)
@click.option("--ref", default="HEAD", show_default=True, help="Read the registry as committed at this revision.")
@click.option("--stage", type=click.Choice([s.value for s in Stage]), help="Only versions at this stage.")
@click.option("--history/--no-history", "provenance", default=None,
              help="Also show when, by whom and in which commit and PR each version reached its stage, "
                   "read from Git history (default: on for one MODEL, off for the whole registry).")
@format_option(["table", "json"], "table")
@repo_option
def show(model: str | None, ref: str, stage: str | None, provenance: bool | None, fmt: str, repo: Path | None) -> None:
    """The registry (or one MODEL) at a revision: every version with its stage and artifact.

    \b
      registry-tool show
      registry-tool show --stage production --history
      registry-tool show faq-bot --ref v2.3 --format json
    """
    from registry_tool.read.api import open_registry  # noqa: PLC0415

    snap = open_registry(repo or ".").at(ref)
    models = [snap.model(model)] if model else snap.all_models()
    rows = version_rows(models, Stage(stage) if stage else None)
    columns = show_columns(snap, rows, provenance=bool(model) if provenance is None else provenance)
    if fmt == "json":
        from registry_tool.cli.get import dump  # noqa: PLC0415

        emit(dump({"commit": snap.commit, "versions": table_records(rows, columns)}))
        return
    what = f"{len(rows)} version{'s' if len(rows) != 1 else ''}" + (f" in {stage}" if stage else "")
    summary = f"{what} of {len(models)} model{'s' if len(models) != 1 else ''} at {ref} ({snap.commit[:12]})\n"
    emit((render_table(rows, columns) if rows else "") + summary)


@click.command()
@click.option("--ref", default="HEAD", show_default=True, help="Export the registry as committed at this revision.")
@repo_option
def export(ref: str, repo: Path | None) -> None:
    """The whole registry at a revision as one JSON document (keys sorted).

    {"commit": sha, "schema_version": n, "models": {name: {..., "versions": [...]}}}.
    Every model file is checked first: one that breaks a rule fails the export (exit 2).
    """
    from registry_tool.cli.get import dump  # noqa: PLC0415
    from registry_tool.read.api import open_registry  # noqa: PLC0415
    from registry_tool.read.documents import export_document  # noqa: PLC0415

    emit(dump(export_document(open_registry(repo or ".").at(ref))))
