"""The one exception type for user errors.

Anything the user can fix (a bad revision, a missing repository, a shallow clone, a
refused edit) raises :class:`RegistryError`. The CLI catches it once, prints its one-line
message and exits with its code; nothing else turns into a traceback.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2


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
