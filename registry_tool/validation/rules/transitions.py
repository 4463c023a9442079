"""Rules on a change: how each version moved since the base commit.

Which moves are allowed comes from the policy (by default none->staging,
staging->production, production->staging, staging->none, and any stage->archived;
a new version starts in none or staging). Archived is final whatever the policy says.
"""

from __future__ import annotations

from typing import Any, Iterator

from registry_tool.core.findings import Violation
from registry_tool.core.model import ModelVersion, Stage
from registry_tool.core.policy import Policy
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.rules import rule

IMMUTABLE_FIELDS: tuple[tuple[str, ...], ...] = (
    ("artifact", "uri"), ("artifact", "sha256"), ("artifact", "size_bytes"), ("artifact", "format"), ("run_id",),
)


@rule(("model-removed", "A model file was deleted or renamed away; archive its versions instead."), scope="change")
def models_kept(base: ModelFile | None, head: ModelFile | None, policy: Policy) -> Iterator[Violation]:
    if base is not None and head is None:
        yield Violation(base.path, 1, 1, "model-removed",
                        f"model {base.model.name} was removed; models are kept and their versions archived, never deleted")


@rule(("version-removed", "A registered version was deleted from its model file; archive it instead."), scope="change")
def versions_kept(base: ModelFile | None, head: ModelFile | None, policy: Policy) -> Iterator[Violation]:
    if base is None or head is None:
        return
    for old in base.model.versions:
        if old.version not in head.model.by_label:
            yield head.violation("version-removed", ("versions",),
                                 f"version {old.version} (was {old.stage}) was removed; archive it instead of deleting it")


@rule(
    ("invalid-transition", "A stage move the policy does not allow (production->none, a new version born archived, ...)."),
    ("archived-promotion", "An archived version left archived: archived is final."),
    ("skipped-stage", "none->production, or a new version born in production: versions pass through staging."),
    scope="change",
)
def stage_moves(base: ModelFile | None, head: ModelFile | None, policy: Policy) -> Iterator[Violation]:
    if head is None:
        return
    before = base.model.by_label if base is not None else {}
    allowed_start = ", ".join(sorted(s.value for s in policy.initial_stages))
    for version in head.model.versions:
        path = ("versions", version.index, "stage")
        old = before.get(version.version)
        label = f"{head.model.name} {version.version}"
        if old is None:
            if version.stage in policy.initial_stages:
                continue
            if version.stage is Stage.PRODUCTION:
                yield head.violation("skipped-stage", path,
                                     f"new version {label} starts in production; register it in {allowed_start}, then promote it")
            else:
                yield head.violation("invalid-transition", path,
                                     f"new version {label} starts in {version.stage}; a new version starts in {allowed_start}")
            continue
        if old.stage is version.stage:
            continue
        move = f"{label}: {old.stage} -> {version.stage}"
        if old.stage is Stage.ARCHIVED:
            yield head.violation("archived-promotion", path, f"{move}: archived versions are never promoted again")
        elif policy.allows(old.stage, version.stage):
            continue
        elif old.stage is Stage.NONE and version.stage is Stage.PRODUCTION:
            yield head.violation("skipped-stage", path, f"{move} skips staging; promote it to staging first")
        else:
            targets = ", ".join(sorted(s.value for s in policy.transitions.get(old.stage, ()))) or "nothing"
            yield head.violation("invalid-transition", path, f"{move} is not allowed; from {old.stage} a version may move to {targets}")


def _field(version: ModelVersion, path: tuple[str, ...]) -> Any:
    value: Any = version
    for part in path:
        value = getattr(value, part)
    return value


@rule(("immutable-field", "A registered fact changed: artifact uri, sha256, size_bytes, format, or run_id."), scope="change")
def registered_facts_fixed(base: ModelFile | None, head: ModelFile | None, policy: Policy) -> Iterator[Violation]:
    if base is None or head is None:
        return
    for version in head.model.versions:
        old = base.model.by_label.get(version.version)
        if old is None:
            continue
        for field_path in IMMUTABLE_FIELDS:
            was, now = _field(old, field_path), _field(version, field_path)
            if was is None or was == now:
                continue  # filling in a fact that was never registered is allowed
            name = ".".join(field_path)
            where = ("versions", version.index, *field_path)
            change = f"removed (was {was!r})" if now is None else f"changed from {was!r} to {now!r}"
            yield head.violation("immutable-field", where,
                                 f"{head.model.name} {version.version}: {name} {change}; registered facts never change, register a new version")


@rule(("demotion-required", "With on_promote: refuse, a change that replaces the production version in one step."), scope="change")
def refuse_replacing_production(base: ModelFile | None, head: ModelFile | None, policy: Policy) -> Iterator[Violation]:
    if policy.on_promote != "refuse" or base is None or head is None:
        return
    old, new = base.model.production, head.model.production
    if old is not None and new is not None and old.version != new.version:
        yield head.violation(
            "demotion-required", ("versions", new.index, "stage"),
            f"{head.model.name} {new.version} replaces {old.version} in production, but the policy says on_promote: refuse; "
            f"move {old.version} out of production in its own change first",
        )
