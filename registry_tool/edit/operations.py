"""The registry's editing operations, as proposals: register, promote, archive, rollback,
retention and metrics.

Each operation reads model files from a snapshot (the working tree, or a commit), decides
what moves (the current production version is demoted as the policy says, retention
spares production and staging), lets the :mod:`editor` write it into the text, and
returns a :class:`~registry_tool.proposal.Proposal`. Whether the result is allowed is
decided afterwards by the validator's code, never here.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from registry_tool.core.findings import Violation
from registry_tool.core.model import Model, Stage
from registry_tool.core.policy import Policy
from registry_tool.edit.model_editor import ModelEditor, new_model_text
from registry_tool.edit.proposal import FileEdit, Proposal
from registry_tool.errors import EXIT_VIOLATIONS, EditRefused, RegistryError
from registry_tool.snapshots.base import EntryKind, Snapshot
from registry_tool.validation.model_file import ModelFile, read_model
from registry_tool.yamlfile import render as yamltext

NAME = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")  # the schema's model name pattern
RANK = {Stage.NONE: 0, Stage.STAGING: 1, Stage.PRODUCTION: 2, Stage.ARCHIVED: 3}
SCHEMA_FILE = "schemas/model.schema.json"

# (model file path, current production label) -> (label, commit id) of the version that was
# in production before it, or None
PreviousProduction = Callable[[str, "str | None"], "tuple[str, str] | None"]


def model_path(policy: Policy, name: str) -> str:
    """models/<name>.yaml, for a name the schema allows (so never a path outside models/)."""
    if len(name) > 100 or not NAME.fullmatch(name):
        raise RegistryError(f"'{name}' is not a model name: lower-case letters and digits separated by single '.', '_' or '-'")
    return f"{policy.models_dir}/{name}.yaml"


@dataclass
class Opened:
    """A model file as read from the snapshot, ready to edit."""

    path: str
    before: bytes
    file: ModelFile
    editor: ModelEditor

    @property
    def model(self) -> Model:
        return self.file.model

    def edit(self) -> FileEdit:
        return FileEdit(self.path, self.before, self.editor.text.encode("utf-8"), base=self.file)


def open_model(base: Snapshot, policy: Policy, name: str, *, required: bool = True) -> Opened | None:
    path = model_path(policy, name)
    entry = next((e for e in base.entries(policy.models_dir) if e.name == f"{name}.yaml"), None)
    if entry is None:
        if required:
            raise RegistryError(f"no model {name}: {path} does not exist")
        return None
    if entry.kind is not EntryKind.FILE:
        raise RegistryError(f"{path} is a {entry.kind.value}, not a model file")
    mf, problems = read_model(base, entry, policy)  # over the size limit: refused unread
    if mf is None:
        raise EditRefused(problems, f"{path} is not valid as it is; the edit was")
    before = mf.doc.text.encode("utf-8")  # the loader decodes strict UTF-8 without BOM: the same bytes
    return Opened(path, before, mf, ModelEditor(mf.doc.text, path, doc=mf.doc))


def _version(opened: Opened, label: str) -> Any:
    version = opened.model.version(label)
    if version is None:
        known = ", ".join(v.version for v in opened.model.versions) or "none"
        raise RegistryError(f"{opened.model.name} has no version {label} (versions: {known})")
    return version


def register(base: Snapshot, policy: Policy, name: str, fields: Mapping[str, Any],
             about: Mapping[str, Any] | None = None) -> Proposal:
    """Add a version (``fields`` as in the model file), creating the model file if needed;
    ``about``: a new model's own fields (description, owner, task)."""
    opened = open_model(base, policy, name, required=False)
    if opened is not None and about:
        given = ", ".join(f"--{'model-description' if k == 'description' else k}" for k in about)
        raise RegistryError(f"{given}: only for a new model, and {name} exists; change it with "
                            f"registry-tool set {name} --owner/--description/--task")
    label = fields["version"]
    stage = fields.get("stage", "none")
    message = f"register {name} {label}" + (f" in {stage}" if stage != "none" else "")
    if opened is None:
        path = model_path(policy, name)
        schema = posixpath.relpath(SCHEMA_FILE, policy.models_dir)
        text = new_model_text(name, fields, schema_path=schema, model=about)
        return Proposal([FileEdit(path, None, text.encode("utf-8"))], message, [f"new model file {path}"])
    opened.editor.add_version(fields)
    return Proposal([opened.edit()], message)


def promote(base: Snapshot, policy: Policy, name: str, label: str, to: Stage) -> Proposal:
    """Move a version to a stage; entering production demotes the current production
    version as the policy says (``on_promote: demote`` -> ``demote_to``)."""
    opened = open_model(base, policy, name)
    assert opened is not None
    version = _version(opened, label)
    if version.stage is to:
        return Proposal([], notes=[f"{name} {label} is already in {to}: nothing to change"])
    verb = "promote" if RANK[to] > RANK[version.stage] or version.stage is Stage.ARCHIVED else "demote"
    proposal = Proposal(message=f"{verb} {name} {label} to {to}")
    stages = {label: to.value}
    current = opened.model.production
    if to is Stage.PRODUCTION and current is not None and current.version != label:
        # With on_promote: refuse the validator refuses this, saying to demote first.
        stages[current.version] = policy.demote_to.value
        proposal.notes.append(f"{name} {current.version} demoted from production to {policy.demote_to}")
    opened.editor.set_stages(stages)
    proposal.edits.append(opened.edit())
    return _with_body(proposal)


def archive(base: Snapshot, policy: Policy, name: str, label: str) -> Proposal:
    opened = open_model(base, policy, name)
    assert opened is not None
    version = _version(opened, label)
    if version.stage is Stage.ARCHIVED:
        return Proposal([], notes=[f"{name} {label} is already archived: nothing to change"])
    opened.editor.set_stage(label, Stage.ARCHIVED.value)
    return Proposal([opened.edit()], f"archive {name} {label}", [f"{name} {label} was {version.stage}"])


def rollback(base: Snapshot, policy: Policy, name: str, previous: PreviousProduction) -> Proposal:
    """Make the version that was in production before the current one production again."""
    opened = open_model(base, policy, name)
    assert opened is not None
    current = opened.model.production
    found = previous(opened.path, current.version if current is not None else None)
    now = f"{current.version}" if current is not None else "no version"
    if found is None:
        raise RegistryError(f"cannot roll back {name}: no version other than {now} was ever in production "
                            f"in the history of {opened.path}", exit_code=EXIT_VIOLATIONS)
    label, commit = found
    until = f"put in production by commit {commit[:12]}"
    version = opened.model.version(label)
    if version is None:
        raise RegistryError(f"cannot roll back {name} to {label} ({until}): it is no longer listed in {opened.path}",
                            exit_code=EXIT_VIOLATIONS)
    if version.stage is Stage.ARCHIVED:
        raise RegistryError(f"cannot roll back {name} to {label} ({until}): it is archived, and archived versions "
                            "are never promoted again", exit_code=EXIT_VIOLATIONS)
    proposal = Proposal(message=f"rollback {name} to {label}", notes=[f"{name} {label} was {until}"])
    stages = {label: Stage.PRODUCTION.value}
    if current is not None:
        stages[current.version] = policy.demote_to.value
        proposal.notes.append(f"{name} {current.version} demoted from production to {policy.demote_to}")
    opened.editor.set_stages(stages)
    proposal.edits.append(opened.edit())
    return _with_body(proposal)


def retention(base: Snapshot, policy: Policy, name: str | None, keep: int | None) -> Proposal:
    """Archive the versions older than the newest ``keep`` (by registration order) that are
    in stage none; production and staging versions are never archived by retention.
    ``keep`` None: each model's ``retention: {keep: N}`` from registry.yaml (models without
    one are left alone)."""
    _check_keep(policy, name, keep)
    names = [name] if name is not None else sorted(e.stem for e in base.entries(policy.models_dir) if e.is_model_file)
    proposal = Proposal()
    archived: list[str] = []
    refused: list[Violation] = []
    for model_name in names:
        try:
            opened = open_model(base, policy, model_name)
        except EditRefused as exc:
            refused.extend(exc.violations)
            continue
        assert opened is not None
        kept = keep if keep is not None else policy.keep_for(model_name)
        if kept is None:
            continue
        older = [v.version for v in opened.model.versions[:-kept] if v.stage is Stage.NONE]
        if older:
            opened.editor.set_stages({label: Stage.ARCHIVED.value for label in older})
            archived.extend(f"{model_name} {label}" for label in older)
            proposal.edits.append(opened.edit())
    if refused:
        raise EditRefused(refused, "retention")
    return _retention_message(proposal, archived, _keep_shown(policy, name, keep))


def _check_keep(policy: Policy, name: str | None, keep: int | None) -> None:
    """--keep, or else a retention default in registry.yaml for the model(s) asked."""
    if keep is not None:
        if keep < 1:
            raise RegistryError("--keep must be at least 1")
        return
    if name is not None and policy.keep_for(name) is None:
        raise RegistryError(f"retention needs --keep N, or retention: {{keep: N}} (or models: {{{name}: {{retention: "
                            "{keep: N}}}) in registry.yaml")
    if name is None and policy.retention_keep is None and not policy.model_retention:
        raise RegistryError("retention needs --keep N, or retention: {keep: N} (or models: {NAME: {retention: ...}}) "
                            "in registry.yaml")


def _keep_shown(policy: Policy, name: str | None, keep: int | None) -> int | None:
    """The one number of versions kept, when there is one (None: it varies by model)."""
    if keep is not None:
        return keep
    if name is not None:
        return policy.keep_for(name)
    return policy.retention_keep if not policy.model_retention else None


def _retention_message(proposal: Proposal, archived: list[str], keep: int | None) -> Proposal:
    newest = f"the newest {keep} version{'s' if keep != 1 else ''}" if keep is not None else \
        "the newest versions, as registry.yaml's retention says"
    if not archived:
        proposal.notes.append(f"nothing to archive: every version beyond {newest} is archived, in staging or in production")
        return proposal
    if len(archived) <= 3:
        proposal.message = f"retention: keep {newest}, archive {', '.join(archived)}"
        return proposal
    proposal.message = f"retention: keep {newest}, archive {len(archived)} versions"
    proposal.notes.extend(f"archive {label}" for label in archived)
    return _with_body(proposal)


def record_metrics(base: Snapshot, policy: Policy, name: str, label: str, values: Mapping[str, Any]) -> Proposal:
    """Set metrics of a version (``name`` or ``suite/name``), merging into what is there."""
    opened = open_model(base, policy, name)
    assert opened is not None
    _version(opened, label)
    for ref, value in values.items():
        opened.editor.set_metric(label, ref, value)
    shown = ", ".join(f"{ref}={yamltext.scalar(value)}" for ref, value in values.items())
    return Proposal([opened.edit()], f"metrics: {name} {label} {shown}")


def _with_body(proposal: Proposal) -> Proposal:
    if proposal.notes:
        proposal.message += "\n\n" + "\n".join(proposal.notes) + "\n"
    return proposal
