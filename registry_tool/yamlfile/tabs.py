"""Tabs that YAML readers disagree on (rule ``yaml-tab``).

libyaml (PyYAML's C build) reads a tab as a space in many places: after ``key:``, after a
value, before a comment, inside a plain value, inside brackets, after ``|``. PyYAML's
pure-Python reader refuses every one of those files, ruamel.yaml all but the ones inside
brackets; and libyaml itself refuses a tab in indentation. So a tab is allowed only where
every reader takes it as text: in a comment, inside a quoted value, and in a block scalar's
lines (after its header line). Anywhere else it is refused, at its own line and column.

A file without a tab costs one ``in``, a file whose tabs all follow a comment's ``#`` on a
line without quotes a look at those lines. Any other file is scanned once more, up to its
first refused tab: with libyaml's scanner when it is there and gets that far without failing;
else with the pure-Python scanner held to libyaml
(:class:`registry_tool.yamlfile.parsers.PureLoader`), which also says what it had read when
it failed. The tokens are the same either way, and so is the finding.
"""

from __future__ import annotations

import re
from bisect import bisect_right, insort
from typing import Any

import yaml

from registry_tool.core.findings import Violation
from registry_tool.yamlfile import parsers
from registry_tool.yamlfile.messages import NOT_PRINTABLE, at_offset
from registry_tool.yamlfile.parsers import PureLoader

INDENT = "a tab in indentation: YAML indents with spaces only; use spaces"
PLAIN = ("a tab inside a plain value: libyaml keeps it, PyYAML and ruamel.yaml refuse the file; "
         "use a space, or quote the value")
FLOW = "a tab inside brackets: libyaml and ruamel.yaml read it as a space, PyYAML refuses the file; use spaces"
BETWEEN = ("a tab outside quotes, comments and block text: libyaml reads it as a space, "
           "PyYAML and ruamel.yaml refuse the file; use spaces")

_FLOW_OPEN = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)
_FLOW_CLOSE = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)
_COMMENT = re.compile(r"(?:^|(?<=[ \t]))#", re.M)  # a '#' that starts a comment, outside a value
_QUOTES = re.compile("['\"]")


def misplaced_tab(text: str, path: str) -> Violation | None:
    """The first tab outside a comment, a quoted value and a block scalar's lines, if any."""
    if "\t" not in text or _only_in_comments(text) or re.search(NOT_PRINTABLE, text):
        return None  # a character no reader takes: the parser's complaint comes first (yaml-syntax)
    try:
        if parsers.LOADER is not PureLoader:
            try:
                return _first_tab(_Scan(text, parsers.LOADER), path)
            except _ScannerFailed:
                pass  # what libyaml scanned before it failed is out of reach: scan again without it
        return _first_tab(_Scan(text, PureLoader), path)
    except yaml.YAMLError:  # pragma: no cover - refused before any token; the parser says so next
        return None


def _first_tab(scan: _Scan, path: str) -> Violation | None:
    text = scan.text
    at = text.find("\t")
    while at >= 0:
        scan.past(at)
        if at == scan.refused:
            why: str | None = scan.why(at) or BETWEEN
        elif at < scan.until:
            why = scan.why(at)
        elif scan.refused is not None and at < scan.refused:
            why = None  # inside the value the scanner was reading when it met the tab it refused
        else:
            return None  # after where the scanner stopped: the loader reports what stopped it
        if why is not None:
            return at_offset(path, text, at, "yaml-tab", why)
        at = text.find("\t", at + 1)
    return None


def _only_in_comments(text: str) -> bool:
    """Every tab follows, on its line, a '#' at the line's start or after a blank, with no
    quote before the line's last tab and no directive: that '#' starts a comment, or lies in
    a block scalar's line or a quoted value begun on an earlier line, where a tab is fine."""
    at = text.find("\t")
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        last = text.rfind("\t", at, end)
        comment = _COMMENT.search(text, start, at)
        if comment is None or text.startswith("%", start) or _QUOTES.search(text, start, last) is not None:
            return False
        at = text.find("\t", end)
    return True


class _ScannerFailed(Exception):
    """libyaml's scanner failed: the tokens it had read but not handed out are out of reach."""


class _Scan:
    """A scanner's tokens, read as far as needed."""

    def __init__(self, text: str, loader: Any) -> None:
        self.text = text
        self.spans: list[tuple[int, int, int]] = []  # (start, end, index in tokens) of tokens with a width
        self.tokens: list[Any] = []
        self.until = len(text)  # the text the tokens account for ends here
        self.refused: int | None = None  # the tab the scanner failed on, if it did
        self._scanner: Any = loader(text)

    def past(self, at: int) -> None:
        """Read tokens until one starts after ``at``, or the scanner stops."""
        scanner = self._scanner
        while scanner is not None and (not self.tokens or self.tokens[-1].start_mark.index <= at):
            try:
                token = scanner.get_token() if scanner.check_token() else None
            except yaml.MarkedYAMLError as exc:
                if not isinstance(scanner, PureLoader):
                    scanner.dispose()
                    raise _ScannerFailed from exc
                for queued in scanner.tokens:  # read, but not handed out yet
                    self._add(queued)
                self._failed(exc)
                token = None
            if token is None:
                scanner.dispose()
                self._scanner = scanner = None
            else:
                self._add(token)

    def _add(self, token: Any) -> None:
        start, end = token.start_mark.index, token.end_mark.index
        self.tokens.append(token)
        if end > start:
            insort(self.spans, (start, end, len(self.tokens) - 1))

    def _failed(self, exc: Any) -> None:
        """Where the scanner stopped: the tokens account for the text up to the start of what
        it was reading; a tab where it failed (``-<tab>x``, a tab in indentation) is the problem."""
        text = self.text
        problem = exc.problem_mark.index if exc.problem_mark is not None else len(text)
        self.until = min(problem, _next_token(text, max((t.end_mark.index for t in self.tokens), default=0)))
        if text[problem: problem + 1] == "\t":
            self.refused = problem

    def why(self, at: int) -> str | None:
        """Why the tab at ``at`` is refused, or None where every reader takes it as text."""
        text, spans = self.text, self.spans
        k = bisect_right(spans, (at, len(text) + 1, 0)) - 1
        if k >= 0 and at < spans[k][1]:  # inside a token
            start, _, index = spans[k]
            token = self.tokens[index]
            style = getattr(token, "style", None)
            if style in ("'", '"'):
                return None
            if style in ("|", ">"):
                header_end = text.find("\n", start)
                if 0 <= header_end < at or "#" in text[start:at]:
                    return None  # the block scalar's own lines, or its header's comment
                return BETWEEN
            if isinstance(token, yaml.ScalarToken):
                if _blank_before(text, at):
                    return INDENT
                return FLOW if self._in_flow(at) and not _inside_word(text, at) else PLAIN
            return BETWEEN
        gap_start = max(spans[k][1] if k >= 0 else 0, text.rfind("\n", 0, at) + 1)
        if "#" in text[gap_start:at]:
            return None  # between tokens only blanks and comments: this '#' starts one
        if self._in_flow(at):
            return FLOW
        return INDENT if _blank_before(text, at) else BETWEEN

    def _in_flow(self, at: int) -> bool:
        level = 0
        for token in self.tokens:
            if token.start_mark.index >= at:
                break
            if isinstance(token, _FLOW_OPEN):
                level += 1
            elif isinstance(token, _FLOW_CLOSE):
                level -= 1
        return level > 0


def _next_token(text: str, at: int) -> int:
    """Where the next token starts: past blanks, line breaks and comments."""
    while at < len(text):
        char = text[at]
        if char == "#":
            at = text.find("\n", at)
            if at < 0:
                return len(text)
        elif char not in " \t\r\n":
            return at
        at += 1
    return at


def _blank_before(text: str, at: int) -> bool:
    """Only blanks between the start of the line and ``at``."""
    line_start = text.rfind("\n", 0, at) + 1
    return not text[line_start:at].strip(" \t")


def _inside_word(text: str, at: int) -> bool:
    """A tab followed by more of the value on its line."""
    end = at
    while end < len(text) and text[end] in " \t":
        end += 1
    return end < len(text) and text[end] not in "\r\n"
