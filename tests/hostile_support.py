"""Running registry-tool on hostile input: in a separate interpreter, capped in memory,
guarded against hangs, and the checks every hostile case shares (exit code, no traceback, one
clean line per finding).

The timeout is a guard that turns a hang into a failure, not a speed claim."""

from __future__ import annotations

import base64
import json
import os
import re
import resource
import select
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builders import model, version
from conftest import REPO_ROOT

HOSTILE = Path(__file__).resolve().parent / "hostile"
MEMORY_CAP = 1024 * 1024 * 1024  # 1 GiB of address space for the whole interpreter
HANG_GUARD = 120  # seconds
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def _cap_memory() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


@dataclass
class Capped:
    code: int
    out: str
    err: str
    raw_out: bytes = b""

    def json(self) -> dict[str, Any]:
        return json.loads(self.out)

    def rules(self) -> set[str]:
        return {v["rule"] for v in self.json()["violations"]}


class _Server:
    """tests/capped_server.py, started once per test process under the memory cap."""

    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def ask(cls, request: dict[str, Any]) -> dict[str, Any]:
        if cls.process is None or cls.process.poll() is not None:
            cls.process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("capped_server.py"))],
                                           env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, preexec_fn=_cap_memory)
        process = cls.process
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps(request).encode() + b"\n")
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], HANG_GUARD)
        answer = process.stdout.readline() if ready else b""
        if not answer:
            process.kill()
            process.wait()
            cls.process = None
            raise AssertionError(f"registry-tool {' '.join(request['args'])} hung or died (the capped interpreter is gone)")
        return dict(json.loads(answer))


def run_capped(cwd: Path, *args: str) -> Capped:
    """``registry-tool ARGS`` in ``cwd``, in an interpreter with at most 1 GiB of memory (one
    per test process, tests/capped_server.py, so each case does not pay Python's start-up)."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("REGISTRY_TOOL_DEBUG", None)
    answer = _Server.ask({"cwd": str(cwd), "args": list(args), "env": env})
    raw_out, raw_err = base64.b64decode(answer["out"]), base64.b64decode(answer["err"])
    out = raw_out.decode("utf-8", "backslashreplace")
    err = raw_err.decode("utf-8", "backslashreplace")
    print(f"$ registry-tool {' '.join(args)}  (exit {answer['code']})\n--- stdout\n{out[:4000]}--- stderr\n{err[:4000]}")
    return Capped(answer["code"], out, err, raw_out)


def assert_clean_violations(proc: Capped) -> list[dict[str, Any]]:
    """Exit 1 with a JSON report, nothing on stderr: violations, not a crash."""
    assert "Traceback" not in proc.err
    assert proc.err == ""
    assert proc.code == 1
    data = proc.json()
    assert data["ok"] is False
    return data["violations"]


def assert_clean_error(proc: Capped, message: str) -> None:
    """Exit 2 and exactly one line on stderr: ``registry-tool: error: <message>``."""
    assert "Traceback" not in proc.err
    assert proc.code == 2
    assert proc.err == f"registry-tool: error: {message}\n"


_HEADER = re.compile(r"# expect: (?P<rule>[a-z0-9-]+) at (?P<line>\d+):(?P<column>\d+)\n# message: (?P<message>.*)\n")


def expectation(path: Path) -> dict[str, Any]:
    """The first two lines of a corpus file: ``# expect: RULE at LINE:COL`` and ``# message: ...``."""
    found = _HEADER.match(path.read_text(encoding="utf-8"))
    assert found, f"{path} has no '# expect:' / '# message:' header"
    return {"rule": found["rule"], "line": int(found["line"]), "column": int(found["column"]), "message": found["message"]}


def valid_model(name: str, stage: str = "staging", *, fields: dict[str, Any] | None = None, **top: Any) -> str:
    """One version, 1.0.0, whose artifact has the corpus files' sha256; ``fields`` are added
    to the version, ``top`` to the model."""
    return model(name, version("1.0.0", stage, sha256=SHA, **(fields or {})), **top)
