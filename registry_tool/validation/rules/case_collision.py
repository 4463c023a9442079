"""name-case-collision: no two names in the models directory that are one file on macOS
and Windows (they differ only by case or Unicode normalisation)."""

from __future__ import annotations

from collections.abc import Iterator

from registry_tool.core.findings import Violation
from registry_tool.core.names import fold
from registry_tool.core.policy import Policy
from registry_tool.core.rules import declare
from registry_tool.snapshots.base import Entry
from registry_tool.validation.rules.registry import tree_rule

NAME_CASE_COLLISION = declare("name-case-collision", "tree",
                              "Two names in the models directory that differ only by case (or Unicode normalisation).",
                              help="On case-insensitive file systems (macOS, Windows) two names that differ "
                                   "only by case, or by Unicode form, are one file, so a checkout silently "
                                   "loses one. Rename one of the models.")


@tree_rule
def no_case_collisions(entries: list[Entry], changed: set[str] | None, policy: Policy) -> Iterator[Violation]:
    seen: dict[str, Entry] = {}
    for entry in entries:
        key = fold(entry.name)
        other = seen.get(key)
        if other is None:
            seen[key] = entry
        elif entry.name == other.name:  # only a hand-made (malformed) Git tree lists a name twice
            yield Violation(entry.path, 1, 1, NAME_CASE_COLLISION.id,
                            f"{entry.name} is listed twice in the models directory (a malformed Git tree); readers would take either one")
        elif changed is None or entry.name in changed or other.name in changed:
            yield Violation(entry.path, 1, 1, NAME_CASE_COLLISION.id,
                            f"{entry.name} and {other.name} differ only by case; they are the same file on macOS and Windows")
