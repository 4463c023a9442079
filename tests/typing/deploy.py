"""A deploy script written against the documented Python API only.

tests/test_packaging.py type-checks it with ``mypy --strict`` against the installed
package: every name the README documents must be visible to a type checker.
"""

from __future__ import annotations

import registry_tool
from registry_tool import (
    Artifact,
    Model,
    ModelVersion,
    NotFound,
    RegistryError,
    RegistrySnapshot,
    Stage,
    open_registry,
)
from registry_tool.history import read_history, registry_provenance, stage_provenance


def production_uri(path: str, model: str, rev: str = "HEAD") -> str | None:
    snap: RegistrySnapshot = open_registry(path).at(rev)
    found: Model = snap.model(model)
    version: ModelVersion | None = found.production
    if version is None:
        return None
    artifact: Artifact = version.artifact
    accuracy: float | int | bool | None = version.metric("accuracy")
    print(snap.commit, version.version, version.stage.value, accuracy, version.tags)
    return artifact.uri


def canary(path: str, model: str) -> str:
    snap = registry_tool.open_registry(path).at("main")
    try:
        picked = snap.version(model, stage=Stage.STAGING)
    except NotFound as exc:
        return f"none: {exc} ({exc.exit_code})"
    except RegistryError as exc:
        return f"refused: {exc.message}"
    return picked.version


def audit(path: str, model: str) -> list[str]:
    store = open_registry(path).store
    head = store.resolve("HEAD")
    found = read_history(store, head, model=model, limit=10)
    lines = [f"{e.commit.time} {e.kind} {e.change.version}" for e in found.events]
    for label, event in stage_provenance(store, head, model).items():
        lines.append(f"{label}: {event.commit.author.name}")
    lines.extend(sorted(registry_provenance(store, head)))
    return lines


def champion_uri(path: str, model: str) -> str:
    snap = open_registry(path).at("HEAD")
    named: dict[str, str] = dict(snap.model(model).aliases)
    version: ModelVersion = snap.version(model, alias="champion")
    same: tuple[Model, ModelVersion] = snap.resolve(f"models:/{model}@champion")
    region: Stage = Stage("production-eu")
    unique: bool = snap.policy.stages.unique(region)
    print(named, same[1].version, unique, snap.policy.is_final(Stage.ARCHIVED))
    return version.artifact.uri
