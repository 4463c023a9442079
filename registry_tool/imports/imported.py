"""What an import brings, in the registry's terms, before it touches a file: models and
versions as another registry holds them, named and staged the way this registry names and
stages things, and the small translations every source needs (names and ``--rename``,
stage maps, tags and metrics that are not valid here, versions competing for a unique
stage).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from registry_tool.core.model import Stage, metric_tree
from registry_tool.core.names import is_model_name, name_problem
from registry_tool.core.policy import Policy
from registry_tool.errors import EXIT_VIOLATIONS, RegistryError
from registry_tool.read.api import parse_stage
from registry_tool.yamlfile import render

# The model schema's forms (schemas/model.schema.json), for what an import checks before
# writing: a source that is not a URI is refused with the version that holds it.
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
URI_MAX = 2048
TAG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/=+-]*")
TAG_MAX = 100
METRIC = re.compile(r"[A-Za-z_][A-Za-z0-9_@%-]*")
SUITE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
METRIC_MAX = 100
RUN_ID = re.compile(r"\S+")
RUN_ID_MAX = 200


@dataclass
class ImportedVersion:
    """One version as the model file will list it."""

    label: str
    stage: Stage
    artifact: dict[str, Any]
    description: str | None = None
    run_id: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)  # a metric tree: {name: value, suites: {...}}
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    source_stage: str | None = None  # the stage as the source named it ("Production", "prod")

    def fields(self) -> dict[str, Any]:
        """The version's item in the model file (keys the source has, nothing else)."""
        out: dict[str, Any] = {"version": self.label, "stage": self.stage.value}
        if self.description:
            out["description"] = self.description
        out["artifact"] = dict(self.artifact)
        if self.run_id:
            out["run_id"] = self.run_id
        for key in ("metrics", "tags", "metadata"):
            value = getattr(self, key)
            if value:
                out[key] = value
        return out


@dataclass
class ImportedModel:
    """One model as the source holds it, named as its model file will be."""

    name: str
    source_name: str  # as the source names it (before --rename)
    versions: list[ImportedVersion]
    description: str | None = None
    owner: str | None = None
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> version label
    # who did what when, as the source recorded it (the commit message): (version label, or
    # None for the model, line), in the source's order
    history: list[tuple[str | None, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the import changed on the way (renamed metrics, ...)

    def data(self) -> dict[str, Any]:
        """The model file's mapping."""
        out: dict[str, Any] = {"name": self.name}
        for key in ("description", "owner", "tags", "metadata", "aliases"):
            value = getattr(self, key)
            if value:
                out[key] = value
        out["versions"] = [v.fields() for v in self.versions]
        return out

    def version(self, label: str) -> ImportedVersion | None:
        return next((v for v in self.versions if v.label == label), None)


@dataclass(frozen=True)
class Source:
    """Where an import reads from, for messages: ``MLflow at http://...``, ``GTO tags in /repo``."""

    kind: str  # "MLflow", "GTO"
    where: str

    def __str__(self) -> str:
        return f"{self.kind} {self.where}"


class UniqueStageConflict(RegistryError):
    """The source holds several versions of a model in a stage this registry keeps unique."""

    exit_code = EXIT_VIOLATIONS

    def __init__(self, source: Source, conflicts: list[tuple[str, str, list[str]]], hint: str) -> None:
        self.source = source
        self.conflicts = conflicts  # (model, source stage, labels)
        self.hint = hint
        n = len(conflicts)
        listed = "; ".join(f"{model} {', '.join(labels)} in {stage}" for model, stage, labels in conflicts)
        super().__init__(f"{source.kind} holds several versions of {n} model{'s' if n != 1 else ''} in a stage this "
                         f"registry keeps unique ({listed}); {hint}")


# -- names ------------------------------------------------------------------------------------

def parse_renames(items: Iterable[str]) -> dict[str, str]:
    """``--rename OLD=NEW`` (repeatable) as {OLD: NEW}; NEW must be a model name here."""
    renames: dict[str, str] = {}
    for item in items:
        old, sep, new = item.rpartition("=")
        if not sep or not old or not new:
            raise RegistryError(f"--rename takes OLD=NEW, not '{item}'")
        problem = name_problem(new)
        if problem is not None:
            raise RegistryError(f"--rename {item}: '{new}' is not a model name: {problem}")
        renames[old] = new
    return renames


def suggested_name(name: str) -> str:
    """A model name close to ``name``: lower case, runs of other characters as one '-'."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    return "-".join(words)[:100].strip("-._") or "model"


def model_name(source: Source, name: str, renames: Mapping[str, str]) -> str:
    """The model file name for a source model: renamed, or as it is when that is a valid name."""
    if name in renames:
        return renames[name]
    if is_model_name(name):
        return name
    hint = suggested_name(name)
    raise RegistryError(f"{source.kind} model '{name}' is not a valid model file name here (lower-case letters and "
                        f"digits separated by single '.', '_' or '-'); give --rename '{name}={hint}'")


def check_names(models: list[ImportedModel]) -> None:
    """No two source models may land in one model file."""
    seen: dict[str, str] = {}
    for model in models:
        other = seen.get(model.name)
        if other is not None:
            raise RegistryError(f"'{other}' and '{model.source_name}' would both be models/{model.name}.yaml; "
                                "give one of them another name with --rename")
        seen[model.name] = model.source_name


# -- stages -----------------------------------------------------------------------------------

def parse_stage_map(items: Iterable[str]) -> dict[str, str]:
    """``--stage-map FROM=TO[,FROM=TO...]`` (repeatable) as {FROM: TO}."""
    mapping: dict[str, str] = {}
    for item in items:
        for pair in item.split(","):
            source, sep, target = pair.strip().partition("=")
            if not sep or not source.strip() or not target.strip():
                raise RegistryError(f"--stage-map takes FROM=TO pairs separated by commas (prod=production,dev=none), not '{item}'")
            mapping[source.strip()] = target.strip()
    return mapping


@dataclass(frozen=True)
class StageMap:
    """How a source's stage names become this registry's stages: ``--stage-map`` first, then a
    stage this registry declares under the same name, then the source's usual names."""

    source: Source
    given: Mapping[str, str]
    defaults: Mapping[str, str]

    def stage(self, name: str, policy: Policy) -> Stage:
        if name in self.given:
            return parse_stage(self.given[name], policy.stages, f"stage in --stage-map {name}={self.given[name]}")
        if name in policy.stages:
            return Stage(name)
        target = self.defaults.get(name)
        if target is not None and target in policy.stages:
            return Stage(target)
        declared = ", ".join(s.value for s in policy.stages.names)
        raise RegistryError(f"{self.source.kind} stage '{name}' is not a stage of this registry ({declared}): "
                            f"give --stage-map {name}=STAGE, or declare it in registry.yaml (stages)")


def settle_unique_stages(source: Source, models: list[ImportedModel], policy: Policy, resolve: str | None,
                         option: str) -> None:
    """Several versions of a model in a unique stage (MLflow allows two in Production): a
    refusal listing them all, or with ``resolve == "newest"`` the newest one stays and the
    others go where ``promote`` would put them (the policy's demote_to)."""
    conflicts: list[tuple[str, str, list[str]]] = []
    for model in models:
        for stage in policy.stages.unique_stages:
            found = [v for v in model.versions if v.stage == stage]
            if len(found) < 2:
                continue
            if resolve != "newest":
                named = sorted({v.source_stage or stage.value for v in found})
                conflicts.append((model.source_name, "/".join(named), [v.label for v in found]))
                continue
            target = policy.demote_target(stage) or policy.stages.first
            for version in found[:-1]:
                version.stage = target
                model.notes.append(f"{model.name} {version.label} is in {version.source_stage or stage} in {source.kind} "
                                   f"beside the newer {found[-1].label}: imported in {target} (--{option} newest)")
    if conflicts:
        raise UniqueStageConflict(source, conflicts, f"move the others out in {source.kind} first, or give --{option} "
                                  "newest (the newest stays, the others go to the stage promote demotes to)")


# -- values that must fit the schema ----------------------------------------------------------

def check_uri(source: Source, where: str, uri: str) -> str:
    if len(uri) > URI_MAX or not URI.fullmatch(uri):
        raise RegistryError(f"{source.kind} {where}: its artifact source {uri!r} is not a URI (scheme:path, such as "
                            "s3://bucket/model or runs:/ID/model); registry-tool's artifact.uri must be one")
    return uri


def split_tags(pairs: Iterable[tuple[str, str]]) -> tuple[list[str], dict[str, str]]:
    """Key/value tags as registry-tool keeps them: a key with an empty value that is a valid
    tag becomes a tag; every other pair (key=value) goes into metadata, keyed as it is."""
    tags: list[str] = []
    metadata: dict[str, str] = {}
    for key, value in sorted(pairs):
        if value == "" and len(key) <= TAG_MAX and TAG.fullmatch(key):
            tags.append(key)
        else:
            metadata[key] = value
    return tags, metadata


def metric_values(pairs: Iterable[tuple[str, float]], where: str, notes: list[str]) -> dict[str, Any]:
    """Metrics as a metric tree: a valid name as it is, ``suite/name`` as a suite's result,
    any other name with its other characters as '_' (said in ``notes``); values that are
    not finite (NaN, infinity) cannot be written and are left out (also said)."""
    pairs = sorted(pairs)
    taken = {key for key, _ in pairs}
    refs: list[tuple[str, Any]] = []
    for key, value in pairs:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            notes.append(f"{where}: metric {key} = {value} left out (not a finite number)")
            continue
        ref = _metric_ref(key)
        if ref is None or (ref != key and ref in taken):
            notes.append(f"{where}: metric {key!r} left out (not a metric name here, and no close name is free)")
            continue
        if ref != key:
            notes.append(f"{where}: metric {key!r} imported as {ref}")
        taken.add(ref)
        refs.append((ref, value))
    return metric_tree(refs)


def _metric_ref(key: str) -> str | None:
    if key == "suites":  # the key that holds the suites' results
        return "suites_"
    if len(key) <= METRIC_MAX and METRIC.fullmatch(key):
        return key
    suite, sep, name = key.partition("/")
    if sep and "/" not in name and SUITE.fullmatch(suite) and len(suite) <= METRIC_MAX and METRIC.fullmatch(name):
        return key
    cleaned = re.sub(r"[^A-Za-z0-9_@%-]", "_", key)
    cleaned = cleaned if re.match(r"[A-Za-z_]", cleaned) else "_" + cleaned
    return cleaned if len(cleaned) <= METRIC_MAX else None


def text_or_none(text: str | None) -> str | None:
    """Free text from a source as the model file keeps it: stripped, None when empty."""
    if text is None or not text.strip():
        return None
    return text.strip()


def shown(value: Any) -> str:
    """A value as a message shows it."""
    return render.scalar(value) if not isinstance(value, (dict, list)) else render.flow(value)
