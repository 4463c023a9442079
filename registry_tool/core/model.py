"""The document model: a registry model file as typed, immutable values.

Built only from data that already passed the JSON Schema, so construction never has
to guess. Knows nothing of YAML, Git or the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Final, NamedTuple

from registry_tool.core.record import Record

# A stage's name, as registry.yaml declares it (the four defaults are such names).
STAGE_NAME = re.compile(r"[a-z][a-z0-9_-]{0,63}")
# An alias's name (MLflow's convention: champion, challenger, ...).
ALIAS_NAME = re.compile(r"[a-z][a-z0-9-]{0,63}")
_RESERVED_ALIAS = re.compile(r"latest|v[0-9]+")


class _StageType(type):
    """Iterating over :class:`Stage` gives the four default stages (as the enum it once was)."""

    def __iter__(cls) -> Iterator[Stage]:
        return iter(DEFAULT_STAGE_NAMES)

    def __len__(cls) -> int:
        return len(DEFAULT_STAGE_NAMES)


class Stage(str, metaclass=_StageType):
    """A lifecycle stage: a name such as ``production``, ``qa`` or ``production-eu``.

    Which stages exist, in which order and with which properties (unique, final) is the
    policy's business (:class:`registry_tool.core.policy.StageSet`): by default none,
    staging, production and archived. A stage is a ``str``; each name is one object, so
    ``Stage("production") is Stage.PRODUCTION`` holds as it did when this was an enum,
    and ``.value`` is the name. ``Stage("Production")`` raises ValueError: not a stage name.
    """

    __slots__ = ()
    NONE: ClassVar[Stage]
    STAGING: ClassVar[Stage]
    PRODUCTION: ClassVar[Stage]
    ARCHIVED: ClassVar[Stage]
    _interned: ClassVar[dict[str, Stage]] = {}
    _INTERN_LIMIT: ClassVar[int] = 4096  # names beyond this many are not kept (a hostile input cannot grow it)

    def __new__(cls, value: str) -> Stage:
        if isinstance(value, Stage):
            return value
        found = cls._interned.get(value) if isinstance(value, str) else None
        if found is not None:
            return found
        if not isinstance(value, str) or not STAGE_NAME.fullmatch(value):
            raise ValueError(f"{value!r} is not a stage name")
        stage = super().__new__(cls, value)
        if len(cls._interned) < cls._INTERN_LIMIT:
            cls._interned[value] = stage
        return stage

    @property
    def value(self) -> str:
        """The name, as a plain string."""
        return str.__str__(self)

    @property
    def name(self) -> str:
        """``PRODUCTION`` for ``production`` (the enum's member names)."""
        return self.value.upper().replace("-", "_")

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Stage({self.value!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Stage, (self.value,))


Stage.NONE = Stage("none")
Stage.STAGING = Stage("staging")
Stage.PRODUCTION = Stage("production")
Stage.ARCHIVED = Stage("archived")
DEFAULT_STAGE_NAMES: tuple[Stage, ...] = (Stage.NONE, Stage.STAGING, Stage.PRODUCTION, Stage.ARCHIVED)


def reserved_alias(name: str) -> bool:
    """``latest`` and ``v<digits>`` are MLflow's version references, never alias names."""
    return _RESERVED_ALIAS.fullmatch(name) is not None


MetricValue = float | int | bool
# The default of a record's mapping fields: one shared, read-only empty mapping.
EMPTY: Mapping[Any, Any] = MappingProxyType({})

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


class Artifact(NamedTuple):
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


class Binding(NamedTuple):
    provider: str
    provider_model_id: str
    status: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    config: Mapping[str, Any] = EMPTY


class ModelVersion(NamedTuple):
    version: str
    stage: Stage
    artifact: Artifact
    index: int = 0  # type: ignore[assignment]  # its place in the file; shadows tuple.index, which nothing here calls
    description: str | None = None
    run_id: str | None = None
    # The top-level metrics (numbers or booleans) by name; suite results are in ``suites``.
    # The JSON documents (get, show, export, compare) nest them as the file does: metrics.suites.
    metrics: Mapping[str, MetricValue] = EMPTY
    suites: Mapping[str, Mapping[str, MetricValue]] = EMPTY
    tags: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = EMPTY
    bindings: tuple[Binding, ...] = ()

    def metric(self, ref: str) -> MetricValue | None:
        """A metric by reference: ``accuracy`` or ``suite/metric``."""
        suite, name = split_metric(ref)
        if suite is not None:
            return self.suites.get(suite, {}).get(name)
        return self.metrics.get(name)


class Model(Record):
    """A model as its file describes it (built by :func:`model_from_data`)."""

    __slots__ = ("_by_label", "aliases", "description", "metadata", "name", "owner", "tags", "task", "versions")
    _fields = ("name", "versions", "description", "owner", "task", "tags", "metadata", "aliases")
    __hash__ = None  # type: ignore[assignment]  # its metadata and aliases are mappings

    def __init__(self, name: str, versions: tuple[ModelVersion, ...], description: str | None = None,
                 owner: str | None = None, task: str | None = None, tags: tuple[str, ...] = (),
                 metadata: Mapping[str, Any] | None = None, aliases: Mapping[str, str] | None = None) -> None:
        self.name: Final = name
        self.versions: Final = versions
        self.description: Final = description
        self.owner: Final = owner
        self.task: Final = task
        self.tags: Final = tags
        self.metadata: Final[Mapping[str, Any]] = metadata if metadata is not None else {}
        self.aliases: Final[Mapping[str, str]] = aliases if aliases is not None else {}  # alias -> version label
        self._by_label: dict[str, ModelVersion] | None = None

    def replace(self, *, versions: tuple[ModelVersion, ...]) -> Model:
        """The same model with other versions."""
        return Model(self.name, versions, self.description, self.owner, self.task, self.tags, self.metadata,
                     self.aliases)

    @property
    def by_label(self) -> Mapping[str, ModelVersion]:
        """Versions by label (the last one wins if a label repeats, which the validator rejects)."""
        if self._by_label is None:
            self._by_label = {v.version: v for v in self.versions}
        return self._by_label

    def version(self, label: str) -> ModelVersion | None:
        return self.by_label.get(label)

    def in_stage(self, stage: Stage | str) -> list[ModelVersion]:
        stage = Stage(stage)
        return [v for v in self.versions if v.stage == stage]

    def alias(self, name: str) -> ModelVersion | None:
        """The version an alias names (None: no such alias, or it names no version)."""
        label = self.aliases.get(name)
        return self.by_label.get(label) if label is not None else None

    def aliases_of(self, label: str) -> tuple[str, ...]:
        """The aliases naming a version, sorted."""
        return tuple(sorted(a for a, target in self.aliases.items() if target == label))

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
        aliases=dict(data.get("aliases", {})),
    )


def version_from_fields(data: Mapping[str, Any]) -> ModelVersion:
    """A version from schema-valid version data (as a model file lists it)."""
    return _version_from_data(0, data)


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


def flat_metrics(version: ModelVersion) -> dict[str, MetricValue]:
    """Every metric by reference: ``accuracy``, ``core-v1/score``."""
    flat: dict[str, MetricValue] = dict(version.metrics)
    for suite, values in version.suites.items():
        for metric, value in values.items():
            flat[f"{suite}/{metric}"] = value
    return flat


def same_value(a: MetricValue | None, b: MetricValue | None) -> bool:
    """Equal and of the same kind (True is not 1, 1 is 1.0)."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)
