"""One capped interpreter that runs registry-tool for many hostile cases, one after another.

Started by tests/hostile_support.py under the same 1 GiB address-space cap a one-off
``python -m registry_tool`` had; it pays the interpreter's start-up and our imports once
instead of once per case (two thirds of the hostile suites' time went there). Each request
is one JSON line on stdin: ``{"cwd": ..., "args": [...], "env": {...}}``; the answer is one
JSON line on the protocol descriptor: exit code, and stdout/stderr as base64 bytes.

A request runs as a fresh process would see it: the environment replaced by the request's,
the current folder set, libgit2's config search path pointed at that environment's HOME,
and the command invoked through click with its real exception handler. What child processes
(git) write to the inherited descriptors 1 and 2 is appended to the command's own output,
as a pipe would have collected it. An exception our handler lets escape is reported as the
interpreter would: its traceback on stderr and exit 1."""

from __future__ import annotations

import base64
import json
import os
import tempfile
import traceback
from typing import Any, BinaryIO

import pygit2
from click.testing import CliRunner

from registry_tool import snapshots
from registry_tool.cli import main

_LEVELS = (pygit2.enums.ConfigLevel.GLOBAL, pygit2.enums.ConfigLevel.XDG, pygit2.enums.ConfigLevel.SYSTEM)


def _drain(spill: BinaryIO) -> bytes:
    spill.flush()
    spill.seek(0)
    data = spill.read()
    spill.seek(0)
    spill.truncate()
    return data


def _run(request: dict[str, Any], spills: tuple[BinaryIO, BinaryIO]) -> dict[str, Any]:
    os.environ.clear()
    os.environ.update(request["env"])
    home = os.environ.get("HOME", "/nonexistent")
    for level in _LEVELS:
        pygit2.settings.search_path[level] = home
    os.chdir(request["cwd"])
    result = CliRunner().invoke(main, request["args"], prog_name="registry-tool", catch_exceptions=True)
    out, err, code = result.stdout_bytes, result.stderr_bytes or b"", result.exit_code
    if result.exception is not None and result.exc_info is not None and not isinstance(result.exception, SystemExit):
        err += "".join(traceback.format_exception(*result.exc_info)).encode()
        code = 1
    return {"code": code, "out": base64.b64encode(out + _drain(spills[0])).decode(),
            "err": base64.b64encode(err + _drain(spills[1])).decode()}


def serve() -> None:
    with (os.fdopen(os.dup(0), "r", encoding="utf-8") as requests, os.fdopen(os.dup(1), "w", encoding="utf-8") as protocol,
          tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, open(os.devnull, "rb") as nothing):
        os.dup2(nothing.fileno(), 0)  # git run by a command reads no request
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        for line in requests:
            protocol.write(json.dumps(_run(json.loads(line), (out, err))) + "\n")
            protocol.flush()


if __name__ == "__main__":
    snapshots.as_command_line()  # as the console script runs (cli.run)
    serve()
