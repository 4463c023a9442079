"""Values as text: JSON documents (indented, keys sorted: one shape for every command's
``--format json``) and single values as a shell wants them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


def dump(value: Any) -> str:
    """A JSON document: two-space indent, keys sorted, one trailing newline."""
    import json  # not for a bare string (get --field artifact.uri)

    return json.dumps(value, indent=2, sort_keys=True) + "\n"


def dump_parts(document: dict[str, Any], key: str, items: Iterable[tuple[str, Any]] | Iterable[Any], *,
               mapping: bool = True) -> Iterator[str]:
    """:func:`dump` of ``document`` with ``key`` set to the mapping of ``items`` ((key,
    value) pairs in sorted order), or with ``mapping=False`` to the list of them, written
    piece by piece: the same text, without holding the mapping or list."""
    import json

    keys = sorted([*document, key])
    yield "{"
    for index, name in enumerate(keys):
        yield ("," if index else "") + f"\n  {json.dumps(name)}: "
        if name != key:
            yield json.dumps(document[name], indent=2, sort_keys=True).replace("\n", "\n  ")
            continue
        opening, closing = "{}" if mapping else "[]"
        count = 0
        for count, item in enumerate(items, 1):
            text = json.dumps(item[1] if mapping else item, indent=2, sort_keys=True).replace("\n", "\n    ")
            label = f"{json.dumps(item[0])}: " if mapping else ""
            yield (opening if count == 1 else ",") + f"\n    {label}{text}"
        yield f"\n  {closing}" if count else opening + closing
    yield "\n}\n"


def raw(value: Any) -> str:
    """A value as a shell wants it: strings bare, everything else as one-line JSON."""
    if isinstance(value, str):
        return value
    import json

    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return json.dumps(value)
