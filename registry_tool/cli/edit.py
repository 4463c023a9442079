"""The editing commands: ``register``, ``promote``, ``archive``, ``rollback``, ``retention``,
``metrics``, ``alias``. Each parses its arguments, hands an operation to :mod:`registry_tool.apply`,
and renders the outcome; refused edits print the validator's violations."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from registry_tool.cli.completion import (
    complete_aliases,
    complete_models,
    complete_promote_stages,
    complete_stages,
    complete_versions,
)
from registry_tool.cli.options import repo_option
from registry_tool.errors import RegistryError

if TYPE_CHECKING:
    pass



def _artifact_formats() -> list[str]:
    """The artifact formats the model schema allows (the schema is the one list)."""
    from registry_tool.schema.check import MODEL_SCHEMA, load_schema

    return list(load_schema(MODEL_SCHEMA)["$defs"]["artifact"]["properties"]["format"]["enum"])

_INT = re.compile(r"[-+]?[0-9]+")


def edit_options(example: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--dry-run, --commit, -m, --branch, --repo and --json, shared by every editing command;
    ``example``: the command's own default commit message, for -m's help."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        options: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
            click.option("--dry-run", is_flag=True, help="Print the change as a unified diff; write nothing."),
            click.option("--commit", "commit", is_flag=True,
                         help="Commit the change on the current branch (identity and signing as Git would)."),
            click.option("-m", "--message", help=f"Commit message (default: says what changed, e.g. '{example}')."),
            click.option("--branch", metavar="NAME",
                         help="Commit on a new branch NAME off HEAD; the current branch, index and files stay as they are."),
            repo_option,
            click.option("--json", "as_json", is_flag=True, help="Print the outcome (or the violations) as JSON, keys sorted."),
        ]
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def parse_metrics(texts: tuple[str, ...], suite: str | None = None) -> dict[str, float | int | bool]:
    """NAME=VALUE arguments by reference; the same metric twice is an error, not 'the last wins'."""
    found: dict[str, float | int | bool] = {}
    for text in texts:
        ref, value = parse_metric(text, suite)
        if ref in found:
            raise RegistryError(f"metric {ref} is given twice ({ref}={found[ref]} and {text.strip()}); give it once")
        found[ref] = value
    return found


def _run(what: str, build: Callable[..., Any], opts: dict[str, Any]) -> None:
    from registry_tool.edit.targets import Mode, run
    from registry_tool.errors import EditRefused
    from registry_tool.output.edit import (
        outcome_json,
        outcome_text,
        refusal_json,
        refusal_text,
    )

    repo, dry_run, commit, message, branch = (opts[k] for k in ("repo", "dry_run", "commit", "message", "branch"))
    if message is not None and not (commit or branch):
        raise click.UsageError("-m/--message needs --commit or --branch")
    mode = Mode(dry_run=dry_run, commit=commit or branch is not None, branch=branch, message=message)
    try:
        outcome = run(repo, build, mode, what)
    except EditRefused as exc:
        if opts["as_json"]:
            click.echo(refusal_json(exc.violations), nl=False)
        click.echo(refusal_text(exc.violations), err=True, nl=False)
        raise
    if opts["as_json"]:
        click.echo(outcome_json(outcome), nl=False)
        return
    out, err = outcome_text(outcome, mode)
    click.echo(out, nl=False)
    click.echo(err, err=True, nl=False)


def parse_metric(text: str, suite: str | None = None) -> tuple[str, float | int | bool]:
    """NAME=VALUE (NAME may be suite/name) -> (reference, number or boolean)."""
    name, sep, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    if not sep or not name or not raw:
        raise RegistryError(f"'{text}' is not NAME=VALUE (e.g. accuracy=0.93, or core-v1/score=0.9)")
    ref = f"{suite}/{name}" if suite else name
    if raw in ("true", "false"):
        return ref, raw == "true"
    try:
        value: float | int = int(raw) if _INT.fullmatch(raw) else float(raw)
    except ValueError:
        raise RegistryError(f"metric {ref}: '{raw}' is not a number (or true/false)") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise RegistryError(f"metric {ref}: {raw} is not a finite number")
    return ref, value


@click.command()
@click.argument("model", shell_complete=complete_models)
@click.argument("version")
@click.option("--artifact-uri", required=True, help="Where the artifact lives (s3://, gs://, https://, hf://, ...).")
@click.option("--file", "file_", type=click.Path(dir_okay=False, path_type=Path),
              help="A local copy of the artifact: its sha256 and size are computed by streaming it (never loaded).")
@click.option("--sha256", help="The artifact's SHA-256 (64 hex digits).")
@click.option("--size-bytes", type=click.IntRange(min=0), help="The artifact's size in bytes.")
@click.option("--format", "fmt", type=click.Choice(_artifact_formats()), help="The artifact's format.")
@click.option("--run-id", help="The training run that produced it.")
@click.option("--metric", "metrics", multiple=True, metavar="NAME=VALUE", help="A metric (repeatable); suite/name for a suite's.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--description", help="What is new in this version.")
@click.option("--stage", metavar="STAGE", shell_complete=complete_stages,
              help="Stage to register it in (default: the first one a new version may start in, none by default).")
@edit_options("register faq-bot 1.2.0")
def register(model: str, version: str, artifact_uri: str, file_: Path | None, sha256: str | None, size_bytes: int | None,
             fmt: str | None, run_id: str | None, metrics: tuple[str, ...], tags: tuple[str, ...], description: str | None,
             stage: str | None, **opts: Any) -> None:
    """Register VERSION of MODEL (creates models/MODEL.yaml for a new model)."""
    from registry_tool.edit import operations

    if sha256 is not None:
        sha256 = sha256.lower()
    if file_ is not None:
        from registry_tool.digest import file_digest

        digest, size = file_digest(file_)
        if sha256 is not None and sha256 != digest:
            raise RegistryError(f"--sha256 {sha256} does not match {file_} (sha256 {digest})")
        if size_bytes is not None and size_bytes != size:
            raise RegistryError(f"--size-bytes {size_bytes} does not match {file_} ({size} bytes)")
        sha256, size_bytes = digest, size
    artifact: dict[str, Any] = {"uri": artifact_uri}
    for key, value in (("sha256", sha256), ("size_bytes", size_bytes), ("format", fmt)):
        if value is not None:
            artifact[key] = value
    fields: dict[str, Any] = {"version": version, "stage": stage}
    if description is not None:
        fields["description"] = description
    fields["artifact"] = artifact
    if run_id is not None:
        fields["run_id"] = run_id
    if metrics:
        from registry_tool.core.model import metric_tree

        fields["metrics"] = metric_tree(list(parse_metrics(metrics).items()))
    if tags:
        fields["tags"] = list(dict.fromkeys(tags))
    _run("register", lambda ws: operations.register(ws.base, ws.policy, model, fields), opts)


@click.command()
@click.argument("model", shell_complete=complete_models)
@click.argument("version", shell_complete=complete_versions)
@click.option("--to", "to", required=True, metavar="STAGE", shell_complete=complete_promote_stages,
              help="The stage to move it to: none, staging, production, or any stage registry.yaml declares "
                   "(to archive a version, use the archive command).")
@edit_options("promote faq-bot 1.1.0 to production")
def promote(model: str, version: str, to: str, **opts: Any) -> None:
    """Move VERSION of MODEL to a stage. Entering production (a unique stage) demotes the
    version there as registry.yaml says (on_promote, demote_to); stage rules and gates apply."""
    from registry_tool.edit import operations

    _run("promote", lambda ws: operations.promote(ws.base, ws.policy, model, version, to), opts)


@click.command()
@click.argument("model", shell_complete=complete_models)
@click.argument("version", shell_complete=complete_versions)
@edit_options("archive faq-bot 1.1.0")
def archive(model: str, version: str, **opts: Any) -> None:
    """Archive VERSION of MODEL (final: an archived version is never promoted again)."""
    from registry_tool.edit import operations

    _run("archive", lambda ws: operations.archive(ws.base, ws.policy, model, version), opts)


@click.command()
@click.argument("model", shell_complete=complete_models)
@click.option("--stage", metavar="STAGE", shell_complete=complete_stages, help="The unique stage to roll back (default: production).")
@edit_options("rollback faq-bot to 1.0.0")
def rollback(model: str, stage: str | None, **opts: Any) -> None:
    """Make the version that was in production (or another unique stage) before the current
    one the one there again (found in the Git history of the model file), demoting the
    current one."""
    from registry_tool.edit import operations

    _run("rollback", lambda ws: operations.rollback(ws.base, ws.policy, model, ws.previous_production, stage), opts)


@click.command()
@click.argument("model", required=False, shell_complete=complete_models)
@click.option("--keep", required=True, type=click.IntRange(min=1), help="How many of the newest versions to keep whatever their stage.")
@edit_options("retention: keep the newest 3 versions, archive faq-bot 0.9.0")
def retention(model: str | None, keep: int, **opts: Any) -> None:
    """Archive the versions of MODEL (default: every model) older than the newest KEEP that
    are in stage none; production and staging versions are never archived by retention."""
    from registry_tool.edit import operations

    _run("retention", lambda ws: operations.retention(ws.base, ws.policy, model, keep), opts)


@click.command()
@click.argument("model", shell_complete=complete_models)
@click.argument("version", shell_complete=complete_versions)
@click.argument("values", nargs=-1, required=True, metavar="NAME=VALUE...")
@click.option("--suite", help="Record the values as results of this evaluation suite (metrics.suites.SUITE).")
@edit_options("metrics: faq-bot 1.2.0 core-v1/score=0.91")
def metrics(model: str, version: str, values: tuple[str, ...], suite: str | None, **opts: Any) -> None:
    """Record evaluation results of VERSION of MODEL, merging them into its metrics."""
    from registry_tool.edit import operations

    parsed = parse_metrics(values, suite)
    _run("metrics", lambda ws: operations.record_metrics(ws.base, ws.policy, model, version, parsed), opts)


@click.command()
@click.argument("model", shell_complete=complete_models)
@click.argument("alias_name", metavar="ALIAS", shell_complete=complete_aliases)
@click.argument("version", required=False, shell_complete=complete_versions)
@click.option("--remove", is_flag=True, help="Remove the alias instead of pointing it at a version.")
@edit_options("move faq-bot alias champion to 1.1.0 (was 1.0.0)")
def alias(model: str, alias_name: str, version: str | None, remove: bool, **opts: Any) -> None:
    """Point ALIAS of MODEL at VERSION (set or move it), or remove it with --remove.

    \b
      registry-tool alias faq-bot champion 1.1.0
      registry-tool alias faq-bot challenger --remove

    An alias names one existing version, never an archived one; latest, v<digits> and the
    stage names are reserved. Gates set for the alias in registry.yaml apply when it moves.
    """
    from registry_tool.edit import operations

    if remove == (version is not None):
        raise click.UsageError("give VERSION to set or move the alias, or --remove (without VERSION) to remove it")
    _run("alias", lambda ws: operations.set_alias(ws.base, ws.policy, model, alias_name, version), opts)
