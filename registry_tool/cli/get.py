"""``registry-tool get``: one version of one model at a revision, for deploy tools.

Kept to the imports this answer needs: a deploy tool runs it as a fresh process for
every lookup.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from registry_tool.cli.options import emit, repo_option
from registry_tool.core.model import Stage

TEXT_ORDER = ("model", "version", "stage", "description", "commit", "artifact", "run_id",
              "metrics", "tags", "metadata", "bindings")


@click.command()
@click.argument("model")
@click.option("--stage", type=click.Choice([s.value for s in Stage]), help="The version at this stage (the newest one, when several are in staging).")
@click.option("--version", "version", metavar="V", help="The version with this label.")
@click.option("--ref", default="HEAD", show_default=True, help="Read the registry as committed at this revision.")
@click.option("--field", metavar="PATH", help="Print only this value, raw (artifact.uri, metrics.accuracy, bindings.0.provider_model_id).")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default=None,
              help="json (default) or text; with --field the value is printed raw unless --format json is given.")
@repo_option
def get(model: str, stage: str | None, version: str | None, ref: str, field: str | None,
        fmt: str | None, repo: Path | None) -> None:
    """Print one version of MODEL as committed at a revision.

    \b
      registry-tool get faq-bot --stage production
      registry-tool get faq-bot --version 1.1.0 --ref v2.3
      uri=$(registry-tool get faq-bot --stage production --field artifact.uri)

    Exit 0 found, 1 nothing at that stage or version, 2 unknown model or revision,
    or a model file that breaks the registry's rules.
    """
    from registry_tool.errors import NotFound  # noqa: PLC0415
    from registry_tool.read.api import open_registry  # noqa: PLC0415
    from registry_tool.read.documents import get_document  # noqa: PLC0415

    if (stage is None) == (version is None):
        raise click.UsageError("give exactly one of --stage or --version")
    if field is not None:
        _check_field(field)
    snap = open_registry(repo or ".").at(ref)
    found = snap.version(model, stage=stage, version=version)
    document = get_document(snap.model(model), found, snap.commit)
    if field is None:
        emit(render_text(document) if fmt == "text" else dump(document))
        return
    from registry_tool.read.documents import field_of  # noqa: PLC0415

    try:
        value = field_of(document, field)
    except KeyError:
        raise NotFound(f"{model} {found.version} at {snap.snapshot.label} has no {field}") from None
    emit(dump(value) if fmt == "json" else raw(value) + "\n")


def _check_field(path: str) -> None:
    """A typo in a field name is a usage error (exit 2), not "nothing found"."""
    from registry_tool.core.model import ARTIFACT_KEYS  # noqa: PLC0415
    from registry_tool.errors import RegistryError  # noqa: PLC0415
    from registry_tool.read.documents import GET_KEYS  # noqa: PLC0415

    head, _, rest = path.partition(".")
    known = GET_KEYS
    if head not in known:
        raise RegistryError(f"--field {path}: '{head}' is not a field; one of {', '.join(sorted(known))}")
    if head == "artifact" and rest and rest.split(".")[0] not in ARTIFACT_KEYS:
        raise RegistryError(f"--field {path}: not an artifact field; one of {', '.join(sorted(ARTIFACT_KEYS))}")


def dump(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True) + "\n"


def raw(value: Any) -> str:
    """A value as a shell wants it: strings bare, everything else as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return json.dumps(value)


def render_text(document: dict[str, Any]) -> str:
    lines: list[str] = []
    for key in TEXT_ORDER:
        if key in document:
            _flatten(key, document[key], lines)
    return "\n".join(lines) + "\n"


def _flatten(prefix: str, value: Any, lines: list[str]) -> None:
    if isinstance(value, dict) and value:
        for key in sorted(value):
            _flatten(f"{prefix}.{key}", value[key], lines)
    elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        lines.append(f"{prefix}: {', '.join(value)}")
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            _flatten(f"{prefix}.{index}", item, lines)
    elif isinstance(value, (dict, list)):
        lines.append(f"{prefix}: {json.dumps(value)}")
    else:
        lines.append(f"{prefix}: {raw(value)}")
