"""``registry-tool get``: one version of one model at a revision, for deploy tools.

Kept to the imports this answer needs: a deploy tool runs it as a fresh process for
every lookup.
"""

from __future__ import annotations

from pathlib import Path

import click

from registry_tool.cli.completion import complete_aliases, complete_models, complete_stages, complete_versions
from registry_tool.cli.options import at_option, emit, open_snapshot, repo_option
from registry_tool.output.values import dump, raw


@click.command()
@click.argument("model", shell_complete=complete_models)
@click.option("--stage", metavar="STAGE", shell_complete=complete_stages,
              help="The version at this stage (the newest one, when several are in staging); any stage registry.yaml declares.")
@click.option("--version", "version", metavar="V", shell_complete=complete_versions, help="The version with this label.")
@click.option("--alias", metavar="ALIAS", shell_complete=complete_aliases, help="The version this alias names (champion, challenger, ...).")
@click.option("--ref", default="HEAD", show_default=True, help="Read the registry as committed at this revision.")
@at_option
@click.option("--field", metavar="PATH", help="Print only this value, raw (artifact.uri, metrics.accuracy, bindings.0.provider_model_id).")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default=None,
              help="json (default) or text; with --field the value is printed raw unless --format json is given.")
@repo_option
def get(model: str, stage: str | None, version: str | None, alias: str | None, ref: str, at: str | None, field: str | None,
        fmt: str | None, repo: Path | None) -> None:
    """Print one version of MODEL as committed at a revision. MODEL may be an MLflow model
    URI instead: models:/MODEL@ALIAS, models:/MODEL/VERSION.

    \b
      registry-tool get faq-bot --stage production
      registry-tool get faq-bot --alias champion
      registry-tool get 'models:/faq-bot@champion'
      registry-tool get faq-bot --version 1.1.0 --ref v2.3
      registry-tool get faq-bot --stage production --at 2024-11-05T10:30:00Z
      uri=$(registry-tool get faq-bot --stage production --field artifact.uri)

    Exit 0 found, 1 nothing at that stage, version or alias (or no commit as old as --at),
    2 unknown model, stage or revision, or a model file that breaks the registry's rules.
    """
    from registry_tool.errors import NotFound
    from registry_tool.read.api import MODEL_URI
    from registry_tool.read.documents import get_document

    given = sum(x is not None for x in (stage, version, alias))
    uri = model.startswith(MODEL_URI)
    if uri and given:
        raise click.UsageError("a models:/ URI names the version itself: give no --stage, --version or --alias")
    if not uri and given != 1:
        raise click.UsageError("give exactly one of --stage, --version or --alias (or a models:/ URI)")
    if field is not None:
        from registry_tool.read.documents import check_field

        check_field(field)
    snap = open_snapshot(repo, ref, at)
    if uri:
        found_model, found = snap.resolve(model)
    else:
        found = snap.version(model, stage=stage, version=version, alias=alias)
        found_model = snap.model(model)
    document = get_document(found_model, found, snap.commit)
    if field is None:
        if fmt == "text":
            from registry_tool.output.get import render_text  # and its escaping, only for text

            emit(render_text(document))
        else:
            emit(dump(document))
        return
    from registry_tool.read.documents import field_of

    try:
        value = field_of(document, field)
    except KeyError:
        raise NotFound(f"{found_model.name} {found.version} at {snap.snapshot.label} has no {field}") from None
    emit(dump(value) if fmt == "json" else raw(value) + "\n")
