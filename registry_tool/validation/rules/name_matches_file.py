"""name-mismatch: a model's ``name`` is its file's name (models/<name>.yaml)."""

from __future__ import annotations

from collections.abc import Iterator

from registry_tool.core.findings import Violation
from registry_tool.core.policy import Policy
from registry_tool.core.rules import declare
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.rules.registry import file_rule

NAME_MISMATCH = declare("name-mismatch", "file", "The model's name differs from its file name (models/<name>.yaml).",
                        help="Deploy tools find a model by its file name, so the name inside must agree. "
                             "Rename the file to models/<name>.yaml or change name to match it.")


@file_rule
def name_matches_file(mf: ModelFile, policy: Policy) -> Iterator[Violation]:
    if mf.model.name != mf.stem:
        yield mf.violation(NAME_MISMATCH.id, ("name",),
                           f"name '{mf.model.name}' differs from the file name '{mf.stem}.yaml'; rename one to match")
