"""The read path: the registry as committed at any revision, as typed objects.

This is the Python API for deploy tools and scripts, and what ``get``, ``show`` and
``export`` use::

    from registry_tool import open_registry
    reg = open_registry(".")             # any folder inside the repository; bare works
    snap = reg.at("main")                # any revision; snap.commit is the resolved sha
    snap.model("faq-bot").production.artifact.uri

Everything is read from Git objects at the revision: nothing is checked out, the working
tree is never read (uncommitted edits are not served), bare repositories and detached
HEAD work. A model file is checked before it is served (the strict loader, the schema and
the file rules such as one production version per model); a file that breaks a rule is
refused with a :class:`~registry_tool.errors.RegistryError` naming the violation.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from registry_tool.core.model import Model, ModelVersion, Stage
from registry_tool.core.names import is_model_file_name, model_file_name
from registry_tool.core.policy import DEFAULT_STAGES, StageSet
from registry_tool.errors import NotFound, RegistryError
from registry_tool.snapshots.base import Entry, EntryKind, named
from registry_tool.snapshots.git import CommitSnapshot, GitStore

if TYPE_CHECKING:
    from registry_tool.core.findings import Violation
    from registry_tool.core.policy import Policy
    from registry_tool.history.asof import When

LISTED_MODELS = 10  # an unknown model's error lists the registry's models up to this many


def open_registry(path: str | Path = ".") -> Registry:
    """The registry in the Git repository containing ``path`` (any subfolder, or a bare repository)."""
    return Registry(GitStore.discover(path))


class Registry:
    """One Git repository holding a registry."""

    def __init__(self, store: GitStore) -> None:
        self.store = store

    def at(self, rev: str = "HEAD") -> RegistrySnapshot:
        """The registry as committed at ``rev``: a branch, tag, remote branch, full or short sha, ``HEAD~3``."""
        return RegistrySnapshot(self.store.snapshot(self.store.resolve(rev)), rev)

    def as_of(self, when: When, rev: str = "HEAD") -> RegistrySnapshot:
        """The registry as of a time: the last commit on ``rev``'s first-parent chain committed
        at or before ``when`` (ISO 8601 text, UTC unless it says otherwise; a datetime, naive
        meaning UTC; or seconds since the epoch). NotFound (exit code 1) when ``rev``'s first
        commit is younger."""
        from registry_tool.history.asof import commit_at, to_epoch
        from registry_tool.history.events import iso_utc

        epoch = to_epoch(when)
        commit = commit_at(self.store, self.store.resolve(rev), epoch, rev)
        return RegistrySnapshot(self.store.snapshot(commit), f"{rev} as of {iso_utc(epoch)}")


class RegistrySnapshot:
    """The registry at one commit. Model files are read, checked and cached on first use."""

    def __init__(self, snapshot: CommitSnapshot, rev: str) -> None:
        self.snapshot = snapshot
        self.rev = rev
        self.commit: str = snapshot.commit_id
        self._policy: Policy | None = None
        self._entries: dict[str, Entry] | None = None
        self._models: dict[str, Model] = {}

    def __repr__(self) -> str:
        return f"<RegistrySnapshot {self.rev} at {self.commit[:12]}>"

    @property
    def policy(self) -> Policy:
        """registry.yaml at this commit (or the defaults); an invalid one is refused."""
        if self._policy is None:
            from registry_tool.validation.policy import policy_of

            policy, problems = policy_of(self.snapshot)
            if problems:
                raise self._refused(problems)
            self._policy = policy
        return self._policy

    def _model_entries(self) -> dict[str, Entry]:
        if self._entries is None:
            entries = self.snapshot.entries(self.policy.models_dir)
            self._entries = {e.stem: e for e in entries if is_model_file_name(e.name)}
        return self._entries

    def _entry(self, name: str) -> Entry | None:
        """The entry of one model file, looked up in the tree (the folder is not listed);
        when a malformed tree lists the name twice, the last one, as the listing takes."""
        if self._entries is not None:
            return self._entries.get(name)
        found = named(self.snapshot, self.policy.models_dir, model_file_name(name))
        return found[-1] if found else None

    def models(self) -> list[str]:
        """The names of the models at this commit, sorted."""
        return sorted(name for name, entry in self._model_entries().items() if entry.kind is EntryKind.FILE)

    def __contains__(self, name: str) -> bool:
        entry = self._entry(name)
        return entry is not None and entry.kind is EntryKind.FILE

    def model(self, name: str) -> Model:
        """One model, checked; RegistryError when it does not exist or breaks a rule."""
        cached = self._models.get(name)
        if cached is not None:
            return cached
        entry = self._entry(name)
        if entry is None:
            raise RegistryError(self.unknown(name))
        if entry.kind is not EntryKind.FILE:
            raise RegistryError(f"{entry.path} at {self.snapshot.label} is a {entry.kind.value}, "
                                "not a regular file: unexpected-file; it is not served")
        model = self._load(entry)
        self._models[name] = model
        return model

    def all_models(self) -> list[Model]:
        """Every model, sorted by name, each checked."""
        return [self.model(name) for name in self.models()]

    def each_model(self) -> Iterator[Model]:
        """Every model, sorted by name, each checked, one at a time: none is kept (``export``
        of 50,000 models holds one, not all of them)."""
        entries = self._model_entries()
        for name in self.models():
            yield self._models.get(name) or self._load(entries[name])

    def version(self, name: str, *, stage: Stage | str | None = None, version: str | None = None,
                alias: str | None = None) -> ModelVersion:
        """The version of a model at a stage (the newest one there), by its label, or by an alias.

        Raises :class:`NotFound` (exit code 1) when there is nothing at that stage, version
        or alias, and RegistryError (exit code 2) for an unknown or invalid model, or a
        stage the registry does not declare.
        """
        if sum(x is not None for x in (stage, version, alias)) != 1:
            raise RegistryError("give exactly one of a stage, a version or an alias")
        model = self.model(name)
        if version is not None:
            found = model.version(version)
            if found is None:
                known = ", ".join(v.version for v in model.versions) or "none"
                raise NotFound(f"{name} has no version {version} at {self.snapshot.label} (versions: {known})")
            return found
        if alias is not None:
            return self._by_alias(model, alias)
        assert stage is not None
        wanted = parse_stage(stage, self.policy.stages)
        picked = newest_in_stage(model, wanted)
        if picked is None:
            raise NotFound(f"{name} has no version in {wanted} at {self.snapshot.label}")
        return picked

    def find(self, model: str | None = None, *, stage: Stage | str | None = None, tags: Sequence[str] = (),
             owner: str | None = None, task: str | None = None,
             where: Sequence[str] = ()) -> list[tuple[Model, ModelVersion]]:
        """The versions (of one model, or of every model) that pass every filter given:
        ``stage``; ``tags`` (the version or its model has each); the model's ``owner`` or
        ``task``; ``where`` conditions such as ``"metrics.accuracy>=0.9"`` (see
        :mod:`registry_tool.read.query`). Models sorted by name, versions oldest first.
        A typo in a field is a RegistryError, never an empty list."""
        from registry_tool.read.query import Query

        query = Query.of(stage=parse_stage(stage, self.policy.stages) if stage is not None else None, tags=tags,
                         owner=owner, task=task, where=where)
        return query.select([self.model(model)] if model is not None else self.all_models())

    def _by_alias(self, model: Model, alias: str) -> ModelVersion:
        found = model.alias(alias)
        if found is None:
            known = ", ".join(f"{a} ({label})" for a, label in sorted(model.aliases.items())) or "none"
            raise NotFound(f"{model.name} has no alias {alias} at {self.snapshot.label} (aliases: {known})")
        return found

    def resolve(self, uri: str) -> tuple[Model, ModelVersion]:
        """A model and one of its versions by MLflow's model URI: ``models:/NAME@ALIAS``,
        ``models:/NAME/VERSION``, or ``models:/NAME/STAGE`` (MLflow's ``Production`` is
        ``production``); a label the model has wins over a stage of the same name."""
        name, sep, ref = parse_model_uri(uri)
        model = self.model(name)
        if sep == "@":
            return model, self._by_alias(model, ref)
        found = model.version(ref)
        if found is not None:
            return model, found
        stage = ref if ref in self.policy.stages else ref.lower()
        if stage in self.policy.stages:
            return model, self.version(name, stage=stage)
        known = ", ".join(v.version for v in model.versions) or "none"
        raise NotFound(f"{name} has no version {ref} at {self.snapshot.label}, and {ref} is not a stage "
                       f"(versions: {known}; stages: {', '.join(self.policy.stages.names)})")

    def _load(self, entry: Entry) -> Model:
        from registry_tool.validation.checks import check_model
        from registry_tool.validation.model_file import read_model

        policy = self.policy
        mf, problems = read_model(self.snapshot, entry, policy)
        if mf is not None:
            problems = check_model(mf, policy)
        if problems:
            raise self._refused(problems)
        assert mf is not None
        return mf.model

    def _refused(self, problems: list[Violation]) -> RegistryError:
        first = sorted(problems)[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return RegistryError(f"{first.file}:{first.line}: {first.rule}: {first.message}{more}; "
                             f"refused at {self.snapshot.label}: run registry-tool validate --ref {self.commit[:12]}")

    def unknown(self, name: str) -> str:
        """The message for a model this commit has no file of, with a "did you mean"."""
        from registry_tool.schema.check import did_you_mean

        known = self.models()
        hint = did_you_mean(name, known)
        if not hint and known:  # a few names are listed; a large registry's are counted, not printed
            hint = f"; models: {', '.join(known)}" if len(known) <= LISTED_MODELS else \
                f"; none of its {len(known):,} models has a close name (registry-tool show lists them)"
        return f"unknown model '{name}' at {self.snapshot.label} (no {self.policy.models_dir}/{name}.yaml){hint}"


MODEL_URI = "models:/"


def parse_model_uri(uri: str) -> tuple[str, str, str]:
    """``models:/faq-bot@champion`` -> ("faq-bot", "@", "champion"); ``models:/faq-bot/1.1.0``
    -> ("faq-bot", "/", "1.1.0"). RegistryError for anything else."""
    rest = uri[len(MODEL_URI):] if uri.startswith(MODEL_URI) else ""
    at, slash = rest.find("@"), rest.find("/")
    cut = min(i for i in (at, slash, len(rest)) if i >= 0)
    name, sep, ref = rest[:cut], rest[cut:cut + 1], rest[cut + 1:]
    if not name or not sep or not ref or "/" in ref or "@" in ref:
        raise RegistryError(f"'{uri}' is not a model URI: models:/MODEL@ALIAS or models:/MODEL/VERSION")
    return name, sep, ref


def parse_stage(value: Stage | str, stages: StageSet = DEFAULT_STAGES, what: str = "stage") -> Stage:
    """A stage the registry declares (by default none, staging, production, archived);
    RegistryError, with a "did you mean", for any other name."""
    if value in stages:
        return Stage(value)
    from registry_tool.schema.check import did_you_mean

    names = [s.value for s in stages.names]
    raise RegistryError(f"unknown {what} '{value}': one of {', '.join(names)}{did_you_mean(str(value), names)}")


def newest_in_stage(model: Model, stage: Stage | str) -> ModelVersion | None:
    """The version at a stage; when several share it (staging), the newest registered one.

    Versions are listed oldest first in the file, so the newest is the last one listed.
    """
    found = model.in_stage(stage)
    return found[-1] if found else None
