"""Unified diffs of edits, as ``git diff`` prints them.

Made by libgit2's diff (through pygit2) rather than :mod:`difflib`: difflib slows down
badly on files with many equal lines (every version has ``artifact:``), and a retention
over a few thousand versions took minutes to diff; libgit2 takes milliseconds.
"""

from __future__ import annotations

import pygit2

from registry_tool.edit.proposal import FileEdit


def unified_diff(edit: FileEdit) -> str:
    """The edit as ``git diff`` shows it: a/ and b/ paths, 3 lines of context."""
    patch = pygit2.Patch.create_from(edit.before, edit.after, old_as_path=edit.path, new_as_path=edit.path)
    return (patch.text or "") if patch is not None else ""
