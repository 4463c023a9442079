"""Text from files and commits made safe to print: one line, nothing that steers a
terminal, nothing that breaks a table.

A file named ``a\\nb.yaml`` or a message with a bidi control cannot forge a report line or
reorder what a reviewer sees: :func:`printable` escapes what would break a line or steer a
terminal; :func:`table_cell` folds white space for aligned columns; :func:`markdown_cell`
also escapes the pipe that would end a Markdown table cell; :func:`html_text` makes text
from files and commits inert in a web page.
"""

from __future__ import annotations

import re
from functools import cache

from registry_tool.core.text import BLANK_CHARS, FORMAT_CHARS


# What would break a line, steer a terminal or hide from a reader: control characters,
# Unicode line breaks, format characters (bidi controls, zero-width ones), the other
# invisible and blank-rendering characters (core/text.py), and undecodable bytes of a file
# name (lone surrogates). Compiled on first use (the large character classes cost a
# millisecond or two, which a command printing plain ASCII need not pay).
@cache
def _unprintable() -> re.Pattern[str]:
    return re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{FORMAT_CHARS}{BLANK_CHARS}\ud800-\udfff]")


# The same, but keeping line breaks and tabs: a page shows a multi-line description as lines.
@cache
def _hidden() -> re.Pattern[str]:
    return re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{FORMAT_CHARS}{BLANK_CHARS}\ud800-\udfff]")


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str) -> str:
    """A file name or message as one printable line, its odd characters escaped."""
    if text.isascii() and text.isprintable():  # no control character: nothing to escape (the rest is not ASCII)
        return text
    return _unprintable().sub(_escape_char, text)


def table_cell(text: str) -> str:
    """A value for an aligned text column: white space runs folded to one space."""
    return " ".join(text.split()) if ("\n" in text or "\t" in text) else text


def markdown_cell(text: str) -> str:
    """A value inside a Markdown table cell or list item: printable, pipes escaped."""
    return printable(text).replace("|", "\\|")


def markdown_code(text: str) -> str:
    """A value as inline code in Markdown (a file name in a table): :func:`markdown_cell`,
    fenced by more backticks than it holds in a row, so a backtick in it cannot end the span."""
    cell = markdown_cell(text)
    fence = "`" * (max((len(run) for run in re.findall("`+", cell)), default=0) + 1)
    pad = " " if cell.startswith("`") or cell.endswith("`") else ""
    return f"{fence}{pad}{cell}{pad}{fence}"


def html_text(text: str) -> str:
    """Text from a file or a commit as HTML text or an attribute value: ``<``, ``>``, ``&``
    and both quotes escaped (a ``<script>`` stays text), and what would reorder or hide
    text (bidi controls, control characters, undecodable bytes) shown as escapes."""
    import html

    return html.escape(_hidden().sub(_escape_char, text), quote=True)
