"""Every error a user can see, and every exit code.

Anything the user can fix (a bad revision, a missing repository, a shallow clone, a
refused edit) raises :class:`RegistryError` or a subclass. The CLI catches it once, prints
its one-line message and exits with its code; nothing else turns into a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from registry_tool.core.findings import Violation

EXIT_OK = 0
EXIT_VIOLATIONS = 1  # rules broken, or nothing found (get, history)
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2  # usage errors and unreadable input
EXIT_INTERNAL = 3  # a bug: the CLI says so in one line (REGISTRY_TOOL_DEBUG=1 shows the traceback)


class RegistryError(Exception):
    """A user-facing error: one line saying what and where."""

    exit_code: int = EXIT_USAGE

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self)


class NotFound(RegistryError):
    """The model exists but has nothing at that stage or version (exit code 1)."""

    exit_code = EXIT_NOT_FOUND


class EditRefused(RegistryError):
    """The edited file would break rules: nothing is written."""

    exit_code = EXIT_VIOLATIONS

    def __init__(self, violations: list[Violation], what: str = "edit") -> None:
        n = len(violations)
        super().__init__(f"{what} refused: {n} violation{'s' if n != 1 else ''}; nothing was written")
        self.violations = sorted(violations)


class EditError(RegistryError):
    """The file cannot be edited as asked (a layout the editor does not handle, a missing version)."""


class ChangedMeanwhile(RegistryError):
    """The file on disk is no longer the one the edit was computed from."""
