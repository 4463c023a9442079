"""Options and helpers shared by several commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from registry_tool.core.numbers import INTEGER
from registry_tool.errors import RegistryError

if TYPE_CHECKING:
    from registry_tool.read.api import RegistrySnapshot

REPO_HELP = "Repository to use (default: the one containing the current folder)."


class PlainIntRange(click.IntRange):
    """A whole number in ASCII digits (with a sign) within a range: no '1_0' or '１０', which
    Python's int() reads as ten (the one rule for numbers on the command line:
    :mod:`registry_tool.core.numbers`)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not INTEGER.fullmatch(value):
            self.fail(f"{value!r} is not a whole number in digits 0-9.", param, ctx)
        return super().convert(value, param, ctx)


def _inherit_repo(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """``registry-tool --repo PATH CMD`` works like ``registry-tool CMD --repo PATH``."""
    if value is None and ctx.parent is not None:
        inherited: Path | None = ctx.parent.params.get("repo")
        return inherited
    return value


def repo_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--repo", "repo", type=click.Path(file_okay=False, path_type=Path), default=None, callback=_inherit_repo,
        help=REPO_HELP,
    )(func)


def format_option(choices: list[str], default: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")


def color_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--color/--no-color", default=None,
                        help="Colour the text output (default: on a terminal or with FORCE_COLOR set, "
                             "unless NO_COLOR is set).")(func)


def use_color(flag: bool | None) -> bool:
    """``--color``/``--no-color`` if given; else off with NO_COLOR, on with FORCE_COLOR
    (no-color.org and force-color.org: any non-empty value), else on a terminal."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


AUTO = "auto"


def auto_format(fmt: str) -> str:
    """``--format auto``: GitHub workflow commands inside GitHub Actions (GITHUB_ACTIONS=true),
    text elsewhere (coloured on a terminal, see :func:`use_color`)."""
    if fmt != AUTO:
        return fmt
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def emit(text: str, color: bool | None = None) -> None:
    """Print as is; ``color=True`` keeps ANSI styles even when stdout is not a terminal."""
    click.echo(text, nl=False, color=color)


SPOOL_BYTES = 8 << 20  # emit_whole keeps up to this much in memory, the rest in a temporary file


def emit_whole(parts: Iterable[str]) -> None:
    """Print the text ``parts`` make, once all of it is made: an error on the way (a model
    file that breaks a rule) prints nothing. Beyond a few MiB it waits in a temporary file,
    not in memory (an export of 50,000 models is ~200 MB of JSON)."""
    import tempfile

    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="utf-8") as spool:
        for part in parts:
            spool.write(part)
        spool.seek(0)
        while chunk := spool.read(1 << 20):
            emit(chunk)


def parse_range(spec: str) -> tuple[str, str]:
    base, sep, head = spec.partition("..")
    if not sep or not base or head.startswith("."):
        raise RegistryError(f"--range takes BASE..HEAD (two dots), not '{spec}'")
    return base, head or "HEAD"


_PLAIN = {"→": "->", "✅": "ok:", "❌": "FAIL:"}


def emit_portable(text: str) -> None:
    """``emit``, with ASCII stand-ins for the symbols an output encoding cannot carry
    (a legacy Windows console, PYTHONIOENCODING=ascii): never an encoding traceback."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        for symbol, plain in _PLAIN.items():
            text = text.replace(symbol, plain)
        text = text.encode("ascii", "replace").decode("ascii")
    emit(text)


def at_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--at", "at", metavar="TIME",
        help="Read the registry as of TIME (ISO 8601, UTC unless it says otherwise: 2024-11-05T10:30:00Z): "
             "the last first-parent commit of --ref committed at or before it.",
    )(func)


def open_snapshot(repo: Path | None, ref: str, at: str | None) -> RegistrySnapshot:
    """The registry at ``--ref``, or as of ``--at`` on it."""
    from registry_tool.read.api import open_registry

    registry = open_registry(repo or ".")
    return registry.as_of(at, ref) if at is not None else registry.at(ref)
