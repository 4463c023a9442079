"""The outcome of one validation."""

from __future__ import annotations

from typing import NamedTuple

from registry_tool.core.findings import Violation


class Checked(NamedTuple):
    """One model file that was checked; ``commit`` names the step of a range that checked it."""

    path: str
    commit: str | None = None


class Report:
    """The outcome of one validation; ``ok`` and ``files_checked`` are derived, never stored."""

    __slots__ = ("checked", "commits_checked", "violations")

    def __init__(self, violations: list[Violation] | None = None, checked: list[Checked] | None = None,
                 commits_checked: list[str] | None = None) -> None:
        self.violations = violations if violations is not None else []
        self.checked = checked if checked is not None else []
        self.commits_checked = commits_checked  # a range's commits, oldest first ([]: none); None: not a range

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def files_checked(self) -> int:
        return len(self.checked)

    def extend(self, other: Report) -> None:
        self.violations.extend(other.violations)
        self.checked.extend(other.checked)
        if other.commits_checked is not None:
            self.commits_checked = [*(self.commits_checked or []), *other.commits_checked]
