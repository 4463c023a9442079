"""demotion-required: with ``on_promote: refuse``, the version in production (or in any
unique stage) is moved out in its own change before another one enters."""

from __future__ import annotations

from collections.abc import Iterator

from registry_tool.core.findings import Violation
from registry_tool.core.policy import Policy
from registry_tool.core.rules import declare
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.rules.registry import change_rule

DEMOTION_REQUIRED = declare("demotion-required", "change",
                            "With on_promote: refuse, a change that replaces the production version (or that of another "
                            "unique stage) in one step.",
                            help="With on_promote: refuse, replacing the production version (or that of another "
                                 "unique stage) takes two reviewed steps. First demote the current version, "
                                 "merge that, then promote the new one.")


@change_rule
def refuse_replacing_production(base: ModelFile | None, head: ModelFile | None, policy: Policy) -> Iterator[Violation]:
    if policy.on_promote != "refuse" or base is None or head is None:
        return
    for stage in policy.stages.unique_stages:
        before, after = base.model.in_stage(stage), head.model.in_stage(stage)
        old, new = (before[0] if before else None), (after[0] if after else None)
        if old is not None and new is not None and old.version != new.version:
            yield head.violation(
                DEMOTION_REQUIRED.id, ("versions", new.index, "stage"),
                f"{head.model.name} {new.version} replaces {old.version} in {stage}, but the policy says on_promote: refuse; "
                f"move {old.version} out of {stage} in its own change first",
            )
