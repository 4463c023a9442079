"""``registry-tool verify``: is a downloaded file the artifact the registry names?"""

from __future__ import annotations

from pathlib import Path

import click

from registry_tool.cli.completion import complete_aliases, complete_models, complete_stages, complete_versions
from registry_tool.cli.options import at_option, emit, format_option, open_snapshot, repo_option
from registry_tool.errors import EXIT_OK, EXIT_USAGE, EXIT_VIOLATIONS, NotFound, RegistryError
from registry_tool.output.verify import VERIFY_REPORTERS


@click.command()
@click.argument("model", shell_complete=complete_models)
@click.argument("version", required=False, shell_complete=complete_versions)
@click.option("--stage", metavar="STAGE", shell_complete=complete_stages,
              help="The version at this stage (as get --stage picks it).")
@click.option("--alias", metavar="ALIAS", shell_complete=complete_aliases, help="The version this alias names.")
@click.option("--file", "file_", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The downloaded artifact; streamed, never loaded.")
@click.option("--ref", default="HEAD", show_default=True, help="Read the registry as committed at this revision.")
@at_option
@format_option(list(VERIFY_REPORTERS), "text")
@repo_option
def verify(model: str, version: str | None, stage: str | None, alias: str | None, file_: Path, ref: str, at: str | None,
           fmt: str, repo: Path | None) -> None:
    """Check that FILE is the artifact of a version of MODEL: its sha256 and size against the
    registered artifact.sha256 and artifact.size_bytes.

    \b
      registry-tool verify faq-bot --stage production --file ./model.onnx
      registry-tool verify faq-bot 1.1.0 --file ./model.onnx --ref "$DEPLOY_SHA"
      registry-tool verify faq-bot --alias champion --file ./model.onnx

    Exit 0 the file matches, 1 it does not (the line says which fact), 2 the version
    registers no sha256, nothing is at that version, stage or alias, an unknown model,
    stage or revision, or an unreadable file.
    """
    from registry_tool.read.verify import verify_file

    if sum(x is not None for x in (version, stage, alias)) != 1:
        raise RegistryError("give exactly one of VERSION, --stage or --alias")
    snap = open_snapshot(repo, ref, at)
    try:
        found = snap.version(model, stage=stage, version=version, alias=alias)
    except NotFound as exc:  # exit 1 means "the file differs" here, and nothing else
        raise RegistryError(str(exc), exit_code=EXIT_USAGE) from None
    verdict = verify_file(model, found, file_)
    emit(VERIFY_REPORTERS[fmt](verdict))
    raise SystemExit(EXIT_OK if verdict.ok else EXIT_VIOLATIONS)
