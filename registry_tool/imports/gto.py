"""A GTO registry (iterative/gto): annotated Git tags and ``artifacts.yaml``, read with
pygit2 and translated into the registry's terms the way ``gto show`` reads them.

GTO's tags (gto/tag.py, gto/constants.py in GTO 1.x):

=============================  ==========================================================
``NAME@vX.Y.Z``                register version vX.Y.Z of NAME at the tagged commit
``NAME@vX.Y.Z!``               deregister it
``NAME#STAGE#N``               assign STAGE to the version registered at the tagged commit
``NAME#STAGE!#N``              unassign it
``NAME@deprecated``, ``#N``    deprecate NAME
=============================  ==========================================================

(``#N`` is a counter GTO may add to any of them; ``dir:name`` artifacts are written
``dir=name``.) Only annotated tags count, in the order of their tagger dates. A version's
stages are those whose last tag assigned it; in a stage this registry keeps unique
(production) the version assigned there last wins, as ``gto show`` shows it, and the others
go where ``promote`` would put them; a deregistered version, and every version of a
deprecated artifact, is archived. Labels drop GTO's ``v`` (``v1.2.0`` is ``"1.2.0"``).
"""

from __future__ import annotations

import datetime
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pygit2
import yaml

from registry_tool.core.model import Stage
from registry_tool.core.policy import Policy
from registry_tool.errors import RegistryError
from registry_tool.imports.imported import (
    URI,
    ImportedModel,
    ImportedVersion,
    Source,
    StageMap,
    check_names,
    check_uri,
    model_name,
    text_or_none,
)
from registry_tool.snapshots.git import checked
from registry_tool.yamlfile.nesting import needs_event_scan, scan_events

INDEX = "artifacts.yaml"
# GTO's stage names by the names a registry without declared stages uses for them.
STAGES = {"prod": "production", "production": "production", "stage": "staging", "staging": "staging"}

# gto/constants.py, verbatim (its dirname class "[a-zA-Z0-9-_./]" is a range '9'..'_' in Python's
# re, so GTO accepts more than it means to; a tag GTO reads is a tag we read).
_DIRNAME = "[a-zA-Z0-9-_./]+"
_NAME = r"[a-zA-Z0-9]([a-zA-Z0-9-/_]*[a-zA-Z0-9])?"
_SEMVER = (r"(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
           r"(?:-(?P<prerelease>(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
           r"(?:\+(?P<buildmetadata>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?")
_FULLNAME_IN_TAG = f"(?P<dirname>{_DIRNAME}=)?(?P<name>{_NAME})"
TAG_RE = re.compile(
    f"^(?P<artifact>{_FULLNAME_IN_TAG})(((#(?P<stage>{_NAME})|@(?P<version>v{_SEMVER}))(?P<cancel>!?))"
    r"|@((?P<deprecated>deprecated)|(?P<created>created)))(#(?P<counter>[0-9]+))?$")
DEFAULT_MESSAGES = (  # what GTO writes when no message is given (gto/registry.py)
    re.compile(r"Registering artifact \S+ version \S+"),
    re.compile(r"Deregistering artifact \S+ version \S+"),
    re.compile(r"Assigning stage \S+ to artifact \S+ (version|commit) \S+"),
    re.compile(r"Unassigning stage '\S+' to artifact '\S+' version '\S+'"),
    re.compile(r"Deprecating artifact '\S+'"),
)


@dataclass(frozen=True)
class GtoTag:
    """One annotated tag GTO reads."""

    tag: str
    artifact: str  # dir:name as GTO names it
    action: str  # register, deregister, assign, unassign, deprecate
    commit: str
    tagger: str
    time: int  # seconds since the epoch (the tagger date)
    offset: int  # minutes east of UTC
    message: str = ""
    version: str | None = None  # "v1.2.0"
    stage: str | None = None
    counter: int = 0

    @property
    def when(self) -> str:
        """The tagger date as the tag wrote it; one no date can hold (a tag object made by
        hand may carry any number) as its raw seconds."""
        try:
            zone = datetime.timezone(datetime.timedelta(minutes=self.offset))
            return datetime.datetime.fromtimestamp(self.time, tz=zone).strftime("%Y-%m-%d %H:%M:%S %z")
        except (OverflowError, ValueError, OSError):
            return f"{self.time} s after 1970-01-01 UTC"

    @property
    def told(self) -> str:
        """The tag's line in the import's commit message."""
        what = {"register": f"registered {self.version}", "deregister": f"deregistered {self.version}",
                "assign": f"assigned {self.stage}", "unassign": f"unassigned {self.stage}",
                "deprecate": "deprecated"}[self.action]
        return f"{self.tag}: {what} by {self.tagger} on {self.when}"


@dataclass(frozen=True)
class GtoArtifact:
    """An entry of artifacts.yaml."""

    path: str | None = None
    type: str | None = None
    description: str | None = None
    labels: tuple[str, ...] = ()
    custom: Any = None


@dataclass
class GtoRegistry:
    """What the import read from a repository."""

    path: str
    tags: list[GtoTag]
    index: dict[str, GtoArtifact]  # artifacts.yaml at HEAD
    index_at: dict[str, dict[str, GtoArtifact]]  # artifacts.yaml at each tagged commit
    remote: str | None = None  # the remote's URL as a URI
    notes: list[str] = field(default_factory=list)

    @property
    def source(self) -> Source:
        return Source("GTO", f"tags in {self.path}")


# -- reading --------------------------------------------------------------------------------

def read_registry(path: Path, remote: str = "origin") -> GtoRegistry:
    """GTO's tags, artifacts.yaml at HEAD and at every tagged commit, and the remote's URL."""
    found = pygit2.discover_repository(str(path))
    if found is None:
        raise RegistryError(f"{path} is not in a Git repository: GTO keeps its registry in Git tags")
    repo = pygit2.Repository(str(path))  # from the folder, not its Git directory: a .git file's folder is the work tree
    where = repo.workdir or repo.path
    registry = GtoRegistry(str(Path(where).resolve()), [], {}, {})
    lightweight = 0
    for ref in repo.references.iterator(pygit2.enums.ReferenceFilter.TAGS):
        name = ref.shorthand
        match = TAG_RE.match(name)
        if match is None:
            continue
        target = repo.get(ref.target)
        if not isinstance(target, pygit2.Tag):
            lightweight += 1  # GTO reads annotated tags only
            continue
        parsed = _tag(name, match, target, repo)
        if parsed is not None:
            registry.tags.append(parsed)
    if lightweight:
        registry.notes.append(f"{lightweight} lightweight tag{'s' if lightweight != 1 else ''} named like GTO's left out "
                              "(GTO reads annotated tags only)")
    registry.tags.sort(key=lambda t: (t.time, t.counter, t.tag))
    registry.index = _index(repo, _head(repo), registry.notes)
    for commit in sorted({t.commit for t in registry.tags}):
        registry.index_at[commit] = _index(repo, commit, registry.notes)
    registry.remote = _remote_uri(repo, remote)
    return registry


def _tag(name: str, match: re.Match[str], tag: pygit2.Tag, repo: pygit2.Repository) -> GtoTag | None:
    if match["created"]:
        return None  # GTO parses it but never acts on it
    if match["deprecated"]:
        action = "deprecate"
    elif match["version"]:
        action = "deregister" if match["cancel"] == "!" else "register"
    else:
        action = "unassign" if match["cancel"] == "!" else "assign"
    try:
        commit = str(tag.peel(pygit2.Commit).id)
    except (pygit2.GitError, ValueError, KeyError):
        return None  # a tag of a tree or a blob names no version
    tagger = tag.tagger
    return GtoTag(
        tag=name, artifact=match["artifact"].replace("=", ":"), action=action, commit=commit,
        tagger=f"{tagger.name} <{tagger.email}>" if tagger is not None else "unknown",
        time=tagger.time if tagger is not None else 0, offset=tagger.offset if tagger is not None else 0,
        message=(tag.message or "").strip(), version=match["version"], stage=match["stage"],
        counter=int(match["counter"]) if match["counter"] else 0,
    )


def _head(repo: pygit2.Repository) -> str | None:
    try:
        return str(repo.head.peel(pygit2.Commit).id)
    except (pygit2.GitError, KeyError):
        return None  # no commit yet


def _index(repo: pygit2.Repository, commit: str | None, notes: list[str]) -> dict[str, GtoArtifact]:
    """artifacts.yaml at a commit (empty when there is none, or it cannot be read: as GTO, said)."""
    if commit is None:
        return {}
    try:
        tree = repo[commit].peel(pygit2.Tree)
        entry = tree[INDEX] if INDEX in tree else None  # noqa: SIM401 (a pygit2 Tree has no get)
        blob = repo[entry.id] if entry is not None else None
        data = checked(blob.data, blob.id, INDEX) if isinstance(blob, pygit2.Blob) else None
    except (pygit2.GitError, KeyError, ValueError) as exc:
        raise RegistryError(f"cannot read {INDEX} at {commit[:12]}: {exc}") from None
    if data is None:
        return {}
    _refuse_unbounded(data, commit)
    try:
        loaded = yaml.safe_load(data)
    except yaml.YAMLError:
        notes.append(f"{INDEX} at {commit[:12]} is not valid YAML; left out (as GTO does)")
        return {}
    return {str(name): _artifact(entry) for name, entry in (loaded or {}).items() if isinstance(entry, dict)} \
        if isinstance(loaded, dict) else {}


def _refuse_unbounded(data: bytes, commit: str) -> None:
    """Aliases (a few hundred bytes of them expand to millions of values when the entries are
    copied out) and nesting past the loader's limit (the parser recurses) are refused, as
    in a model file; anything else a YAML reader refuses is left to it."""
    text = data.decode("utf-8", "replace")
    if not needs_event_scan(text):
        return
    for found in scan_events(text, INDEX):
        if found.rule in ("yaml-alias", "yaml-too-deep"):
            raise RegistryError(f"cannot read {INDEX} at {commit[:12]}: line {found.line}, column {found.column}: "
                                f"{found.message}")


def _artifact(entry: Mapping[str, Any]) -> GtoArtifact:
    labels = entry.get("labels") or []
    return GtoArtifact(
        path=str(entry["path"]) if entry.get("path") else None,
        type=str(entry["type"]) if entry.get("type") else None,
        description=str(entry["description"]) if entry.get("description") else None,
        labels=tuple(str(label) for label in labels) if isinstance(labels, list) else (),
        custom=_jsonable(entry.get("custom")),
    )


def _jsonable(value: Any) -> Any:
    """A YAML value as JSON can carry it (dates as ISO text)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _remote_uri(repo: pygit2.Repository, name: str) -> str | None:
    """The remote's URL as a URI: ``git@host:org/repo.git`` as ``ssh://git@host/org/repo.git``,
    a local path as ``file://``."""
    try:
        url = repo.remotes[name].url
    except (KeyError, ValueError, pygit2.GitError):
        return None
    if not url:
        return None
    if URI.fullmatch(url) and "://" in url:
        return url
    scp = re.fullmatch(r"(?:(?P<user>[^@/]+)@)?(?P<host>[^:/]+):(?P<path>.+)", url)
    if scp and not Path(url).exists():
        user = f"{scp['user']}@" if scp["user"] else ""
        return f"ssh://{user}{scp['host']}/{scp['path'].lstrip('/')}"
    base = Path(repo.workdir or repo.path)
    return (base / url).resolve().as_uri()


# -- translating ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Options:
    renames: Mapping[str, str] = field(default_factory=dict)
    stage_map: Mapping[str, str] = field(default_factory=dict)
    template: str | None = None  # --artifact-uri
    remote: str = "origin"


@dataclass
class _Version:
    """A GTO version as its tags leave it."""

    label: str
    gto: str  # v1.2.0, or the commit of a version GTO only knows by its commit
    commit: str
    first: int
    registered: bool = False  # an explicit registration (or deregistration) tag exists
    active: bool = True  # False: deregistered
    description: str | None = None
    stages: dict[str, tuple[bool, int]] = field(default_factory=dict)  # GTO stage -> (assigned, time of its last tag)


@dataclass
class _Artifact:
    name: str
    versions: dict[str, _Version] = field(default_factory=dict)
    deprecated: bool = False
    told: list[tuple[str | None, str]] = field(default_factory=list)  # (version label or None, tag line), by date


def translate(registry: GtoRegistry, policy: Policy, options: Options) -> list[ImportedModel]:
    """GTO's artifacts as models, in this registry's terms."""
    source = registry.source
    artifacts: dict[str, _Artifact] = {}
    for tag in registry.tags:
        artifact = artifacts.setdefault(tag.artifact, _Artifact(tag.artifact))
        _apply(artifact, tag)
    stages = StageMap(source, options.stage_map, STAGES)
    models = [_model(source, registry, a, policy, stages, options) for _, a in sorted(artifacts.items())]
    check_names(models)
    if models and registry.notes:
        models[0].notes[:0] = registry.notes
    return models


def _apply(artifact: _Artifact, tag: GtoTag) -> None:
    """One tag's event, as GTO applies it (gto/base.py, gto/tag.py)."""
    if tag.action == "deprecate":
        artifact.deprecated = True
        artifact.told.append((None, tag.told))
        return
    artifact.deprecated = False  # GTO: the artifact is active when its newest event is not a deprecation
    if tag.action in ("register", "deregister"):
        assert tag.version is not None
        version = artifact.versions.get(tag.version)
        if version is None:
            version = artifact.versions[tag.version] = _Version(tag.version[1:], tag.version, tag.commit, tag.time)
        version.registered = True
        version.active = tag.action == "register"
        if tag.action == "register" and not any(p.fullmatch(tag.message) for p in DEFAULT_MESSAGES):
            version.description = text_or_none(tag.message)
    else:
        assert tag.stage is not None
        version = next((v for v in artifact.versions.values() if v.registered and v.commit == tag.commit), None)
        if version is None:  # a stage assigned to a commit with no registered version: GTO names it by the commit
            version = artifact.versions.setdefault(tag.commit, _Version(tag.commit, tag.commit, tag.commit, tag.time))
        version.stages[tag.stage] = (tag.action == "assign", tag.time)
    artifact.told.append((version.label, tag.told))


def _model(source: Source, registry: GtoRegistry, artifact: _Artifact, policy: Policy, stages: StageMap,
           options: Options) -> ImportedModel:
    name = model_name(source, artifact.name, options.renames)
    entry = registry.index.get(artifact.name, GtoArtifact())
    metadata: dict[str, Any] = dict(entry.custom) if isinstance(entry.custom, dict) else \
        ({"custom": entry.custom} if entry.custom is not None else {})
    if entry.type and entry.type != "model":  # a model file is a model; a dataset or another type is said
        metadata["type"] = entry.type
    model = ImportedModel(name=name, source_name=artifact.name, versions=[], description=entry.description,
                          tags=list(dict.fromkeys(entry.labels)), metadata=metadata, history=list(artifact.told))
    ordered = sorted(artifact.versions.values(), key=lambda v: (v.first, v.label))
    placed = _stages(artifact, ordered, policy, stages)
    for version in ordered:
        model.versions.append(ImportedVersion(
            label=version.label, stage=placed[version.label], source_stage=None,
            artifact={"uri": _uri(source, registry, artifact.name, name, version, options)},
            description=version.description, metadata={"commit": version.commit},
        ))
    if artifact.deprecated:
        model.notes.append(f"{name}: deprecated in GTO; every version imported {policy.stages.archive_stage}")
    return model


def _stages(artifact: _Artifact, versions: list[_Version], policy: Policy, stages: StageMap) -> dict[str, Stage]:
    """Each version's stage: archived when deregistered or deprecated; else the furthest of
    the stages GTO has it in, where a unique stage goes to the version assigned there last."""
    archive = policy.stages.archive_stage or policy.stages.first
    held = {v.label: [(stages.stage(s, policy), when) for s, (on, when) in v.stages.items() if on]
            for v in versions if v.active}
    winners = _last_assigned(held, policy)
    placed: dict[str, Stage] = {}
    for version in versions:
        if artifact.deprecated or not version.active:
            placed[version.label] = archive
        else:
            placed[version.label] = _furthest(held[version.label], version.label, winners, policy)
    return placed


def _last_assigned(held: Mapping[str, list[tuple[Stage, int]]], policy: Policy) -> dict[Stage, str]:
    """The version assigned last to each unique stage (what ``gto show`` shows there)."""
    winners: dict[Stage, str] = {}
    for stage in policy.stages.unique_stages:
        claims = [(when, label) for label, found in held.items() for s, when in found if s == stage]
        if claims:
            winners[stage] = max(claims)[1]
    return winners


def _furthest(found: list[tuple[Stage, int]], label: str, winners: Mapping[Stage, str], policy: Policy) -> Stage:
    """The furthest stage a version holds; one that lost its unique stage goes where
    ``promote`` would have put it; none held: the first stage."""
    mine = {s for s, _ in found if not policy.is_unique(s) or winners.get(s) == label}
    if mine:
        return max(mine, key=policy.stages.index)
    lost = [s for s, _ in found if policy.is_unique(s)]
    if lost:
        return policy.demote_target(lost[0]) or policy.stages.first
    return policy.stages.first


def _uri(source: Source, registry: GtoRegistry, artifact: str, name: str, version: _Version, options: Options) -> str:
    entry = registry.index_at.get(version.commit, {}).get(artifact)
    path = entry.path if entry is not None else None
    where = f"{artifact} {version.gto}"
    if options.template is None and path is not None and URI.fullmatch(path):
        return check_uri(source, where, path)
    template = options.template or ("git+{remote}@{commit}#{path}" if path else "git+{remote}@{commit}")
    values = {"name": name, "version": version.label, "tag": f"{artifact.replace(':', '=')}@{version.gto}",
              "commit": version.commit, "path": path, "remote": registry.remote}
    for _, field_name, _, _ in string.Formatter().parse(template):
        if field_name is None:
            continue
        if field_name not in values:
            raise RegistryError(f"--artifact-uri {template}: unknown placeholder {{{field_name}}} "
                                "(use {name}, {version}, {tag}, {commit}, {path}, {remote})")
        if values[field_name] is None:
            raise RegistryError(_missing(field_name, where, template, options.remote))
    return check_uri(source, where, template.format_map(values))


def _missing(field_name: str, where: str, template: str, remote: str) -> str:
    if field_name == "remote":
        return (f"GTO {where}: the repository has no remote '{remote}' to name its artifacts by; give --remote NAME, "
                "or --artifact-uri TEMPLATE (e.g. 's3://models/{name}/{version}')")
    return f"GTO {where}: artifacts.yaml at its commit gives no path for --artifact-uri {template}"
