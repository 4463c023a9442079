"""The strict YAML loader: what is read is what every reader reads.

Turns bytes into a :class:`Document` (plain data plus the node tree for positions), or
into loader violations, each with its own rule id and line:

* ``file-too-large``, ``yaml-encoding`` (not UTF-8, a byte-order mark, NUL bytes);
* ``yaml-syntax``, ``yaml-multi-document``, ``yaml-too-deep``;
* ``yaml-alias`` (anchors and aliases), ``yaml-tag`` (explicit tags);
* ``yaml-duplicate-key`` at any depth, ``yaml-key-type`` (keys must be strings);
* ``yaml-ambiguous-scalar``: plain scalars that YAML 1.1 readers (PyYAML) and YAML 1.2
  readers read differently (``yes``, ``on``, ``010``, ``1:20``, ``1e3``, dates, ...);
* ``yaml-non-finite``: ``.inf`` and ``.nan``, which JSON cannot carry;
* ``yaml-hidden-char``: what a reviewer cannot see in a diff: invisible and
  direction-changing characters (Unicode format characters: zero-width, bidi controls, a
  byte-order mark inside the file), line breaks other than LF and CRLF (a lone CR, NEL,
  U+2028, U+2029, which YAML 1.1 readers break on and diffs do not), and control
  characters written as escapes in double-quoted values.

The limits are measured by this module, not by a YAML library, so that no library release
decides which rule a file breaks. Nesting is measured by a linear pre-scan of the text
(block indentation, compact ``- - x`` and ``- k:`` forms, flow brackets outside quoted
scalars, comments and block scalars) before any parser runs: libyaml 0.2.6 stops at 1,000
levels in its scanner, libyaml's composer recurses in C, PyYAML's pure-Python composer
recurses in Python, and libyaml's scanner is quadratic in flow nesting. When the scan
finds a 65th level, the parser confirms it on the text up to that point.

Parsing uses libyaml (``CSafeLoader``) when present, else PyYAML's pure-Python parser held
to what libyaml reads (:class:`_PureLoader`); ``REGISTRY_TOOL_NO_LIBYAML=1`` forces the
latter. Either way a file gets the same findings, in this module's words: the libraries'
error texts are mapped to messages of our own (:func:`_yaml_error`).
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.scanner import ScannerError

from registry_tool.core.findings import Violation
from registry_tool.core.policy import DEFAULT_MAX_BYTES
from registry_tool.core.rules import declare
from registry_tool.core.text import BLANK_CHARS, FORMAT_CHARS

MAX_DEPTH = 64
_INDICATOR_BUDGET = 2000  # above this many nesting indicators, scan events before composing
MAX_FINDINGS_PER_RULE = 20
MAX_EXACT_INT = 2**53 - 1  # beyond this, readers that hold numbers as doubles (JSON, JavaScript) round


# The loader's rules (declared here, where they are found).
FILE_TOO_LARGE = declare("file-too-large", "loader",
                         "A file is larger than the limit (max_file_bytes, default 1 MiB); it is not read.",
                         help="Files above the limit are refused unread, so a huge or generated file cannot "
                              "slow every check down. Keep model files small (move long descriptions and "
                              "metadata to the artifact's own store); raise max_file_bytes in registry.yaml "
                              "only if the file really must be this large.")
ENCODING = declare("yaml-encoding", "loader",
                   "A file is not UTF-8, starts with a byte-order mark, or contains NUL bytes.",
                   help="Every reader must see the same characters. Save the file as UTF-8 without a "
                        "byte-order mark, and remove NUL bytes (usually a sign of a binary or UTF-16 file).")
SYNTAX = declare("yaml-syntax", "loader",
                 "Malformed YAML (tabs in indentation, unclosed brackets, bad indentation, ...).",
                 help="The file is not well-formed YAML, so readers disagree or fail. Fix the place the "
                      "message names: indent with spaces (never tabs), close every bracket and quote, and "
                      "keep a mapping's keys at one indentation.")
MULTI_DOCUMENT = declare("yaml-multi-document", "loader",
                         "More than one YAML document ('---') in one file.",
                         help="A model file holds exactly one YAML document: readers that take only the "
                              "first document would miss the rest. Remove the '---' separator and merge the "
                              "documents, or split them into one file per model.")
TOO_DEEP = declare("yaml-too-deep", "loader",
                   "Nesting deeper than 64 levels.",
                   help="Very deep nesting is refused so that no reader can be made to recurse without "
                        "bound. Flatten the structure: model files need a few levels, never 64.")
ALIAS = declare("yaml-alias", "loader",
                "Anchors (&a) and aliases (*a): every value is written out where it is used.",
                help="An alias makes one value appear in many places, and reviewers see only the anchor. "
                     "Write each value out where it is used (registry-tool's editors do).")
TAG = declare("yaml-tag", "loader",
              "Explicit tags (!!str, !!python/object, !custom): values are plain or quoted.",
              help="Tags change how a value is read, differently from reader to reader (and !!python/object "
                   "runs code in unsafe loaders). Remove the tag; quote a value that must stay a string.")
DUPLICATE_KEY = declare("yaml-duplicate-key", "loader",
                        "The same key twice in one mapping, at any depth.",
                        help="With a key written twice, some readers keep the first value and others the "
                             "last, so a reviewer may approve a value no deploy tool uses. Keep one copy of "
                             "the key.")
KEY_TYPE = declare("yaml-key-type", "loader",
                   "A mapping key that is not a string (1:, null:, a list).",
                   help="JSON and most deploy tools have string keys only; a number, null or list key is "
                        "read differently by each. Quote the key.")
AMBIGUOUS_SCALAR = declare("yaml-ambiguous-scalar", "loader",
                           "A plain value that YAML 1.1 and YAML 1.2 readers read differently (yes, on, 010, 1:20, 1e3, 2024-01-01; quote it), or an integer beyond 2^53-1 that JSON readers round.",
                           help="YAML 1.1 readers (PyYAML) and YAML 1.2 readers read this plain value "
                                "differently, for example yes as true or a string, 010 as 8 or 10, 1.10 as "
                                "the number 1.1. Quote the value so that every reader sees the same string.")
NON_FINITE = declare("yaml-non-finite", "loader",
                     ".inf, .nan, or a number too large for a double (1e+400), which JSON cannot carry.",
                     help="JSON cannot carry infinity, NaN or numbers beyond a double, so readers disagree "
                          "about them. Write a finite number, or quote the value if it is text.")
HIDDEN_CHAR = declare("yaml-hidden-char", "loader",
                      "What a reviewer cannot see in a diff: invisible or direction-changing characters (zero-width, bidi controls, a BOM inside the file, variation selectors, Hangul fillers, other default-ignorable or blank-rendering characters), line breaks other than LF and CRLF (lone CR, NEL, U+2028/U+2029), control characters written as escapes.",
                      help="A reviewer cannot see invisible, direction-changing or odd line-break characters "
                           "in a diff, yet every reader gets them. Delete the character (the message names "
                           "it and its position), or write plain text.")

_T = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = _T + "str", _T + "int", _T + "float", _T + "bool", _T + "null"
TIMESTAMP, MERGE, VALUE = _T + "timestamp", _T + "merge", _T + "value"

# Plain scalars both YAML 1.1 and 1.2 read as the same number.
_SAFE_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+")
_SAFE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+][0-9]+)?")
_NON_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
# What a YAML 1.2 (core schema) reader takes for a number; PyYAML may read a string.
_CORE12_NUMBER = re.compile(
    r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_CORE12_BOOL = frozenset(["true", "True", "TRUE", "false", "False", "FALSE"])
_YAML11_ONLY_BOOL = frozenset(["y", "Y", "n", "N"])  # booleans to some YAML 1.1 readers
_NUMBER_START = frozenset("0123456789+-.")
# Plain values PyYAML reads as strings but other readers as numbers or dates: '_' inside a
# number (ruamel.yaml: 1_0e3, +.5_, and it fails on -_ and ._; Go: 1e1_0), a radix prefix
# in capitals (Go: 0X1F, 0B1, 0O7), a date with one-digit month or day (Go yaml.v3: 2024-1-1).
_OTHER_READERS_NUMBER = re.compile(r"[-+]?(?:[._0-9][0-9_.eE+-]*|0[xXoObB][0-9a-fA-F_]*)")
_SHORT_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# Invisible characters (core/text.py): format characters (Cf), which may also reorder what
# is displayed, and the other default-ignorable and blank-rendering ones.
_FORMAT_CHARS = FORMAT_CHARS + BLANK_CHARS
_BLANK = re.compile(f"[{BLANK_CHARS}]")
_ODD_BREAKS = "\u0085\u2028\u2029"  # line breaks to YAML 1.1 readers, ordinary characters to YAML 1.2 and diffs
_HIDDEN_IN_TEXT = re.compile(f"[{_FORMAT_CHARS}{_ODD_BREAKS}]|\r(?!\n)")
_HIDDEN_IN_VALUE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_FORMAT_CHARS}{_ODD_BREAKS}]")

_KEY_KIND = {int: "an integer", float: "a number", bool: "a boolean", type(None): "null"}

_CONSTRUCTOR = yaml.SafeLoader("")  # only to construct the rare ambiguous scalar


_BREAKS = "\r\n\x85\u2028\u2029"
_HEX_DIGITS = frozenset("0123456789ABCDEFabcdef")
_TAG_CHARACTERS = frozenset("-_;/?:@&=+$.%!~*'()")  # besides letters and digits, in a tag libyaml reads
_QUOTED_STOP = re.compile(r'["\\\s\0]')  # where a run of double-quoted text ends, or an escape starts


class _PureLoader(yaml.SafeLoader):  # type: ignore[misc, unused-ignore]  # Any without types-PyYAML
    """PyYAML's pure-Python parser, reading what libyaml reads where the two differ, so a
    file gets the same findings with or without PyYAML's C build: a tab separates tokens
    where libyaml allows it (after a value, in flow, inside a plain scalar), an escape that
    names no Unicode character is an error (PyYAML would produce a lone surrogate, or fail
    in ``chr``), and so is a directive other than %YAML and %TAG. Also used with libyaml to
    locate nesting that libyaml refuses to read."""

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
                        raise ScannerError("while scanning a plain scalar", start_mark, "found unexpected ':'", self._mark_at(self.pointer + length))
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
            raise ScannerError("while scanning a block scalar", None, "found a tab character where an indentation space is expected", self.get_mark())
        return list(chunks), int(max_indent), end_mark

    def scan_block_scalar_breaks(self, indent: int) -> tuple[list[str], Any]:
        chunks, end_mark = super().scan_block_scalar_breaks(indent)
        if self.column < indent and self.peek() == "\t":
            raise ScannerError("while scanning a block scalar", None, "found a tab character where an indentation space is expected", self.get_mark())
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
        return _PureLoader, False
    try:
        from yaml import CSafeLoader  # noqa: PLC0415
    except ImportError:  # pragma: no cover - a PyYAML without its C build
        return _PureLoader, False
    return CSafeLoader, True


_Loader, _LIBYAML = _pick_loader()


@dataclass
class Document:
    """A parsed YAML file: its data and the node tree that says where each value is."""

    path: str
    text: str
    data: Any = None
    root: Node | None = None
    problems: list[Violation] = field(default_factory=list)
    _keys: dict[int, dict[str, tuple[Node, Node]]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def _pairs(self, node: MappingNode) -> dict[str, tuple[Node, Node]]:
        """A mapping's (key node, value node) by key text, built once per mapping: looking
        up every key of a large mapping (one violation per unknown key) stays linear."""
        pairs = self._keys.get(id(node))
        if pairs is None:
            pairs = {knode.value: (knode, vnode) for knode, vnode in node.value if isinstance(knode, ScalarNode)}
            self._keys[id(node)] = pairs
        return pairs

    def node_at(self, path: tuple[str | int, ...], *, key: bool = False) -> Node | None:
        """The node at a data path (the key's node with ``key=True``); the nearest
        existing ancestor when the path does not exist."""
        node = self.root
        for depth, part in enumerate(path):
            last = depth == len(path) - 1
            if isinstance(node, MappingNode):
                found = self._pairs(node).get(part) if isinstance(part, str) else None
                if found is None:
                    return node
                node = found[0] if (key and last) else found[1]
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
            else:
                return node
        return node

    def locate(self, path: tuple[str | int, ...], *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of a data path."""
        node = self.node_at(path, key=key)
        if node is None:
            return 1, 1
        return node.start_mark.line + 1, node.start_mark.column + 1

    def violation(self, rule: str, path: tuple[str | int, ...], message: str, *, key: bool = False) -> Violation:
        line, column = self.locate(path, key=key)
        return Violation(self.path, line, column, rule, message)

    def source_text(self, path: tuple[str | int, ...]) -> str | None:
        """The scalar exactly as written in the file, when the path is a scalar."""
        node = self.node_at(path)
        return node.value if isinstance(node, ScalarNode) else None


def too_large(path: str, size: int, limit: int) -> Violation:
    return Violation(path, 1, 1, "file-too-large", f"file is {size} bytes; the limit is {limit} bytes")


def load(raw: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Parse one YAML file strictly. Never raises for bad input: problems are violations."""
    if len(raw) > max_bytes:
        return Document(path, "", problems=[too_large(path, len(raw), max_bytes)])
    text, problem = _decode(raw, path)
    doc = Document(path, text)
    if problem is None:
        problem = _hidden_character(text, path) or _too_deep(text, path)
    if problem is not None:
        doc.problems.append(problem)
        return doc
    if _needs_event_scan(text):
        doc.problems.extend(_scan_events(text, path))
        if doc.problems:
            return doc
    doc.root, problem = _compose(text, path)
    if problem is not None:
        doc.problems.append(problem)
    elif doc.root is not None:
        builder = _Builder(path)
        doc.data = builder.build(doc.root, 0)
        doc.problems.extend(builder.problems)
    return doc


def _compose(text: str, path: str) -> tuple[Node | None, Violation | None]:
    """The node tree, or the one violation that stopped the parser."""
    try:
        return yaml.compose(text, Loader=_Loader), None
    except RecursionError:  # PyYAML's pure-Python composer recurses once per level
        return None, _locate_too_deep(text, path)
    except yaml.composer.ComposerError as exc:
        if "single document" in f"{exc.context} {exc.problem}":
            return None, _at_mark(path, exc.problem_mark, "yaml-multi-document",
                                  "a registry file holds exactly one YAML document; remove the '---' separator")
        return None, _yaml_error(path, exc, text)
    except yaml.YAMLError as exc:
        if _nesting_limit(exc):
            return None, _locate_too_deep(text, path)
        return None, _yaml_error(path, exc, text)


def _decode(raw: bytes, path: str) -> tuple[str, Violation | None]:
    if raw.startswith(_BOMS) or raw.startswith(b"\x00\x00\xfe\xff"):
        kind = "UTF-8 byte-order mark" if raw.startswith(_BOMS[0]) else "UTF-16/32 byte-order mark"
        return "", Violation(path, 1, 1, "yaml-encoding", f"file starts with a {kind}; save it as UTF-8 without BOM")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        return "", Violation(path, line, 1, "yaml-encoding", "file contains a NUL byte: binary or UTF-16 data, not UTF-8 YAML")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return "", Violation(path, line, column, "yaml-encoding", f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})")


def _hidden_character(text: str, path: str) -> Violation | None:
    """The first character a reviewer cannot see in a diff, or that readers disagree on."""
    if text.isascii() and "\r" not in text:
        return None
    found = _HIDDEN_IN_TEXT.search(text)
    if found is None:
        return None
    at = found.start()
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    char = text[at]
    if char == "\r":
        why = "a carriage return without a line feed: YAML readers start a new line here, diffs and Git do not; use LF or CRLF line endings"
    elif char in _ODD_BREAKS:
        why = f"{_describe(char)} is a line break to YAML 1.1 readers (PyYAML, libyaml) but not to YAML 1.2 readers or diffs; use LF"
    elif _BLANK.match(char):
        why = (f"invisible character {_describe(char)}: it shows as nothing or as a blank that is not a space, "
               "so a reviewer cannot see it; remove it")
    else:
        why = f"invisible character {_describe(char)}: a reviewer cannot see it, and it can reorder what a diff shows; remove it"
    return Violation(path, line, column, "yaml-hidden-char", why)


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    if not name:
        unassigned = unicodedata.category(char) == "Cn"
        name = "NEXT LINE" if char == "\x85" else "an unassigned character" if unassigned else "a control character"
    return f"U+{ord(char):04X} ({name})"


# --- nesting: measured on the text, before any parser runs -------------------------------

TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels"
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
# Most lines start "  key: " or "  - key: " with a plain or simply quoted key: one match reads
# that much, the value is looked at by its first character.
_SIMPLE_LINE = re.compile(r"( *)(- +)?([A-Za-z0-9_][\w.@%/+-]*(?: [\w.@%/+-]+)*|\"[^\"\\\n]*\"|'[^'\n]*') ?:(?: +|$)")
_FLAT_FLOW = re.compile(r": [\[{][^\[\]{}'\"#\n]*[\]}]")  # a flat flow value (": " first: a fast search)
_PLAIN_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./+~=(<$^;")


def _too_deep(text: str, path: str) -> Violation | None:
    """Nesting deeper than MAX_DEPTH, at the line and column where the first level too many
    opens; None when the text is not that deep (or the scan cannot follow it: then the
    parser says why, and the node-tree builder still counts levels)."""
    if not _could_be_deep(text):
        return None
    found = _Nesting().first_too_deep(text)
    return None if found is None else _confirm_too_deep(text, path, *found)


def _could_be_deep(text: str) -> bool:
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
    width = room // 2
    patterns = _WIDE_HEAD.get(width)
    if patterns is None:  # the first line, and the others: "\n" first lets re skip ahead fast
        patterns = _WIDE_HEAD[width] = (re.compile("[ \t?:-]{%d}" % width), re.compile("\n[ \t?:-]{%d}" % width))
    return patterns[0].match(text) is not None or patterns[1].search(text) is not None


def _confirm_too_deep(text: str, path: str, row: int, column: int, end: int) -> Violation | None:
    """The parser's word on what the scan found: it reads the text up to the token that
    opens the level too many (at most MAX_DEPTH + 1 levels, within every library's limits)
    and must open that level there. A syntax error before that point is reported instead."""
    depth = 0
    try:
        for event in yaml.parse(text[:end], Loader=_Loader):
            if isinstance(event, _OPENS):
                depth += 1
                if depth > MAX_DEPTH:
                    return _at_mark(path, event.start_mark, "yaml-too-deep", TOO_DEEP)
            elif isinstance(event, _CLOSES):
                depth -= 1
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is None or (mark.line, mark.column) < (row, column):
            return _yaml_error(path, exc, text)
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


class _Nesting:
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

def _needs_event_scan(text: str) -> bool:
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
            self.found.append(_at_mark(self.path, mark, rule, message))
        return sum(self.counts.values()) < 10 * MAX_FINDINGS_PER_RULE

    def event(self, event: Any) -> bool:
        """Look at one event; False to stop."""
        if isinstance(event, yaml.AliasEvent):
            return self.add("yaml-alias", event.start_mark, f"alias *{event.anchor}: anchors and aliases are not allowed; write the value out")
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
                self.add("yaml-too-deep", event.start_mark, TOO_DEEP)
                return False
        elif isinstance(event, _CLOSES):
            self.depth -= 1
        return True


def _scan_events(text: str, path: str, loader: Any = None) -> list[Violation]:
    scan = _EventScan(path)
    try:
        for event in yaml.parse(text, Loader=loader or _Loader):
            if not scan.event(event):
                break
    except yaml.YAMLError as exc:
        if _nesting_limit(exc) and loader is not _PureLoader:
            return _scan_events(text, path, _PureLoader)
        if not scan.found:
            scan.found.append(_yaml_error(path, exc, text))
    return scan.found


def _nesting_limit(exc: yaml.YAMLError) -> bool:
    """libyaml 0.2.6 and later stop at 1,000 levels, with an error of their own."""
    return "maximum nesting depth" in str(getattr(exc, "problem", "") or "")


def _locate_too_deep(text: str, path: str) -> Violation:
    """Where the parser gave up on nesting (libyaml's limit, Python's recursion limit) that
    the scan did not measure: PyYAML's pure-Python event stream, which neither recurses nor
    limits, finds the first level too many."""
    found = _scan_events(text, path, _PureLoader)
    deep = [v for v in found if v.rule == "yaml-too-deep"]
    return (deep or found or [Violation(path, 1, 1, "yaml-too-deep", TOO_DEEP)])[0]


def _at_mark(path: str, mark: Any, rule: str, message: str) -> Violation:
    if mark is None:
        return Violation(path, 1, 1, rule, message)
    return Violation(path, mark.line + 1, mark.column + 1, rule, message)


# --- the parser's complaints, in our words ------------------------------------------------

# What PyYAML's reader and libyaml refuse: the C0 and C1 controls but TAB, LF, CR and NEL,
# surrogates, U+FFFE and U+FFFF.
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _yaml_error(path: str, exc: yaml.YAMLError, text: str) -> Violation:
    """A yaml-syntax violation at the parser's mark, in this project's words."""
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_error(path, exc, text)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    trouble = _Trouble(str(getattr(exc, "problem", None) or exc), str(getattr(exc, "context", None) or ""),
                       mark, getattr(exc, "context_mark", None), text)
    return _at_mark(path, mark, "yaml-syntax", f"malformed YAML: {_syntax_message(trouble)}")


def _reader_error(path: str, exc: Any, text: str) -> Violation:
    """A character no YAML reader takes. The error's offset counts bytes in libyaml and
    characters in PyYAML; the character is found in the text instead, the same either way."""
    found = _NOT_PRINTABLE.search(text)
    if found is None:  # pragma: no cover - the readers refuse only what the pattern matches
        return Violation(path, 1, 1, "yaml-syntax", f"malformed YAML: a character YAML does not allow (U+{exc.character:04X})")
    at = found.start()
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return Violation(path, line, column, "yaml-syntax", f"malformed YAML: {_describe(text[at])} is not allowed in a YAML file; remove it")


class _Trouble(NamedTuple):
    """What the parser reported, without its words: where it stopped, and where what it was
    reading started."""

    problem: str
    context: str
    mark: Any
    opened: Any
    text: str

    def char(self) -> str:
        index = self.mark.index if self.mark is not None else -1
        return self.text[index] if 0 <= index < len(self.text) else ""

    def found(self) -> str:
        char = self.char()
        return repr(char) if char else "the end of the file"

    def started(self) -> str:
        mark = self.opened or self.mark
        return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "the start"


_TAB = "a tab character; YAML indents with spaces only"


def _cannot_start(t: _Trouble) -> str:
    return _TAB if t.char() == "\t" else f"{t.found()} cannot start a value; quote the value"


def _block_entry(t: _Trouble) -> str:
    if "mapping" in t.context:
        return f"this does not continue the mapping that starts at {t.started()}: expected 'key: value' at its indentation"
    if "collection" in t.context:
        return f"this does not continue the list that starts at {t.started()}: expected '- ' at its indentation"
    return "this does not fit the indentation of the lines above"


def _end_of_file(t: _Trouble) -> str:
    if "quoted" in t.context:
        return f"unexpected end of file inside the quoted value that started at {t.started()}"
    return "unexpected end of file"


def _escape(t: _Trouble) -> str:
    index = t.mark.index if t.mark is not None else 0
    return f"unknown escape '{t.text[index: index + 2]}' in a double-quoted value; write '\\\\' for a backslash"


def _block_scalar_header(t: _Trouble) -> str:
    if "directive" in t.context:
        return _DIRECTIVE
    return "only '+', '-', one digit 1-9 and a comment may follow '|' or '>' on their line"


_DIRECTIVE = "a malformed directive (a line that starts with '%')"

# (pattern searched in the problem text of PyYAML or libyaml, our message), first match wins
_SYNTAX: tuple[tuple[re.Pattern[str], Callable[[_Trouble], str]], ...] = tuple((re.compile(p), f) for p, f in (
    (r"tab character", lambda t: _TAB),
    (r"cannot start any token", _cannot_start),
    (r"mapping values are not allowed", lambda t: "a mapping value is not allowed here: quote a value that holds ': ', "
                                                  "and start a mapping on a line of its own"),
    (r"sequence entries are not allowed", lambda t: "a list entry ('- ') is not allowed here: start a list on a line of "
                                                    "its own, or quote the value"),
    (r"mapping keys are not allowed", lambda t: "a '?' key is not allowed here"),
    (r"could not find expected ':'", lambda t: f"expected ':' after the key at {t.started()}: a key is one line of at "
                                               "most 1024 characters"),
    (r"expected ',' or '\]'", lambda t: f"expected ',' or ']' in the list that '[' opened at {t.started()}"),
    (r"expected ',' or '}'", lambda t: f"expected ',' or '}}' in the mapping that '{{' opened at {t.started()}"),
    (r"expected key|'-' indicator|<block end>", _block_entry),
    (r"node content", lambda t: f"expected a value here, found {t.found()}"),
    (r"document start", lambda t: "unexpected content after the end of the document"),
    (r"end of stream", _end_of_file),
    (r"document (indicator|separator)", lambda t: f"a '---' or '...' line inside the quoted value that started at {t.started()}"),
    (r"unknown escape", _escape),
    (r"hexa?decimal", lambda t: "an escape with too few hexadecimal digits (\\xHH, \\uHHHH, \\UHHHHHHHH)"),
    (r"Unicode character escape", lambda t: "an escape that names no Unicode character (a surrogate, or beyond U+10FFFF)"),
    (r"indentation indicator (equal to 0|in the range)", lambda t: "the indentation indicator after '|' or '>' is a digit 1-9, not 0"),
    (r"chomping|comment or (a )?line break", _block_scalar_header),
    (r"incompatible YAML document", lambda t: "a %YAML directive for a version other than 1.x"),
    (r"duplicate (%?YAML|%?TAG|tag handle)", lambda t: "a %YAML or %TAG directive given twice"),
    (r"unknown directive", lambda t: "an unknown directive: only %YAML and %TAG exist"),
    (r"anchor|alias", lambda t: "an anchor ('&') or alias ('*') without a valid name"),
    (r"unexpected ':'", lambda t: "a ':' right before ',', '?' or a bracket inside a flow collection; put a space after it"),
))
_SYNTAX_BY_CONTEXT: tuple[tuple[str, str], ...] = (
    ("directive", _DIRECTIVE),
    ("anchor", "an anchor ('&') or alias ('*') without a valid name"),
    ("alias", "an anchor ('&') or alias ('*') without a valid name"),
    ("tag", "a malformed or undefined tag ('!...'); tags are not allowed anyway"),
)


def _syntax_message(trouble: _Trouble) -> str:
    for pattern, message in _SYNTAX:
        if pattern.search(trouble.problem):
            return message(trouble)
    for word, text in _SYNTAX_BY_CONTEXT:
        if word in trouble.context or word in trouble.problem:
            return text
    return f"the YAML reader stopped here (it says: {_cut_problem(trouble.problem)})"


def _cut_problem(problem: str, limit: int = 120) -> str:
    return problem if len(problem) <= limit else problem[:limit] + "..."


class _Builder:
    """Builds plain data from the node tree, checking every scalar and key."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Violation] = []
        self._counts: dict[str, int] = {}

    def problem(self, node: Node, rule: str, message: str) -> None:
        n = self._counts.get(rule, 0) + 1
        self._counts[rule] = n
        if n <= MAX_FINDINGS_PER_RULE:
            self.problems.append(_at_mark(self.path, node.start_mark, rule, message))

    def build(self, node: Node, depth: int) -> Any:
        cls = node.__class__
        if cls is ScalarNode:
            return self.scalar(node)
        if depth >= MAX_DEPTH:
            self.problem(node, "yaml-too-deep", f"nesting deeper than {MAX_DEPTH} levels")
            return None
        if cls is MappingNode:
            if node.tag != _T + "map":
                self.problem(node, "yaml-tag", f"tag {node.tag} is not allowed")
            out: dict[str, Any] = {}
            normalized: set[str] | None = None  # NFC forms, once a non-ASCII key shows up
            for knode, vnode in node.value:
                key = self.key(knode)
                if key in out:
                    self.problem(knode, "yaml-duplicate-key",
                                 f"duplicate key '{_short(key)}': a reviewer would see one value while readers take another")
                else:
                    if normalized is None and not key.isascii():
                        normalized = {unicodedata.normalize("NFC", k) for k in out}
                    if normalized is not None:
                        nfc = unicodedata.normalize("NFC", key)
                        if nfc in normalized:
                            self.problem(knode, "yaml-duplicate-key",
                                         f"duplicate key '{_short(key)}': the same text as an earlier key in another Unicode form; "
                                         "a reviewer would see one key twice")
                        normalized.add(nfc)
                out[key] = self.build(vnode, depth + 1)
            return out
        if node.tag != _T + "seq":
            self.problem(node, "yaml-tag", f"tag {node.tag} is not allowed")
        return [self.build(item, depth + 1) for item in node.value]

    def key(self, node: Node) -> str:
        if node.__class__ is not ScalarNode:
            self.problem(node, "yaml-key-type", "mapping keys must be plain strings, not collections")
            return f"<complex key at line {node.start_mark.line + 1}>"
        before = len(self.problems)
        value = self.scalar(node)
        if not isinstance(value, str) and len(self.problems) == before:
            kind = _KEY_KIND.get(type(value), type(value).__name__)
            self.problem(node, "yaml-key-type", f"key {node.value!r} is read as {kind}; keys must be strings (quote it)")
        return node.value if not isinstance(value, str) else value

    def scalar(self, node: Any) -> Any:  # a ScalarNode
        read = _SCALARS.get(node.tag)
        if read is None:
            self.problem(node, "yaml-tag", f"tag {node.tag} is not allowed")
            return node.value
        return read(self, node)

    def string(self, node: ScalarNode) -> Any:
        value, plain = node.value, not node.style  # libyaml: "", PyYAML: None
        if node.style == '"' and _HIDDEN_IN_VALUE.search(value):
            char = _HIDDEN_IN_VALUE.search(value).group()  # type: ignore[union-attr]
            self.problem(node, "yaml-hidden-char", f"escaped control or invisible character {_describe(char)} in a value: "
                                                   "readers, terminals and web pages show it differently or not at all; remove it")
        elif plain and value:
            if value[0] in _NUMBER_START and _CORE12_NUMBER.fullmatch(value):
                self.ambiguous(node, "a string to YAML 1.1 readers (PyYAML) but a number to YAML 1.2 readers")
            elif value in _YAML11_ONLY_BOOL:
                self.ambiguous(node, "a boolean to some YAML 1.1 readers")
            elif value[0] in _NUMBER_START and _OTHER_READERS_NUMBER.fullmatch(value) and _looks_numeric(value):
                self.ambiguous(node, "a string to PyYAML but a number to other readers (ruamel.yaml reads '_' in "
                                     "numbers, Go's yaml reads 0X, 0B and 0O and '_' in exponents)")
            elif _SHORT_DATE.fullmatch(value):
                self.ambiguous(node, "a string to PyYAML but a date to other readers (Go's yaml.v3)")
        return value

    def int_(self, node: ScalarNode) -> Any:
        if _SAFE_INT.fullmatch(node.value):
            return self.integer(node, node.value)
        self.ambiguous(node, "read differently by YAML 1.1 and YAML 1.2 readers (octal, binary, sexagesimal or '_')")
        return node.value

    def float_(self, node: ScalarNode) -> Any:
        value = node.value
        if _SAFE_FLOAT.fullmatch(value):
            number = float(value)
            if not math.isfinite(number):
                self.problem(node, "yaml-non-finite", f"{_short(value)} is too large for a number: readers take it as infinity")
                return value
            return number
        if _NON_FINITE.fullmatch(value):
            self.problem(node, "yaml-non-finite", f"{value} is not a finite number; JSON and most readers cannot carry it")
            return value
        self.ambiguous(node, "read differently by YAML 1.1 and YAML 1.2 readers (sexagesimal or '_')")
        return value

    def bool_(self, node: ScalarNode) -> Any:
        if node.value in _CORE12_BOOL:
            return node.value.lower() == "true"
        self.ambiguous(node, "a boolean to YAML 1.1 readers (PyYAML) but a string to YAML 1.2 readers")
        return node.value

    def null(self, node: ScalarNode) -> Any:
        return None

    def timestamp(self, node: ScalarNode) -> Any:
        self.ambiguous(node, "a date/time to YAML 1.1 readers (PyYAML) but a string to YAML 1.2 readers")
        return node.value

    def merge(self, node: ScalarNode) -> Any:
        self.ambiguous(node, "a merge or value key to YAML 1.1 readers")
        return node.value

    def integer(self, node: ScalarNode, value: str) -> Any:
        # Bound the text before converting: int() of thousands of digits is slow, then refused.
        digits = value[2:] if value.startswith("0x") else value.lstrip("+-")
        number = None
        if len(digits) <= 20:
            number = int(value, 16) if value.startswith("0x") else int(value)
        if number is None or abs(number) > MAX_EXACT_INT:
            self.problem(node, "yaml-ambiguous-scalar",
                         f"integer {_short(value)} is larger in size than 2^53-1: readers that hold numbers as doubles (JSON, JavaScript) read another value")
            return value
        return number

    def ambiguous(self, node: ScalarNode, why: str) -> None:
        self.problem(node, "yaml-ambiguous-scalar", f"plain value {_short(node.value)!r} is {why}; quote it: \"{_short(node.value)}\"")


_SCALARS: dict[str, Callable[[_Builder, ScalarNode], Any]] = {
    STR: _Builder.string, INT: _Builder.int_, FLOAT: _Builder.float_, BOOL: _Builder.bool_, NULL: _Builder.null,
    TIMESTAMP: _Builder.timestamp, MERGE: _Builder.merge, VALUE: _Builder.merge,
}


def _looks_numeric(value: str) -> bool:
    """A digit string some reader takes for a number: it has '_' or a radix prefix."""
    body = value.lstrip("+-")
    return "_" in value or body[:2] in ("0X", "0B", "0O", "0x", "0b", "0o")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"
