"""``registry-tool diff``: what a change does to the registry, for pull requests."""

from __future__ import annotations

from pathlib import Path

import click

from registry_tool.cli.options import emit_portable, format_option, repo_option
from registry_tool.output.diff import DIFF_REPORTERS


@click.command()
@click.argument("base")
@click.argument("head", required=False)
@repo_option
@format_option(list(DIFF_REPORTERS), "text")
def diff(base: str, head: str | None, repo: Path | None, fmt: str) -> None:
    """The semantic change from revision BASE to HEAD (default: the working tree):
    registrations, stage moves (a promotion with the demotion it caused), archives,
    metric changes, and the production gates of each version entering production
    (judged by BASE's policy, as validate --base does).

    Always exits 0 when both sides could be read; validate is the judge.
    """
    from registry_tool.history.rollback import production_past
    from registry_tool.read.diff import semantic_diff
    from registry_tool.snapshots.base import Snapshot
    from registry_tool.snapshots.git import GitStore
    from registry_tool.snapshots.worktree import WorktreeSnapshot

    store = GitStore.discover(repo or ".")
    base_commit = store.resolve(base)
    base_snapshot = store.snapshot(base_commit)
    head_snapshot: Snapshot
    if head is not None:
        head_snapshot = store.snapshot(store.resolve(head))
    else:
        head_snapshot = WorktreeSnapshot(store.work_tree("pass HEAD (a revision)"))
    emit_portable(DIFF_REPORTERS[fmt](semantic_diff(base_snapshot, head_snapshot, production_past(store, base_commit))))
