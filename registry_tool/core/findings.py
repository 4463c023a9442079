"""A finding: where it is, which rule, what is wrong."""

from __future__ import annotations

from typing import Final

from registry_tool.core.record import Record


class Violation(Record):
    """One broken rule at one place. Sorts by file, then position. The commit it was found
    at (a range's check) is carried along but neither compared nor sorted on."""

    __slots__ = ("column", "commit", "file", "line", "message", "rule")
    _fields = ("file", "line", "column", "rule", "message")

    def __init__(self, file: str, line: int, column: int, rule: str, message: str, commit: str | None = None) -> None:
        self.file: Final = file
        self.line: Final = line
        self.column: Final = column
        self.rule: Final = rule
        self.message: Final = message
        self.commit: Final = commit

    def __lt__(self, other: Violation) -> bool:
        return self._key() < other._key()

    def __le__(self, other: Violation) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: Violation) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: Violation) -> bool:
        return self._key() >= other._key()

    def __repr__(self) -> str:
        commit = f", commit={self.commit!r}" if self.commit is not None else ""
        return f"{super().__repr__()[:-1]}{commit})"

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"file": self.file, "line": self.line, "column": self.column, "rule": self.rule,
                                   "message": self.message}
        if self.commit is not None:
            data["commit"] = self.commit
        return data

    def at_commit(self, commit: str) -> Violation:
        return Violation(self.file, self.line, self.column, self.rule, self.message, commit)
