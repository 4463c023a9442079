"""How deep a YAML file nests, measured on the text before any parser runs (the
``yaml-too-deep`` limit, :data:`MAX_DEPTH` levels), and the streaming pass over the parser's
events that refuses anchors, aliases and explicit tags.

The depth is measured by this module, not by a YAML library, so that no library release
decides which rule a file breaks: a linear pre-scan of the text (block indentation, compact
``- - x`` and ``- k:`` forms, flow brackets outside quoted scalars, comments and block
scalars). libyaml 0.2.6 stops at 1,000 levels in its scanner, libyaml's composer recurses
in C, PyYAML's pure-Python composer recurses in Python, and libyaml's scanner is quadratic
in flow nesting. When the scan finds a level too many, the parser confirms it on the text
up to that point."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import yaml

from registry_tool.core.findings import Violation
from registry_tool.yamlfile import parsers
from registry_tool.yamlfile.messages import MAX_FINDINGS_PER_RULE, at_mark, yaml_error
from registry_tool.yamlfile.parsers import PureLoader

MAX_DEPTH = 64
_INDICATOR_BUDGET = 2000  # above this many nesting indicators, scan events before composing


# --- nesting: measured on the text, before any parser runs -------------------------------

TOO_DEEP_MESSAGE = f"nesting deeper than {MAX_DEPTH} levels"
_OPENS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSES = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
_SEQ, _MAP, _INDENTLESS = 0, 1, 2  # kinds of open block collections
_KEY_END = re.compile(r":(?=[ \t]|$)|[ \t]#")  # the ':' after a plain key, or a comment before any
_COLON_AFTER = re.compile(r"[ \t]*:(?=[ \t]|$)")
_PROPERTIES = re.compile(r"(?:[&!][^ \t]*[ \t]*)+")
_BLOCK_HEADER = re.compile(r"[|>](?:([1-9])[+-]?|[+-]([1-9])?)?")
_FLOW_CHARS = re.compile(r"[\[\]{}'\"#]")
_DOUBLE_END = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"')
_WIDE_HEAD: dict[int, tuple[re.Pattern[str], re.Pattern[str]]] = {}
_COMMON_WIDTH = 20  # deeper than any line head of a usual model file or registry.yaml
# Most lines start "  key: " or "  - key: " with a plain or simply quoted key: one match reads
# that much, the value is looked at by its first character.
_SIMPLE_LINE = re.compile(r"( *)(- +)?([A-Za-z0-9_][\w.@%/+-]*(?: [\w.@%/+-]+)*|\"[^\"\\\n]*\"|'[^'\n]*') ?:(?: +|$)")
_FLAT_FLOW = re.compile(r": [\[{][^\[\]{}'\"#\n]*[\]}]")  # a flat flow value (": " first: a fast search)
_PLAIN_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./+~=(<$^;")


def too_deep(text: str, path: str) -> Violation | None:
    """Nesting deeper than MAX_DEPTH, at the line and column where the first level too many
    opens; None when the text is not that deep (or the scan cannot follow it: then the
    parser says why, and the node-tree builder still counts levels)."""
    if not could_be_deep(text):
        return None
    found = Nesting().first_too_deep(text)
    return None if found is None else _confirm_too_deep(text, path, *found)


def could_be_deep(text: str) -> bool:
    """A cheap upper bound, enough for almost every file. Block collections nest at strictly
    increasing columns (an indentless list shares its mapping's), and a block collection
    starts after nothing but spaces and '- ', '? ', ': ' on its line; so there are at most
    2 * (widest such line head + 1) block levels. Each flow level needs a '[' or '{'; a flat
    one ('[a, b]' with no quote, comment or bracket inside) closes before any other opens,
    so all of them count as one level. Brackets in quoted values or comments only make the
    bound larger."""
    opens = text.count("[") + text.count("{")
    room = MAX_DEPTH - opens
    if room < 2:  # '{a: 1}' on one line, with no quote, comment or bracket inside, closes where it opens
        flat = len(_FLAT_FLOW.findall(text))
        room = MAX_DEPTH - (opens - flat) - min(flat, 1)
        if room < 2:
            return True
    # A narrower head than the bound allows only sends more files to the exact scan, so the
    # usual widths share one pair of patterns (compiling a pair costs ~0.2 ms).
    width = min(room // 2, _COMMON_WIDTH)
    patterns = _WIDE_HEAD.get(width)
    if patterns is None:  # the first line, and the others: "\n" first lets re skip ahead fast
        patterns = _WIDE_HEAD[width] = (re.compile(f"[ \t?:-]{{{width}}}"), re.compile(f"\n[ \t?:-]{{{width}}}"))
    return patterns[0].match(text) is not None or patterns[1].search(text) is not None


def _confirm_too_deep(text: str, path: str, row: int, column: int, end: int) -> Violation | None:
    """The parser's word on what the scan found: it reads the text up to the token that
    opens the level too many (at most MAX_DEPTH + 1 levels, within every library's limits)
    and must open that level there. A syntax error before that point is reported instead."""
    depth = 0
    try:
        for event in yaml.parse(text[:end], Loader=parsers.LOADER):
            if isinstance(event, _OPENS):
                depth += 1
                if depth > MAX_DEPTH:
                    return at_mark(path, event.start_mark, "yaml-too-deep", TOO_DEEP_MESSAGE)
            elif isinstance(event, _CLOSES):
                depth -= 1
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is None or (mark.line, mark.column) < (row, column):
            return yaml_error(path, exc, text)
    return None  # the parser reads it otherwise: leave it to the full parse


def _skip_blanks(line: str, at: int) -> int:
    end = len(line)
    while at < end and line[at] in " \t":
        at += 1
    return at


def _quote_end(line: str, start: int, quote: str) -> int:
    """The index just past the quote that closes a scalar opened before ``start``; -1 when
    the scalar goes on to the next line."""
    if quote == '"':
        found = _DOUBLE_END.match(line, start)
        return found.end() if found else -1
    at = line.find("'", start)
    while at >= 0 and line.startswith("'", at + 1):  # '' is a quote inside the scalar
        at = line.find("'", at + 2)
    return at + 1 if at >= 0 else -1


class _Deep(Exception):
    """The level too many opens at (row, column); its opening token ends at ``end``."""

    def __init__(self, row: int, column: int, end: int) -> None:
        super().__init__(row, column, end)
        self.where = (row, column, end)


class _Unreadable(Exception):
    """The text breaks YAML's block structure here: the parser will say how."""


class _Node(NamedTuple):
    """A flow collection or quoted scalar being read: it is a key if ':' follows it on its line."""

    row: int
    column: int
    keyable: bool  # it starts its line, or follows '- ', '? ' or ': '
    pending: bool  # a collection could open where it starts


class Nesting:
    """A linear scan of YAML text that follows what nests: block collections by the columns
    of their entries ('- ', '? ', ': ', 'key:', compact forms such as '- - x' and '- k: v',
    indentless lists), flow collections by their brackets. Quoted scalars (over several
    lines too), block scalars ('|', '>'), plain scalars that go on over more indented lines,
    and comments hold no structure. Exact for YAML that parses (held to PyYAML's event
    stream by tests); it stops where a collection would open where no value may."""

    def __init__(self) -> None:
        self.columns: list[int] = []  # the open block collections, outermost first
        self.kinds: list[int] = []
        self.pending = True  # the innermost node has no content yet: a collection may open there
        self.plain = False  # a plain scalar may go on over the next, more indented lines
        self.flow = 0  # open '[' and '{'
        self.flow_base = 0  # block levels around them
        self.flow_last = "["  # the last character of flow content on the lines before
        self.quote = ""  # inside a quoted scalar that goes on to the next line
        self.literal = -1  # inside a block scalar: its content indentation (0: not known yet)
        self.literal_min = 0
        self.literal_blank = 0
        self.node = _Node(-1, 0, False, False)
        self.edge: tuple[int, int] | None = None  # where a flow node that may be a key reached MAX_DEPTH levels
        self.quote_end = (-1, -1)  # (row, index) just past the last quoted scalar that closed in flow
        self.row = self.offset = 0

    def first_too_deep(self, text: str) -> tuple[int, int, int] | None:
        """(row, column, end offset) of the first level too many, 0-based; None if none."""
        crlf = "\r" in text  # a lone CR is refused before this runs
        try:
            for self.row, line in enumerate(text.split("\n")):
                if crlf and line.endswith("\r"):
                    self.offset += 1
                    line = line[:-1]
                if self.flow or self.quote or self.literal >= 0:
                    self._line(line)
                else:
                    self._block(line)
                self.offset += len(line) + 1
        except _Deep as deep:
            return deep.where
        except _Unreadable:
            return None
        return None

    def _deep(self, column: int, end: int) -> _Deep:
        return _Deep(self.row, column, self.offset + end)

    def _line(self, line: str) -> None:
        if self.literal >= 0 and self._in_literal(line):
            return
        if self.quote:
            end = _quote_end(line, 0, self.quote)
            if end < 0:
                return
            self.quote = ""
            if self.flow:
                self.quote_end = (self.row, end)
                self._flow(line, end)
            else:
                self._after_node(line, end)
        elif self.flow:
            self._flow(line, 0)
        else:
            self._block(line)

    # --- block context -------------------------------------------------------------------

    def _block(self, line: str) -> None:
        simple = _SIMPLE_LINE.match(line)
        if simple is not None and not (self.plain and simple.end(1) > self._indent()):
            self._simple(line, simple)
            return
        if line.startswith(("---", "...")) and line[3:4] in ("", " ", "\t"):
            self._document(line)
            return
        indent = len(line) - len(line.lstrip(" "))
        if self._holds_no_entry(line, indent):
            return
        if line[indent] == "\t":
            raise _Unreadable  # a tab before a line's first token
        self._entries(line, indent)

    def _indent(self) -> int:
        """The column of the innermost block collection, -1 at the top."""
        return self.columns[-1] if self.columns else -1

    def _holds_no_entry(self, line: str, indent: int) -> bool:
        """A blank or comment line, the next line of a plain scalar, or a directive."""
        first = line[indent:indent + 1]
        if not first or first == "#" or (first == "\t" and not line.strip()):
            self.plain = self.plain and first != "#"  # a comment ends a plain scalar
            return True
        if self.plain:
            if indent > self._indent():
                return True  # the plain scalar goes on
            self.plain = False
        return first == "%"

    def _simple(self, line: str, simple: re.Match[str]) -> None:
        """A line that starts as _SIMPLE_LINE: '[- ]key: '."""
        self.plain = False
        if simple.group(2):
            indent = simple.end(1)
            self._entry(indent, True, indent + 1)
            self.pending = True
        column, columns = simple.start(3), self.columns
        if not columns or columns[-1] != column or self.kinds[-1] != _MAP:  # not the next key of the same mapping
            self._entry(column, False, simple.end(3) + 1)
        self.pending = True
        at = simple.end()
        if at == len(line) or line[at] == "#":
            return
        if line[at] in _PLAIN_START:
            self.pending, self.plain = False, True
        else:
            self._node(line, at, False)

    def _entries(self, line: str, at: int) -> None:
        """'- ', '? ' and ': ' from ``at`` on (each opens or continues a collection), then a node."""
        end = len(line)
        while line[at] in "-?:" and (at + 1 == end or line[at + 1] in " \t"):
            self._entry(at, line[at] == "-", at + 1)
            self.pending = True
            at = _skip_blanks(line, at + 1)
            if at == end:
                return
        self._node(line, at, True)

    def _document(self, line: str) -> None:
        self.columns.clear()
        self.kinds.clear()
        self.pending, self.plain = True, False
        at = _skip_blanks(line, 3)
        if line[0] == "-" and at < len(line):
            self._node(line, at, False)

    def _entry(self, column: int, sequence: bool, end: int) -> bool:
        """An entry at ``column`` of an open block collection, or the first of a new one
        (then True)."""
        columns, kinds = self.columns, self.kinds
        if columns and columns[-1] > column:
            while columns and columns[-1] > column:
                columns.pop()
                kinds.pop()
            self.pending = False  # what was closed was the value
        if columns and columns[-1] == column:
            kind = kinds[-1]
            if not sequence:
                if kind == _INDENTLESS:  # a mapping's next key ends its indentless list
                    columns.pop()
                    kinds.pop()
                return False
            if kind != _MAP:
                return False
            kind = _INDENTLESS  # a list at its mapping's column: the value of the last key
        else:
            kind = _SEQ if sequence else _MAP
        if not self.pending:
            raise _Unreadable  # a collection where the value was given already
        columns.append(column)
        kinds.append(kind)
        if len(columns) > MAX_DEPTH:
            raise self._deep(column, end)
        return True

    def _node(self, line: str, at: int, keyable: bool) -> None:
        """The node that starts at ``line[at]``, not a blank. ``keyable``: it may be the key
        of a mapping entry."""
        char = line[at]
        if char in "&!":  # an anchor or a tag, then the node (perhaps on the next line)
            properties = _PROPERTIES.match(line, at)
            at = properties.end() if properties else at + 1
            if at == len(line):
                return
            char = line[at]
        if char == "#":
            return
        if char in "[{'\"":
            self.node = _Node(self.row, at, keyable, self.pending)
            self.pending, self.edge = False, None
            self._open(line, at, char)
            return
        if keyable and char not in "|>":
            key = _KEY_END.search(line, at)
            if key is not None and line[key.start()] == ":":
                self._key(line, at, key.end())
                return
        self.pending = False
        if char in "|>":
            self._literal(line, at)
        else:
            self.plain = True

    def _open(self, line: str, at: int, char: str) -> None:
        if char in "[{":
            self.flow_base = len(self.columns)
            self._flow(line, at)
            return
        end = _quote_end(line, at + 1, char)
        if end < 0:
            self.quote = char
        else:
            self._after_node(line, end)

    def _key(self, line: str, column: int, after: int, edge: tuple[int, int] | None = None) -> None:
        """'key:' at ``column``; its ':' ends just before ``after``. ``edge``: where the key, a
        flow collection, reached MAX_DEPTH levels before it was known to open a mapping."""
        if self._entry(column, False, after) and edge is not None:
            raise self._deep(*edge)
        self.pending = True
        at = _skip_blanks(line, after)
        if at < len(line):
            self._node(line, at, False)

    def _after_node(self, line: str, end: int) -> None:
        """A flow collection or quoted scalar closed just before ``end``: was it a key?"""
        node = self.node
        if node.keyable and node.row == self.row:
            colon = _COLON_AFTER.match(line, end)
            if colon is not None:
                self.pending = node.pending
                self._key(line, node.column, colon.end(), self.edge)

    # --- block scalars ---------------------------------------------------------------------

    def _literal(self, line: str, at: int) -> None:
        header = _BLOCK_HEADER.match(line, at)
        digit = (header.group(1) or header.group(2)) if header else None
        parent = self.columns[-1] if self.columns else -1
        self.literal_min = max(parent + 1, 1)
        self.literal = max(parent, 0) + int(digit) if digit else 0
        self.literal_blank = 0

    def _in_literal(self, line: str) -> bool:
        content = line.lstrip(" ")
        indent = len(line) - len(content)
        if not content:
            self.literal_blank = max(self.literal_blank, indent)
            return True
        if not self.literal:  # the first line with content sets the indentation
            self.literal = max(self.literal_min, self.literal_blank, indent)
        if indent >= self.literal:
            return True
        self.literal = -1
        return False

    # --- flow context ----------------------------------------------------------------------

    def _flow(self, line: str, at: int) -> None:
        """Flow content from ``line[at]`` on: brackets outside quoted scalars and comments."""
        search = _FLOW_CHARS.search
        while at >= 0:
            found = search(line, at)
            if found is None:
                self.flow_last = self._char_before(line, len(line))
                return
            at = self._flow_char(line, found.start())

    def _flow_char(self, line: str, at: int) -> int:
        """Read the bracket, quote or '#' at ``line[at]``; where to go on, -1 to stop."""
        char = line[at]
        if char in "[{":
            self.flow += 1
            level = self.flow_base + self.flow
            if level > MAX_DEPTH:
                raise self._deep(at, at + 1)
            if level == MAX_DEPTH and self.edge is None and self.node.keyable:
                self.edge = (at, at + 1)
        elif char in "]}":
            self.flow -= 1
            if self.flow <= 0:
                self.flow = 0
                self._after_node(line, at + 1)
                return -1
        elif char == "#":
            if at == 0 or line[at - 1] in " \t[{,]}" or (self.row, at) == self.quote_end:  # a comment
                self.flow_last = self._char_before(line, at)
                return -1
        elif self._opens_quote(line, at):
            end = _quote_end(line, at + 1, char)
            if end < 0:
                self.quote = char
                return -1
            self.quote_end = (self.row, end)
            return end
        return at + 1

    def _opens_quote(self, line: str, at: int) -> bool:
        """Does the quote at ``line[at]`` open a quoted scalar, rather than sit in a plain one?"""
        before = at - 1
        while before >= 0 and line[before] in " \t":
            before -= 1
        char = line[before] if before >= 0 else self.flow_last
        if char in "[{,?":
            return True
        # 'a: "b"' and '"a":"b"' (':' after a quoted key) open one; 'a:"b"' is one plain scalar
        return char == ":" and (before < at - 1 or before < 1 or line[before - 1] in "'\"]}")

    def _char_before(self, line: str, end: int) -> str:
        before = end - 1
        while before >= 0 and line[before] in " \t":
            before -= 1
        return line[before] if before >= 0 else self.flow_last


# --- anchors, aliases, tags: a streaming pass over the parser's events --------------------

def needs_event_scan(text: str) -> bool:
    if "&" in text or "*" in text or "!" in text:
        return True
    indicators = text.count("[") + text.count("{") + text.count("-") + text.count("?")
    return indicators > _INDICATOR_BUDGET  # a guard for nesting the scan could not follow


class _EventScan:
    """Anchors, aliases, tags and excessive depth, in one pass over the events, stopping early."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.found: list[Violation] = []
        self.counts: dict[str, int] = {}
        self.depth = 0

    def add(self, rule: str, mark: Any, message: str) -> bool:
        """Record a finding; False once there are enough to stop."""
        self.counts[rule] = self.counts.get(rule, 0) + 1
        if self.counts[rule] <= MAX_FINDINGS_PER_RULE:
            self.found.append(at_mark(self.path, mark, rule, message))
        return sum(self.counts.values()) < 10 * MAX_FINDINGS_PER_RULE

    def event(self, event: Any) -> bool:
        """Look at one event; False to stop."""
        if isinstance(event, yaml.AliasEvent):
            return self.add("yaml-alias", event.start_mark,
                            f"alias *{event.anchor}: anchors and aliases are not allowed; write the value out")
        if isinstance(event, (yaml.ScalarEvent, *_OPENS)):
            if event.anchor is not None and not self.add(
                    "yaml-alias", event.start_mark, f"anchor &{event.anchor}: anchors and aliases are not allowed; write the value out"):
                return False
            if event.tag is not None and not self.add(  # both parsers report only a tag written in the source
                    "yaml-tag", event.start_mark, f"explicit tag {event.tag} is not allowed; use plain or quoted values"):
                return False
        if isinstance(event, _OPENS):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                self.add("yaml-too-deep", event.start_mark, TOO_DEEP_MESSAGE)
                return False
        elif isinstance(event, _CLOSES):
            self.depth -= 1
        return True


def scan_events(text: str, path: str, loader: Any = None) -> list[Violation]:
    scan = _EventScan(path)
    try:
        for event in yaml.parse(text, Loader=loader or parsers.LOADER):
            if not scan.event(event):
                break
    except yaml.YAMLError as exc:
        if nesting_limit(exc) and loader is not PureLoader:
            return scan_events(text, path, PureLoader)
        if not scan.found:
            scan.found.append(yaml_error(path, exc, text))
    return scan.found


def nesting_limit(exc: yaml.YAMLError) -> bool:
    """libyaml 0.2.6 and later stop at 1,000 levels, with an error of their own."""
    return "maximum nesting depth" in str(getattr(exc, "problem", "") or "")


def locate_too_deep(text: str, path: str) -> Violation:
    """Where the parser gave up on nesting (libyaml's limit, Python's recursion limit) that
    the scan did not measure: PyYAML's pure-Python event stream, which neither recurses nor
    limits, finds the first level too many."""
    found = scan_events(text, path, PureLoader)
    deep = [v for v in found if v.rule == "yaml-too-deep"]
    return (deep or found or [Violation(path, 1, 1, "yaml-too-deep", TOO_DEEP_MESSAGE)])[0]
