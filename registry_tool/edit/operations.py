"""The registry's editing operations, as proposals: register, promote, archive, rollback,
retention, metrics and aliases.

Each operation reads model files from a snapshot (the working tree, or a commit), decides
what moves (the current production version is demoted as the policy says, retention
spares production and staging), lets the :mod:`editor` write it into the text, and
returns a :class:`~registry_tool.proposal.Proposal`. Whether the result is allowed is
decided afterwards by the validator's code, never here.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from registry_tool.core.findings import Violation
from registry_tool.core.model import Model, ModelVersion, Stage, flat_metrics, same_value, version_from_fields
from registry_tool.core.names import model_file_name, name_problem
from registry_tool.core.policy import Policy
from registry_tool.edit.model_editor import ModelEditor, new_model_text
from registry_tool.edit.proposal import FileEdit, Proposal
from registry_tool.errors import EXIT_VIOLATIONS, EditRefused, RegistryError
from registry_tool.history.rollback import Previous
from registry_tool.read.api import parse_stage
from registry_tool.snapshots.base import EmptySnapshot, Entry, EntryKind, Snapshot, named
from registry_tool.validation.model_file import ModelFile, read_model
from registry_tool.yamlfile import render

SCHEMA_FILE = "schemas/model.schema.json"

# (model file path, current label in the stage, the unique stage) -> the version that was in
# that stage before it (label, commit id), or None, and where history stops in a shallow clone
PreviousProduction = Callable[[str, "str | None", Stage], Previous]


def unique_stage(policy: Policy, name: str | None) -> Stage:
    """The unique stage a rollback is about: ``name``, or production (or the only unique stage)."""
    uniques = policy.stages.unique_stages
    if name is None:
        if Stage.PRODUCTION in uniques or len(uniques) == 1:
            return Stage.PRODUCTION if Stage.PRODUCTION in uniques else uniques[0]
        listed = ", ".join(uniques) or "none"
        raise RegistryError(f"give --stage: the registry's unique stages are {listed}")
    stage = parse_stage(name, policy.stages)
    if stage not in uniques:
        raise RegistryError(f"--stage {stage}: a rollback needs a unique stage (one version at a time); "
                            f"the registry's unique stages are {', '.join(uniques) or 'none'}")
    return stage


def model_path(policy: Policy, name: str) -> str:
    """models/<name>.yaml, for a name the schema allows (so never a path outside models/)."""
    problem = name_problem(name)
    if problem is not None:
        raise RegistryError(f"'{name}' is not a model name: {problem}")
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


def open_model(base: Snapshot, policy: Policy, name: str, *, required: bool = True,
               entries: Mapping[str, Entry] | None = None) -> Opened | None:
    """The model file ``name`` as the snapshot holds it. ``entries``: the models directory's
    entries by file name, when the caller already listed it (an import opens thousands of
    files, and listing the directory for each would cost the square of their number)."""
    path = model_path(policy, name)
    if entries is not None:
        entry = entries.get(f"{name}.yaml")
    else:
        found = named(base, policy.models_dir, model_file_name(name))  # looked up, not listed
        entry = found[0] if found else None  # a name listed twice (a malformed tree): the first, as a listing finds it
    if entry is None:
        if required:
            raise RegistryError(f"no model {name}: {_missing(base, path)}{_did_you_mean(base, policy, name)}")
        return None
    if entry.kind is not EntryKind.FILE:
        raise RegistryError(f"{path} is a {entry.kind.value}, not a model file")
    mf, problems = read_model(base, entry, policy)  # over the size limit: refused unread
    if mf is None:
        raise EditRefused(problems, f"{path} is not valid as it is; the edit was")
    before = mf.doc.text.encode("utf-8")  # the loader decodes strict UTF-8 without BOM: the same bytes
    return Opened(path, before, mf, ModelEditor(mf.doc.text, path, doc=mf.doc))


def _missing(base: Snapshot, path: str) -> str:
    """Where a model file is missing: an edit with --commit or --branch starts from HEAD's
    commit, where a file registered in the working tree and not committed is not."""
    if isinstance(base, EmptySnapshot):
        return "HEAD has no commits yet"
    if base.commit_id is not None:
        return f"{path} is not in HEAD ({base.label})"
    return f"{path} does not exist"


def _version(opened: Opened, label: str) -> Any:
    version = opened.model.version(label)
    if version is None:
        known = ", ".join(v.version for v in opened.model.versions) or "none"
        raise RegistryError(f"{opened.model.name} has no version {label} (versions: {known})")
    return version


def register(base: Snapshot, policy: Policy, name: str, fields: Mapping[str, Any],
             about: Mapping[str, Any] | None = None) -> Proposal:
    """Add a version (``fields`` as in the model file; without a ``stage``, the first stage a
    new version may start in), creating the model file if needed; ``about``: a new model's
    own fields (description, owner, task)."""
    opened = open_model(base, policy, name, required=False)
    if opened is not None:
        _check_model_fields(opened.model, about or {})
    label = fields["version"]
    first = next((s for s in policy.stages.names if s in policy.initial_stages), policy.stages.first)
    stage = parse_stage(fields["stage"], policy.stages) if fields.get("stage") is not None else first
    fields = {**fields, "stage": stage.value}
    message = f"register {name} {label}" + (f" in {stage}" if stage != first else "")
    if opened is None:
        path = model_path(policy, name)
        schema = posixpath.relpath(SCHEMA_FILE, policy.models_dir)
        text = new_model_text(name, fields, schema_path=schema, model=about)
        return Proposal([FileEdit(path, None, text.encode("utf-8"))], message, [f"new model file {path}"])
    existing = opened.model.version(label)
    if existing is not None:
        return _registered_again(name, existing, fields)
    opened.editor.add_version(fields)
    return Proposal([opened.edit()], message)


def _check_model_fields(model: Model, about: Mapping[str, Any]) -> None:
    """--owner/--model-description/--task are for a new model; for an existing one they may
    only repeat what it has (a re-run of the command that created it)."""
    differs = [key for key, value in about.items() if getattr(model, key) != value]
    if differs:
        given = ", ".join(f"--{'model-description' if k == 'description' else k}" for k in differs)
        raise RegistryError(f"{given}: only for a new model, and {model.name} exists; change it with "
                            f"registry-tool set {model.name} --owner/--description/--task")


def _registered_again(name: str, existing: ModelVersion, fields: Mapping[str, Any]) -> Proposal:
    """Registering a version that is there: a no-op when everything given matches what was
    registered (a re-run of the same command), else refused in one line."""
    differs = registered_differences(existing, fields)
    if differs:
        raise RegistryError(f"{name} {existing.version} is already registered (with a different "
                            f"{', '.join(differs)}); register a new version label instead", exit_code=EXIT_VIOLATIONS)
    return Proposal([], notes=[f"{name} {existing.version} is already registered as given "
                               f"(now in {existing.stage}): nothing to change"])


def registered_differences(existing: ModelVersion, fields: Mapping[str, Any]) -> list[str]:
    """What a register command gives that differs from the registered version: artifact
    facts, run_id, description, metric values, tags and metadata entries it does not have (its stage may have
    moved since, and metrics and tags may have been added: neither counts)."""
    differs = [f"artifact.{key}" for key, value in fields.get("artifact", {}).items()
               if getattr(existing.artifact, key) != value]
    differs += [key for key in ("run_id", "description") if key in fields and getattr(existing, key) != fields[key]]
    recorded = flat_metrics(existing)
    given = flat_metrics(version_from_fields(fields))
    differs += [f"metrics.{ref}" for ref, value in given.items() if ref not in recorded or not same_value(recorded[ref], value)]
    if not set(fields.get("tags", ())) <= set(existing.tags):
        differs.append("tags")
    differs += [f"metadata.{key}" for key, value in fields.get("metadata", {}).items()
                if key not in existing.metadata or existing.metadata[key] != value]
    return differs


def promote(base: Snapshot, policy: Policy, name: str, label: str, to: Stage | str) -> Proposal:
    """Move a version to a stage; entering a unique stage (production) demotes the version
    there as the policy says (``on_promote: demote`` -> ``demote_to``)."""
    to = parse_stage(to, policy.stages, "--to stage")
    if policy.is_final(to):
        raise RegistryError(f"--to {to}: {to} is final; archive a version with registry-tool archive {name} {label}")
    opened = open_model(base, policy, name)
    assert opened is not None
    version = _version(opened, label)
    if version.stage == to:
        return Proposal([], notes=[f"{name} {label} is already in {to}: nothing to change"])
    order = policy.stages.index
    verb = "promote" if order(to) > order(version.stage) or policy.is_final(version.stage) else "demote"
    proposal = Proposal(message=f"{verb} {name} {label} to {to}")
    stages = {label: to.value}
    if policy.is_unique(to):
        # With on_promote: refuse the validator refuses this, saying to demote first.
        _demote_occupant(opened, policy, to, label, stages, proposal)
    opened.editor.set_stages(stages)
    proposal.edits.append(opened.edit())
    return _with_body(proposal)


def _demote_occupant(opened: Opened, policy: Policy, stage: Stage, label: str, stages: dict[str, str],
                     proposal: Proposal) -> None:
    """Move the version in a unique stage out of the way of ``label`` (on_promote: demote)."""
    current = next((v for v in opened.model.in_stage(stage) if v.version != label), None)
    if current is None:
        return
    target = policy.demote_target(stage)
    if target is None:
        raise RegistryError(f"cannot demote {opened.model.name} {current.version} from {stage}: the policy declares "
                            "no stage to demote it to (set demote_to in registry.yaml)")
    stages[current.version] = target.value
    proposal.notes.append(f"{opened.model.name} {current.version} demoted from {stage} to {target}")


def _did_you_mean(base: Snapshot, policy: Policy, name: str) -> str:
    """``; did you mean 'faq-bot'?`` for a name close to a model's (the folder is listed
    only on this way out, for a name that is not there)."""
    from registry_tool.schema.check import did_you_mean

    return did_you_mean(name, [entry.stem for entry in base.entries(policy.models_dir) if entry.is_model_file])


def archive(base: Snapshot, policy: Policy, name: str, label: str) -> Proposal:
    stage = policy.stages.archive_stage
    if stage is None:
        raise RegistryError("the registry declares no final stage to archive to (stages in registry.yaml)")
    opened = open_model(base, policy, name)
    assert opened is not None
    version = _version(opened, label)
    if version.stage == stage:
        return Proposal([], notes=[f"{name} {label} is already {stage}: nothing to change"])
    opened.editor.set_stage(label, stage.value)
    verb = "archive" if stage == Stage.ARCHIVED else f"move to {stage}"
    proposal = Proposal([opened.edit()], f"{verb} {name} {label}", [f"{name} {label} was {version.stage}"])
    if policy.is_unique(version.stage) and not opened.model.in_stage(version.stage)[1:]:
        proposal.warnings.append(f"{name} {label} was the {version.stage} version: {name} has no version in "
                                 f"{version.stage} now, and deploy tools asking for it get nothing; promote another "
                                 f"version to {version.stage} (registry-tool rollback {name} returns the one there "
                                 "before it, if there was one)")
    return proposal


def rollback(base: Snapshot, policy: Policy, name: str, previous: PreviousProduction, stage: str | None = None) -> Proposal:
    """Make the version that was in a unique stage (production) before the current one the
    one there again."""
    where = unique_stage(policy, stage)
    opened = open_model(base, policy, name)
    assert opened is not None
    occupants = opened.model.in_stage(where)
    current = occupants[0] if occupants else None
    previous_one = previous(opened.path, current.version if current is not None else None, where)
    now = current.version if current is not None else previous_one.left
    what = f"no version other than {now}{'' if current is not None else f' (the last in {where})'}" if now else "no version"
    if previous_one.found is None and previous_one.boundary is not None:
        raise RegistryError(f"cannot roll back {name}: {what} was in {where} in the history available, which stops "
                            f"at commit {previous_one.boundary[:12]} (a shallow clone); fetch the rest with git fetch "
                            "--unshallow and run it again")
    if previous_one.found is None:
        raise RegistryError(f"cannot roll back {name}: {what} was ever in {where} in the history of {opened.path}",
                            exit_code=EXIT_VIOLATIONS)
    label, commit = previous_one.found
    until = f"put in {where} by commit {commit[:12]}"
    version = opened.model.version(label)
    if version is None:
        raise RegistryError(f"cannot roll back {name} to {label} ({until}): it is no longer listed in {opened.path}",
                            exit_code=EXIT_VIOLATIONS)
    if policy.is_final(version.stage):
        raise RegistryError(f"cannot roll back {name} to {label} ({until}): it is {version.stage}, and {version.stage} "
                            "versions are never promoted again", exit_code=EXIT_VIOLATIONS)
    suffix = f" in {where}" if where != Stage.PRODUCTION else ""
    proposal = Proposal(message=f"rollback {name} to {label}{suffix}", notes=[f"{name} {label} was {until}"])
    stages = {label: where.value}
    _demote_occupant(opened, policy, where, label, stages, proposal)
    opened.editor.set_stages(stages)
    proposal.edits.append(opened.edit())
    return _with_body(proposal)


def retention(base: Snapshot, policy: Policy, name: str | None, keep: int | None) -> Proposal:
    """Archive the versions older than the newest ``keep`` (by registration order) that are
    in the first stage (none by default) and named by no alias; versions in any other stage
    (production, staging) are never archived by retention. ``keep`` None: each model's
    ``retention: {keep: N}`` from registry.yaml (models without one are left alone)."""
    _check_keep(policy, name, keep)
    archive_stage = policy.stages.archive_stage
    if archive_stage is None:
        raise RegistryError("the registry declares no final stage to archive to (stages in registry.yaml)")
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
        older = _retired(opened.model, policy, kept)
        if older:
            opened.editor.set_stages({label: archive_stage.value for label in older})
            archived.extend(f"{model_name} {label}" for label in older)
            proposal.edits.append(opened.edit())
    if refused:
        raise EditRefused(refused, "retention")
    return _retention_message(proposal, archived, _keep_shown(policy, name, keep), policy.stages.first)


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


def _retired(model: Model, policy: Policy, keep: int) -> list[str]:
    """What retention archives in a model: versions older than the newest ``keep``, in the
    first stage, named by no alias."""
    return [v.version for v in model.versions[:-keep] if v.stage == policy.stages.first and not model.aliases_of(v.version)]


def _retention_message(proposal: Proposal, archived: list[str], keep: int | None, first: Stage) -> Proposal:
    newest = f"the newest {keep} version{'s' if keep != 1 else ''}" if keep is not None else \
        "the newest versions, as registry.yaml's retention says"
    if not archived:
        proposal.notes.append(f"nothing to archive: no version beyond {newest} is in {first} (the first stage, "
                              "the only one retention archives from) without an alias naming it")
        return proposal
    if len(archived) <= 3:
        proposal.message = f"retention: keep {newest}, archive {', '.join(archived)}"
        return proposal
    proposal.message = f"retention: keep {newest}, archive {len(archived)} versions"
    proposal.notes.extend(f"archive {label}" for label in archived)
    return _with_body(proposal)


def set_alias(base: Snapshot, policy: Policy, name: str, alias: str, label: str | None) -> Proposal:
    """Point an alias at a version (``label``), moving it if it named another, or remove
    it (``label`` None). Whether the alias may name that version is the validator's to say."""
    opened = open_model(base, policy, name)
    assert opened is not None
    current = opened.model.aliases.get(alias)
    if label is None:
        if current is None:
            return Proposal([], notes=[f"{name} has no alias {alias}: nothing to change"])
        opened.editor.remove_alias(alias)
        return Proposal([opened.edit()], f"remove {name} alias {alias} (was {current})")
    _version(opened, label)
    if current == label:
        return Proposal([], notes=[f"{name} alias {alias} already names {label}: nothing to change"])
    opened.editor.set_alias(alias, label)
    if current is None:
        return Proposal([opened.edit()], f"set {name} alias {alias} to {label}")
    return Proposal([opened.edit()], f"move {name} alias {alias} to {label} (was {current})")


def record_metrics(base: Snapshot, policy: Policy, name: str, label: str, values: Mapping[str, Any]) -> Proposal:
    """Set metrics of a version (``name`` or ``suite/name``), merging into what is there."""
    opened = open_model(base, policy, name)
    assert opened is not None
    _version(opened, label)
    for ref, value in values.items():
        opened.editor.set_metric(label, ref, value)
    shown = ", ".join(f"{ref}={render.scalar(value)}" for ref, value in values.items())
    return Proposal([opened.edit()], f"metrics: {name} {label} {shown}")


def _with_body(proposal: Proposal) -> Proposal:
    if proposal.notes:
        proposal.message += "\n\n" + "\n".join(proposal.notes) + "\n"
    return proposal
