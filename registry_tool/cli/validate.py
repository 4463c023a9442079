"""``registry-tool validate``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from registry_tool.cli.options import (
    AUTO,
    auto_format,
    color_option,
    emit,
    format_option,
    parse_range,
    repo_option,
    use_color,
)
from registry_tool.errors import EXIT_OK, EXIT_VIOLATIONS, RegistryError, shown_path
from registry_tool.output.validate import REPORTERS, SUMMARY_LIMIT, render_markdown

_HEX = r"[0-9a-fA-F]{7,64}"  # a commit id, full or abbreviated (matched only on an error)

if TYPE_CHECKING:
    import pygit2

    from registry_tool.snapshots.base import Entry, Snapshot
    from registry_tool.snapshots.git import CommitSnapshot, GitStore
    from registry_tool.validation.past import ProductionPast
    from registry_tool.validation.report import Report


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@repo_option
@click.option("--ref", help="Validate the registry as committed at this revision (default: the working tree).")
@click.option("--base", help="Also judge the change since this revision (against its merge base with the head, "
                             "as a pull request shows it): stage moves, immutable facts, removals, gates.")
@click.option("--base-mode", type=click.Choice(["merge-base", "tip"]), default="merge-base", show_default=True,
              help="What --base is compared with: the merge base of BASE and the head (the pull request's own change), "
                   "or BASE itself (tip: the merged result against the target, as the merge queue judges it).")
@click.option("--staged", is_flag=True,
              help="Judge what is staged in the Git index (the next commit) against HEAD: the pre-commit hook.")
@click.option("--range", "range_", metavar="BASE..HEAD", help="Judge every first-parent commit after BASE up to HEAD against its parent.")
@format_option([AUTO, *REPORTERS], AUTO)
@click.option("--summary", type=click.Path(dir_okay=False, path_type=Path),
              help="Also append a Markdown summary to this file (e.g. \"$GITHUB_STEP_SUMMARY\").")
@click.option("--sarif", "sarif", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the SARIF report to this file (for github/codeql-action/upload-sarif).")
@color_option
def validate(paths: tuple[Path, ...], repo: Path | None, ref: str | None, base: str | None, base_mode: str,
             staged: bool, range_: str | None, fmt: str, summary: Path | None, sarif: Path | None,
             color: bool | None) -> None:
    """Check the registry: the schema, the loader's safety rules and the state rules.

    With PATH arguments only those files are checked; --staged judges the staged change
    (what pre-commit runs). --format auto (the default) is github inside GitHub Actions,
    text elsewhere. Exit 0 when valid, 1 when there are violations, 2 for usage errors,
    unreadable input, and nothing to check (no registry here).
    """

    _check_combination(paths, ref, base, staged, range_)
    report = _run(paths, repo, ref, base, base_mode == "tip", staged, range_)
    fmt = auto_format(fmt)
    painted = use_color(color) and fmt == "text"
    emit(REPORTERS[fmt](report, painted), color=painted)
    if summary is not None:
        _append_summary(summary, report)
    if sarif is not None:
        from registry_tool.atomic import atomic_write

        atomic_write(sarif, REPORTERS["sarif"](report, False).encode("utf-8"), display=str(sarif))
    raise SystemExit(EXIT_OK if report.ok else EXIT_VIOLATIONS)


def _check_combination(paths: tuple[Path, ...], ref: str | None, base: str | None, staged: bool,
                       range_: str | None) -> None:
    if range_ and (ref or base or paths or staged):
        raise click.UsageError("--range cannot be combined with --ref, --base, --staged or paths")
    if staged and (ref or base or paths):
        raise click.UsageError("--staged judges the index against HEAD; it cannot be combined with --ref, --base or paths")
    if paths and (ref or base):
        raise click.UsageError("paths are checked in the working tree; they cannot be combined with --ref or --base")


def _append_summary(summary: Path, report: Report) -> None:
    """Append the Markdown report, keeping the whole file under GitHub's 1 MiB limit for
    a step's summary (another command of the same step may have written to it)."""
    try:
        used = summary.stat().st_size if summary.exists() else 0
        text = render_markdown(report, limit=max(0, SUMMARY_LIMIT - used - 1)) + "\n"
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise RegistryError(f"{summary}: cannot write the summary: {exc.strerror}") from None


def _run(paths: tuple[Path, ...], repo: Path | None, ref: str | None, base: str | None, tip: bool, staged: bool,
         range_: str | None) -> Report:
    from registry_tool.snapshots.git import GitStore
    from registry_tool.validation import engine

    if range_:
        return _range(GitStore.discover(repo or "."), range_)
    if staged:
        return _staged(GitStore.discover(repo or "."))
    if ref or base:
        store = GitStore.discover(repo or ".")
        head: Snapshot
        if ref:
            head = store.snapshot(store.resolve(ref))
        else:
            from registry_tool.snapshots.worktree import WorktreeSnapshot

            head = WorktreeSnapshot(store.work_tree("pass --ref"))
        if base:
            against = _base_snapshot(store, base, ref, tip)
            return engine.validate_change(against, head, past=_past(store, against.commit))
        return _whole(head, f"at {ref} ({head.label})")
    from registry_tool.snapshots.worktree import WorktreeSnapshot, discover_worktree

    found, root = discover_worktree(repo, instead="pass --ref")  # outside any repository: the folder as it is
    snapshot = WorktreeSnapshot(root)
    if paths:
        return engine.validate_files(snapshot, [_entry_for(root, p) for p in paths])
    return _whole(snapshot, f"in {root}" + ("" if found is not None else " (not in a Git repository)"))


def _range(store: GitStore, range_: str) -> Report:
    """Each first-parent commit of BEFORE..AFTER against its parent; when BEFORE is not on
    AFTER's first-parent history (a force-push, a foxtrot merge), AFTER against BEFORE as
    one change, and the range fails (history-rewritten)."""
    from registry_tool.validation import engine

    start, end = parse_range(range_)
    first = _range_start(store, start)
    last = store.resolve(end)
    commits = store.range_commits(first, last)
    how = store.rewrite(first, last, commits)
    if how is not None:
        click.echo(f"registry-tool: note: {start} is not on the first-parent history of {end} ({how}): judging "
                   f"{end} against {start} as one change, and failing the range (history-rewritten)", err=True)
        return engine.validate_rewrite((str(first.id), store.snapshot(first)), (str(last.id), store.snapshot(last)),
                                       how, _past(store, first))
    if not commits:
        click.echo(f"registry-tool: note: no commits after {start} on the first-parent history of {end}: "
                   "nothing to judge", err=True)
    steps = [(str(c.id), store.parent_snapshot(c), store.snapshot(c)) for c in commits]
    return engine.validate_commits(steps, _past(store, first))


def _range_start(store: GitStore, start: str) -> pygit2.Commit:
    """BEFORE of a range; missing from the clone, it is an error that says why it may be
    missing (a force-push leaves the old head out of a fresh clone), never a skipped check."""
    try:
        return store.resolve(start)
    except RegistryError as exc:
        import re

        if store.repo.is_shallow or not re.fullmatch(_HEX, start) or "unknown revision" not in str(exc):
            raise
        raise RegistryError(f"the start of the range, '{start}', is not in this repository: after a force-push "
                            "the old head is on no branch, so a clone does not have it (git fetch origin "
                            f"{start} fetches it while the host keeps it; a shallow clone needs fetch-depth: 0); "
                            "the range cannot be judged without it") from None


def _whole(snapshot: Snapshot, where: str) -> Report:
    """Every rule on the whole registry; a place with no registry is not a pass (exit 2)."""
    from registry_tool.validation import engine

    report = engine.validate_snapshot(snapshot)
    if report.files_checked or report.violations:
        return report
    missing = engine.nothing_to_check(snapshot)
    if missing is not None:
        raise RegistryError(f"nothing to check {where}: {missing}")
    click.echo("registry-tool: note: no model files yet (a new registry): register the first one with "
               "registry-tool register MODEL VERSION --artifact-uri URI", err=True)
    return report


def _past(store: GitStore, base: pygit2.Commit | None) -> ProductionPast:
    """What the first-parent history up to ``base`` says about production (rollbacks, the
    last production version, recorded metrics), read when a rule asks."""
    from registry_tool.history.rollback import production_past

    return production_past(store, base)


def _base_snapshot(store: GitStore, base: str, ref: str | None, tip: bool) -> CommitSnapshot:
    """The snapshot a change is judged against: BASE itself (``tip``), or the merge base of
    BASE and the head (HEAD for the working tree), as ``git diff BASE...HEAD`` shows it."""
    from registry_tool.snapshots.git import SHALLOW_HINT

    base_commit = store.resolve(base)
    if tip or (ref is None and store.repo.head_is_unborn):
        return store.snapshot(base_commit)
    head_name = ref or "HEAD"
    found = store.merge_base(base_commit, store.resolve(head_name))
    if found is None:
        hint = f"; {SHALLOW_HINT}" if store.repo.is_shallow else ""
        raise RegistryError(f"{base} and {head_name} have no common ancestor: there is no merge base to judge the "
                            f"change against; pass --base-mode tip to compare with {base} itself{hint}")
    return store.snapshot(found)


def _staged(store: GitStore) -> Report:
    """The index against HEAD (an empty registry before the first commit)."""
    from registry_tool.snapshots.base import EmptySnapshot
    from registry_tool.snapshots.index import IndexSnapshot
    from registry_tool.validation import engine

    store.work_tree("--staged needs a repository with a working tree and an index")
    head = None if store.repo.head_is_unborn else store.resolve("HEAD")
    base: Snapshot = EmptySnapshot() if head is None else store.snapshot(head)
    return engine.validate_change(base, IndexSnapshot(store), past=_past(store, head))


def _relative_hint(root: Path, path: Path) -> str:
    """For a relative path outside the repository: where it was read from, and the path in
    the repository when --repo names one elsewhere (a path is read from the current folder, as
    the shell completed it; it is not taken relative to --repo)."""
    if path.is_absolute():
        return ""
    inside = root / path
    also = f"; did you mean {inside}?" if inside.exists() or inside.is_symlink() else ""
    return f" (a relative path is read from the current folder, {Path.cwd()}{also})"


def _entry_for(root: Path, path: Path) -> Entry:
    from registry_tool.snapshots.worktree import entry_of

    try:
        full = path.resolve() if not path.is_symlink() else path.parent.resolve() / path.name
    except RuntimeError:  # Python < 3.13: a loop of symbolic links on the way (3.13 raises OSError)
        raise RegistryError(f"{shown_path(path)}: too many levels of symbolic links (a link that points back "
                            "to itself?)") from None
    try:
        relative = full.relative_to(root.resolve()).as_posix()
    except ValueError:
        raise RegistryError(f"{path}: outside the repository at {root}{_relative_hint(root, path)}") from None
    if not full.exists() and not full.is_symlink():
        raise RegistryError(f"{path}: no such file")
    if full.is_dir() and not full.is_symlink() and not full.name.endswith(".yaml"):  # models/x.yaml as a folder: a violation
        raise RegistryError(f"{path}: a folder; validate takes files (model files, registry.yaml): give no PATH "
                            "to check the whole registry")
    return entry_of(full, relative)
