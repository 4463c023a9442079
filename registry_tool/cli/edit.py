"""The editing commands: ``register``, ``promote``, ``archive``, ``rollback``, ``retention``,
``metrics``, ``set``, ``bind`` and ``alias``. Each parses its arguments, calls the write API
(:mod:`registry_tool.edit.api`, which builds the fields and the proposal), and renders the
outcome; refused edits print the validator's violations."""

from __future__ import annotations

import functools
import json
import math
import sys
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
from registry_tool.cli.options import PlainIntRange, repo_option
from registry_tool.core.numbers import parse_number
from registry_tool.errors import RegistryError, shown_path
from registry_tool.output.escape import printable
from registry_tool.yamlfile.nesting import MAX_DEPTH

if TYPE_CHECKING:
    from registry_tool.edit.api import Change, RegistryEditor


def _artifact_formats() -> list[str]:
    """The artifact formats the model schema allows (the schema is the one list)."""
    from registry_tool.schema.check import MODEL_SCHEMA, load_schema

    return list(load_schema(MODEL_SCHEMA)["$defs"]["artifact"]["properties"]["format"]["enum"])


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
        func = _arguments_checked(func)
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _arguments_checked(func: Callable[..., Any]) -> Callable[..., Any]:
    """The command, run only when every text it was given is UTF-8 (the one check of an
    editing command's arguments and options: a byte that is not UTF-8 in an argument
    arrives as a lone surrogate, which no file, commit or branch name can hold)."""

    @functools.wraps(func)
    def checked(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        for param in ctx.command.params:
            value = ctx.params.get(param.name or "")
            for text in value if isinstance(value, tuple) else (value,):
                if isinstance(text, str):
                    check_text(text, _param_name(param))
        return func(*args, **kwargs)

    return checked


def _param_name(param: click.Parameter) -> str:
    """--message for -m/--message, VERSION for an argument: how an error names it."""
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name.rstrip(".")


def check_text(text: str, what: str) -> None:
    """Text from the command line that UTF-8 can carry, or one line saying which."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = text[exc.start]
        why = "a byte that is not UTF-8" if "\udc80" <= bad <= "\udcff" else "a lone surrogate, which names no character"
        raise RegistryError(f"{what} '{shown_path(printable(text))}' holds {why}; give UTF-8 text") from None


def check_value(value: Any, what: str) -> None:
    """A value read as JSON from the command line, as a file can hold it: text UTF-8 can
    carry (keys too), nested no deeper than a model file may be."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            check_text(item, what)
        elif isinstance(item, (dict, list)):
            if depth >= MAX_DEPTH:
                raise RegistryError(f"{what}: the value is nested deeper than {MAX_DEPTH} levels")
            stack.extend((child, depth + 1) for child in ([*item, *item.values()] if isinstance(item, dict) else item))


def parse_metrics(texts: tuple[str, ...], suite: str | None = None) -> dict[str, float | int | bool]:
    """NAME=VALUE arguments by reference; the same metric twice is an error, not 'the last wins'."""
    found: dict[str, float | int | bool] = {}
    for text in texts:
        ref, value = parse_metric(text, suite)
        if ref in found:
            raise RegistryError(f"metric {ref} is given twice ({ref}={found[ref]} and {text.strip()}); give it once")
        found[ref] = value
    return found


def _run(make: Callable[[RegistryEditor], Change], opts: dict[str, Any]) -> None:
    """Make the change with the editor the options ask for, then print what happened."""
    from registry_tool.edit.api import RegistryEditor
    from registry_tool.errors import EditRefused
    from registry_tool.output.edit import outcome_json, outcome_text, refusal_json, refusal_text

    repo, dry_run, commit, message, branch = (opts[k] for k in ("repo", "dry_run", "commit", "message", "branch"))
    if message is not None and not (commit or branch):
        raise click.UsageError("-m/--message needs --commit or --branch")
    editor = RegistryEditor(repo, commit=commit, branch=branch)
    try:
        change = make(editor)
        outcome = change.dry_run() if dry_run else change.apply(message)
    except EditRefused as exc:
        if opts["as_json"]:
            click.echo(refusal_json(exc.violations), nl=False)
        click.echo(refusal_text(exc.violations), err=True, nl=False)
        raise
    if opts["as_json"]:
        click.echo(outcome_json(outcome), nl=False)
        return
    out, err = outcome_text(outcome, outcome.mode)
    click.echo(out, nl=False)
    click.echo(err, err=True, nl=False)


def parse_metric(text: str, suite: str | None = None) -> tuple[str, float | int | bool]:
    """NAME=VALUE (NAME may be suite/name) -> (reference, number or boolean)."""
    name, sep, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    if not sep or not name or not raw:
        raise RegistryError(f"'{text}' is not NAME=VALUE (e.g. accuracy=0.93, or core-v1/score=0.9)")
    _check_suite(suite, name)
    ref = f"{suite}/{name}" if suite else name
    if raw in ("true", "false"):
        return ref, raw == "true"
    value = parse_number(raw)
    if value is None and raw.lstrip("+-").lower() in ("nan", "inf", "infinity"):
        raise RegistryError(f"metric {ref}: {raw} is not a finite number")
    if value is None:
        raise RegistryError(f"metric {ref}: '{raw}' is not a number (or true/false): write it in digits 0-9, "
                            "with a sign, a decimal point or an exponent if needed (0.93, -2, 1.5e-3)")
    if isinstance(value, float) and not math.isfinite(value):
        raise RegistryError(f"metric {ref}: {raw} is not a finite number")
    return ref, value


def _check_suite(suite: str | None, name: str) -> None:
    """--suite names a suite (not empty), and the metric under it is a name alone (no '/')."""
    if suite is None:
        return
    if not suite.strip():
        raise RegistryError("--suite is empty: give the suite's name (core-v1), or leave --suite out for "
                            "top-level metrics")
    if "/" in name:
        raise RegistryError(f"--suite {suite}: '{name}' is not a metric name: a metric name may not contain '/' "
                            "(--suite already names the suite)")


ASSIGNMENT_EXAMPLES = {"--config": "temperature=0.2, max_tokens=512"}  # the rest: metadata's


def parse_assignment(text: str, option: str) -> tuple[str, Any]:
    """KEY=VALUE -> (key, value): VALUE as JSON when it is a JSON value (3, true, null,
    "text", [...], {...}), as a string otherwise (team=support)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise RegistryError(f"{option} '{text}' is not KEY=VALUE (e.g. {ASSIGNMENT_EXAMPLES.get(option, 'team=support, epochs=3')})")
    try:
        value = json.loads(raw)
    except ValueError:
        return key, raw
    except RecursionError:
        raise RegistryError(f"{option} {key}: the value is nested deeper than {MAX_DEPTH} levels") from None
    check_value(value, f"{option} {key}")
    if isinstance(value, float) and not math.isfinite(value):
        raise RegistryError(f"{option} {key}: {raw} is not a finite number")
    return key, value


def parse_assignments(texts: tuple[str, ...], option: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for text in texts:
        key, value = parse_assignment(text, option)
        if key in found:
            raise RegistryError(f"{option} {key} is given twice; give it once")
        found[key] = value
    return found


def _artifact_format(artifact_format: str | None, legacy: str | None) -> str | None:
    """--artifact-format, or the hidden --format it replaces (one release, with a warning)."""
    if legacy is None:
        return artifact_format
    if artifact_format is not None:
        raise RegistryError("give --artifact-format once (--format is its old name)")
    print("registry-tool: warning: register --format is now --artifact-format; --format will mean the output "
          "format, as in every other command", file=sys.stderr)
    return legacy


@click.command()
@click.argument("model", shell_complete=complete_models)
@click.argument("version")
@click.option("--artifact-uri", required=True, help="Where the artifact lives (s3://, gs://, https://, hf://, ...).")
@click.option("--file", "file_", type=click.Path(dir_okay=False, path_type=Path),
              help="A local copy of the artifact: its sha256 and size are computed by streaming it (never loaded).")
@click.option("--sha256", help="The artifact's SHA-256 (64 hex digits).")
@click.option("--size-bytes", type=PlainIntRange(min=0), help="The artifact's size in bytes.")
@click.option("--artifact-format", type=click.Choice(_artifact_formats()), help="The artifact's format.")
@click.option("--format", "legacy_format", type=click.Choice(_artifact_formats()), hidden=True)
@click.option("--run-id", help="The training run that produced it.")
@click.option("--metric", "metrics", multiple=True, metavar="NAME=VALUE", help="A metric (repeatable); suite/name for a suite's.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--metadata", "metadata", multiple=True, metavar="KEY=VALUE",
              help="A metadata entry of the version (repeatable); VALUE is read as JSON when it is JSON (3, true, [..]).")
@click.option("--description", help="What is new in this version.")
@click.option("--stage", metavar="STAGE", shell_complete=complete_stages,
              help="Stage to register it in (default: the first one a new version may start in, none by default).")
@click.option("--owner", help="A new model's owner (a person or team).")
@click.option("--model-description", help="A new model's description.")
@click.option("--task", help="A new model's task (classification, generation, ...).")
@edit_options("register faq-bot 1.2.0")
def register(model: str, version: str, artifact_uri: str, file_: Path | None, sha256: str | None, size_bytes: int | None,
             artifact_format: str | None, legacy_format: str | None, run_id: str | None, metrics: tuple[str, ...],
             tags: tuple[str, ...], metadata: tuple[str, ...], description: str | None, stage: str | None, owner: str | None,
             model_description: str | None, task: str | None, **opts: Any) -> None:
    """Register VERSION of MODEL (creates models/MODEL.yaml for a new model)."""
    fmt = _artifact_format(artifact_format, legacy_format)
    values = parse_metrics(metrics)
    data = parse_assignments(metadata, "--metadata")
    _run(lambda ed: ed.register(model, version, artifact_uri=artifact_uri, file=file_, sha256=sha256, size_bytes=size_bytes,
                                artifact_format=fmt, run_id=run_id, metrics=values, tags=tags, description=description,
                                metadata=data, stage=stage, owner=owner, model_description=model_description, task=task),
         opts)


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
    _run(lambda ed: ed.promote(model, version, to), opts)


@click.command()
@click.argument("model", shell_complete=complete_models)
@click.argument("version", shell_complete=complete_versions)
@edit_options("archive faq-bot 1.1.0")
def archive(model: str, version: str, **opts: Any) -> None:
    """Archive VERSION of MODEL (final: an archived version is never promoted again)."""
    _run(lambda ed: ed.archive(model, version), opts)


@click.command()
@click.argument("model", shell_complete=complete_models)
@click.option("--stage", metavar="STAGE", shell_complete=complete_stages, help="The unique stage to roll back (default: production).")
@edit_options("rollback faq-bot to 1.0.0")
def rollback(model: str, stage: str | None, **opts: Any) -> None:
    """Make the version that was in production (or another unique stage) before the current
    one the one there again (found in the Git history of the model file), demoting the
    current one."""
    _run(lambda ed: ed.rollback(model, stage=stage), opts)


@click.command()
@click.argument("model", required=False, shell_complete=complete_models)
@click.option("--keep", type=PlainIntRange(min=1),
              help="How many of the newest versions to keep whatever their stage (default: registry.yaml's retention: {keep: N}).")
@edit_options("retention: keep the newest 3 versions, archive faq-bot 0.9.0")
def retention(model: str | None, keep: int | None, **opts: Any) -> None:
    """Archive the versions of MODEL (default: every model) older than the newest KEEP that
    are in stage none; production and staging versions are never archived by retention."""
    _run(lambda ed: ed.retention(model, keep), opts)


@click.command()
@click.argument("model", shell_complete=complete_models)
@click.argument("version", shell_complete=complete_versions)
@click.argument("values", nargs=-1, required=True, metavar="NAME=VALUE...")
@click.option("--suite", help="Record the values as results of this evaluation suite (metrics.suites.SUITE).")
@edit_options("metrics: faq-bot 1.2.0 core-v1/score=0.91")
def metrics(model: str, version: str, values: tuple[str, ...], suite: str | None, **opts: Any) -> None:
    """Record evaluation results of VERSION of MODEL, merging them into its metrics."""
    parsed = parse_metrics(values, suite)
    _run(lambda ed: ed.metrics(model, version, parsed), opts)


@click.command(name="set")
@click.argument("model", shell_complete=complete_models)
@click.argument("version", required=False, shell_complete=complete_versions)
@click.option("--description", help="The model's description (or VERSION's).")
@click.option("--owner", help="The model's owner (not a version's).")
@click.option("--task", help="The model's task (not a version's).")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Add a tag (repeatable).")
@click.option("--untag", multiple=True, metavar="TAG", help="Remove a tag (repeatable).")
@click.option("--metadata", multiple=True, metavar="KEY=VALUE",
              help="Set a metadata entry (repeatable); VALUE is read as JSON when it is JSON (3, true, [..]), else as text.")
@click.option("--unset-metadata", multiple=True, metavar="KEY", help="Remove a metadata entry (repeatable).")
@click.option("--run-id", help="VERSION's training run, when it registered none.")
@click.option("--file", "file_", type=click.Path(dir_okay=False, path_type=Path),
              help="VERSION's artifact, streamed for its sha256 and size, when it registered none.")
@click.option("--sha256", help="VERSION's artifact sha256, when it registered none.")
@click.option("--size-bytes", type=PlainIntRange(min=0), help="VERSION's artifact size, when it registered none.")
@click.option("--artifact-format", type=click.Choice(_artifact_formats()), help="VERSION's artifact format, when it registered none.")
@edit_options("set faq-bot 1.1.0: +tag canary, metadata.ticket")
def set_(model: str, version: str | None, description: str | None, owner: str | None, task: str | None,
         tags: tuple[str, ...], untag: tuple[str, ...], metadata: tuple[str, ...], unset_metadata: tuple[str, ...],
         run_id: str | None, file_: Path | None, sha256: str | None, size_bytes: int | None, artifact_format: str | None,
         **opts: Any) -> None:
    """Change MODEL's own fields, or VERSION's: description, owner and task (the model's),
    tags and metadata; for a version also the facts it never registered (run id, artifact
    sha256, size and format). A registered fact never changes: the validator refuses it.

    \b
      registry-tool set faq-bot --owner hazel --task generation --tag nlp --metadata team=support
      registry-tool set faq-bot 1.1.0 --description "Canary" --untag candidate --unset-metadata ticket
      registry-tool set faq-bot 1.1.0 --file ./model.onnx          # a sha256 and size never registered
    """
    data = parse_assignments(metadata, "--metadata")
    _run(lambda ed: ed.set(model, version, description=description, owner=owner, task=task, tags=tags, untag=untag,
                           metadata=data, unset_metadata=unset_metadata, run_id=run_id, file=file_, sha256=sha256,
                           size_bytes=size_bytes, artifact_format=artifact_format), opts)


@click.command()
@click.argument("model", shell_complete=complete_models)
@click.argument("version", shell_complete=complete_versions)
@click.option("--provider", required=True, help="The provider (openai, vertex, bedrock, azure, ...).")
@click.option("--provider-model-id", metavar="ID", help="The model's id at the provider (required unless --remove).")
@click.option("--status", type=click.Choice(["active", "inactive", "deprecated"]), help="The binding's status.")
@click.option("--region", help="Where the provider serves it.")
@click.option("--endpoint-url", metavar="URL", help="The endpoint (https://...).")
@click.option("--config", multiple=True, metavar="KEY=VALUE", help="A config entry (repeatable; merged into the binding's config).")
@click.option("--remove", is_flag=True, help="Remove the binding to --provider (and --provider-model-id) instead.")
@edit_options("bind support-llm 1.2.0 to openai ft:gpt-4o-mini:acme:9xQ2")
def bind(model: str, version: str, provider: str, provider_model_id: str | None, status: str | None, region: str | None,
         endpoint_url: str | None, config: tuple[str, ...], remove: bool, **opts: Any) -> None:
    """Bind VERSION of MODEL to a provider's deployment (OpenAI, Vertex AI, Bedrock, ...), or
    update the binding with the same provider and id; --remove removes it.

    \b
      registry-tool bind support-llm 1.2.0 --provider openai --provider-model-id ft:gpt-4o-mini:acme:9xQ2 \\
          --status active --region us-east-1 --config temperature=0.2
      registry-tool bind support-llm 1.1.0 --provider openai --remove
    """
    if remove:
        if status or region or endpoint_url or config:
            raise RegistryError("--remove takes only --provider and --provider-model-id")
        _run(lambda ed: ed.unbind(model, version, provider, provider_model_id), opts)
        return
    if provider_model_id is None:
        raise RegistryError("bind needs --provider-model-id (or --remove)")
    settings = parse_assignments(config, "--config")
    _run(lambda ed: ed.bind(model, version, provider, provider_model_id, status=status, region=region,
                            endpoint_url=endpoint_url, config=settings), opts)


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
    if remove == (version is not None):
        raise click.UsageError("give VERSION to set or move the alias, or --remove (without VERSION) to remove it")
    _run(lambda ed: ed.alias(model, alias_name, version), opts)
