"""The Python write API: the editing commands, as typed calls.

::

    from registry_tool import open_registry

    reg = open_registry(".")
    change = reg.edit().promote("faq-bot", "1.1.0", to="production")
    print(change.diff)              # the unified diff the edit would make
    print(change.violations)        # what validate would report: [] when allowed
    change.apply()                  # write the work tree's files (atomically)

    reg.edit(branch="promote-faq-bot").promote("faq-bot", "1.1.0", to="production").apply()
    reg.edit(commit=True).metrics("faq-bot", "1.1.0", {"core-v1/score": 0.91}).apply(message="eval run 7")
    reg.edit(branch="champion").alias("faq-bot", "champion", "1.1.0").apply()

An editor's target is chosen when it is made: the work tree (the default; a folder that is
not in Git works too), ``commit=True`` (a commit on the current branch, made from HEAD
under Git's index lock) or ``branch=NAME`` (a commit on a new branch off HEAD, nothing
else touched). Each operation returns a :class:`Change` without touching anything; its
``diff``, ``violations`` and ``message`` are computed on first use (RegistryError then for
an unknown model or version), and :meth:`Change.apply` writes it, refusing with
:class:`~registry_tool.errors.EditRefused` (its ``violations``) what the validator refuses.
The command line's editing commands are this API plus parsing and printing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from registry_tool.core.model import Binding, MetricValue, Stage
from registry_tool.errors import ChangedMeanwhile, EditRefused, RegistryError
from registry_tool.read.api import Registry
from registry_tool.snapshots.git import GitStore

if TYPE_CHECKING:
    from registry_tool.core.findings import Violation
    from registry_tool.edit.proposal import Proposal
    from registry_tool.edit.targets import Mode, Outcome, Workspace

Build = Callable[["Workspace"], "Proposal"]


def open_registry(path: str | Path = ".") -> EditableRegistry:
    """The registry in the Git repository containing ``path``: read it (``.at(rev)``,
    ``.as_of(time)``) or edit it (``.edit()``)."""
    return EditableRegistry(GitStore.discover(path), Path(path))


class EditableRegistry(Registry):
    """A :class:`~registry_tool.read.api.Registry` that also proposes edits."""

    def __init__(self, store: GitStore, path: Path) -> None:
        super().__init__(store)
        self.path = path

    def edit(self, *, commit: bool = False, branch: str | None = None) -> RegistryEditor:
        """An editor writing to the work tree, to a commit on the current branch
        (``commit=True``) or to a commit on a new branch (``branch``)."""
        return RegistryEditor(self.path, commit=commit, branch=branch)


@dataclass
class Preview:
    """A change as it would be made: the proposal, its diff, and what the validator says."""

    proposal: Proposal
    diff: str
    violations: list[Violation]


class Change:
    """One proposed edit. Nothing is read until it is previewed or applied."""

    def __init__(self, editor: RegistryEditor, what: str, build: Build) -> None:
        self.editor = editor
        self.what = what
        self._build = build
        self._preview: Preview | None = None

    def __repr__(self) -> str:
        return f"<Change {self.what}: {self.message or 'nothing to change'}>"

    @property
    def preview(self) -> Preview:
        """Build the change from the target's current state and judge it (once)."""
        if self._preview is None:
            from registry_tool.edit.patch import unified_diff
            from registry_tool.edit.targets import run

            made: list[Proposal] = []

            def build(ws: Workspace) -> Proposal:
                made.append(self._build(ws))
                return made[-1]

            try:
                run(self.editor.repo, build, self.editor.mode(dry_run=True), self.what)
                violations: list[Violation] = []
            except EditRefused as exc:
                violations = exc.violations
            proposal = made[-1]
            diff = "".join(unified_diff(e) for e in proposal.edits if e.before != e.after)
            self._preview = Preview(proposal, diff, violations)
        return self._preview

    @property
    def diff(self) -> str:
        """The change as ``git diff`` shows it ('' when nothing changes)."""
        return self.preview.diff

    @property
    def violations(self) -> list[Violation]:
        """What ``validate`` would report once it is written: [] when it is allowed."""
        return self.preview.violations

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def empty(self) -> bool:
        return self.preview.proposal.empty

    @property
    def message(self) -> str:
        """The commit message it would get ('' when nothing changes)."""
        return self.preview.proposal.message

    @property
    def notes(self) -> list[str]:
        return self.preview.proposal.notes

    @property
    def warnings(self) -> list[str]:
        """Allowed, but worth a second look (archiving the production version leaves none)."""
        return self.preview.proposal.warnings

    @property
    def files(self) -> list[str]:
        return [e.path for e in self.preview.proposal.edits if e.before != e.after]

    def apply(self, message: str | None = None) -> Outcome:
        """Write it to the editor's target (files, a commit, or a commit on a new branch);
        EditRefused when the validator refuses it. After a preview, what is written is what
        was previewed: ChangedMeanwhile when the target changed in between."""
        from registry_tool.edit.targets import run

        return run(self.editor.repo, self._checked(), self.editor.mode(message=message), self.what)

    def dry_run(self) -> Outcome:
        """The outcome of a dry run (``--dry-run``): the diff, nothing written; EditRefused as apply."""
        from registry_tool.edit.targets import run

        return run(self.editor.repo, self._build, self.editor.mode(dry_run=True), self.what)

    def _checked(self) -> Build:
        if self._preview is None:
            return self._build
        expected = [(e.path, e.before, e.after) for e in self._preview.proposal.edits]

        def build(ws: Workspace) -> Proposal:
            proposal = self._build(ws)
            if [(e.path, e.before, e.after) for e in proposal.edits] != expected:
                raise ChangedMeanwhile(f"{self.what}: the registry changed since this change was previewed; "
                                       "nothing was written: propose it again")
            return proposal

        return build


class RegistryEditor:
    """Proposes edits of the registry at ``path`` (see the module's doc for the targets)."""

    def __init__(self, path: str | Path | None = None, *, commit: bool = False, branch: str | None = None) -> None:
        self.repo = Path(path) if path is not None else None
        self.commit = commit or branch is not None
        self.branch = branch

    def mode(self, *, dry_run: bool = False, message: str | None = None) -> Mode:
        from registry_tool.edit.targets import Mode

        return Mode(dry_run=dry_run, commit=self.commit, branch=self.branch, message=message)

    def _change(self, what: str, build: Build) -> Change:
        return Change(self, what, build)

    # -- the operations ---------------------------------------------------------------

    def register(self, model: str, version: str, *, artifact_uri: str, file: str | Path | None = None,
                 sha256: str | None = None, size_bytes: int | None = None, artifact_format: str | None = None,
                 run_id: str | None = None, metrics: Mapping[str, MetricValue] | None = None, tags: Sequence[str] = (),
                 description: str | None = None, metadata: Mapping[str, Any] | None = None, stage: str | None = None,
                 owner: str | None = None, model_description: str | None = None, task: str | None = None) -> Change:
        """Register ``version`` of ``model`` (creating the model file for a new model, with
        ``owner``, ``model_description`` and ``task``) in ``stage`` (default: the first stage a
        new version may start in). ``file``: a local copy of the artifact, streamed for its
        sha256 and size (which ``sha256``/``size_bytes`` must match)."""
        from registry_tool.edit import operations

        fields = version_fields(version, stage, artifact_uri=artifact_uri, file=file, sha256=sha256, size_bytes=size_bytes,
                                artifact_format=artifact_format, run_id=run_id, metrics=metrics, tags=tags,
                                description=description, metadata=metadata)
        about = {k: v for k, v in (("description", model_description), ("owner", owner), ("task", task)) if v is not None}
        return self._change("register", lambda ws: operations.register(ws.base, ws.policy, model, fields, about))

    def promote(self, model: str, version: str, to: Stage | str) -> Change:
        """Move a version to a stage (any stage registry.yaml declares); entering a unique
        stage (production) demotes the version there as registry.yaml says."""
        from registry_tool.edit import operations

        return self._change("promote", lambda ws: operations.promote(ws.base, ws.policy, model, version, to))

    def archive(self, model: str, version: str) -> Change:
        from registry_tool.edit import operations

        return self._change("archive", lambda ws: operations.archive(ws.base, ws.policy, model, version))

    def rollback(self, model: str, stage: str | None = None) -> Change:
        """Make the version that was in production (or another unique ``stage``) before the
        current one the one there again."""
        from registry_tool.edit import operations

        return self._change("rollback", lambda ws: operations.rollback(ws.base, ws.policy, model, ws.previous_production,
                                                                       stage))

    def alias(self, model: str, alias: str, version: str | None) -> Change:
        """Point ``alias`` at ``version`` (set or move it), or remove it (``version`` None)."""
        from registry_tool.edit import operations

        return self._change("alias", lambda ws: operations.set_alias(ws.base, ws.policy, model, alias, version))

    def retention(self, model: str | None = None, keep: int | None = None) -> Change:
        """Archive the versions in stage none older than the newest ``keep`` (default: the
        ``retention: {keep: N}`` of registry.yaml, per model where it says so)."""
        from registry_tool.edit import operations

        return self._change("retention", lambda ws: operations.retention(ws.base, ws.policy, model, keep))

    def metrics(self, model: str, version: str, values: Mapping[str, MetricValue], suite: str | None = None) -> Change:
        """Record metrics (``accuracy``, or ``suite/name``; with ``suite``, every name is that suite's)."""
        from registry_tool.edit import operations

        refs = {f"{suite}/{name}" if suite else name: value for name, value in values.items()}
        if not refs:
            raise RegistryError("give at least one metric")
        return self._change("metrics", lambda ws: operations.record_metrics(ws.base, ws.policy, model, version, refs))

    def set(self, model: str, version: str | None = None, *, description: str | None = None, owner: str | None = None,
            task: str | None = None, tags: Sequence[str] = (), untag: Sequence[str] = (),
            metadata: Mapping[str, Any] | None = None, unset_metadata: Sequence[str] = (), run_id: str | None = None,
            file: str | Path | None = None, sha256: str | None = None, size_bytes: int | None = None,
            artifact_format: str | None = None) -> Change:
        """Change the model's fields (no ``version``) or a version's: description, owner and
        task (the model's), tags, metadata; for a version also the facts it never registered
        (run_id, artifact sha256, size_bytes, format; ``file`` computes sha256 and size).
        A registered fact cannot change: the validator refuses it (immutable-field)."""
        from registry_tool.edit import fields

        artifact = artifact_facts(file, sha256, size_bytes)
        if artifact_format is not None:
            artifact["format"] = artifact_format
        changes = fields.FieldChanges(description=description, owner=owner, task=task, tags=tuple(tags),
                                      untag=tuple(untag), metadata=dict(metadata or {}),
                                      unset_metadata=tuple(unset_metadata), run_id=run_id, artifact=artifact)
        changes.check(version=version is not None)
        return self._change("set", lambda ws: fields.set_fields(ws.base, ws.policy, model, version, changes))

    def bind(self, model: str, version: str, provider: str, provider_model_id: str, *, status: str | None = None,
             region: str | None = None, endpoint_url: str | None = None,
             config: Mapping[str, Any] | None = None) -> Change:
        """Bind a version to a provider's model (or update that binding; config keys are merged)."""
        from registry_tool.edit import fields

        change = Binding(provider, provider_model_id, status, region, endpoint_url, dict(config or {}))
        return self._change("bind", lambda ws: fields.bind(ws.base, ws.policy, model, version, change))

    def unbind(self, model: str, version: str, provider: str, provider_model_id: str | None = None) -> Change:
        """Remove a version's binding to a provider (``provider_model_id`` when it has several there)."""
        from registry_tool.edit import fields

        return self._change("bind", lambda ws: fields.unbind(ws.base, ws.policy, model, version, provider,
                                                             provider_model_id))


def artifact_facts(file: str | Path | None, sha256: str | None, size_bytes: int | None) -> dict[str, Any]:
    """sha256 (lower-case) and size_bytes as given, or computed by streaming ``file``
    (never loaded); given ones must match the file."""
    if sha256 is not None:
        sha256 = sha256.lower()
    if file is not None:
        from registry_tool.digest import file_digest

        digest, size = file_digest(Path(file))
        if sha256 is not None and sha256 != digest:
            raise RegistryError(f"--sha256 {sha256} does not match {file} (sha256 {digest})")
        if size_bytes is not None and size_bytes != size:
            raise RegistryError(f"--size-bytes {size_bytes} does not match {file} ({size} bytes)")
        sha256, size_bytes = digest, size
    return {k: v for k, v in (("sha256", sha256), ("size_bytes", size_bytes)) if v is not None}


def version_fields(version: str, stage: str | None, *, artifact_uri: str, file: str | Path | None = None,
                   sha256: str | None = None, size_bytes: int | None = None, artifact_format: str | None = None,
                   run_id: str | None = None, metrics: Mapping[str, MetricValue] | None = None,
                   tags: Sequence[str] = (), description: str | None = None,
                   metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A new version's fields as the model file lists them."""
    from registry_tool.core.model import metric_tree

    artifact: dict[str, Any] = {"uri": artifact_uri, **artifact_facts(file, sha256, size_bytes)}
    if artifact_format is not None:
        artifact["format"] = artifact_format
    fields: dict[str, Any] = {"version": version}
    if stage is not None:
        fields["stage"] = stage
    if description is not None:
        fields["description"] = description
    fields["artifact"] = artifact
    if run_id is not None:
        fields["run_id"] = run_id
    if metrics:
        fields["metrics"] = metric_tree(list(metrics.items()))
    if tags:
        fields["tags"] = list(dict.fromkeys(tags))
    if metadata:
        fields["metadata"] = dict(metadata)
    return fields
