"""immutable-field: a registered fact (artifact uri, sha256, size, format, run_id) never
changes; filling in one that was never registered is allowed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from registry_tool.core.findings import Violation
from registry_tool.core.model import ModelVersion
from registry_tool.core.policy import Policy
from registry_tool.core.rules import declare
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.rules.registry import change_rule

IMMUTABLE_FIELD = declare("immutable-field", "change",
                          "A registered fact changed: artifact uri, sha256, size_bytes, format, or run_id.",
                          help="Registered facts (artifact uri, sha256, size_bytes, format, run_id) identify "
                               "what was reviewed and deployed; changing them would rewrite history. "
                               "Register a new version for a new artifact; filling in a fact that was never "
                               "set is allowed.")

IMMUTABLE_FIELDS: tuple[tuple[str, ...], ...] = (
    ("artifact", "uri"), ("artifact", "sha256"), ("artifact", "size_bytes"), ("artifact", "format"), ("run_id",),
)


def _field(version: ModelVersion, path: tuple[str, ...]) -> Any:
    value: Any = version
    for part in path:
        value = getattr(value, part)
    return value


@change_rule
def registered_facts_fixed(base: ModelFile | None, head: ModelFile | None, policy: Policy) -> Iterator[Violation]:
    if base is None or head is None:
        return
    for version in head.model.versions:
        old = base.model.by_label.get(version.version)
        if old is None:
            continue
        for field_path in IMMUTABLE_FIELDS:
            was, now = _field(old, field_path), _field(version, field_path)
            if was is None or was == now:
                continue  # filling in a fact that was never registered is allowed
            name = ".".join(field_path)
            where: tuple[str | int, ...] = ("versions", version.index, *field_path)
            change = f"removed (was {was!r})" if now is None else f"changed from {was!r} to {now!r}"
            yield head.violation(IMMUTABLE_FIELD.id, where,
                                 f"{head.model.name} {version.version}: {name} {change}; "
                                 "registered facts never change, register a new version")
