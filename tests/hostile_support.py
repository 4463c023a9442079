"""Running registry-tool on hostile input: a real subprocess, capped in memory, guarded
against hangs, and the checks every hostile case shares (exit code, no traceback, one
clean line per finding).

The timeout is a guard that turns a hang into a failure, not a speed claim."""

from __future__ import annotations

import json
import os
import re
import resource
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


def run_capped(cwd: Path, *args: str) -> Capped:
    """``python -m registry_tool ARGS`` in ``cwd`` with at most 1 GiB of memory."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("REGISTRY_TOOL_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "registry_tool", *args], cwd=cwd, env=env,
                          capture_output=True, timeout=HANG_GUARD, preexec_fn=_cap_memory, check=False)
    out = done.stdout.decode("utf-8", "backslashreplace")
    err = done.stderr.decode("utf-8", "backslashreplace")
    print(f"$ registry-tool {' '.join(args)}  (exit {done.returncode})\n--- stdout\n{out[:4000]}--- stderr\n{err[:4000]}")
    return Capped(done.returncode, out, err, done.stdout)


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
