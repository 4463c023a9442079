"""unexpected-file: the models directory holds only regular <name>.yaml files."""

from __future__ import annotations

from collections.abc import Iterator

from registry_tool.core.findings import Violation
from registry_tool.core.names import MODEL_SUFFIX, model_name, name_problem
from registry_tool.core.policy import Policy
from registry_tool.core.rules import declare
from registry_tool.snapshots.base import Entry, EntryKind
from registry_tool.validation.rules.registry import tree_rule

UNEXPECTED_FILE = declare("unexpected-file", "tree", "Anything in the models directory but regular <name>.yaml files "
                                                     "whose <name> is a model name: other extensions, `FOO.yaml`, "
                                                     "`.yaml`, folders, symlinks, submodules.",
                          help="Only regular <name>.yaml files belong in the models directory: other files, "
                               "folders, symlinks and submodules are not read the same way by every tool. "
                               "Move or delete the entry; keep notes outside the models directory.")

_WHY = {
    EntryKind.SYMLINK: "is a symbolic link; model files are regular files",
    EntryKind.DIRECTORY: "is a directory; the models directory holds only <name>.yaml files",
    EntryKind.SUBMODULE: "is a submodule; the models directory holds only <name>.yaml files",
    EntryKind.OTHER: "is not a regular file",
}


@tree_rule
def only_model_files(entries: list[Entry], changed: set[str] | None, policy: Policy) -> Iterator[Violation]:
    for entry in entries:
        if entry.is_model_file or (changed is not None and entry.name not in changed):
            continue
        why = _WHY.get(entry.kind) or _not_a_model_file(entry.name)
        yield Violation(entry.path, 1, 1, UNEXPECTED_FILE.id, f"{entry.name} {why}")


def _not_a_model_file(name: str) -> str:
    if not name.endswith(MODEL_SUFFIX):
        return "is not a model file: model files end in .yaml"
    return f"is not a model file: the part before .yaml is not a model name ({name_problem(model_name(name))})"
