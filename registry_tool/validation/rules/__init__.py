"""Every rule the validator knows, in one registry.

A rule is a small pure function registered with :func:`rule`, in one of three scopes:

* ``file``: one model file on its own, ``(ModelFile, Policy) -> violations``;
* ``tree``: the names in the models directory, ``(entries, changed, policy) -> violations``;
* ``change``: one model file against its previous version, ``(base, head, Policy) -> violations``
  (``base`` is None for a new file, ``head`` is None for a removed one).

Rules reported by the loader and the schema are declared here too, so that this registry
is the one list of rule ids (the README's table is checked against it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from registry_tool.core.findings import Violation
from registry_tool.core.policy import Policy
from registry_tool.snapshots.base import Entry
from registry_tool.validation.model_file import ModelFile


@dataclass(frozen=True)
class RuleInfo:
    id: str
    scope: str  # loader | schema | file | tree | change
    summary: str


FileRule = Callable[[ModelFile, Policy], Iterable[Violation]]
TreeRule = Callable[[list[Entry], "set[str] | None", Policy], Iterable[Violation]]
ChangeRule = Callable[["ModelFile | None", "ModelFile | None", Policy], Iterable[Violation]]

RULES: dict[str, RuleInfo] = {}
FILE_RULES: list[FileRule] = []
TREE_RULES: list[TreeRule] = []
CHANGE_RULES: list[ChangeRule] = []
_BY_SCOPE: dict[str, list] = {"file": FILE_RULES, "tree": TREE_RULES, "change": CHANGE_RULES}


def declare(rule_id: str, scope: str, summary: str) -> None:
    if rule_id in RULES:
        raise ValueError(f"rule {rule_id} declared twice")
    RULES[rule_id] = RuleInfo(rule_id, scope, summary)


def rule(*ids_and_summaries: tuple[str, str], scope: str) -> Callable:
    """Register a rule function; it may report several closely related rule ids."""

    def register(func: Callable) -> Callable:
        for rule_id, summary in ids_and_summaries:
            declare(rule_id, scope, summary)
        _BY_SCOPE[scope].append(func)
        return func

    return register


for _id, _summary in [
    ("file-too-large", "A file is larger than the limit (max_file_bytes, default 1 MiB); it is not read."),
    ("yaml-encoding", "A file is not UTF-8, starts with a byte-order mark, or contains NUL bytes."),
    ("yaml-syntax", "Malformed YAML (tabs in indentation, unclosed brackets, bad indentation, ...)."),
    ("yaml-multi-document", "More than one YAML document ('---') in one file."),
    ("yaml-too-deep", "Nesting deeper than 64 levels."),
    ("yaml-alias", "Anchors (&a) and aliases (*a): every value is written out where it is used."),
    ("yaml-tag", "Explicit tags (!!str, !!python/object, !custom): values are plain or quoted."),
    ("yaml-duplicate-key", "The same key twice in one mapping, at any depth."),
    ("yaml-key-type", "A mapping key that is not a string (1:, null:, a list)."),
    ("yaml-ambiguous-scalar", "A plain value that YAML 1.1 and YAML 1.2 readers read differently (yes, on, 010, 1:20, 1e3, 2024-01-01; quote it), or an integer beyond 2^53-1 that JSON readers round."),
    ("yaml-non-finite", ".inf, .nan, or a number too large for a double (1e+400), which JSON cannot carry."),
    ("yaml-hidden-char", "What a reviewer cannot see in a diff: invisible or direction-changing characters (zero-width, bidi controls, a BOM inside the file), line breaks other than LF and CRLF (lone CR, NEL, U+2028/U+2029), control characters written as escapes."),
]:
    declare(_id, "loader", _summary)
declare("unknown-field", "schema", "A field the schema does not define (a typo such as 'stgae'), with a 'did you mean' hint.")
declare("schema", "schema", "Any other JSON Schema violation: missing field, wrong type, bad value or form.")

from registry_tool.validation.rules import gates, state, transitions, tree  # noqa: E402,F401  (registers the rules)
