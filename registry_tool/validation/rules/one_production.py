"""multiple-production: at most one version of a model is in production."""

from __future__ import annotations

from typing import Iterator

from registry_tool.core.findings import Violation
from registry_tool.core.model import Stage
from registry_tool.core.policy import Policy
from registry_tool.core.rules import declare
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.rules.registry import file_rule

MULTIPLE_PRODUCTION = declare("multiple-production", "file", "More than one version of a model in production.",
                              help="Deploy tools ask for the production version of a model and need exactly "
                                   "one answer. Move the other versions out of production (registry-tool "
                                   "promote demotes the old one for you).")


@file_rule
def one_production(mf: ModelFile, policy: Policy) -> Iterator[Violation]:
    production = mf.model.in_stage(Stage.PRODUCTION)
    if len(production) < 2:
        return
    first = production[0]
    for version in production[1:]:
        yield mf.violation(
            MULTIPLE_PRODUCTION.id, ("versions", version.index, "stage"),
            f"{mf.model.name} {version.version} is in production, but so is {first.version} "
            f"(line {mf.doc.locate(('versions', first.index, 'stage'))[0]}); at most one version is in production",
        )
