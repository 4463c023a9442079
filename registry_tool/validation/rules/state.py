"""Rules on one model file's state: its name, its versions, one production version."""

from __future__ import annotations

from typing import Iterator

from registry_tool.core.findings import Violation
from registry_tool.core.model import Stage
from registry_tool.core.policy import Policy
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.rules import rule


@rule(("name-mismatch", "The model's name differs from its file name (models/<name>.yaml)."), scope="file")
def name_matches_file(mf: ModelFile, policy: Policy) -> Iterator[Violation]:
    if mf.model.name != mf.stem:
        yield mf.violation("name-mismatch", ("name",),
                           f"name '{mf.model.name}' differs from the file name '{mf.stem}.yaml'; rename one to match")


@rule(("duplicate-version", "The same version label twice in one model."), scope="file")
def versions_unique(mf: ModelFile, policy: Policy) -> Iterator[Violation]:
    first_line: dict[str, int] = {}
    for version in mf.model.versions:
        path = ("versions", version.index, "version")
        if version.version in first_line:
            yield mf.violation("duplicate-version", path,
                               f"version {version.version} is listed twice (first at line {first_line[version.version]})")
        else:
            first_line[version.version] = mf.doc.locate(path)[0]


@rule(("multiple-production", "More than one version of a model in production."), scope="file")
def one_production(mf: ModelFile, policy: Policy) -> Iterator[Violation]:
    production = mf.model.in_stage(Stage.PRODUCTION)
    if len(production) < 2:
        return
    first = production[0]
    for version in production[1:]:
        yield mf.violation(
            "multiple-production", ("versions", version.index, "stage"),
            f"{mf.model.name} {version.version} is in production, but so is {first.version} "
            f"(line {mf.doc.locate(('versions', first.index, 'stage'))[0]}); at most one version is in production",
        )
