"""Editing the model's and its versions' own fields, as proposals: ``set`` (owner,
description, task, tags, metadata, and the artifact facts a version never registered) and
``bind`` (provider bindings).

Each edit is made in place by the model file's editor, keeping every other byte; whether
the result is allowed (a registered fact that changes, a task that breaks the schema's
form) is decided by the validator's code afterwards, never here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from registry_tool.core.model import Binding
from registry_tool.core.policy import Policy
from registry_tool.edit.operations import Opened, open_model
from registry_tool.edit.proposal import Proposal
from registry_tool.errors import RegistryError
from registry_tool.snapshots.base import Snapshot
from registry_tool.yamlfile import render
from registry_tool.yamlfile.splice import Path

MODEL_ONLY = ("owner", "task")  # fields of the model, never of a version
VERSION_FACTS = ("sha256", "size_bytes", "format")  # artifact facts: filled in once, then immutable


@dataclass(frozen=True)
class FieldChanges:
    """What ``set`` changes; None (or empty) leaves a field as it is."""

    description: str | None = None
    owner: str | None = None
    task: str | None = None
    tags: tuple[str, ...] = ()
    untag: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    unset_metadata: tuple[str, ...] = ()
    run_id: str | None = None
    artifact: Mapping[str, Any] = field(default_factory=dict)  # sha256, size_bytes, format

    def check(self, version: bool) -> None:
        """Usage errors: a field of the wrong level, a tag or key both added and removed."""
        if version and (self.owner is not None or self.task is not None):
            raise RegistryError("owner and task are the model's: set them without a VERSION")
        if not version and (self.run_id is not None or self.artifact):
            raise RegistryError("run_id and artifact facts belong to a version: name the VERSION")
        both = sorted(set(self.tags) & set(self.untag))
        if both:
            raise RegistryError(f"tag {both[0]} is both added and removed; give it once")
        both = sorted(set(self.metadata) & set(self.unset_metadata))
        if both:
            raise RegistryError(f"metadata {both[0]} is both set and unset; give it once")
        unknown = sorted(set(self.artifact) - set(VERSION_FACTS))
        if unknown:
            raise RegistryError(f"artifact.{unknown[0]} cannot be set: one of {', '.join(VERSION_FACTS)}")


def set_fields(base: Snapshot, policy: Policy, name: str, label: str | None, changes: FieldChanges) -> Proposal:
    """Change the model's fields (``label`` None) or a version's."""
    changes.check(version=label is not None)
    opened = _opened(base, policy, name, label)
    what = f"{name} {label}" if label is not None else name
    done: list[str] = []
    notes: list[str] = []
    _scalars(opened, label, changes, done)
    _tags(opened, label, changes, done, notes, what)
    _metadata(opened, label, changes, done, notes, what)
    if label is not None:
        for key, value in changes.artifact.items():
            if _differs(opened, (*opened.editor.base(label), "artifact", key), value):
                opened.editor.set_artifact(label, key, value)
                done.append(f"artifact.{key}={render.scalar(value)}")
    if not done:
        return Proposal([], notes=[*notes, f"{what}: nothing to change"])
    return Proposal([opened.edit()], f"set {what}: {', '.join(done)}", notes)


def _differs(opened: Opened, path: Path, value: Any) -> bool:
    """Whether ``path`` is missing or holds something else (``true`` is not ``1``, ``1`` is not ``1.0``)."""
    parent = opened.editor.value(path[:-1])
    if not isinstance(parent, dict) or path[-1] not in parent:
        return True
    return json.dumps(parent[path[-1]], sort_keys=True) != json.dumps(value, sort_keys=True)


def _opened(base: Snapshot, policy: Policy, name: str, label: str | None) -> Opened:
    opened = open_model(base, policy, name)
    assert opened is not None
    if label is not None and opened.model.version(label) is None:
        known = ", ".join(v.version for v in opened.model.versions) or "none"
        raise RegistryError(f"{name} has no version {label} (versions: {known})")
    return opened


def _scalars(opened: Opened, label: str | None, changes: FieldChanges, done: list[str]) -> None:
    base = opened.editor.base(label)
    for key in ("description", "owner", "task", "run_id"):
        value = getattr(changes, key)
        if value is not None and _differs(opened, (*base, key), value):
            opened.editor.set_field(label, key, value)
            done.append(key if key == "description" else f"{key}={value}")


def _tags(opened: Opened, label: str | None, changes: FieldChanges, done: list[str], notes: list[str], what: str) -> None:
    added = opened.editor.add_tags(label, changes.tags)
    removed = opened.editor.remove_tags(label, changes.untag)
    done += [f"+tag {t}" for t in added] + [f"-tag {t}" for t in removed]
    notes += [f"{what} has tag {t} already" for t in changes.tags if t not in added]
    notes += [f"{what} has no tag {t} to remove" for t in changes.untag if t not in removed]


def _metadata(opened: Opened, label: str | None, changes: FieldChanges, done: list[str], notes: list[str],
              what: str) -> None:
    base = opened.editor.base(label)
    for key, value in changes.metadata.items():
        if _differs(opened, (*base, "metadata", key), value):
            opened.editor.set_metadata(label, key, value)
            done.append(f"metadata.{key}")
    for key in changes.unset_metadata:
        if opened.editor.unset_metadata(label, key):
            done.append(f"-metadata.{key}")
        else:
            notes.append(f"{what} has no metadata {key} to remove")


def _set_fields(change: Binding) -> dict[str, Any]:
    """The optional fields a binding change sets (config is merged key by key apart)."""
    return {k: v for k, v in (("status", change.status), ("region", change.region), ("endpoint_url", change.endpoint_url))
            if v is not None}


def bind(base: Snapshot, policy: Policy, name: str, label: str, change: Binding) -> Proposal:
    """Add a binding of a version to a provider's model, or update the one with the same
    provider and provider_model_id (its status, region, endpoint_url; config keys merged)."""
    opened = _opened(base, policy, name, label)
    editor = opened.editor
    target = f"{change.provider} {change.provider_model_id}"
    found = editor.binding_index(label, change.provider, change.provider_model_id)
    if not found:
        binding = {"provider": change.provider, "provider_model_id": change.provider_model_id, **_set_fields(change)}
        if change.config:
            binding["config"] = dict(change.config)
        editor.add_binding(label, binding)
        return Proposal([opened.edit()], f"bind {name} {label} to {target}")
    path = (*editor.base(label), "bindings", found[0])
    fields = {k: v for k, v in _set_fields(change).items() if _differs(opened, (*path, k), v)}
    config = {k: v for k, v in change.config.items() if _differs(opened, (*path, "config", k), v)}
    if not fields and not config:
        return Proposal([], notes=[f"{name} {label} is bound to {target} as given: nothing to change"])
    editor.update_binding(label, found[0], fields, config)
    shown = [f"{k}={render.scalar(v)}" for k, v in fields.items()] + [f"config.{k}" for k in config]
    return Proposal([opened.edit()], f"update binding of {name} {label} to {target}: {', '.join(shown)}")


def unbind(base: Snapshot, policy: Policy, name: str, label: str, provider: str, model_id: str | None) -> Proposal:
    """Remove the version's binding to ``provider`` (and ``model_id``, needed when there are several)."""
    opened = _opened(base, policy, name, label)
    found = opened.editor.binding_index(label, provider, model_id)
    target = f"{provider} {model_id}" if model_id is not None else provider
    if not found:  # as removing an alias or a tag that is not there: already as asked
        return Proposal([], notes=[f"{name} {label} has no binding to {target}: nothing to change"])
    if len(found) > 1:
        raise RegistryError(f"{name} {label} has {len(found)} bindings to {provider}: name one with --provider-model-id")
    binding = opened.editor.value((*opened.editor.base(label), "bindings", found[0]))
    opened.editor.remove_binding(label, found[0])
    return Proposal([opened.edit()], f"unbind {name} {label} from {provider} {binding['provider_model_id']}")
