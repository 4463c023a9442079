"""The YAML parsers' complaints, in this project's words: where the parser stopped and what
it found there, never the library's own text (which changes between releases and between
libyaml and PyYAML); a library's text may follow as detail."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any, NamedTuple

import yaml

from registry_tool.core.findings import Violation

MAX_FINDINGS_PER_RULE = 20  # per file: beyond this, a rule's findings are counted, not listed


def describe(char: str) -> str:
    name = unicodedata.name(char, "")
    if not name:
        unassigned = unicodedata.category(char) == "Cn"
        name = "NEXT LINE" if char == "\x85" else "an unassigned character" if unassigned else "a control character"
    return f"U+{ord(char):04X} ({name})"


def at_mark(path: str, mark: Any, rule: str, message: str) -> Violation:
    if mark is None:
        return Violation(path, 1, 1, rule, message)
    return Violation(path, mark.line + 1, mark.column + 1, rule, message)


def at_offset(path: str, text: str, at: int, rule: str, message: str) -> Violation:
    """A violation at the character ``text[at]`` (line and column from 1)."""
    line_start = text.rfind("\n", 0, at) + 1
    return Violation(path, text.count("\n", 0, at) + 1, at - line_start + 1, rule, message)


# --- the parser's complaints, in our words ------------------------------------------------

# What PyYAML's reader and libyaml refuse: the C0 and C1 controls but TAB, LF, CR and NEL,
# surrogates, U+FFFE and U+FFFF.
# A pattern: re compiles (and caches) it when first searched.
NOT_PRINTABLE = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


def yaml_error(path: str, exc: yaml.YAMLError, text: str) -> Violation:
    """A yaml-syntax violation at the parser's mark, in this project's words."""
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_error(path, exc, text)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    trouble = _Trouble(str(getattr(exc, "problem", None) or exc), str(getattr(exc, "context", None) or ""),
                       mark, getattr(exc, "context_mark", None), text)
    return at_mark(path, mark, "yaml-syntax", f"malformed YAML: {_syntax_message(trouble)}")


def _reader_error(path: str, exc: Any, text: str) -> Violation:
    """A character no YAML reader takes. The error's offset counts bytes in libyaml and
    characters in PyYAML; the character is found in the text instead, the same either way."""
    found = re.search(NOT_PRINTABLE, text)
    if found is None:  # pragma: no cover - the readers refuse only what the pattern matches
        return Violation(path, 1, 1, "yaml-syntax", f"malformed YAML: a character YAML does not allow (U+{exc.character:04X})")
    at = found.start()
    return at_offset(path, text, at, "yaml-syntax", f"malformed YAML: {describe(text[at])} is not allowed in a YAML file; remove it")


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


_TAB = "a tab character; YAML indents with spaces only"  # the loader's yaml-tab (tabs.py) finds such tabs first


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

# (pattern searched in the problem text of PyYAML or libyaml, our message), first match wins;
# compiled by re when a file has a syntax error, not when the module is imported
_SYNTAX: tuple[tuple[str, Callable[[_Trouble], str]], ...] = (
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
)
_SYNTAX_BY_CONTEXT: tuple[tuple[str, str], ...] = (
    ("directive", _DIRECTIVE),
    ("anchor", "an anchor ('&') or alias ('*') without a valid name"),
    ("alias", "an anchor ('&') or alias ('*') without a valid name"),
    ("tag", "a malformed or undefined tag ('!...'); tags are not allowed anyway"),
)


def _syntax_message(trouble: _Trouble) -> str:
    for pattern, message in _SYNTAX:
        if re.search(pattern, trouble.problem):
            return message(trouble)
    for word, text in _SYNTAX_BY_CONTEXT:
        if word in trouble.context or word in trouble.problem:
            return text
    return f"the YAML reader stopped here (it says: {_cut_problem(trouble.problem)})"


def _cut_problem(problem: str, limit: int = 120) -> str:
    return problem if len(problem) <= limit else problem[:limit] + "..."
