"""``registry-tool history``: the audit log, read from Git."""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

import click

from registry_tool import snapshots
from registry_tool.cli.completion import complete_models
from registry_tool.cli.options import PlainIntRange, emit_portable, format_option, repo_option
from registry_tool.core.names import name_problem
from registry_tool.errors import EXIT_OK, EXIT_VIOLATIONS, RegistryError
from registry_tool.history.events import Item, Truncated
from registry_tool.output.history import HISTORY_REPORTERS

if TYPE_CHECKING:
    import pygit2

    from registry_tool.snapshots.git import GitStore

PROGRESS_AFTER = 1.0  # seconds before a terminal gets a progress line
WRITE_BYTES = 64 * 1024  # output is written in pieces of about this size as the walk yields it


@click.command()
@click.argument("model", required=False, shell_complete=complete_models)
@repo_option
@click.option("--ref", default="HEAD", show_default=True, help="Walk the first-parent history of this revision.")
@click.option("--since", metavar="DATE", help="Only changes committed at or after DATE (2024-11-01, 2024-11-01T10:00:00Z).")
@click.option("--limit", type=PlainIntRange(min=1), metavar="N", help="At most N events (the newest).")
@click.option("--verify-signatures", "verify", is_flag=True,
              help="Have git check each signed commit's signature with the keys it knows (a signature header alone "
                   "is only a claim).")
@click.option("--index-only", "index_only", is_flag=True,
              help="Only write the history index for REF's whole first-parent history (what a CI cache keeps), "
                   "reading no model file; print what it covers.")
@format_option(list(HISTORY_REPORTERS), "text")
def history(model: str | None, repo: Path | None, ref: str, since: str | None, limit: int | None, verify: bool,
            index_only: bool, fmt: str) -> None:
    """Who changed what, when, in which commit and pull request: the history of MODEL
    (default: every model) on REF's first-parent chain, newest first.

    Exit 0 when events were found, 1 when there were none (with --index-only: 0 once the
    index is written).
    """
    from registry_tool.history.asof import parse_time
    from registry_tool.history.heads import check_and_record, followed_ref
    from registry_tool.history.walk import stream_history
    from registry_tool.snapshots.git import GitStore

    _check_selection(model, index_only=index_only, chosen=bool(since or limit is not None or verify))
    since_ts = parse_time(since, "--since") if since else None
    snapshots.as_long_walk()
    store = GitStore.discover(repo or ".")
    head = store.resolve(ref)
    for rewrite in check_and_record(store, followed_ref(store, ref), head):
        click.echo(f"registry-tool: warning: {rewrite.message()}", err=True)
    if index_only:
        _index_only(store, head, fmt)
    progress = _Progress()
    items: Iterable[Item] = stream_history(store, head, model=model, since=since_ts, limit=limit,
                                                        progress=progress)
    if model is not None:
        items = _known_model(store, head, ref, model, items, cut=since_ts is not None)
    if verify:
        from registry_tool.history.signatures import verified

        items = verified(store, items)
    seen = _Seen(items)
    try:
        _write(HISTORY_REPORTERS[fmt](seen), progress)
    finally:
        progress.clear()
    if seen.truncated is not None:
        click.echo(f"registry-tool: note: {_truncated_note(store, seen.truncated)}", err=True)
    if not seen.events:
        click.echo(f"registry-tool: no changes{f' to model {model}' if model else ''} found on {ref}"
                   f"{f' since {since}' if since else ''}", err=True)
    raise SystemExit(EXIT_OK if seen.events else EXIT_VIOLATIONS)


def _check_selection(model: str | None, *, index_only: bool, chosen: bool) -> None:
    """MODEL is a model's name; --index-only comes alone (``chosen``: --since, --limit or
    --verify-signatures given)."""
    problem = name_problem(model) if model is not None else None
    if problem is not None:
        raise RegistryError(f"'{model}' is not a model name: {problem}")
    if index_only and (model is not None or chosen):
        raise click.UsageError("--index-only records the whole history: it takes no MODEL, --since, --limit "
                               "or --verify-signatures")


def _known_model(store: GitStore, head: pygit2.Commit, ref: str, model: str, items: Iterable[Item], *,
                 cut: bool) -> Iterable[Item]:
    """``items``, once the walk has found something; a model with no file at ``ref`` and no
    history at all (a typo) is a RegistryError naming the models there, before any output.
    ``cut``: the walk stops at --since, so an empty one does not tell."""
    from registry_tool.history.walk import walk
    from registry_tool.read.api import RegistrySnapshot

    found = iter(items)
    first = next(found, None)
    if first is not None:
        return itertools.chain([first], found)
    if cut and _any_change(walk(store, head, model=model)):
        return ()
    snapshot = RegistrySnapshot(store.snapshot(head), ref)
    try:
        unknown = model not in snapshot
    except RegistryError:  # an invalid registry.yaml at ref: its models folder is not known
        return ()
    if unknown:
        raise RegistryError(snapshot.unknown(model))
    return ()


def _any_change(items: Generator[Item, None, None]) -> bool:
    """Whether a walk yields anything, ended at its first item: the walk alone, without a
    stream's rollback marks (which would ask what entered production below a cut)."""
    try:
        return next(items, None) is not None
    finally:
        items.close()


def _truncated_note(store: GitStore, truncated: Truncated) -> str:
    boundary = f"{truncated.commit.id[:12]} ({truncated.commit.time})"
    if store.repo.is_shallow:
        return f"shallow clone: history before commit {boundary} is not available; fetch it with git fetch --unshallow"
    return f"the parent of commit {boundary} is missing from the repository: history before it is not available"


def _index_only(store: GitStore, head: pygit2.Commit, fmt: str) -> NoReturn:
    from registry_tool.history.walk import fill_index
    from registry_tool.output.history import render_index_fill

    progress = _Progress()
    try:
        done = fill_index(store, head, progress)
    finally:
        progress.clear()
    emit_portable(render_index_fill(str(done.path), done.commits, done.added, fmt))
    raise SystemExit(EXIT_OK)


def _write(pieces: Iterable[str], progress: _Progress) -> None:
    """The reporter's text as it comes, in writes of about :data:`WRITE_BYTES` (the progress
    line cleared, and no longer drawn, once output starts)."""
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= WRITE_BYTES:
            progress.stop()
            emit_portable("".join(buffer))
            buffer, size = [], 0
    if buffer:
        progress.stop()
        emit_portable("".join(buffer))


class _Seen:
    """The items passing by, counted: how many events, and the truncation marker if any."""

    def __init__(self, items: Iterable[Item]) -> None:
        self.items = items
        self.events = 0
        self.truncated: Truncated | None = None

    def __iter__(self) -> Iterator[Item]:
        for item in self.items:
            if isinstance(item, Truncated):
                self.truncated = item
            else:
                self.events += 1
            yield item


class _Progress:
    """Commits walked so far, on stderr, only on a terminal and only when the walk runs long."""

    def __init__(self, stream: TextIO | None = None, after: float = PROGRESS_AFTER) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.start = time.monotonic()
        self.after = after
        self.enabled = self.stream.isatty()
        self.shown = False

    def __call__(self, walked: int) -> None:
        if self.enabled and time.monotonic() - self.start >= self.after:
            click.echo(f"\rreading history: {walked} commits", file=self.stream, nl=False)
            self.stream.flush()
            self.shown = True

    def stop(self) -> None:
        """Clears the line and draws it no more (output has started)."""
        self.clear()
        self.enabled = False

    def clear(self) -> None:
        if self.shown:
            click.echo("\r\033[K", file=self.stream, nl=False)
            self.stream.flush()
            self.shown = False
