"""undeclared-stage: every version's stage is one the policy declares.

The model file's JSON Schema cannot know registry.yaml's ``stages``: it accepts any
stage-shaped name (and offers the four defaults to editors). This check runs beside the
schema on every model file and holds each ``stage`` to the policy's stages, in the
schema's own words (``versions[0].stage: 'live' is not one of none, staging, production,
archived``) with a "did you mean". Like a schema violation, it stops the file before the
file and change rules: they only ever see declared stages.
"""

from __future__ import annotations

from registry_tool.core.findings import Violation
from registry_tool.core.policy import StageSet
from registry_tool.core.rules import declare
from registry_tool.schema.check import did_you_mean, show_value
from registry_tool.yamlfile.loader import Document

UNDECLARED_STAGE = declare("undeclared-stage", "schema",
                           "A version's stage is not one the policy declares (registry.yaml stages; by default none, "
                           "staging, production, archived), with a 'did you mean' hint.",
                           help="Every stage a model file uses must be one registry.yaml declares (stages; without "
                                "them: none, staging, production, archived). Fix the typo, or declare the stage in "
                                "registry.yaml in a change of its own before using it (changes are judged by the "
                                "base's policy). A stage that still holds versions cannot be removed.")


def check_stages(doc: Document, stages: StageSet) -> list[Violation]:
    """A violation for each version whose stage the policy does not declare (values that are
    not strings are the schema's to report)."""
    versions = doc.data.get("versions") if isinstance(doc.data, dict) else None
    if not isinstance(versions, list):
        return []
    names: list[str] | None = None
    found = []
    for index, item in enumerate(versions):
        stage = item.get("stage") if isinstance(item, dict) else None
        if isinstance(stage, str) and stage not in stages:
            names = names or [s.value for s in stages.names]
            found.append(doc.violation(UNDECLARED_STAGE.id, ("versions", index, "stage"),
                                       f"versions[{index}].stage: {show_value(stage)} is not one of "
                                       f"{', '.join(names)}{did_you_mean(stage, names)}"))
    return found
