"""Every error a user can see, and every exit code.

Anything the user can fix (a bad revision, a missing repository, a shallow clone, a
refused edit) raises :class:`RegistryError` or a subclass. The CLI catches it once, prints
its one-line message and exits with its code; nothing else turns into a traceback.
"""

from __future__ import annotations

import errno
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from registry_tool.core.findings import Violation

EXIT_OK = 0
EXIT_VIOLATIONS = 1  # rules broken, or nothing found (get, history)
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2  # usage errors and unreadable input
EXIT_INTERNAL = 3  # a bug: the CLI says so in one line (REGISTRY_TOOL_DEBUG=1 shows the traceback)
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report a command killed by SIGINT


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


def shown_path(path: object, limit: int = 120) -> str:
    """A path for a one-line message: a very long one (a file name over the system's limit)
    keeps its start and says how long it was."""
    text = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else str(path)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def os_error(exc: OSError) -> str:
    """An operating-system error as one line: the path, then what the system said."""
    what = exc.strerror or str(exc)
    if exc.errno == errno.ELOOP:
        what = "too many levels of symbolic links (a link that points back to itself?)"
    elif exc.errno == errno.ENAMETOOLONG:
        what = "the path is longer than the file system allows"
    if exc.filename is None:
        return what
    return f"{shown_path(exc.filename)}: {what}"


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
