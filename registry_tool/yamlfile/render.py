"""Writing values as YAML text the way a person would, and that every reader reads back.

Used by the editor to render what it inserts: a scalar is written plain when the strict
loader reads the plain form back as the same value with no finding (``stage: none``,
``uri: s3://b/m.onnx``), quoted otherwise (``version: "1.0"``, a string with ``: ``).
Small collections of scalars are written in flow style (``{accuracy: 0.9}``,
``[nlp, chat]``), anything nested in block style, with the file's indentation and
line ending. Every rendering is checked by reading it back; nothing here guesses.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from registry_tool.errors import RegistryError
from registry_tool.yamlfile import loader

# Characters YAML does not allow unescaped in a double-quoted scalar (or anywhere in a stream).
# Also the characters YAML 1.1 reads as line breaks (NEL, LS, PS): escaped, never folded.
# Compiled on first use: the negated class up to U+10FFFF takes re 8 ms to compile, which
# an edit writing plain ASCII need not pay.
_NON_PRINTABLE = "[^\x09\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


def _non_printable(text: str) -> re.Match[str] | None:
    """The first character of ``text`` that must be escaped, if any."""
    if text.isascii() and text.isprintable():  # no control character: nothing to escape
        return None
    return _non_printable_pattern().search(text)


@cache
def _non_printable_pattern() -> re.Pattern[str]:
    return re.compile(_NON_PRINTABLE)


_FLOW_WIDTH = 100  # a flat collection longer than this is written in block style


class Style:
    """How a file writes things: its line ending, indentation step and quote character."""

    def __init__(self, newline: str = "\n", step: int = 2, quote: str = '"') -> None:
        self.newline = newline
        self.step = step
        self.quote = quote


def newline_of(text: str) -> str:
    """The file's line ending: that of its first line (CRLF files stay CRLF)."""
    end = text.find("\n")
    return "\r\n" if end > 0 and text[end - 1] == "\r" else "\n"


def _reads_back(snippet: str, value: Any) -> bool:
    doc = loader.load(snippet.encode("utf-8"), "<render>")
    return doc.ok and isinstance(doc.data, dict) and _same(doc.data.get("k"), value)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def number(value: int | float) -> str:
    """A number as YAML 1.1 and 1.2 readers both read it (``1e-05`` is a string to PyYAML)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(value)
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise RegistryError(f"{value} is not a finite number")
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    if e:
        if "." not in mantissa:
            mantissa += ".0"
        if exponent[0] not in "+-":
            exponent = "+" + exponent
        text = f"{mantissa}e{exponent}"
    return text


def double_quoted(text: str) -> str:
    body = json.dumps(text, ensure_ascii=False)
    if _non_printable(body) is None:
        return body
    return _non_printable_pattern().sub(_escaped, body)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def quoted(text: str, quote: str = '"') -> str:
    if quote == "'" and "\n" not in text and _non_printable(text) is None:
        return "'" + text.replace("'", "''") + "'"
    return double_quoted(text)


def plain_ok(text: str, *, flow: bool) -> bool:
    """Whether ``text`` can be written without quotes and read back unchanged."""
    if not text or text != text.strip() or "\n" in text or "\r" in text or "#" in text or "\t" in text:
        return False
    if flow and any(c in text for c in ",[]{}"):
        return False
    snippet = f"{{k: {text}}}" if flow else f"k: {text}"
    return _reads_back(snippet, text)


class Quoted(str):
    """A string that is always written quoted (a version label), with its quote character."""

    quote: str

    def __new__(cls, text: str, quote: str = '"') -> Quoted:
        value = super().__new__(cls, text)
        value.quote = quote
        return value


def scalar(value: Any, *, flow: bool = False, quote: str | None = None) -> str:
    """One scalar. ``quote`` forces a quoted string ('"' or "'"); None writes plain when safe."""
    if isinstance(value, Quoted):
        return quoted(str(value), quote or value.quote)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number(value)
    if value is None:
        return "null"
    if not isinstance(value, str):
        raise TypeError(f"cannot write {type(value).__name__} as a YAML scalar")
    if quote is None and plain_ok(value, flow=flow):
        return value
    return quoted(value, quote or '"')


def is_flat(value: Any) -> bool:
    """A collection of scalars only (written in flow style when short)."""
    if isinstance(value, Mapping):
        return all(not isinstance(v, (Mapping, list)) for v in value.values())
    if isinstance(value, list):
        return all(not isinstance(v, (Mapping, list)) for v in value)
    return False


def flow(value: Any, quotes: Mapping[str, str] | None = None) -> str:
    """A value in flow style, on one line. ``quotes`` forces quoting of some keys' values."""
    if isinstance(value, Mapping):
        items = ", ".join(f"{scalar(k, flow=True)}: "
                          f"{flow(v) if isinstance(v, (Mapping, list)) else scalar(v, flow=True, quote=(quotes or {}).get(k))}"
                          for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) if isinstance(v, (Mapping, list)) else scalar(v, flow=True) for v in value) + "]"
    return scalar(value, flow=True)


def block_lines(key: str, value: Any, indent: int, style: Style, *, layout: Mapping[str, bool] | None = None,
                quote: str | None = None) -> list[str]:
    """``key: value`` at ``indent`` as lines without line endings. ``layout`` says which keys
    are written in block (True) or flow (False) style; other collections are written in
    flow style when flat and short, in block style otherwise."""
    pad = " " * indent
    head = f"{pad}{scalar(key)}:"
    if not isinstance(value, (Mapping, list)):
        return [f"{head} {scalar(value, quote=quote)}"]
    wanted = (layout or {}).get(key)
    if not value or wanted is False:
        return [f"{head} {flow(value)}"]
    if wanted is None and is_flat(value):
        text = flow(value)
        if len(head) + 1 + len(text) <= _FLOW_WIDTH:
            return [f"{head} {text}"]
    lines = [head]
    if isinstance(value, Mapping):
        for k, v in value.items():
            lines.extend(block_lines(k, v, indent + style.step, style))
    else:
        for item in value:
            lines.extend(sequence_item_lines(item, indent + style.step, indent + style.step + 2, style))
    return lines


def sequence_item_lines(item: Any, dash: int, content: int, style: Style, *, quotes: Mapping[str, str] | None = None,
                        layout: Mapping[str, bool] | None = None) -> list[str]:
    """One block-sequence item: ``- `` at column ``dash``, its content at column ``content``."""
    lead = " " * dash + "-" + " " * max(1, content - dash - 1)
    if not isinstance(item, Mapping) or not item:
        return [lead + (flow(item) if isinstance(item, (Mapping, list)) else scalar(item))]
    lines: list[str] = []
    for k, v in item.items():
        lines.extend(block_lines(k, v, content, style, layout=layout, quote=(quotes or {}).get(k)))
    lines[0] = lead + lines[0][content:]
    return lines
