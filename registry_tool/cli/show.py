"""``registry-tool show`` (the registry at a glance) and ``registry-tool export`` (all of it, as JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from registry_tool.cli.completion import complete_models, complete_stages
from registry_tool.cli.options import at_option, emit, emit_whole, format_option, open_snapshot, repo_option
from registry_tool.output.show import Provenance, VersionRow, show_columns, show_records, text_columns, version_rows
from registry_tool.output.table import render_cells, render_table, row_cells
from registry_tool.output.values import dump_parts

if TYPE_CHECKING:
    from collections.abc import Iterator

    from registry_tool.core.model import Model
    from registry_tool.read.api import RegistrySnapshot
    from registry_tool.read.query import Query


def _provenance(snap: RegistrySnapshot, rows: list[VersionRow]) -> Provenance:
    """For each version shown, the event that put it in its stage, from history."""
    from registry_tool.history.provenance import registry_provenance, stage_provenance

    store, commit = snap.snapshot.store, snap.snapshot.commit
    names = sorted({row.model.name for row in rows})
    if len(names) == 1:
        return {names[0]: stage_provenance(store, commit, names[0])}
    return registry_provenance(store, commit)


@click.command()
@click.argument("model", required=False, shell_complete=complete_models)
@click.option("--ref", default="HEAD", show_default=True, help="Read the registry as committed at this revision.")
@at_option
@click.option("--stage", metavar="STAGE", shell_complete=complete_stages,
              help="Only versions at this stage (any stage registry.yaml declares).")
@click.option("--tag", "tags", multiple=True, metavar="TAG",
              help="Only versions that have this tag, or whose model has it (repeatable: all of them).")
@click.option("--owner", metavar="OWNER", help="Only models with this owner.")
@click.option("--task", metavar="TASK", help="Only models with this task.")
@click.option("--where", "where", multiple=True, metavar="'FIELD OP VALUE'",
              help="Only versions whose FIELD (a dotted path as get --field takes it: metrics.accuracy, "
                   "artifact.format, metadata.team) compares so with VALUE; OP is one of = != < <= > >= (repeatable).")
@click.option("--history/--no-history", "provenance", default=None,
              help="Also show when, by whom and in which commit and PR each version reached its stage, "
                   "read from Git history (default: on for one MODEL, off for the whole registry).")
@format_option(["table", "json"], "table")
@repo_option
def show(model: str | None, ref: str, at: str | None, stage: str | None, tags: tuple[str, ...], owner: str | None, task: str | None,
         where: tuple[str, ...], provenance: bool | None, fmt: str, repo: Path | None) -> None:
    """The registry (or one MODEL) at a revision: every version with its stage and artifact,
    or the versions that pass every filter given.

    \b
      registry-tool show
      registry-tool show --stage production --history
      registry-tool show faq-bot --ref v2.3 --format json
      registry-tool show --stage production --at 2024-11-05T10:30:00Z
      registry-tool show --tag nlp --where 'metrics.accuracy>=0.9' --where artifact.format=onnx
    """
    from dataclasses import replace

    from registry_tool.read.api import parse_stage
    from registry_tool.read.query import Query

    query = Query.of(tags=tags, owner=owner, task=task, where=where)  # a typo in --where: before reading anything
    snap = open_snapshot(repo, ref, at)
    if stage:
        query = replace(query, stage=parse_stage(stage, snap.policy.stages))
    wanted = bool(model) if provenance is None else provenance
    at_rev = f"{snap.rev} ({snap.commit[:12]})"
    if model is None and not wanted:  # the whole registry without history: a model at a time, none kept
        _show_each(snap, query, fmt, at_rev)
        return
    models = [snap.model(model)] if model else snap.all_models()
    rows = version_rows(query.select(models))
    columns = show_columns(_provenance(snap, rows) if wanted and rows else None)
    if fmt == "json":
        emit_whole(dump_parts({"commit": snap.commit}, "versions", show_records(rows, columns), mapping=False))
        return
    columns = text_columns(rows, columns)
    emit((render_table(rows, columns) if rows else "") + _summary(len(rows), len(models), query, at_rev))


def _show_each(snap: RegistrySnapshot, query: Query, fmt: str, at_rev: str) -> None:
    """``show`` of the whole registry without history columns, reading a model at a time:
    the JSON rows are written as they come, the table keeps each row's text, not its model
    (50,000 models held took ~2 GB)."""
    count = [0]

    def models() -> Iterator[Model]:
        count[0] = 0
        for each in snap.each_model():
            count[0] += 1
            yield each

    rows = (VersionRow(m, v) for m, v in query.each(models))
    columns = show_columns(None)
    if fmt == "json":
        emit_whole(dump_parts({"commit": snap.commit}, "versions", show_records(rows, columns), mapping=False))
        return
    shown = [c for c in columns if c.shown]
    cells = [row_cells(row, shown) for row in rows]
    aliases = [c.key for c in shown].index("aliases")
    if not any(line[aliases] for line in cells):  # as text_columns: ALIASES only when a row has one
        shown, cells = shown[:aliases] + shown[aliases + 1:], [line[:aliases] + line[aliases + 1:] for line in cells]
    emit((render_cells([c.header for c in shown], cells) if cells else "") + _summary(len(cells), count[0], query, at_rev))


def _summary(rows: int, models: int, query: Query, where: str) -> str:
    """``3 versions in staging of 12 models at HEAD (1a2b3c4d5e6f)``, and the filters."""
    what = f"{rows} version{'s' if rows != 1 else ''}" + (f" in {query.stage}" if query.stage else "")
    line = f"{what} of {models} model{'s' if models != 1 else ''} at {where}"
    if query.filters:
        shown = [f"--tag {t}" for t in query.tags] + [f"--owner {query.owner}"] * (query.owner is not None)
        shown += [f"--task {query.task}"] * (query.task is not None) + [f"--where {c.text}" for c in query.where]
        line += f", matching {' '.join(shown)}"
    return line + "\n"


@click.command()
@click.option("--ref", default="HEAD", show_default=True, help="Export the registry as committed at this revision.")
@at_option
@repo_option
def export(ref: str, at: str | None, repo: Path | None) -> None:
    """The whole registry at a revision (or as of a time) as one JSON document (keys sorted).

    {"commit": sha, "schema_version": n, "models": {name: {..., "versions": [...]}}}.
    Every model file is checked first: one that breaks a rule fails the export (exit 2).
    """
    from registry_tool.read.documents import export_parts

    document, models = export_parts(open_snapshot(repo, ref, at))
    emit_whole(dump_parts(document, "models", models))
