"""``registry-tool diff``: what a change does to the registry, for pull requests."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from registry_tool.cli.options import emit_portable, format_option, repo_option
from registry_tool.errors import RegistryError
from registry_tool.output.diff import DIFF_REPORTERS

if TYPE_CHECKING:
    import pygit2

    from registry_tool.snapshots.git import GitStore


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
    base_commit = _resolve(store, base)
    base_snapshot = store.snapshot(base_commit)
    head_snapshot: Snapshot
    if head is not None:
        head_snapshot = store.snapshot(_resolve(store, head))
    else:
        head_snapshot = WorktreeSnapshot(store.work_tree("pass HEAD (a revision)"))
    emit_portable(DIFF_REPORTERS[fmt](semantic_diff(base_snapshot, head_snapshot, production_past(store, base_commit))))


def _resolve(store: GitStore, rev: str) -> pygit2.Commit:
    """A revision; HEAD of a repository without commits is said with diff's own hint (it has no --ref)."""
    if rev == "HEAD" and store.repo.head_is_unborn:
        raise RegistryError("HEAD has no commits yet: commit something first (diff compares the commit BASE with "
                            "the commit HEAD, or with the working tree)")
    return store.resolve(rev)
