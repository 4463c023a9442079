"""The strict YAML loader: what is read is what every reader reads.

Turns bytes into a :class:`Document` (plain data plus the node tree for positions), or
into loader violations, each with its own rule id and line:

* ``file-too-large``, ``yaml-encoding`` (not UTF-8, a byte-order mark, NUL bytes);
* ``yaml-syntax``, ``yaml-multi-document``, ``yaml-too-deep``;
* ``yaml-tab``: a tab anywhere but in a comment, a quoted value or a block scalar's lines
  (libyaml reads most such tabs, PyYAML's pure-Python reader and ruamel.yaml refuse them;
  :mod:`registry_tool.yamlfile.tabs`);
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

The limits are measured by this project, not by a YAML library, so that no library release
decides which rule a file breaks: nesting by a pre-scan of the text before any parser runs
(:mod:`registry_tool.yamlfile.nesting`), anchors, aliases and tags by a streaming pass over
the parser's events (the same module). Parsing uses libyaml when present, else PyYAML's
pure-Python parser held to what libyaml reads (:mod:`registry_tool.yamlfile.parsers`). Either
way a file gets the same findings, in this project's words
(:mod:`registry_tool.yamlfile.messages`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from registry_tool.core.findings import Violation
from registry_tool.core.policy import DEFAULT_MAX_BYTES
from registry_tool.core.rules import declare
from registry_tool.core.text import BLANK_CHARS, FORMAT_CHARS
from registry_tool.yamlfile import parsers
from registry_tool.yamlfile.messages import MAX_FINDINGS_PER_RULE, at_mark, at_offset, describe, yaml_error
from registry_tool.yamlfile.nesting import MAX_DEPTH, locate_too_deep, needs_event_scan, nesting_limit, scan_events, too_deep
from registry_tool.yamlfile.tabs import misplaced_tab

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
                 "Malformed YAML (unclosed brackets and quotes, bad indentation, ...).",
                 help="The file is not well-formed YAML, so readers disagree or fail. Fix the place the "
                      "message names: close every bracket and quote, and keep a mapping's keys at one "
                      "indentation.")
TAB = declare("yaml-tab", "loader",
              "A tab outside a comment, a quoted value and a block scalar's lines: in indentation, after "
              "'key:' or '- ', after a value, inside a plain value or brackets.",
              help="libyaml reads such a tab as a space, but PyYAML's pure-Python reader refuses the file, "
                   "ruamel.yaml too (outside brackets), and in indentation libyaml itself: readers disagree on "
                   "whether the file can be read at all. Replace the tab with spaces; a tab that belongs to a "
                   "value goes inside quotes (\"a\\tb\") or a block scalar.")
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
                           "A plain value that YAML 1.1 and YAML 1.2 readers read differently (yes, on, 010, 1:20, 1e3, "
                           "2024-01-01; quote it), or an integer beyond 2^53-1 that JSON readers round.",
                           help="YAML 1.1 readers (PyYAML) and YAML 1.2 readers read this plain value "
                                "differently, for example yes as true or a string, 010 as 8 or 10, 1.10 as "
                                "the number 1.1. Quote the value so that every reader sees the same string.")
NON_FINITE = declare("yaml-non-finite", "loader",
                     ".inf, .nan, or a number too large for a double (1e+400), which JSON cannot carry.",
                     help="JSON cannot carry infinity, NaN or numbers beyond a double, so readers disagree "
                          "about them. Write a finite number, or quote the value if it is text.")
HIDDEN_CHAR = declare("yaml-hidden-char", "loader",
                      "What a reviewer cannot see in a diff: invisible or direction-changing characters (zero-width, "
                      "bidi controls, a BOM inside the file, variation selectors, Hangul fillers, other default-ignorable "
                      "or blank-rendering characters), line breaks other than LF and CRLF (lone CR, NEL, "
                      "U+2028/U+2029), control characters written as escapes.",
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
_OTHER_READERS_NUMBER = re.compile(r"[-+]?(?:[._0-9][0-9_.eE+-]*|0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+)")
_SHORT_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# Invisible characters (core/text.py): format characters (Cf), which may also reorder what
# is displayed, and the other default-ignorable and blank-rendering ones.
_FORMAT_CHARS = FORMAT_CHARS + BLANK_CHARS
_BLANK = f"[{BLANK_CHARS}]"
_ODD_BREAKS = "\u0085\u2028\u2029"  # line breaks to YAML 1.1 readers, ordinary characters to YAML 1.2 and diffs
# These large character classes are compiled on first use (by re, which keeps them): text
# that is ASCII, as most model files are, never needs them.
_HIDDEN_IN_TEXT = f"[{_FORMAT_CHARS}{_ODD_BREAKS}]|\r(?!\n)"
_HIDDEN_IN_VALUE = f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_FORMAT_CHARS}{_ODD_BREAKS}]"

_KEY_KIND = {int: "an integer", float: "a number", bool: "a boolean", type(None): "null"}

_CONSTRUCTOR = yaml.SafeLoader("")  # only to construct the rare ambiguous scalar


class Document:
    """A parsed YAML file: its data and the node tree that says where each value is."""

    __slots__ = ("_keys", "data", "path", "problems", "root", "text")

    def __init__(self, path: str, text: str, data: Any = None, root: Node | None = None,
                 problems: list[Violation] | None = None) -> None:
        self.path = path
        self.text = text
        self.data = data
        self.root = root
        self.problems = problems if problems is not None else []
        self._keys: dict[int, dict[str, tuple[Node, Node]]] = {}

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
        problem = _hidden_character(text, path) or misplaced_tab(text, path) or too_deep(text, path)
    if problem is not None:
        doc.problems.append(problem)
        return doc
    if needs_event_scan(text):
        doc.problems.extend(scan_events(text, path))
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
        return yaml.compose(text, Loader=parsers.LOADER), None
    except RecursionError:  # PyYAML's pure-Python composer recurses once per level
        return None, locate_too_deep(text, path)
    except yaml.composer.ComposerError as exc:
        if "single document" in f"{exc.context} {exc.problem}":
            return None, at_mark(path, exc.problem_mark, "yaml-multi-document",
                                  "a registry file holds exactly one YAML document; remove the '---' separator")
        return None, yaml_error(path, exc, text)
    except yaml.YAMLError as exc:
        if nesting_limit(exc):
            return None, locate_too_deep(text, path)
        return None, yaml_error(path, exc, text)


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
    found = re.search(_HIDDEN_IN_TEXT, text)
    if found is None:
        return None
    at = found.start()
    char = text[at]
    if char == "\r":
        why = "a carriage return without a line feed: YAML readers start a new line here, diffs and Git do not; use LF or CRLF line endings"
    elif char in _ODD_BREAKS:
        why = f"{describe(char)} is a line break to YAML 1.1 readers (PyYAML, libyaml) but not to YAML 1.2 readers or diffs; use LF"
    elif re.match(_BLANK, char):
        why = (f"invisible character {describe(char)}: it shows as nothing or as a blank that is not a space, "
               "so a reviewer cannot see it; remove it")
    else:
        why = f"invisible character {describe(char)}: a reviewer cannot see it, and it can reorder what a diff shows; remove it"
    return at_offset(path, text, at, "yaml-hidden-char", why)


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
            self.problems.append(at_mark(self.path, node.start_mark, rule, message))

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
        hidden = None
        if node.style == '"' and not (value.isascii() and value.isprintable()):  # else nothing to find
            hidden = re.search(_HIDDEN_IN_VALUE, value)
        if hidden is not None:
            char = hidden.group()
            self.problem(node, "yaml-hidden-char", f"escaped control or invisible character {describe(char)} in a value: "
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
                         f"integer {_short(value)} is larger in size than 2^53-1: "
                         "readers that hold numbers as doubles (JSON, JavaScript) read another value")
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
