"""demotion-required: with ``on_promote: refuse``, the production version is moved out in
its own change before another one enters."""

from __future__ import annotations

from typing import Iterator

from registry_tool.core.findings import Violation
from registry_tool.core.policy import Policy
from registry_tool.core.rules import declare
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.rules.registry import change_rule

DEMOTION_REQUIRED = declare("demotion-required", "change",
                            "With on_promote: refuse, a change that replaces the production version in one step.",
                            help="With on_promote: refuse, replacing the production version takes two "
                                 "reviewed steps. First demote the current production version, merge that, "
                                 "then promote the new one.")


@change_rule
def refuse_replacing_production(base: ModelFile | None, head: ModelFile | None, policy: Policy) -> Iterator[Violation]:
    if policy.on_promote != "refuse" or base is None or head is None:
        return
    old, new = base.model.production, head.model.production
    if old is not None and new is not None and old.version != new.version:
        yield head.violation(
            DEMOTION_REQUIRED.id, ("versions", new.index, "stage"),
            f"{head.model.name} {new.version} replaces {old.version} in production, but the policy says on_promote: refuse; "
            f"move {old.version} out of production in its own change first",
        )
