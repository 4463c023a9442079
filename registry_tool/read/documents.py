"""The JSON documents of the read path: one version (``get``), the whole registry (``export``).

Plain dicts built from the typed model, so the CLI and Python callers see the same
shapes. The keys are a contract, documented in the README and pinned by tests:

* a version: ``version``, ``stage``, ``artifact``, ``metrics``, ``tags``, ``metadata``
  always; ``description``, ``run_id``, ``bindings`` when the file sets them;
* ``get`` adds ``model`` and ``commit`` (the resolved sha); a row of ``show --format json``
  adds ``model`` (and, with history, when and by whom it reached its stage);
* ``export``: ``commit``, ``schema_version``, ``models`` (by name); a model has ``name``,
  ``tags``, ``metadata``, ``aliases`` (alias -> version label) and ``versions`` always,
  ``description``, ``owner``, ``task`` when the file sets them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from registry_tool.core.model import ARTIFACT_KEYS, BINDING_KEYS, VERSION_KEYS, Binding, Model, ModelVersion
from registry_tool.errors import RegistryError


class Exportable(Protocol):
    """What :func:`export_document` reads: a :class:`~registry_tool.read.api.RegistrySnapshot`."""

    commit: str

    def all_models(self) -> list[Model]: ...

    def each_model(self) -> Iterator[Model]: ...

VERSION_OPTIONAL_KEYS = frozenset(["description", "run_id", "bindings"])  # the rest of VERSION_KEYS is always there
GET_KEYS = frozenset(VERSION_KEYS) | {"model", "commit"}  # every key a ``get`` document may have
SCALAR_FIELDS = frozenset({"model", "version", "stage", "description", "run_id", "commit"})


def check_field(path: str, prefix: str | None = None, known: Iterable[str] = GET_KEYS) -> None:
    """A field path outside the document's shape is a usage error (exit 2) with a "did you
    mean", not "nothing found". ``prefix`` starts the message (default ``--field PATH``)."""
    prefix = prefix if prefix is not None else f"--field {path}"
    parts = path.split(".")
    if "" in parts:
        raise RegistryError(f"{prefix}: an empty part; fields are joined with single dots (metrics.accuracy)")
    heads = sorted(known)
    head, rest = parts[0], parts[1:]
    if head not in heads:
        raise RegistryError(f"{prefix}: '{head}' is not a field{field_hint(head, heads, listing=True)}")
    _check_below(head, rest, prefix)


def _check_below(head: str, rest: list[str], prefix: str) -> None:
    """The parts of a field path below its first one, where the shape fixes them."""
    if head in SCALAR_FIELDS and rest:
        raise RegistryError(f"{prefix}: {head} is a single value, with no fields below it")
    if head == "artifact" and rest and (rest[0] not in ARTIFACT_KEYS or len(rest) > 1):
        raise RegistryError(f"{prefix}: not an artifact field{field_hint(rest[0], list(ARTIFACT_KEYS), listing=True)}")
    if head in ("tags", "bindings") and rest and not rest[0].isdigit():
        raise RegistryError(f"{prefix}: {head} is a list: {head}.0, {head}.1, ... name its items")
    if head == "bindings" and len(rest) > 1 and rest[1] not in BINDING_KEYS:
        raise RegistryError(f"{prefix}: not a binding field{field_hint(rest[1], list(BINDING_KEYS), listing=True)}")


def field_hint(value: str, options: list[str], *, listing: bool = False) -> str:
    """The "did you mean" ending of a message about a field name that is not one of ``options``."""
    from registry_tool.schema.check import did_you_mean  # only on an error

    return did_you_mean(value, options, listing=listing)


def binding_dict(binding: Binding) -> dict[str, Any]:
    out: dict[str, Any] = {"provider": binding.provider, "provider_model_id": binding.provider_model_id}
    for key in ("status", "region", "endpoint_url"):
        value = getattr(binding, key)
        if value is not None:
            out[key] = value
    if binding.config:
        out["config"] = dict(binding.config)
    return out


def version_dict(version: ModelVersion) -> dict[str, Any]:
    """One version as the model file states it (suite results under ``metrics.suites``)."""
    metrics: dict[str, Any] = dict(version.metrics)
    if version.suites:
        metrics["suites"] = {name: dict(results) for name, results in version.suites.items()}
    out: dict[str, Any] = {
        "version": version.version,
        "stage": version.stage.value,
        "artifact": version.artifact.to_dict(),
        "metrics": metrics,
        "tags": list(version.tags),
        "metadata": dict(version.metadata),
    }
    if version.description is not None:
        out["description"] = version.description
    if version.run_id is not None:
        out["run_id"] = version.run_id
    if version.bindings:
        out["bindings"] = [binding_dict(b) for b in version.bindings]
    return out


def version_document(model: Model, version: ModelVersion) -> dict[str, Any]:
    """A version with its model's name: a row of ``show --format json``, what ``show --where`` reads."""
    return {"model": model.name, **version_dict(version)}


def get_document(model: Model, version: ModelVersion, commit: str) -> dict[str, Any]:
    """What ``registry-tool get`` prints: the version, its model's name and the commit."""
    return {"commit": commit, **version_document(model, version)}


def model_dict(model: Model) -> dict[str, Any]:
    out: dict[str, Any] = {"name": model.name}
    for key in ("description", "owner", "task"):
        value = getattr(model, key)
        if value is not None:
            out[key] = value
    out["tags"] = list(model.tags)
    out["metadata"] = dict(model.metadata)
    out["aliases"] = dict(model.aliases)
    out["versions"] = [version_dict(v) for v in model.versions]
    return out


def export_document(snap: Exportable) -> dict[str, Any]:
    """The whole registry at one commit; every model file is checked first."""
    from registry_tool.schema.check import SCHEMA_VERSION

    return {
        "commit": snap.commit,
        "schema_version": SCHEMA_VERSION,
        "models": {m.name: model_dict(m) for m in snap.all_models()},
    }


def export_parts(snap: Exportable) -> tuple[dict[str, Any], Iterator[tuple[str, dict[str, Any]]]]:
    """:func:`export_document` in parts, for a writer that keeps one model at a time: the
    document without its models, and (name, model) in name order, each checked as it comes."""
    from registry_tool.schema.check import SCHEMA_VERSION

    return {"commit": snap.commit, "schema_version": SCHEMA_VERSION}, ((m.name, model_dict(m)) for m in snap.each_model())


def field_of(document: dict[str, Any], path: str) -> Any:
    """The value at a dotted path (``artifact.uri``, ``metrics.suites.core-v1.score``,
    ``bindings.0.provider_model_id``); KeyError when there is none."""
    value: Any = document
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise KeyError(path)
    return value
