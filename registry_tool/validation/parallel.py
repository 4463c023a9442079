"""Full validates on every core: the model files split into chunks, each checked by a
worker process that opens the snapshot again for itself (its own pygit2 repository).

Used by :func:`registry_tool.validation.engine.validate_snapshot` on Linux when a registry has
at least ``PARALLEL_MIN_FILES`` model files (below that, starting workers costs more
than it saves) and more than one core is available. ``REGISTRY_TOOL_JOBS=N`` sets the number of
workers (``1``: always serial). The report is the same as the serial one: chunks come
back in entry order, each worker reads the same policy from the same snapshot, and the
validator sorts the violations as before (tests hold the two paths to identical output).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from registry_tool.core.findings import Violation
from registry_tool.errors import RegistryError
from registry_tool.snapshots.base import Entry, Snapshot
from registry_tool.validation.checks import check_state

PARALLEL_MIN_FILES = 1000
CHUNKS_PER_WORKER = 8
JOBS_ENV = "REGISTRY_TOOL_JOBS"

Recipe = tuple[str, str, str]


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def jobs_for(files: int, jobs: int | None = None) -> int:
    """How many workers for ``files`` model files: ``jobs`` if given, else
    $REGISTRY_TOOL_JOBS, else every core once the registry is large enough."""
    if jobs is None:
        setting = os.environ.get(JOBS_ENV, "").strip()
        if setting:
            if not setting.isdigit() or int(setting) < 1:
                raise RegistryError(f"{JOBS_ENV}={setting}: expected a whole number of workers, 1 or more")
            jobs = int(setting)
        elif files < PARALLEL_MIN_FILES:
            return 1
        else:
            jobs = cores()
    return max(1, min(jobs, files))


def recipe(snapshot: Snapshot) -> Recipe | None:
    """What a worker needs to open the same snapshot, or None if it cannot (or when
    workers cannot be forked: elsewhere than Linux the validate stays serial, since
    spawned workers would re-run ``python -m registry_tool`` and macOS's fork is unsafe
    with some system libraries)."""
    if sys.platform != "linux":
        return None
    from registry_tool.snapshots.git import CommitSnapshot
    from registry_tool.snapshots.worktree import WorktreeSnapshot

    if isinstance(snapshot, CommitSnapshot):
        return ("commit", str(snapshot.store.repo.path), snapshot.commit_id)
    if isinstance(snapshot, WorktreeSnapshot):
        return ("worktree", str(snapshot.root), "")
    return None


def _open(how: Recipe) -> Snapshot:
    kind, where, commit = how
    if kind == "worktree":
        from registry_tool.snapshots.worktree import WorktreeSnapshot

        return WorktreeSnapshot(Path(where))
    from registry_tool.snapshots.git import GitStore, open_repository

    store = GitStore(open_repository(where))
    return store.snapshot(store.resolve(commit))


_worker: Any = None  # (snapshot, policy) in a worker process


def _start(how: Recipe) -> None:
    global _worker
    from registry_tool.validation.policy import policy_of

    snapshot = _open(how)
    _worker = (snapshot, policy_of(snapshot)[0])  # the parent already reported any policy problem


def _check(chunk: list[Entry]) -> tuple[list[Violation], list[str]]:
    snapshot, policy = _worker
    violations: list[Violation] = []
    files: list[str] = []
    for entry in chunk:
        report = check_state(snapshot, entry, policy)
        violations.extend(report.violations)
        files.extend(c.path for c in report.checked)
    return violations, files


def check_states(how: Recipe, entries: list[Entry], jobs: int) -> tuple[list[Violation], list[str]]:
    """The file-scope checks of every entry, in ``jobs`` worker processes; violations in
    entry order, and the paths of the files checked."""
    import multiprocessing

    # fork (Linux only, see recipe()) is cheapest and safe here: the parent is
    # single-threaded, and every worker opens its own repository instead of sharing the
    # parent's libgit2 handles.
    size = max(1, -(-len(entries) // (jobs * CHUNKS_PER_WORKER)))
    chunks = [entries[i:i + size] for i in range(0, len(entries), size)]
    violations: list[Violation] = []
    files: list[str] = []
    with multiprocessing.get_context("fork").Pool(jobs, initializer=_start, initargs=(how,)) as pool:
        for found, paths in pool.imap(_check, chunks):
            violations.extend(found)
            files.extend(paths)
    return violations, files
