"""Values as text: JSON documents (indented, keys sorted: one shape for every command's
``--format json``) and single values as a shell wants them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


def dump(value: Any) -> str:
    """A JSON document: two-space indent, keys sorted, one trailing newline."""
    import json  # not for a bare string (get --field artifact.uri)

    return json.dumps(value, indent=2, sort_keys=True) + "\n"


def dump_parts(document: dict[str, Any], key: str, items: Iterable[tuple[str, Any]]) -> Iterator[str]:
    """:func:`dump` of ``document`` with ``key`` set to the mapping of ``items`` (given in
    sorted order), written piece by piece: the same text, without holding the mapping."""
    import json

    keys = sorted([*document, key])
    yield "{"
    for index, name in enumerate(keys):
        yield ("," if index else "") + f"\n  {json.dumps(name)}: "
        if name != key:
            yield json.dumps(document[name], indent=2, sort_keys=True).replace("\n", "\n  ")
            continue
        count = 0
        for count, (item, value) in enumerate(items, 1):
            text = json.dumps(value, indent=2, sort_keys=True).replace("\n", "\n    ")
            yield ("{" if count == 1 else ",") + f"\n    {json.dumps(item)}: {text}"
        yield "\n  }" if count else "{}"
    yield "\n}\n"


def raw(value: Any) -> str:
    """A value as a shell wants it: strings bare, everything else as one-line JSON."""
    if isinstance(value, str):
        return value
    import json

    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return json.dumps(value)
