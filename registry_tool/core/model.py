"""The document model: a registry model file as typed, immutable values.

Built only from data that already passed the JSON Schema, so construction never has
to guess. Knows nothing of YAML, Git or the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Any, Mapping


class Stage(str, Enum):
    NONE = "none"
    STAGING = "staging"
    PRODUCTION = "production"
    ARCHIVED = "archived"

    def __str__(self) -> str:
        return self.value


MetricValue = float | int | bool

# The keys of a model, of a version and of its artifact, in the order the model file lists them.
MODEL_KEYS = ("name", "description", "owner", "task", "tags", "metadata", "aliases", "versions")
VERSION_KEYS = ("version", "stage", "description", "artifact", "run_id", "metrics", "tags", "metadata", "bindings")
ARTIFACT_KEYS = ("uri", "sha256", "size_bytes", "format")
BINDING_KEYS = ("provider", "provider_model_id", "status", "region", "endpoint_url", "config")


def split_metric(ref: str) -> tuple[str | None, str]:
    """A metric reference as (suite, name): ``accuracy`` -> (None, "accuracy"),
    ``core-v1/score`` -> ("core-v1", "score")."""
    suite, sep, name = ref.rpartition("/")
    return (suite, name) if sep else (None, name)


def metric_tree(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Metric references and values as a model file writes them:
    [(accuracy, 0.9), (core-v1/score, 0.8)] -> {accuracy: 0.9, suites: {core-v1: {score: 0.8}}}."""
    out: dict[str, Any] = {}
    suites: dict[str, dict[str, Any]] = {}
    for ref, value in pairs:
        suite, name = split_metric(ref)
        if suite is not None:
            suites.setdefault(suite, {})[name] = value
        else:
            out[name] = value
    if suites:
        out["suites"] = suites  # suites last, as the README writes them
    return out


@dataclass(frozen=True)
class Artifact:
    uri: str
    sha256: str | None = None
    size_bytes: int | None = None
    format: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"uri": self.uri}
        for key in ARTIFACT_KEYS[1:]:
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


@dataclass(frozen=True)
class Binding:
    provider: str
    provider_model_id: str
    status: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    config: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelVersion:
    version: str
    stage: Stage
    artifact: Artifact
    index: int = 0
    description: str | None = None
    run_id: str | None = None
    # The top-level metrics (numbers or booleans) by name; suite results are in ``suites``.
    # The JSON documents (get, show, export, compare) nest them as the file does: metrics.suites.
    metrics: Mapping[str, MetricValue] = field(default_factory=dict)
    suites: Mapping[str, Mapping[str, MetricValue]] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    bindings: tuple[Binding, ...] = ()

    def metric(self, ref: str) -> MetricValue | None:
        """A metric by reference: ``accuracy`` or ``suite/metric``."""
        suite, name = split_metric(ref)
        if suite is not None:
            return self.suites.get(suite, {}).get(name)
        return self.metrics.get(name)


@dataclass(frozen=True)
class Model:
    name: str
    versions: tuple[ModelVersion, ...]
    description: str | None = None
    owner: str | None = None
    task: str | None = None
    tags: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @cached_property
    def by_label(self) -> Mapping[str, ModelVersion]:
        """Versions by label (the last one wins if a label repeats, which the validator rejects)."""
        return {v.version: v for v in self.versions}

    def version(self, label: str) -> ModelVersion | None:
        return self.by_label.get(label)

    def in_stage(self, stage: Stage | str) -> list[ModelVersion]:
        stage = Stage(stage)
        return [v for v in self.versions if v.stage is stage]

    @property
    def production(self) -> ModelVersion | None:
        """The production version (the validator guarantees there is at most one)."""
        found = self.in_stage(Stage.PRODUCTION)
        return found[0] if found else None

    @property
    def staging(self) -> list[ModelVersion]:
        return self.in_stage(Stage.STAGING)


def model_from_data(data: Mapping[str, Any]) -> Model:
    """Build a :class:`Model` from schema-valid data."""
    return Model(
        name=data["name"],
        versions=tuple(_version_from_data(i, v) for i, v in enumerate(data["versions"])),
        description=data.get("description"),
        owner=data.get("owner"),
        task=data.get("task"),
        tags=tuple(data.get("tags", ())),
        metadata=data.get("metadata", {}),
    )


def _version_from_data(index: int, data: Mapping[str, Any]) -> ModelVersion:
    art = data["artifact"]
    size = art.get("size_bytes")
    metrics = dict(data.get("metrics", {}))
    suites = metrics.pop("suites", {})
    return ModelVersion(
        version=data["version"],
        stage=Stage(data["stage"]),
        artifact=Artifact(
            uri=art["uri"],
            sha256=art.get("sha256"),
            size_bytes=int(size) if size is not None else None,
            format=art.get("format"),
        ),
        index=index,
        description=data.get("description"),
        run_id=data.get("run_id"),
        metrics=metrics,
        suites=suites,
        tags=tuple(data.get("tags", ())),
        metadata=data.get("metadata", {}),
        bindings=tuple(
            Binding(
                provider=b["provider"],
                provider_model_id=b["provider_model_id"],
                status=b.get("status"),
                region=b.get("region"),
                endpoint_url=b.get("endpoint_url"),
                config=b.get("config", {}),
            )
            for b in data.get("bindings", ())
        ),
    )
