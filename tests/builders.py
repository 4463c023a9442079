"""Model files as text: the one builder every test uses, helpers to find lines in it, and
helpers to run ``validate`` from the CLI and read its JSON.

``model(name, version(label, stage, ...), ...)`` writes a model file as a user would:
one field per line (block style), lists of plain words in brackets (``tags: [a, b]``),
version labels quoted. ``flow=True`` writes a version's metrics, tags, metadata and
bindings in flow style (``metrics: {accuracy: 0.9}``), ``artifact_flow=True`` its
artifact; ``model``'s ``layout`` writes the versions list itself ("flow-items": one flow
mapping per line; "flow": ``versions: [...]``), ``indent``, ``step`` and ``quote`` set the
list's indent, the nested mappings' step and the labels' quotes. A value wrapped in
:func:`raw` is written verbatim, for text a test needs exactly (an ambiguous ``yes``, a
hidden character). :func:`rich_model` is the read tests' preset.

Unless told otherwise, a version's artifact is ``artifact_uri(name, label)`` with the
sha256 ``artifact_sha(name, label)``. Tests find the line a violation must point at
with :func:`line_of` (the text it names), never by counting.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AUTO = "auto"  # the default sha256: artifact_sha(name, label)


def sha(label: str) -> str:
    """A stable, valid sha256 for a label."""
    return hashlib.sha256(label.encode()).hexdigest()


def artifact_uri(name: str, label: str) -> str:
    return f"s3://bucket/{name}/{label}/model.onnx"


def artifact_sha(name: str, label: str) -> str:
    return sha(f"{name}-{label}")


class Raw(str):
    """Text written into the file exactly as given (no quoting)."""


def raw(text: str) -> Raw:
    return Raw(text)


@dataclass(frozen=True)
class Version:
    """One entry of ``versions:``; rendered by :func:`model`, which knows the model's name."""

    label: str
    stage: str
    uri: str | None = None
    sha256: str | None = AUTO
    size_bytes: int | None = None
    format: str | None = None
    run_id: str | None = None
    description: str | None = None
    metrics: Mapping[str, Any] | None = None
    tags: list[Any] | None = None
    metadata: Mapping[str, Any] | None = None
    bindings: list[Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    flow: bool = False
    artifact_flow: bool = False

    def fields(self, name: str, quote: str = '"') -> dict[str, Any]:
        artifact: dict[str, Any] = {"uri": self.uri or artifact_uri(name, self.label)}
        sha256 = artifact_sha(name, self.label) if self.sha256 == AUTO else self.sha256
        for key, value in (("sha256", sha256), ("size_bytes", self.size_bytes), ("format", self.format)):
            if value is not None:
                artifact[key] = value
        label = json.dumps(self.label) if quote == '"' else f"{quote}{self.label}{quote}"
        out: dict[str, Any] = {"version": raw(label), "stage": raw(self.stage)}
        if self.description is not None:
            out["description"] = self.description
        out["artifact"] = artifact
        for key, value in (("run_id", self.run_id), ("metrics", self.metrics), ("tags", self.tags),
                           ("metadata", self.metadata), ("bindings", self.bindings)):
            if value is not None:
                out[key] = value
        out.update(self.extra)
        return out


def version(label: str, stage: str = "none", *, uri: str | None = None, sha256: str | None = AUTO,
            size_bytes: int | None = None, fmt: str | None = None, run_id: str | None = None,
            description: str | None = None, metrics: Mapping[str, Any] | None = None,
            suites: Mapping[str, Mapping[str, Any]] | None = None, tags: list[Any] | None = None,
            metadata: Mapping[str, Any] | None = None, bindings: list[Any] | None = None,
            extra: Mapping[str, Any] | None = None, flow: bool = False, artifact_flow: bool = False) -> Version:
    """A version; ``suites`` go under ``metrics.suites``; ``sha256=None`` leaves it out;
    ``extra`` adds fields after the known ones (unknown fields, for the schema's tests)."""
    if suites:
        metrics = {**(metrics or {}), "suites": suites}
    return Version(label, stage, uri, sha256, size_bytes, fmt, run_id, description, metrics, tags, metadata, bindings,
                   dict(extra or {}), flow, artifact_flow)


def model(name: str, *versions: Version, owner: str | None = None, description: str | None = None,
          task: str | None = None, tags: list[Any] | None = None, metadata: Mapping[str, Any] | None = None,
          extra: Mapping[str, Any] | None = None, header: str = "", layout: str = "block", indent: int = 2,
          step: int = 2, quote: str = '"') -> str:
    """A model file: ``name``, the model's own fields, ``header`` (lines written as given),
    then ``versions`` (oldest first).

    ``layout`` is "block", "flow-items" or "flow"; the list items start ``indent`` spaces in
    (block layouts), nested mappings ``step`` spaces deeper than their key; labels are
    quoted with ``quote`` (``'"'``, ``"'"`` or ``""``)."""
    top: dict[str, Any] = {"name": name}
    for key, value in (("owner", owner), ("description", description), ("task", task), ("tags", tags),
                       ("metadata", metadata)):
        if value is not None:
            top[key] = value
    top.update(extra or {})
    lines = [line for key, value in top.items() for line in _block(key, value, 0, step)]
    lines += header.splitlines()
    items = [v.fields(name, quote) for v in versions]
    pad = " " * indent
    if not items:
        lines.append("versions: []")
    elif layout == "block":
        lines.append("versions:")
        for v, item in zip(versions, items, strict=True):
            lines += _item(item, indent, step, flow_keys=_flow_keys(v))
    elif layout == "flow-items":
        lines += ["versions:"] + [f"{pad}- {_flow(item)}" for item in items]
    elif layout == "flow":
        last = len(items) - 1
        lines += ["versions: ["] + [f"  {_flow(item)}{',' if i < last else ''}" for i, item in enumerate(items)] + ["]"]
    else:
        raise ValueError(f"unknown layout {layout!r}")
    return "\n".join(lines) + "\n"


def _flow_keys(v: Version) -> set[str]:
    keys = {"metrics", "tags", "metadata", "bindings", *v.extra} if v.flow else set()
    return keys | {"artifact"} if v.artifact_flow else keys


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9._:/@+-]*")
_NOT_PLAIN = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
_HEX = re.compile(r"[0-9a-f]{64}")  # a sha256 is plain unless it reads as a number
_NUMBER = re.compile(r"[0-9]+(e[0-9]+)?")


def _scalar(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    plain = _PLAIN.fullmatch(text) and text.lower() not in _NOT_PLAIN
    if plain or (_HEX.fullmatch(text) and not _NUMBER.fullmatch(text)):
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _is_scalar_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and not any(isinstance(v, (Mapping, list, tuple)) for v in value)


def _block(key: str, value: Any, indent: int, step: int, flow: bool = False) -> list[str]:
    """``key: value`` at ``indent``: mappings and lists of mappings one field per line."""
    pad = " " * indent
    if flow or not value or not isinstance(value, (Mapping, list, tuple)) or _is_scalar_list(value):
        return [f"{pad}{_scalar(key)}: {_flow(value)}"]
    if isinstance(value, Mapping):
        inner = [line for k, v in value.items() for line in _block(k, v, indent + step, step)]
    else:
        inner = [line for item in value for line in _item(item, indent + step, step)]
    return [f"{pad}{_scalar(key)}:"] + inner


def _item(value: Any, indent: int, step: int, flow_keys: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """One list item at ``indent``: ``- first: ...`` and its other fields under it."""
    if not isinstance(value, Mapping) or not value:
        return [f"{' ' * indent}- {_flow(value)}"]
    lines = [line for k, v in value.items() for line in _block(k, v, indent + 2, step, flow=k in flow_keys)]
    return [f"{' ' * indent}- {lines[0].lstrip()}"] + lines[1:]


def rich_model(name: str, *versions: tuple[str, str], **fields: Any) -> str:
    """A model owned by hazel whose versions carry every kind of field (size, format,
    metrics, tags, metadata), written as the read-path tests need them."""
    return model(name, *(version(label, stage, size_bytes=1024, fmt="onnx", tags=["candidate"], flow=True,
                                 metrics={"accuracy": float(f"0.9{len(label)}")}, metadata={"ticket": f"T-{label}"})
                         for label, stage in versions), owner="hazel", **fields)


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
