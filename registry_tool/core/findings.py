"""A finding: where it is, which rule, what is wrong."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule at one place. Sorts by file, then position."""

    file: str
    line: int
    column: int
    rule: str
    message: str
    commit: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        if self.commit is None:
            del data["commit"]
        return data

    def at_commit(self, commit: str) -> Violation:
        return Violation(self.file, self.line, self.column, self.rule, self.message, commit)
