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
from registry_tool.errors import EXIT_OK, EXIT_VIOLATIONS, RegistryError
from registry_tool.output.validate import REPORTERS, SUMMARY_LIMIT, render_markdown

if TYPE_CHECKING:
    from registry_tool.snapshots.base import Entry
    from registry_tool.validation.report import Report


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@repo_option
@click.option("--ref", help="Validate the registry as committed at this revision (default: the working tree).")
@click.option("--base", help="Also judge the change since this revision: stage moves, immutable facts, removals, gates.")
@click.option("--range", "range_", metavar="BASE..HEAD", help="Judge every first-parent commit after BASE up to HEAD against its parent.")
@format_option([AUTO, *REPORTERS], AUTO)
@click.option("--summary", type=click.Path(dir_okay=False, path_type=Path),
              help="Also append a Markdown summary to this file (e.g. \"$GITHUB_STEP_SUMMARY\").")
@click.option("--sarif", "sarif", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the SARIF report to this file (for github/codeql-action/upload-sarif).")
@color_option
def validate(paths: tuple[Path, ...], repo: Path | None, ref: str | None, base: str | None, range_: str | None,
             fmt: str, summary: Path | None, sarif: Path | None, color: bool | None) -> None:
    """Check the registry: the schema, the loader's safety rules and the state rules.

    With PATH arguments (as pre-commit passes them) only those files are checked.
    --format auto (the default) is github inside GitHub Actions, text elsewhere.
    Exit 0 when valid, 1 when there are violations, 2 for usage errors and unreadable input.
    """

    if range_ and (ref or base or paths):
        raise click.UsageError("--range cannot be combined with --ref, --base or paths")
    if paths and (ref or base):
        raise click.UsageError("paths are checked in the working tree; they cannot be combined with --ref or --base")

    report = _run(paths, repo, ref, base, range_)
    fmt = auto_format(fmt)
    painted = use_color(color) and fmt == "text"
    emit(REPORTERS[fmt](report, painted), color=painted)
    if summary is not None:
        _append_summary(summary, report)
    if sarif is not None:
        from registry_tool.atomic import atomic_write

        atomic_write(sarif, REPORTERS["sarif"](report, False).encode("utf-8"), display=str(sarif))
    raise SystemExit(EXIT_OK if report.ok else EXIT_VIOLATIONS)


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


def _run(paths: tuple[Path, ...], repo: Path | None, ref: str | None, base: str | None, range_: str | None) -> Report:
    from registry_tool.snapshots.git import GitStore  # noqa: PLC0415
    from registry_tool.snapshots.worktree import WorktreeSnapshot, discover_worktree  # noqa: PLC0415
    from registry_tool.validation import engine  # noqa: PLC0415

    if range_:
        store = GitStore.discover(repo or ".")
        start, end = parse_range(range_)
        steps = store.range_steps(store.resolve(start), store.resolve(end))
        if not steps:
            click.echo(f"registry-tool: note: no commits after {start} on the first-parent history of {end}: "
                       "nothing to judge (is the range reversed?)", err=True)
        return engine.validate_commits(steps)
    if ref or base:
        store = GitStore.discover(repo or ".")
        head = store.snapshot(store.resolve(ref)) if ref else WorktreeSnapshot(store.work_tree("pass --ref"))
        if base:
            return engine.validate_change(store.snapshot(store.resolve(base)), head)
        return engine.validate_snapshot(head)
    _, root = discover_worktree(repo, instead="pass --ref")  # outside any repository: the folder as it is
    snapshot = WorktreeSnapshot(root)
    if paths:
        return engine.validate_files(snapshot, [_entry_for(root, p) for p in paths])
    return engine.validate_snapshot(snapshot)


def _entry_for(root: Path, path: Path) -> Entry:
    from registry_tool.snapshots.worktree import entry_of  # noqa: PLC0415

    full = path.resolve() if not path.is_symlink() else path.parent.resolve() / path.name
    try:
        relative = full.relative_to(root.resolve()).as_posix()
    except ValueError:
        raise RegistryError(f"{path}: outside the repository at {root}") from None
    if not full.exists() and not full.is_symlink():
        raise RegistryError(f"{path}: no such file")
    return entry_of(full, relative)
