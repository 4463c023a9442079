"""multiple-production: at most one version of a model is in production, or in any stage
the policy declares unique (``stages: [{name: production-eu, unique: true}]``)."""

from __future__ import annotations

from collections.abc import Iterator

from registry_tool.core.findings import Violation
from registry_tool.core.policy import Policy
from registry_tool.core.rules import declare
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.rules.registry import file_rule

MULTIPLE_PRODUCTION = declare("multiple-production", "file",
                              "More than one version of a model in production (or in another stage the policy declares unique).",
                              help="Deploy tools ask for the production version of a model (or the version in "
                                   "another unique stage) and need exactly one answer. Move the other versions "
                                   "out of it (registry-tool promote demotes the old one for you).")


@file_rule
def one_production(mf: ModelFile, policy: Policy) -> Iterator[Violation]:
    for stage in policy.stages.unique_stages:
        found = mf.model.in_stage(stage)
        if len(found) < 2:
            continue
        first = found[0]
        for version in found[1:]:
            yield mf.violation(
                MULTIPLE_PRODUCTION.id, ("versions", version.index, "stage"),
                f"{mf.model.name} {version.version} is in {stage}, but so is {first.version} "
                f"(line {mf.doc.locate(('versions', first.index, 'stage'))[0]}); at most one version is in {stage}",
            )
