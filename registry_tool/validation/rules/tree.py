"""Rules on the models directory itself: only model files, no names that collide."""

from __future__ import annotations

from typing import Iterator

from registry_tool.core.findings import Violation
from registry_tool.core.policy import Policy
from registry_tool.snapshots.base import Entry, EntryKind
from registry_tool.validation.changed import fold
from registry_tool.validation.rules import rule

_WHY = {
    EntryKind.SYMLINK: "is a symbolic link; model files are regular files",
    EntryKind.DIRECTORY: "is a directory; the models directory holds only <name>.yaml files",
    EntryKind.SUBMODULE: "is a submodule; the models directory holds only <name>.yaml files",
    EntryKind.OTHER: "is not a regular file",
}


@rule(("unexpected-file", "Anything in the models directory but regular <name>.yaml files: other extensions, folders, symlinks, submodules."),
      scope="tree")
def only_model_files(entries: list[Entry], changed: set[str] | None, policy: Policy) -> Iterator[Violation]:
    for entry in entries:
        if entry.is_model_file or (changed is not None and entry.name not in changed):
            continue
        why = _WHY.get(entry.kind) or "is not a model file: model files end in .yaml"
        yield Violation(entry.path, 1, 1, "unexpected-file", f"{entry.name} {why}")


@rule(("name-case-collision", "Two names in the models directory that differ only by case (or Unicode normalisation)."),
      scope="tree")
def no_case_collisions(entries: list[Entry], changed: set[str] | None, policy: Policy) -> Iterator[Violation]:
    seen: dict[str, Entry] = {}
    for entry in entries:
        key = fold(entry.name)
        other = seen.get(key)
        if other is None:
            seen[key] = entry
        elif entry.name == other.name:  # only a hand-made (malformed) Git tree lists a name twice
            yield Violation(entry.path, 1, 1, "name-case-collision",
                            f"{entry.name} is listed twice in the models directory (a malformed Git tree); readers would take either one")
        elif changed is None or entry.name in changed or other.name in changed:
            yield Violation(entry.path, 1, 1, "name-case-collision",
                            f"{entry.name} and {other.name} differ only by case; they are the same file on macOS and Windows")
