"""Every rule on model files and the models directory: one module per concern.

A rule is a small pure function registered with a scope decorator:

* :func:`file_rule`: one model file on its own, ``(ModelFile, Policy) -> violations``;
* :func:`tree_rule`: the names in the models directory, ``(entries, changed, Policy) -> violations``;
* :func:`change_rule`: one model file against its previous version, ``(base, head, Policy) ->
  violations`` (``base`` is None for a new file, ``head`` is None for a removed one).

Rule ids are declared in the rule's own module with :func:`registry_tool.core.rules.declare`
(the loader's and the schema's in theirs); :func:`all_rules` lists them all.

To add a rule: a new module here with the declaration and the function, and its name in
the import list at the bottom of this file.
"""

from __future__ import annotations

from typing import Callable, Iterable, TypeVar

from registry_tool.core.findings import Violation
from registry_tool.core.policy import Policy
from registry_tool.core.rules import RULES, RuleInfo
from registry_tool.snapshots.base import Entry
from registry_tool.validation.model_file import ModelFile

FileRule = Callable[[ModelFile, Policy], Iterable[Violation]]
TreeRule = Callable[[list[Entry], "set[str] | None", Policy], Iterable[Violation]]
ChangeRule = Callable[["ModelFile | None", "ModelFile | None", Policy], Iterable[Violation]]

FILE_RULES: list[FileRule] = []
TREE_RULES: list[TreeRule] = []
CHANGE_RULES: list[ChangeRule] = []

_F = TypeVar("_F", bound=FileRule)
_T = TypeVar("_T", bound=TreeRule)
_C = TypeVar("_C", bound=ChangeRule)


def file_rule(func: _F) -> _F:
    FILE_RULES.append(func)
    return func


def tree_rule(func: _T) -> _T:
    TREE_RULES.append(func)
    return func


def change_rule(func: _C) -> _C:
    CHANGE_RULES.append(func)
    return func


def all_rules() -> dict[str, RuleInfo]:
    """Every rule id the tool reports, by id (the loader's, the schema's and these)."""
    return dict(RULES)


from registry_tool.validation.rules import (  # noqa: E402  (registers the rules)
    case_collision,
    demotion_required,
    duplicate_version,
    gates,
    immutable_facts,
    name_matches_file,
    no_removal,
    one_production,
    stage_moves,
    unexpected_file,
)

__all__ = ["CHANGE_RULES", "FILE_RULES", "TREE_RULES", "all_rules", "change_rule", "file_rule", "tree_rule",
           "case_collision", "demotion_required", "duplicate_version", "gates", "immutable_facts",
           "name_matches_file", "no_removal", "one_production", "stage_moves", "unexpected_file"]
