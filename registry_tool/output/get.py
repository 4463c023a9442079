"""``get``'s text format: one ``key: value`` line per leaf of the version document."""

from __future__ import annotations

import json
from typing import Any

from registry_tool.output.escape import printable
from registry_tool.output.values import raw

TEXT_ORDER = ("model", "version", "stage", "description", "commit", "artifact", "run_id",
              "metrics", "tags", "metadata", "bindings")


def render_text(document: dict[str, Any]) -> str:
    lines: list[str] = []
    for key in TEXT_ORDER:
        if key in document:
            _flatten(key, document[key], lines)
    return "\n".join(printable(line) for line in lines) + "\n"


def _flatten(prefix: str, value: Any, lines: list[str]) -> None:
    if isinstance(value, dict) and value:
        for key in sorted(value):
            _flatten(f"{prefix}.{key}", value[key], lines)
    elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        lines.append(f"{prefix}: {', '.join(value)}")
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            _flatten(f"{prefix}.{index}", item, lines)
    elif isinstance(value, (dict, list)):
        lines.append(f"{prefix}: {json.dumps(value)}")
    else:
        lines.append(f"{prefix}: {raw(value)}")
