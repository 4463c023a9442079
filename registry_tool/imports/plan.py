"""An import as a proposal: a new model file for each model the registry does not have yet,
an edit of the existing file for each one it has (new versions appended, stages, aliases,
metrics, tags and metadata brought up to date, every other byte kept), and a commit
message that says what came from where and, as the source recorded it, who did it when.

A new model file is *adopted*: its versions' stages are the source's history, so it is
judged as ``validate`` judges a tree (loader, schema, file and tree rules). An existing file
is edited like any other change and judged with the change rules too: a stage move the
policy forbids is refused with its violations. ``step`` moves each version only as far as
the policy allows in one change (a new version starts in a stage a new version may start
in, production is reached through staging); importing again takes the next step.
"""

from __future__ import annotations

import posixpath
from collections import deque
from collections.abc import Mapping
from typing import Any

from registry_tool.core.model import ARTIFACT_KEYS, MODEL_KEYS, VERSION_KEYS, ModelVersion, Stage
from registry_tool.core.policy import Policy
from registry_tool.edit.model_editor import model_file_text
from registry_tool.edit.operations import SCHEMA_FILE, Opened, model_path, open_model
from registry_tool.edit.proposal import FileEdit, Proposal
from registry_tool.edit.targets import Workspace
from registry_tool.imports.imported import ImportedModel, ImportedVersion, Source

Path = tuple[str | int, ...]


def import_proposal(ws: Workspace, source: Source, models: list[ImportedModel], *, step: bool = False) -> Proposal:
    """The proposal that brings ``models`` into the registry ``ws`` reads."""
    proposal = Proposal()
    new: list[str] = []
    updated: list[str] = []
    history: list[str] = []
    entries = {e.name: e for e in ws.base.entries(ws.policy.models_dir)}
    for model in sorted(models, key=lambda m: m.name):  # by file name: the diff and the message in one order
        opened = open_model(ws.base, ws.policy, model.name, required=False, entries=entries)
        if opened is None:
            proposal.edits.append(_new_file(ws.policy, model, step))
            proposal.notes.append(_new_summary(model, ws.policy))
            new.append(model.name)
            history += [line for _, line in model.history]
        else:
            changes, touched = _sync(opened, model, ws.policy, step)
            proposal.notes.extend(_left_here(opened, model))
            if not changes:
                continue
            proposal.edits.append(opened.edit())
            proposal.notes.append(f"{model.name}: " + "; ".join(changes))
            updated.append(model.name)
            history += [line for label, line in model.history if label is None or label in touched]
        proposal.notes.extend(model.notes)
    if not new and not updated:
        proposal.notes.insert(0, f"nothing to import: the registry already matches {source}")
        return proposal
    proposal.message = _subject(source, new, updated) + _body(proposal.notes, history, source)
    return proposal


# -- a new model file -------------------------------------------------------------------------

def _new_file(policy: Policy, model: ImportedModel, step: bool) -> FileEdit:
    if step:
        for version in model.versions:
            version.stage = toward(policy, None, version.stage)
    path = model_path(policy, model.name)
    schema = posixpath.relpath(SCHEMA_FILE, policy.models_dir)
    text = model_file_text(model.data(), schema_path=schema)
    return FileEdit(path, None, text.encode("utf-8"), adopted=not step)


def _new_summary(model: ImportedModel, policy: Policy) -> str:
    count = len(model.versions)
    stages = [f"{label} {stage}" for stage, label in _by_stage(model, policy)]
    aliases = ", ".join(f"{a} -> {label}" for a, label in sorted(model.aliases.items()))
    return (f"{model.name}: new model file, {count} version{'s' if count != 1 else ''}"
            + (f" ({', '.join(stages)})" if stages else "") + (f", aliases {aliases}" if aliases else ""))


def _by_stage(model: ImportedModel, policy: Policy) -> list[tuple[Stage, str]]:
    """(stage, labels) for the stages other than the first (where most versions rest)."""
    out = []
    for stage in policy.stages.names:
        labels = [v.label for v in model.versions if v.stage == stage]
        if labels and stage != policy.stages.first:
            out.append((stage, ", ".join(labels)))
    return out


# -- an existing model file -------------------------------------------------------------------

def _sync(opened: Opened, model: ImportedModel, policy: Policy, step: bool) -> tuple[list[str], set[str]]:
    """Edit the file toward ``model``: what changed, in words, and the labels of the versions
    it touched. Nothing the source does not say is removed (versions, tags, metadata and
    metrics added here stay), except aliases, which follow the source's."""
    changes = _sync_model_fields(opened, model)
    targets = _targets(opened, model, policy, step)
    touched: set[str] = set()
    stages: dict[str, str] = {}
    for version in model.versions:
        old = opened.model.version(version.label)
        if old is None:
            continue
        changed = _sync_version(opened, old, version)
        if targets[old.version] != old.stage:
            stages[old.version] = targets[old.version].value
            changed.insert(0, f"{old.stage} -> {targets[old.version]}")
        if changed:
            touched.add(old.version)
            changes.append(f"{old.version} {', '.join(changed)}")
    if stages:
        opened.editor.set_stages(stages)
    for version in model.versions:
        if opened.model.version(version.label) is None:
            version.stage = targets[version.label]
            opened.editor.add_version(version.fields())
            touched.add(version.label)
            changes.append(f"register {version.label} in {version.stage}")
    return changes + _sync_aliases(opened, model), touched


def _targets(opened: Opened, model: ImportedModel, policy: Policy, step: bool) -> dict[str, Stage]:
    """The stage each version of ``model`` goes to: the source's, or with ``step`` the first
    stage on the way there. A version in a unique stage stays there while the one taking its
    place is held back, so the stage (production) is never left empty on the way."""
    targets = {}
    for version in model.versions:
        old = opened.model.version(version.label)
        targets[version.label] = toward(policy, old.stage if old else None, version.stage) if step else version.stage
    if not step:
        return targets
    for stage in policy.stages.unique_stages:
        if any(v.stage == stage and targets[v.label] != stage for v in model.versions):
            for occupant in opened.model.in_stage(stage):
                if occupant.version in targets:
                    targets[occupant.version] = stage
    return targets


def _sync_model_fields(opened: Opened, model: ImportedModel) -> list[str]:
    current = opened.model
    changes = []
    for key in ("description", "owner"):
        value = getattr(model, key)
        if value is not None and value != getattr(current, key):
            opened.editor.set_value((key,), value, order=MODEL_KEYS)
            changes.append(key)
    if _add_tags(opened, (), current.tags, model.tags):
        changes.append("tags")
    if _set_mapping(opened, ("metadata",), current.metadata, model.metadata, MODEL_KEYS):
        changes.append("metadata")
    return changes


def _sync_version(opened: Opened, old: ModelVersion, new: ImportedVersion) -> list[str]:
    """Bring one version's fields up to date; the names of those that changed."""
    at: Path = ("versions", old.index)
    editor = opened.editor
    changed: list[str] = []
    if new.description and new.description != old.description:
        editor.set_value((*at, "description"), new.description, order=VERSION_KEYS)
        changed.append("description")
    artifact = old.artifact.to_dict()
    for key, value in new.artifact.items():
        if artifact.get(key) != value:
            editor.set_value((*at, "artifact", key), value, order=ARTIFACT_KEYS)
            changed.append(f"artifact.{key}")
    if new.run_id and new.run_id != old.run_id:
        editor.set_value((*at, "run_id"), new.run_id, order=VERSION_KEYS)
        changed.append("run_id")
    metrics = [(ref, value) for ref, value in _flat(new.metrics) if not _same(old.metric(ref), value)]
    for ref, value in metrics:
        editor.set_metric(old.version, ref, value)
    if metrics:
        changed.append("metrics " + ", ".join(ref for ref, _ in metrics))
    if _add_tags(opened, at, old.tags, new.tags):
        changed.append("tags")
    if _set_mapping(opened, (*at, "metadata"), old.metadata, new.metadata, VERSION_KEYS):
        changed.append("metadata")
    return changed


def _sync_aliases(opened: Opened, model: ImportedModel) -> list[str]:
    current = dict(opened.model.aliases)
    changes = []
    for alias, label in sorted(model.aliases.items()):
        was = current.get(alias)
        if was == label:
            continue
        opened.editor.set_alias(alias, label)
        changes.append(f"alias {alias} {was} -> {label}" if was is not None else f"alias {alias} set to {label}")
    for alias in sorted(set(current) - set(model.aliases)):
        opened.editor.remove_alias(alias)
        changes.append(f"alias {alias} removed (was {current[alias]})")
    return changes


def _add_tags(opened: Opened, at: Path, current: tuple[str, ...], wanted: list[str]) -> bool:
    missing = [t for t in wanted if t not in current]
    if not missing:
        return False
    order = VERSION_KEYS if at else MODEL_KEYS
    if opened.editor.node((*at, "tags")) is None:
        opened.editor.insert_key(at, "tags", missing, order=order)
    else:
        for tag in missing:
            opened.editor.append_item((*at, "tags"), tag)
    return True


def _set_mapping(opened: Opened, at: Path, current: Mapping[str, Any], wanted: Mapping[str, Any],
                 order: tuple[str, ...]) -> bool:
    changed = {k: v for k, v in wanted.items() if not (k in current and _same(current[k], v))}
    if not changed:
        return False
    if opened.editor.node(at) is None:
        opened.editor.set_value(at, dict(changed), order=order)
    else:
        for key, value in changed.items():
            opened.editor.set_value((*at, key), value)
    return True


def _flat(tree: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """A metric tree as references: [(accuracy, 0.9), (core-v1/score, 0.8)]."""
    out = [(k, v) for k, v in tree.items() if k != "suites"]
    for suite, values in tree.get("suites", {}).items():
        out += [(f"{suite}/{k}", v) for k, v in values.items()]
    return out


def _same(a: Any, b: Any) -> bool:
    """Equal, a boolean never equal to a number (True == 1 in Python)."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def _left_here(opened: Opened, model: ImportedModel) -> list[str]:
    """Versions this registry lists that the source does not: kept, and said."""
    gone = [v.version for v in opened.model.versions if model.version(v.version) is None]
    if not gone:
        return []
    return [f"{model.name} {', '.join(gone)}: listed here, not in the source; kept "
            "(versions are archived, never deleted: registry-tool archive)"]


# -- stepping ---------------------------------------------------------------------------------

def toward(policy: Policy, current: Stage | None, target: Stage) -> Stage:
    """The first stage on the shortest way the policy allows from ``current`` (None: a new
    version) to ``target``: ``target`` itself when one change may get there; ``target`` too
    when no way leads there (the validator then says why)."""
    if current == target or (current is None and target in policy.initial_stages):
        return target
    if current is not None and policy.allows(current, target):
        return target
    order = policy.stages.index
    starts = sorted(policy.initial_stages, key=order) if current is None else \
        sorted((s for s in policy.transitions.get(current, ()) if policy.allows(current, s)), key=order)
    best: tuple[int, Stage] | None = None
    for start in starts:
        distance = _distance(policy, start, target)
        if distance is not None and (best is None or distance < best[0]):
            best = (distance, start)
    return best[1] if best is not None else target


def _distance(policy: Policy, start: Stage, target: Stage) -> int | None:
    seen = {start}
    queue: deque[tuple[Stage, int]] = deque([(start, 0)])
    while queue:
        stage, steps = queue.popleft()
        if stage == target:
            return steps
        for following in sorted(policy.transitions.get(stage, ()), key=policy.stages.index):
            if following not in seen and policy.allows(stage, following):
                seen.add(following)
                queue.append((following, steps + 1))
    return None


# -- the commit message -----------------------------------------------------------------------

def _subject(source: Source, new: list[str], updated: list[str]) -> str:
    def models(names: list[str]) -> str:
        return names[0] if len(names) == 1 else f"{len(names)} models"

    if new and not updated:
        return f"import {models(new)} from {source}"
    if updated and not new:
        return f"import from {source}: update {models(updated)}"
    return f"import from {source}: {len(new)} new, {len(updated)} updated"


def _body(notes: list[str], history: list[str], source: Source) -> str:
    body = "\n\n" + "\n".join(notes) + "\n"
    if history:
        body += f"\nAs {source.kind} recorded it:\n" + "\n".join(f"  {line}" for line in history) + "\n"
    return body

