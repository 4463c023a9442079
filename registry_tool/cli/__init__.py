"""The command line: parse, call the core, render. Nothing else lives here.

Subcommands are imported only when invoked, so a deploy tool calling ``get`` does not
pay for the validator's or the editor's imports.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import os
import sys
import threading
from pathlib import Path
from typing import Any, NoReturn

import click

from registry_tool import __version__, snapshots
from registry_tool.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, RegistryError, os_error

# command name -> "module:function" under registry_tool.cli
COMMANDS: dict[str, str] = {
    "validate": "validate:validate",
    "get": "get:get",
    "show": "show:show",
    "export": "show:export",
    "register": "edit:register",
    "promote": "edit:promote",
    "archive": "edit:archive",
    "rollback": "edit:rollback",
    "retention": "edit:retention",
    "metrics": "edit:metrics",
    "set": "edit:set_",
    "bind": "edit:bind",
    "alias": "edit:alias",
    "init": "init:init",
    "history": "history:history",
    "diff": "diff:diff",
    "import": "imports:import_group",
    "compare": "compare:compare",
    "verify": "verify:verify",
    "site": "site:site",
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module when it is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RegistryError as exc:
            _say(f"registry-tool: error: {exc}")
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (| head); not an error of ours
            ctx.exit(0)
        except KeyboardInterrupt:  # Ctrl-C outside a commit's critical section: nothing was committed
            click.echo("registry-tool: error: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except OSError as exc:  # the file system's answer about a path the user gave: too long, a loop, no access
            _say(f"registry-tool: error: {os_error(exc)}")
            ctx.exit(EXIT_USAGE)
        except Exception as exc:  # a bug: one line, unless asked for the traceback
            if os.environ.get("REGISTRY_TOOL_DEBUG"):
                raise
            _say(f"registry-tool: internal error: {type(exc).__name__}: {exc} "
                 "(set REGISTRY_TOOL_DEBUG=1 for a traceback, and please report it)")
            ctx.exit(EXIT_INTERNAL)


def _say(line: str) -> None:
    """An error as one line on stderr: what a value brought (a line break, a terminal
    escape, a bidi control, from an argument or a file) is shown escaped, never obeyed: it
    cannot forge a second line or make the message name another value."""
    from registry_tool.output.escape import printable

    click.echo(printable(line), err=True)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="registry-tool")
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="PATH",
              help="Repository to use, for any command (default: the one containing the current folder).")
def main(repo: Path | None) -> None:
    """A GitOps model registry: model versions and stages as reviewed YAML in Git.

    Exit codes: 0 ok, 1 violations (or nothing found), 2 usage errors and unreadable input.
    """


def run() -> None:
    """The console script and ``python -m registry_tool``: one command in a short-lived
    process. The cyclic garbage collector runs after 100,000 net allocations instead of
    700 (mypy does the same): its passes over the objects of every imported module and of
    parsed YAML cost 5-15 ms of a command's CPU, and those objects hold almost no cycles
    (reference counting frees them at once). Only here, never on import: a program that
    imports the package keeps its own settings. So are libgit2's settings for a short-lived
    command (:func:`registry_tool.snapshots.as_command_line`): trees and commits read
    unhashed as git reads them (every blob parsed is still hashed), bounded pack maps, and
    no object cache. And the process ends without the interpreter's teardown
    (:func:`leave`)."""
    gc.set_threshold(100_000, 10, 10)
    snapshots.as_command_line()
    try:
        main(prog_name="registry-tool")
    except SystemExit as done:
        leave(done)
    except BrokenPipeError:  # outside a command (--version, --help | head): as inside one
        sys.stderr.close()
        leave(SystemExit(0))
    except OSError as exc:  # --version or --help > /dev/full
        click.echo(f"registry-tool: error: {os_error(exc)}", err=True)
        leave(SystemExit(EXIT_USAGE))


def leave(done: SystemExit) -> NoReturn:
    """End the process the way it would end, without the interpreter's teardown.

    Python's finalization frees every module and object one by one, and pygit2's native
    libraries clean up after themselves: ~30 ms of CPU after the answer is printed, about
    as much as all the rest of a pull request's check at 10,000 models (measured with
    ``os._exit``: ``python -c 'import pygit2'`` spends 21 ms of its 134 ms on the way out,
    ``import yaml`` 6 ms, ``import click`` 9 ms). What a normal exit does that matters to a user is
    done first: standard output and error are flushed, and the exit handlers run (temporary
    files, a partial clone's ``git cat-file``, coverage's data). Output that cannot be
    written ends as an error of one line (:func:`_flushed`). A code that is not a number or
    a thread still running takes the normal way out."""
    code = 0 if done.code is None else done.code
    run_handlers = getattr(atexit, "_run_exitfuncs", None)
    if not isinstance(code, int) or threading.active_count() > 1 or run_handlers is None:
        raise done
    code = _flushed(code)
    run_handlers()
    for stream in (sys.stdout, sys.stderr):  # anything a handler wrote
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code & 0xFF)


def _flushed(code: int) -> int:
    """Flushes standard output and error; the exit code. Output that cannot be written (a
    full disk) is an error like any other, said once, unless the command failed already
    (it has said why); a reader that went away (``| head``) is not an error of ours. The
    interpreter's own ending would print "Exception ignored" and exit 120 instead."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # ValueError: closed, after a broken pipe
            continue
        except OSError as exc:
            if code == 0:
                with contextlib.suppress(OSError, ValueError):
                    sys.stderr.write(f"registry-tool: error: {os_error(exc)}\n")
                    sys.stderr.flush()
                code = EXIT_USAGE
    return code


__all__ = ["EXIT_USAGE", "main", "run"]
