"""Where rules register: a rule module decorates its function with the scope it judges
(:func:`file_rule`, :func:`tree_rule`, :func:`change_rule`, and :func:`past_change_rule`
for a change rule that also needs what history says about production before the change,
a :class:`~registry_tool.validation.past.ProductionPast`), and the validator runs each
scope's list."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from registry_tool.core.findings import Violation
from registry_tool.core.policy import Policy
from registry_tool.snapshots.base import Entry
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.past import ProductionPast

FileRule = Callable[[ModelFile, Policy], Iterable[Violation]]
TreeRule = Callable[[list[Entry], "set[str] | None", Policy], Iterable[Violation]]
ChangeRule = Callable[["ModelFile | None", "ModelFile | None", Policy], Iterable[Violation]]
PastChangeRule = Callable[["ModelFile | None", "ModelFile | None", Policy, ProductionPast], Iterable[Violation]]

FILE_RULES: list[FileRule] = []
TREE_RULES: list[TreeRule] = []
CHANGE_RULES: list[ChangeRule] = []
PAST_CHANGE_RULES: list[PastChangeRule] = []

_F = TypeVar("_F", bound=FileRule)
_T = TypeVar("_T", bound=TreeRule)
_C = TypeVar("_C", bound=ChangeRule)
_P = TypeVar("_P", bound=PastChangeRule)


def file_rule(func: _F) -> _F:
    FILE_RULES.append(func)
    return func


def tree_rule(func: _T) -> _T:
    TREE_RULES.append(func)
    return func


def change_rule(func: _C) -> _C:
    CHANGE_RULES.append(func)
    return func


def past_change_rule(func: _P) -> _P:
    PAST_CHANGE_RULES.append(func)
    return func
