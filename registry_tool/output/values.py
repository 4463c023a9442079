"""Values as text: JSON documents (indented, keys sorted: one shape for every command's
``--format json``) and single values as a shell wants them."""

from __future__ import annotations

from typing import Any


def dump(value: Any) -> str:
    """A JSON document: two-space indent, keys sorted, one trailing newline."""
    import json  # not for a bare string (get --field artifact.uri)

    return json.dumps(value, indent=2, sort_keys=True) + "\n"


def raw(value: Any) -> str:
    """A value as a shell wants it: strings bare, everything else as one-line JSON."""
    if isinstance(value, str):
        return value
    import json

    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return json.dumps(value)
