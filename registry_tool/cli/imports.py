"""``registry-tool import mlflow`` and ``registry-tool import gto``: read another registry,
then propose its models as the editing commands propose a change (``--dry-run``,
``--commit``, ``--branch``, ``--json``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from registry_tool.cli.edit import _run, edit_options
from registry_tool.errors import EditRefused, RegistryError

if TYPE_CHECKING:
    from registry_tool.edit.proposal import Proposal
    from registry_tool.edit.targets import Workspace

# Change rules a --step import avoids (a version moved further than one change may move it).
_STEP_RULES = {"skipped-stage", "invalid-transition"}


def _common(func: Callable[..., Any]) -> Callable[..., Any]:
    """--rename, --stage-map and --step, shared by both sources."""
    options: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
        click.option("--rename", "renames", multiple=True, metavar="OLD=NEW",
                     help="Import the source's model OLD as models/NEW.yaml (repeatable): for names that are not "
                          "valid model file names here."),
        click.option("--stage-map", "stage_maps", multiple=True, metavar="FROM=TO[,...]",
                     help="Map the source's stage FROM to this registry's stage TO (repeatable, or comma-separated)."),
        click.option("--step", is_flag=True,
                     help="Move each version only as far as the policy allows in one change (a new version starts "
                          "where new versions start; production is reached through staging); import again for "
                          "the next step. Without it, a new model file is taken as the source's state."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group("import")
def import_group() -> None:
    """Bring models from MLflow or GTO into the registry, as a change like any other.

    \b
      registry-tool import mlflow --tracking-uri http://mlflow.internal:5000 --branch import-mlflow
      registry-tool import gto --dry-run

    A second import of an unchanged source changes nothing; a later one adds the new
    versions and moves stages and aliases, judged by the change rules.
    """


@import_group.command("mlflow", short_help="Import an MLflow Model Registry (through its REST API).")
@click.option("--tracking-uri", metavar="URI", envvar="MLFLOW_TRACKING_URI",
              help="The MLflow tracking server (http:// or https://; default: $MLFLOW_TRACKING_URI). Credentials: "
                   "MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD.")
@click.option("--model", "names", multiple=True, metavar="NAME", help="Import only this registered model (repeatable).")
@click.option("--resolve-production", type=click.Choice(["newest"]),
              help="When MLflow holds several versions of a model in Production: keep the newest there and "
                   "import the others in the stage promote demotes to (default: refuse, listing them).")
@_common
@edit_options("import 2 models from MLflow at http://mlflow.internal:5000")
def mlflow(tracking_uri: str | None, names: tuple[str, ...], resolve_production: str | None, renames: tuple[str, ...],
           stage_maps: tuple[str, ...], step: bool, **opts: Any) -> None:
    """Import an MLflow Model Registry through its REST API: models/NAME.yaml for each
    registered model, versions labelled as MLflow numbers them, stages, aliases, tags,
    and each version's run metrics."""
    from registry_tool.imports import mlflow as source
    from registry_tool.imports.imported import parse_renames, parse_stage_map
    from registry_tool.imports.plan import import_proposal

    if not tracking_uri:
        raise click.UsageError("give --tracking-uri URI (or set MLFLOW_TRACKING_URI)")
    options = source.Options(parse_renames(renames), parse_stage_map(stage_maps), resolve_production)
    warnings: list[str] = []
    api = source.client(tracking_uri, os.environ, warnings)
    for warning in warnings:
        click.echo(f"registry-tool: warning: {warning}", err=True)
    registry = source.read_registry(api, names)

    def build(ws: Workspace) -> Proposal:
        return import_proposal(ws, registry.source, source.translate(registry, ws.policy, options), step=step)

    _import(build, step, opts)


@import_group.command("gto", short_help="Import GTO's Git tags and artifacts.yaml.")
@click.option("--from", "from_", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The repository holding GTO's tags and artifacts.yaml (default: the registry's own, --repo).")
@click.option("--remote", default="origin", show_default=True,
              help="The Git remote whose URL names the artifacts (git+URL@COMMIT#PATH).")
@click.option("--artifact-uri", "template", metavar="TEMPLATE",
              help="Each version's artifact URI, from {name}, {version}, {tag}, {commit}, {path} and {remote} "
                   "(default: artifacts.yaml's path when it is a URI, else git+{remote}@{commit}#{path}).")
@_common
@edit_options("import churn from GTO tags in /src/repo")
def gto(from_: Path | None, remote: str, template: str | None, renames: tuple[str, ...], stage_maps: tuple[str, ...],
        step: bool, **opts: Any) -> None:
    """Import a GTO registry: its annotated Git tags (NAME@vX.Y.Z registrations, NAME#STAGE#N
    assignments, deregistrations and deprecations) and artifacts.yaml. The taggers and
    dates go into the commit message."""
    from registry_tool.imports import gto as source
    from registry_tool.imports.imported import parse_renames, parse_stage_map
    from registry_tool.imports.plan import import_proposal

    options = source.Options(parse_renames(renames), parse_stage_map(stage_maps), template, remote)
    registry = source.read_registry(from_ or opts["repo"] or Path("."), remote)

    def build(ws: Workspace) -> Proposal:
        return import_proposal(ws, registry.source, source.translate(registry, ws.policy, options), step=step)

    _import(build, step, opts)


def _import(build: Callable[[Workspace], Proposal], step: bool, opts: dict[str, Any]) -> None:
    from registry_tool.edit.api import Change
    from registry_tool.imports.imported import UniqueStageConflict
    from registry_tool.output.imports import conflict_json, conflict_text

    try:
        _run(lambda editor: Change(editor, "import", build), opts)
    except UniqueStageConflict as exc:
        if opts["as_json"]:
            click.echo(conflict_json(exc), nl=False)
        click.echo(conflict_text(exc), err=True, nl=False)
        raise click.exceptions.Exit(exc.exit_code) from None
    except EditRefused as exc:
        if step or not any(v.rule in _STEP_RULES for v in exc.violations):
            raise
        raise RegistryError(f"{exc}; import --step moves each version only as far as the policy allows in one change",
                            exit_code=exc.exit_code) from None
