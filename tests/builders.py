"""Model files as text, and small helpers to run ``validate`` and read its JSON.

The builders write block YAML with one field per line, so a test can find the line a
violation must point at with :func:`line_of` (the text it names), never by counting.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable


def sha(label: str) -> str:
    """A stable, valid sha256 for a label."""
    return hashlib.sha256(label.encode()).hexdigest()


def version(label: str, stage: str, *, name: str = "faq-bot", uri: str | None = None, sha256: str | None = "auto",
            size_bytes: int | None = None, fmt: str | None = None, run_id: str | None = None,
            metrics: dict[str, Any] | None = None, suites: dict[str, dict[str, Any]] | None = None,
            extra: str = "") -> str:
    """One entry of ``versions:`` (indented for a model file)."""
    lines = [f'  - version: "{label}"', f"    stage: {stage}", "    artifact:",
             f"      uri: {uri or f's3://bucket/{name}/{label}/model.onnx'}"]
    if sha256 == "auto":
        sha256 = sha(f"{name}-{label}")
    if sha256 is not None:
        lines.append(f"      sha256: {sha256}")
    if size_bytes is not None:
        lines.append(f"      size_bytes: {size_bytes}")
    if fmt is not None:
        lines.append(f"      format: {fmt}")
    if run_id is not None:
        lines.append(f"    run_id: {run_id}")
    if metrics or suites:
        lines.append("    metrics:")
        for key, value in (metrics or {}).items():
            lines.append(f"      {key}: {_scalar(value)}")
        if suites:
            lines.append("      suites:")
            for suite, values in suites.items():
                lines.append(f"        {suite}:")
                for key, value in values.items():
                    lines.append(f"          {key}: {_scalar(value)}")
    text = "\n".join(lines) + "\n"
    return text + extra


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, (int, float)) else json.dumps(value)


def model(name: str, *versions: str, header: str = "") -> str:
    """A model file: ``name``, optional header lines, then the given version entries."""
    body = "".join(versions)
    return f"name: {name}\n{header}versions:\n{body}" if body else f"name: {name}\n{header}versions: []\n"


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line containing ``needle``; fails loudly if absent."""
    count = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            count += 1
            if count == nth:
                return number
    raise AssertionError(f"{needle!r} (occurrence {nth}) not in:\n{text}")


def column_of(text: str, line: int, needle: str) -> int:
    """1-based column of ``needle`` on a 1-based line."""
    found = text.splitlines()[line - 1].find(needle)
    assert found >= 0, f"{needle!r} not on line {line}"
    return found + 1


def validate_json(cli: Callable[..., Any], cwd: Path, *args: str) -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
    """Run ``validate --format json`` and return (exit code, violations, whole document)."""
    run = cli(cwd, "validate", "--format", "json", *args)
    assert run.code in (0, 1), f"exit {run.code}: {run.err}"
    data = json.loads(run.out)
    assert data["ok"] is (run.code == 0)
    return run.code, data["violations"], data


def where(violations: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    """(file, line, rule) of each violation, in report order."""
    return [(v["file"], v["line"], v["rule"]) for v in violations]


def rules(violations: list[dict[str, Any]]) -> list[str]:
    return [v["rule"] for v in violations]


def check_model_file(cli: Callable[..., Any], root: Path, content: bytes | str, *args: str,
                     name: str = "faq-bot.yaml") -> list[dict[str, Any]]:
    """Write ``models/<name>`` under ``root``, validate the working tree, return the violations."""
    path = root / "models" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    _, violations, _ = validate_json(cli, root, *args)
    return violations


def at(violations: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    """(line, column, rule) of each violation, in report order."""
    return [(v["line"], v["column"], v["rule"]) for v in violations]
