"""``registry-tool compare``: versions of one model side by side."""

from __future__ import annotations

from pathlib import Path

import click

from registry_tool.cli.completion import complete_models, complete_versions
from registry_tool.cli.options import at_option, emit_portable, format_option, open_snapshot, repo_option
from registry_tool.output.compare import COMPARE_REPORTERS


@click.command()
@click.argument("model", shell_complete=complete_models)
@click.argument("versions", nargs=-1, required=True, metavar="V1 V2 [V3 ...]", shell_complete=complete_versions)
@click.option("--ref", default="HEAD", show_default=True, help="Read the registry as committed at this revision.")
@at_option
@format_option(list(COMPARE_REPORTERS), "text")
@repo_option
def compare(model: str, versions: tuple[str, ...], ref: str, at: str | None, fmt: str, repo: Path | None) -> None:
    """Versions of MODEL side by side: stage, artifact, tags, and every metric (suite metrics
    included) with its change against V1; metrics that registry.yaml's no_regression guards
    are marked better or worse.

    \b
      registry-tool compare faq-bot 1.0.0 1.1.0
      registry-tool compare faq-bot 1.0.0 1.1.0 1.2.0 --format markdown >> "$GITHUB_STEP_SUMMARY"

    Exit 0, 1 when a version does not exist, 2 for an unknown model or revision.
    """
    from registry_tool.read.compare import compare as compare_versions

    emit_portable(COMPARE_REPORTERS[fmt](compare_versions(open_snapshot(repo, ref, at), model, versions)))
