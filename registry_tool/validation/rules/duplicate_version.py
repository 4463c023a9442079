"""duplicate-version: each version label appears once in a model file."""

from __future__ import annotations

from collections.abc import Iterator

from registry_tool.core.findings import Violation
from registry_tool.core.policy import Policy
from registry_tool.core.rules import declare
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.rules.registry import file_rule

DUPLICATE_VERSION = declare("duplicate-version", "file", "The same version label twice in one model.",
                            help="A version label names one artifact; two entries with one label make 'get "
                                 "--version' ambiguous. Give the newer entry a new label, or delete the copy "
                                 "if it was never committed.")


@file_rule
def versions_unique(mf: ModelFile, policy: Policy) -> Iterator[Violation]:
    first_line: dict[str, int] = {}
    for version in mf.model.versions:
        path = ("versions", version.index, "version")
        if version.version in first_line:
            yield mf.violation(DUPLICATE_VERSION.id, path,
                               f"version {version.version} is listed twice (first at line {first_line[version.version]})")
        else:
            first_line[version.version] = mf.doc.locate(path)[0]
