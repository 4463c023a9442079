"""The outcome of one validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from registry_tool.core.findings import Violation


class Checked(NamedTuple):
    """One model file that was checked; ``commit`` names the step of a range that checked it."""

    path: str
    commit: str | None = None


@dataclass
class Report:
    """The outcome of one validation; ``ok`` and ``files_checked`` are derived, never stored."""

    violations: list[Violation] = field(default_factory=list)
    checked: list[Checked] = field(default_factory=list)
    commits_checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def files_checked(self) -> int:
        return len(self.checked)

    def extend(self, other: Report) -> None:
        self.violations.extend(other.violations)
        self.checked.extend(other.checked)
        self.commits_checked.extend(other.commits_checked)
