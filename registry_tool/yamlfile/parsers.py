"""The two YAML parsers the loader reads with: libyaml's (``CSafeLoader``) when PyYAML has
its C build, else PyYAML's pure-Python parser held to what libyaml reads
(:class:`PureLoader`). ``REGISTRY_TOOL_NO_LIBYAML=1`` forces the latter. Code that parses
reads :data:`LOADER` from this module at call time (tests swap it)."""

from __future__ import annotations

import os
import re
from typing import Any

import yaml
from yaml.scanner import ScannerError

_TAB_IN_INDENT = "found a tab character where an indentation space is expected"
_BREAKS = "\r\n\x85\u2028\u2029"
_HEX_DIGITS = frozenset("0123456789ABCDEFabcdef")
_TAG_CHARACTERS = frozenset("-_;/?:@&=+$.%!~*'()")  # besides letters and digits, in a tag libyaml reads
_QUOTED_STOP = re.compile(r'["\\\s\0]')  # where a run of double-quoted text ends, or an escape starts


class PureLoader(yaml.SafeLoader):  # type: ignore[misc, unused-ignore]  # Any without types-PyYAML
    """PyYAML's pure-Python parser, reading what libyaml reads where the two differ, so a
    file gets the same findings with or without PyYAML's C build: a tab separates tokens
    where libyaml allows it (after a value, in flow, inside a plain scalar), an escape that
    names no Unicode character is an error (PyYAML would produce a lone surrogate, or fail
    in ``chr``), and so is a directive other than %YAML and %TAG. Also used with libyaml to
    locate nesting that libyaml refuses to read, and to place tabs (the loader refuses the
    tabs libyaml takes and other readers do not: :mod:`registry_tool.yamlfile.tabs`)."""

    def scan_to_next_token(self) -> None:
        # libyaml skips tabs in flow context and where no simple key may start (after a
        # value); not at the start of a line nor after '- ', '? ' or ': ' (indentation).
        if self.index == 0 and self.peek() == "\ufeff":
            self.forward()
        while True:
            char = self.peek()
            while char == " " or (char == "\t" and (self.flow_level or not self.allow_simple_key)):
                self.forward()
                char = self.peek()
            if char == "#":
                while self.peek() not in "\0" + _BREAKS:
                    self.forward()
            if not self._line_break():
                return
            if not self.flow_level:
                self.allow_simple_key = True

    def fetch_stream_end(self) -> None:
        if self.column != 0:  # libyaml ends a file without a final line break on a new line,
            self.line += 1  # where a key still waiting for its ':' is stale
            self.column = 0
            self.stale_possible_simple_keys()
        super().fetch_stream_end()

    def scan_plain(self) -> Any:
        # PyYAML's, with libyaml's refusal of ':' followed by ',', '?', or a bracket inside a
        # plain scalar in flow context ('{a:{b: 1}}'), its '?' inside one ('{k: a?b}'), and its
        # tabs (scan_plain_spaces).
        chunks: list[str] = []
        start_mark = end_mark = self.get_mark()
        indent = self.indent + 1
        spaces: list[str] = []
        while self.peek() != "#":
            length = 0
            while True:
                char = self.peek(length)
                if char == ":":
                    after = self.peek(length + 1)
                    if self.flow_level and after in ",?[]{}":
                        raise ScannerError("while scanning a plain scalar", start_mark, "found unexpected ':'",
                                           self._mark_at(self.pointer + length))
                    if after in "\0 \t" + _BREAKS:
                        break
                elif char in "\0 \t" + _BREAKS or (self.flow_level and char in ",[]{}"):  # '?' stays, as in libyaml
                    break
                length += 1
            if length == 0:
                break
            self.allow_simple_key = False
            chunks.extend(spaces)
            chunks.append(self.prefix(length))
            self.forward(length)
            end_mark = self.get_mark()
            spaces = self.scan_plain_spaces(indent, start_mark)
            if not spaces or self.peek() == "#" or (not self.flow_level and self.column < indent):
                break
        return yaml.ScalarToken("".join(chunks), True, start_mark, end_mark)

    def scan_plain_spaces(self, indent: int, start_mark: Any) -> list[str]:
        # As PyYAML's, but tabs count as spaces where libyaml takes them: between words, and
        # after the indentation of a continuation line.
        length = 0
        while self.peek(length) in " \t":
            length += 1
        blanks = self.prefix(length)
        self.forward(length)
        if self.peek() not in _BREAKS:
            return [blanks] if blanks else []
        line_break = self._line_break()
        self.allow_simple_key = True
        breaks: list[str] = []
        while True:
            if self.column == 0 and self.prefix(3) in ("---", "...") and self.peek(3) in "\0 \t" + _BREAKS:
                return []  # a document marker ends the scalar
            char = self.peek()
            if char == "\t" and self.column < indent:
                raise ScannerError("while scanning a plain scalar", start_mark,
                                   "found a tab character that violates indentation", self.get_mark())
            if char in " \t":
                self.forward()
            elif char in _BREAKS:
                breaks.append(self._line_break())
            else:
                break
        joined = [line_break] if line_break != "\n" else ([] if breaks else [" "])
        return joined + breaks

    def scan_block_scalar_indicators(self, start_mark: Any) -> tuple[bool | None, int | None]:
        chomping: bool | None = None
        increment: int | None = None
        for _ in range(2):
            char = self.peek()
            if char in "+-" and chomping is None:
                chomping = char == "+"
            elif char in "0123456789" and increment is None:
                if char == "0":
                    raise ScannerError("while scanning a block scalar", start_mark,
                                       "expected indentation indicator in the range 1-9, but found 0", self.get_mark())
                increment = int(char)
            else:
                break
            self.forward()
        if self.peek() not in "\0 \t#" + _BREAKS:  # libyaml takes '|#...' and '|<tab>'
            raise ScannerError("while scanning a block scalar", start_mark,
                               f"expected chomping or indentation indicators, but found {self.peek()!r}", self.get_mark())
        return chomping, increment

    def scan_block_scalar_indentation(self) -> tuple[list[str], int, Any]:
        chunks, max_indent, end_mark = super().scan_block_scalar_indentation()
        if self.peek() == "\t":  # libyaml: not while the indentation is being found
            raise ScannerError("while scanning a block scalar", None, _TAB_IN_INDENT, self.get_mark())
        return list(chunks), int(max_indent), end_mark

    def scan_block_scalar_breaks(self, indent: int) -> tuple[list[str], Any]:
        chunks, end_mark = super().scan_block_scalar_breaks(indent)
        if self.column < indent and self.peek() == "\t":
            raise ScannerError("while scanning a block scalar", None, _TAB_IN_INDENT, self.get_mark())
        return list(chunks), end_mark

    def scan_tag(self) -> Any:
        # libyaml ends a tag at a character outside its URI set ('[', ']', '{', '}', ','),
        # where it wants a blank; PyYAML reads those into the tag, and wants a space, not a tab.
        if self.peek(1) != "<":
            length = 1
            while self.peek(length).isalnum() or self.peek(length) in _TAG_CHARACTERS:
                length += 1
            char = self.peek(length)
            if char not in "\0 \t" + _BREAKS and not (self.flow_level and char == ","):
                raise ScannerError("while scanning a tag", self.get_mark(), "did not find expected whitespace or line break",
                                   self._mark_at(self.pointer + length))
            if char == "\t":  # a separator like a space: let PyYAML see one
                at = self.pointer + length
                self.buffer = self.buffer[:at] + " " + self.buffer[at + 1:]
        return super().scan_tag()

    def scan_block_scalar_ignored_line(self, start_mark: Any) -> Any:
        while self.peek() in " \t":
            self.forward()
        if self.peek() == "#":
            while self.peek() not in "\0" + _BREAKS:
                self.forward()
        if self.peek() not in "\0" + _BREAKS:
            raise ScannerError("while scanning a block scalar", start_mark,
                               f"expected a comment or a line break, but found {self.peek()!r}", self.get_mark())
        return self._line_break()

    def scan_flow_scalar_non_spaces(self, double: bool, start_mark: Any) -> list[str]:
        if double:
            self._check_escapes(start_mark)
        return list(super().scan_flow_scalar_non_spaces(double, start_mark))

    def _check_escapes(self, start_mark: Any) -> None:
        """Refuse what libyaml refuses in the escapes PyYAML is about to read: an unknown
        one (at its backslash, where libyaml points), and one of a surrogate or of a code
        point beyond U+10FFFF (at its digits)."""
        buffer, at = self.buffer, self.pointer
        while True:
            stop = _QUOTED_STOP.search(buffer, at)
            if stop is None or buffer[stop.start()] != "\\":
                return
            at = stop.start() + 1
            code = buffer[at]
            if code in "uU" and _names_no_character(buffer[at + 1: at + (5 if code == "u" else 9)]):
                raise ScannerError("while parsing a quoted scalar", start_mark,
                                   "found invalid Unicode character escape code", self._mark_at(at + 1))
            if code in _BREAKS:  # an escaped line break: the run goes on after the next line's indentation
                while buffer[at] in " \t" + _BREAKS:
                    at += 1
                continue
            if code not in self.ESCAPE_REPLACEMENTS and code not in self.ESCAPE_CODES and code != "\0":
                raise ScannerError("while parsing a quoted scalar", start_mark,
                                   "found unknown escape character", self._mark_at(at - 1))
            at += 1

    def _mark_at(self, pointer: int) -> Any:
        """The mark of a later position in the buffer (line breaks are LF or CRLF by now)."""
        between = self.buffer[self.pointer: pointer]
        lines = between.count("\n")
        column = self.column + len(between) if not lines else len(between) - between.rfind("\n") - 1
        return yaml.Mark(self.name, self.index + len(between), self.line + lines, column, None, 0)

    def process_empty_scalar(self, mark: Any) -> Any:
        # In flow context libyaml places an empty key or value ('{a: }', '{? }') at the token
        # that follows it; PyYAML right after the indicator.
        if self.check_token(yaml.FlowEntryToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken) or (
                self.check_token(yaml.ValueToken) and self._next_mark().index != mark.index and self._in_flow()):
            mark = self._next_mark()
        return super().process_empty_scalar(mark)

    def _next_mark(self) -> Any:
        return self.peek_token().start_mark  # type: ignore[no-untyped-call, unused-ignore]

    def _line_break(self) -> str:
        return str(self.scan_line_break())  # type: ignore[no-untyped-call, unused-ignore]

    def _in_flow(self) -> bool:
        return self.state in (self.parse_flow_mapping_value, self.parse_flow_sequence_entry_mapping_value)

    def scan_directive(self) -> Any:
        length = 1
        while self.peek(length).isalnum() or self.peek(length) in "-_":
            length += 1
        name, end = self.prefix(length)[1:], self._mark_at(self.pointer + length)
        if name and self.peek(length) not in "\0 \t" + _BREAKS:
            raise ScannerError("while scanning a directive", self.get_mark(), "did not find expected whitespace or line break", end)
        if name and name not in ("YAML", "TAG"):  # PyYAML ignores them, libyaml does not
            raise ScannerError("while scanning a directive", self.get_mark(), "found unknown directive name", end)
        return super().scan_directive()


def _names_no_character(digits: str) -> bool:
    """Hex digits of a \\u or \\U escape that name a surrogate or lie beyond U+10FFFF."""
    if not digits or any(d not in _HEX_DIGITS for d in digits):
        return False  # too few digits: PyYAML says so itself
    value = int(digits, 16)
    return 0xD800 <= value <= 0xDFFF or value > 0x10FFFF


def _pick_loader() -> tuple[Any, bool]:
    """libyaml's loader when PyYAML has its C build, unless REGISTRY_TOOL_NO_LIBYAML is set."""
    if os.environ.get("REGISTRY_TOOL_NO_LIBYAML", "") not in ("", "0"):
        return PureLoader, False
    try:
        from yaml import CSafeLoader
    except ImportError:  # pragma: no cover - a PyYAML without its C build
        return PureLoader, False
    return CSafeLoader, True


LOADER, HAS_LIBYAML = _pick_loader()
