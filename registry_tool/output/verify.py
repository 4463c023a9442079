"""``verify``'s formats: one line saying whether the file is the registered artifact (and
which fact differs), or a JSON object."""

from __future__ import annotations

from collections.abc import Callable

from registry_tool.output.escape import printable
from registry_tool.output.values import dump
from registry_tool.read.verify import Fact, Verification

Render = Callable[[Verification], str]


def _shown(fact: Fact) -> str:
    return f"{fact.name} {fact.actual}" if fact.name == "sha256" else f"{fact.actual} bytes"


def render_text(found: Verification) -> str:
    what = f"{found.model} {found.version.version}"
    where = printable(str(found.file))
    if found.ok:
        return f"ok: {where} is {what} ({', '.join(_shown(f) for f in found.facts)})\n"
    if found.longer:
        size = next(f.registered for f in found.facts if f.name == "size_bytes")
        return f"mismatch: {where} is not {what}: it holds more than the registered size_bytes {size} (read no further)\n"
    differs = "; ".join(f"{f.name} is {f.actual}, registered {f.registered}" for f in found.mismatched)
    return f"mismatch: {where} is not {what}: {differs}\n"


def render_json(found: Verification) -> str:
    return dump(found.to_dict())


VERIFY_REPORTERS: dict[str, Render] = {
    "text": render_text,
    "json": render_json,
}
