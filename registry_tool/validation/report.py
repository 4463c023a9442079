"""The outcome of one validation."""

from __future__ import annotations

from dataclasses import dataclass, field

from registry_tool.core.findings import Violation


@dataclass
class Report:
    """The outcome of one validation; ``ok`` is derived, never stored."""

    violations: list[Violation] = field(default_factory=list)
    files_checked: int = 0
    commits_checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def extend(self, other: "Report") -> None:
        self.violations.extend(other.violations)
        self.files_checked += other.files_checked
        self.commits_checked.extend(other.commits_checked)
