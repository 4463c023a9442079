"""``registry-tool show`` (the registry at a glance) and ``registry-tool export`` (all of it, as JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from registry_tool.cli.completion import complete_models, complete_stages
from registry_tool.cli.options import emit, format_option, repo_option
from registry_tool.output.show import Provenance, VersionRow, show_columns, text_columns, version_rows
from registry_tool.output.table import render_table, table_records
from registry_tool.output.values import dump

if TYPE_CHECKING:
    from registry_tool.read.api import RegistrySnapshot


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
@click.option("--stage", metavar="STAGE", shell_complete=complete_stages,
              help="Only versions at this stage (any stage registry.yaml declares).")
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

    from registry_tool.read.api import open_registry, parse_stage

    snap = open_registry(repo or ".").at(ref)
    wanted_stage = parse_stage(stage, snap.policy.stages) if stage else None
    models = [snap.model(model)] if model else snap.all_models()
    rows = version_rows(models, wanted_stage)
    wanted = bool(model) if provenance is None else provenance
    columns = show_columns(_provenance(snap, rows) if wanted and rows else None)
    if fmt == "json":
        emit(dump({"commit": snap.commit, "versions": table_records(rows, columns)}))
        return
    columns = text_columns(rows, columns)
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
    from registry_tool.read.api import open_registry
    from registry_tool.read.documents import export_document

    emit(dump(export_document(open_registry(repo or ".").at(ref))))
