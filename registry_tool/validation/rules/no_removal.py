"""model-removed, version-removed: nothing registered is ever deleted; versions are
archived instead, and a model file stays."""

from __future__ import annotations

from collections.abc import Iterator

from registry_tool.core.findings import Violation
from registry_tool.core.policy import Policy
from registry_tool.core.rules import declare
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.rules.registry import change_rule

MODEL_REMOVED = declare("model-removed", "change", "A model file was deleted or renamed away; archive its versions instead.",
                        help="Deleting or renaming a model file loses its versions for every deploy tool "
                             "that reads it. Archive its versions instead; a rename is a new model plus the "
                             "archived old one.")
VERSION_REMOVED = declare("version-removed", "change", "A registered version was deleted from its model file; archive it instead.",
                          help="Git history is the audit log, and deploy tools may still pin the version. "
                               "Archive the version (registry-tool archive) instead of deleting it.")


@change_rule
def models_kept(base: ModelFile | None, head: ModelFile | None, policy: Policy) -> Iterator[Violation]:
    if base is not None and head is None:
        yield Violation(base.path, 1, 1, MODEL_REMOVED.id,
                        f"model {base.model.name} was removed; models are kept and their versions archived, never deleted")


@change_rule
def versions_kept(base: ModelFile | None, head: ModelFile | None, policy: Policy) -> Iterator[Violation]:
    if base is None or head is None:
        return
    for old in base.model.versions:
        if old.version not in head.model.by_label:
            yield head.violation(VERSION_REMOVED.id, ("versions",),
                                 f"version {old.version} (was {old.stage}) was removed; archive it instead of deleting it")
