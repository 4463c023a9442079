"""``registry-tool show`` (the registry at a glance) and ``registry-tool export`` (all of it, as JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from registry_tool.cli.completion import complete_models, complete_stages
from registry_tool.cli.options import at_option, emit, emit_whole, format_option, open_snapshot, repo_option
from registry_tool.output.show import Provenance, VersionRow, show_columns, show_records, text_columns, version_rows
from registry_tool.output.table import render_table
from registry_tool.output.values import dump_parts

if TYPE_CHECKING:
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
    models = [snap.model(model)] if model else snap.all_models()
    rows = version_rows(query.select(models))
    wanted = bool(model) if provenance is None else provenance
    columns = show_columns(_provenance(snap, rows) if wanted and rows else None)
    if fmt == "json":
        emit_whole(dump_parts({"commit": snap.commit}, "versions", show_records(rows, columns), mapping=False))
        return
    columns = text_columns(rows, columns)
    emit((render_table(rows, columns) if rows else "") + _summary(rows, models, query, f"{snap.rev} ({snap.commit[:12]})"))


def _summary(rows: list[VersionRow], models: list[Model], query: Query, where: str) -> str:
    """``3 versions in staging of 12 models at HEAD (1a2b3c4d5e6f)``, and the filters."""
    what = f"{len(rows)} version{'s' if len(rows) != 1 else ''}" + (f" in {query.stage}" if query.stage else "")
    line = f"{what} of {len(models)} model{'s' if len(models) != 1 else ''} at {where}"
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
