"""Shell completion of model names, version labels, stages and aliases, read from the repository.

click completes commands, options and choices by itself; these functions add the values
only the registry knows (the stages too: registry.yaml may declare its own). Enable completion in bash with::

    eval "$(_REGISTRY_TOOL_COMPLETE=bash_source registry-tool)"

(``zsh_source`` and ``fish_source`` for the other shells). Commands that read a revision
(``get``, ``show``, ``history``) complete from ``--ref`` (default HEAD); the editing
commands complete from the work tree they edit. A completion never fails: anything that
cannot be read completes to nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click

    from registry_tool.core.policy import Policy
    from registry_tool.snapshots.base import Snapshot

ENV_VAR = "_REGISTRY_TOOL_COMPLETE"


def _snapshot(ctx: click.Context) -> tuple[Snapshot, Policy]:
    from registry_tool.snapshots.git import GitStore
    from registry_tool.snapshots.worktree import WorktreeSnapshot, discover_worktree
    from registry_tool.validation.policy import policy_of

    repo: Path | None = ctx.params.get("repo")
    ref: str | None = ctx.params.get("ref")
    snapshot: Snapshot
    if ref:
        store = GitStore.discover(repo or ".")
        snapshot = store.snapshot(store.resolve(ref))
    else:
        _, root = discover_worktree(repo, instead="")
        snapshot = WorktreeSnapshot(root)
    policy, _ = policy_of(snapshot)
    return snapshot, policy


def model_names(ctx: click.Context) -> list[str]:
    """The models of the registry the command would read, sorted."""
    snapshot, policy = _snapshot(ctx)
    return sorted(entry.stem for entry in snapshot.entries(policy.models_dir) if entry.is_model_file)


def version_labels(ctx: click.Context) -> list[str]:
    """The version labels of the MODEL given before, oldest first (as in the file)."""
    mf = _model_file(ctx)
    return [v.version for v in mf.model.versions] if mf is not None else []


def _model_file(ctx: click.Context) -> Any:
    """The parsed file of the MODEL given before (None: none given, or not a valid file)."""
    from registry_tool.validation.model_file import read_model

    # Completing an option's value (get faq-bot --version <TAB>), click stops parsing at the
    # option and leaves the positional MODEL among the unparsed arguments.
    name = ctx.params.get("model") or (ctx.args[0] if ctx.args else None)
    if not name:
        return None
    snapshot, policy = _snapshot(ctx)
    for entry in snapshot.entries(policy.models_dir):
        if entry.is_model_file and entry.stem == name:
            return read_model(snapshot, entry, policy)[0]
    return None


def stage_names(ctx: click.Context, *, leavable: bool = False) -> list[str]:
    """The registry's stages in their order (``leavable``: only those a version may be moved to by promote)."""
    _, policy = _snapshot(ctx)
    return [s.value for s in (policy.stages.open_stages if leavable else policy.stages.names)]


def alias_names(ctx: click.Context) -> list[str]:
    """The aliases of the MODEL given before, sorted."""
    mf = _model_file(ctx)
    return sorted(mf.model.aliases) if mf is not None else []


def _matching(values: list[str], incomplete: str) -> list[str]:
    return [value for value in values if value.startswith(incomplete)]


# click takes plain strings from shell_complete: no import of click.shell_completion on
# every start of a command (get is run once per deploy lookup).
def complete_models(ctx: click.Context, param: Any, incomplete: str) -> list[str]:
    try:
        return _matching(model_names(ctx), incomplete)
    except Exception:  # a completion must never print a traceback into the shell
        return []


def complete_versions(ctx: click.Context, param: Any, incomplete: str) -> list[str]:
    try:
        return _matching(version_labels(ctx), incomplete)
    except Exception:  # as above
        return []


def complete_stages(ctx: click.Context, param: Any, incomplete: str) -> list[str]:
    try:
        return _matching(stage_names(ctx), incomplete)
    except Exception:  # as above
        return []


def complete_promote_stages(ctx: click.Context, param: Any, incomplete: str) -> list[str]:
    try:
        return _matching(stage_names(ctx, leavable=True), incomplete)
    except Exception:  # as above
        return []


def complete_aliases(ctx: click.Context, param: Any, incomplete: str) -> list[str]:
    try:
        return _matching(alias_names(ctx), incomplete)
    except Exception:  # as above
        return []
