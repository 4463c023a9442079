"""invalid-transition, archived-promotion, skipped-stage: how each version moved since the
base.

Which moves are allowed comes from the policy (by default none->staging,
staging->production, production->staging, staging->none, and any stage->archived; a new
version starts in none or staging). A final stage (archived) is never left, whatever the
policy says. Stages are the policy's: a move into a unique stage (production) that
jumps over an ordinary stage in the declared order (staging) is a skipped stage.
"""

from __future__ import annotations

from collections.abc import Iterator

from registry_tool.core.findings import Violation
from registry_tool.core.model import ModelVersion
from registry_tool.core.policy import Policy
from registry_tool.core.rules import declare
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.rules.registry import change_rule

INVALID_TRANSITION = declare("invalid-transition", "change",
                             "A stage move the policy does not allow (production->none, a new version born archived, ...).",
                             help="The registry's policy (transitions in registry.yaml) does not allow this "
                                  "stage move. Move the version through the stages the policy allows, or "
                                  "change the policy in a separate, reviewed change (changes are judged by "
                                  "the base's policy).")
ARCHIVED_PROMOTION = declare("archived-promotion", "change",
                             "An archived version left archived: archived (any final stage) is final.",
                             help="Archived (any final stage) is final: an archived version stays archived, so "
                                  "what was retired cannot come back unnoticed. Register a new version with "
                                  "the same artifact instead.")
SKIPPED_STAGE = declare("skipped-stage", "change",
                        "none->production, or a new version born in production: versions pass through staging "
                        "(the stages before a unique one).",
                        help="Versions reach production (a unique stage) through staging (the ordinary stages "
                             "before it), so every production version was staged first. Promote the version "
                             "to staging, merge that, then promote it to production.")


@change_rule
def stage_moves(base: ModelFile | None, head: ModelFile | None, policy: Policy) -> Iterator[Violation]:
    if head is None:
        return
    before = base.model.by_label if base is not None else {}
    for version in head.model.versions:
        old = before.get(version.version)
        if old is None:
            yield from _new_version(head, version, policy)
        elif old.stage != version.stage:
            yield from _moved(head, old, version, policy)


def _new_version(head: ModelFile, version: ModelVersion, policy: Policy) -> Iterator[Violation]:
    if version.stage in policy.initial_stages:
        return
    path = ("versions", version.index, "stage")
    label = f"{head.model.name} {version.version}"
    starts = sorted(s.value for s in policy.initial_stages)
    either = " or ".join([", ".join(starts[:-1]), starts[-1]] if len(starts) > 1 else starts)  # none or staging
    if policy.is_unique(version.stage):
        yield head.violation(SKIPPED_STAGE.id, path,
                             f"new version {label} starts in {version.stage}; register it in {either}, then promote it")
    else:
        yield head.violation(INVALID_TRANSITION.id, path,
                             f"new version {label} starts in {version.stage}; a new version starts in {either}")


def _moved(head: ModelFile, old: ModelVersion, version: ModelVersion, policy: Policy) -> Iterator[Violation]:
    path = ("versions", version.index, "stage")
    move = f"{head.model.name} {version.version}: {old.stage} -> {version.stage}"
    skipped = policy.stages.between(old.stage, version.stage) if policy.is_unique(version.stage) else ()
    if policy.is_final(old.stage):
        yield head.violation(ARCHIVED_PROMOTION.id, path, f"{move}: {old.stage} versions are never promoted again")
    elif policy.allows(old.stage, version.stage):
        return
    elif skipped:
        yield head.violation(SKIPPED_STAGE.id, path,
                             f"{move} skips {', '.join(skipped)}; promote it to {skipped[-1]} first")
    else:
        targets = ", ".join(sorted(s.value for s in policy.transitions.get(old.stage, ()))) or "nothing"
        yield head.violation(INVALID_TRANSITION.id, path,
                             f"{move} is not allowed; from {old.stage} a version may move to {targets}")
