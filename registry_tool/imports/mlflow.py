"""An MLflow Model Registry, read through MLflow's REST API (no MLflow package needed), and
translated into the registry's terms.

Read: ``registered-models/search`` (or ``registered-models/get`` for named models), then
``model-versions/search`` and ``runs/get`` for each version's run, every listing followed
page by page. Credentials and TLS settings come from the variables MLflow's own clients
read: ``MLFLOW_TRACKING_TOKEN`` (a bearer token) or ``MLFLOW_TRACKING_USERNAME`` and
``MLFLOW_TRACKING_PASSWORD`` (HTTP basic); ``MLFLOW_TRACKING_SERVER_CERT_PATH`` (a CA
bundle), ``MLFLOW_TRACKING_INSECURE_TLS=true`` (no verification; said on every run).

Translated: a registered model is a model file; its versions keep MLflow's numbers as
labels, in MLflow's order; ``source`` is the artifact's URI (the artifact is an MLflow
model, ``format: mlflow``), ``run_id`` and description as they are, the run's latest
metric values as metrics, tags as tags (a key without a value) or metadata (key=value);
aliases as aliases; the legacy stages None, Staging, Production, Archived as none, staging,
production, archived (or as ``--stage-map`` says).
"""

from __future__ import annotations

import datetime
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from registry_tool.core.policy import Policy
from registry_tool.errors import RegistryError
from registry_tool.imports.http import Credentials, HttpError, JsonClient
from registry_tool.imports.imported import (
    RUN_ID,
    RUN_ID_MAX,
    ImportedModel,
    ImportedVersion,
    Source,
    StageMap,
    check_names,
    check_uri,
    metric_values,
    model_name,
    settle_unique_stages,
    split_tags,
    text_or_none,
)

API = "/api/2.0/mlflow"
MODELS_PAGE = 1000  # registered-models/search allows at most 1000 a page
VERSIONS_PAGE = 10000  # model-versions/search allows more; one page is a few MB at most
STAGES = {"None": "none", "Staging": "staging", "Production": "production", "Archived": "archived"}
PROMPT_TAG = "mlflow.prompt.is_prompt"  # MLflow 3 keeps prompts as registered models with this tag


@dataclass(frozen=True)
class MlflowVersion:
    name: str
    version: str
    stage: str
    source: str
    description: str = ""
    run_id: str = ""
    status: str = "READY"
    user_id: str = ""
    created: int = 0  # milliseconds since the epoch
    updated: int = 0  # the last change (a stage move, a tag, ...)
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MlflowModel:
    name: str
    description: str = ""
    user_id: str = ""
    tags: tuple[tuple[str, str], ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)
    versions: tuple[MlflowVersion, ...] = ()


@dataclass(frozen=True)
class MlflowRun:
    run_id: str
    metrics: Mapping[str, float]  # the latest value of each metric


@dataclass
class MlflowRegistry:
    """What the import read from one MLflow tracking server."""

    uri: str
    models: list[MlflowModel]
    runs: dict[str, MlflowRun | None]  # None: the run is gone (deleted and collected)
    requests: int = 0

    @property
    def source(self) -> Source:
        return Source("MLflow", f"at {self.uri}")


# -- the connection -------------------------------------------------------------------------

def client(uri: str, environ: Mapping[str, str], warnings: list[str]) -> JsonClient:
    """A client for the tracking server at ``uri``, with credentials and TLS settings from
    the environment as MLflow's clients read them."""
    parsed = urllib.parse.urlsplit(uri)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise RegistryError(f"--tracking-uri {uri}: registry-tool reads MLflow through its REST API; give the "
                            "tracking server's http:// or https:// address (a local store can be served with "
                            "mlflow server --backend-store-uri ...)")
    if parsed.query or parsed.fragment:
        raise RegistryError(f"--tracking-uri {uri}: give the server's address without a query or fragment")
    token = environ.get("MLFLOW_TRACKING_TOKEN") or None
    username = environ.get("MLFLOW_TRACKING_USERNAME") or None
    if token:
        credentials = Credentials(token=token, source="MLFLOW_TRACKING_TOKEN")
    elif username:
        credentials = Credentials(username=username, password=environ.get("MLFLOW_TRACKING_PASSWORD", ""),
                                  source="MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD")
    else:
        credentials = Credentials()
    insecure = environ.get("MLFLOW_TRACKING_INSECURE_TLS", "").lower() == "true"
    if insecure and parsed.scheme == "https":
        warnings.append("MLFLOW_TRACKING_INSECURE_TLS=true: the server's TLS certificate is not verified")
    return JsonClient(uri, credentials=credentials, cafile=environ.get("MLFLOW_TRACKING_SERVER_CERT_PATH") or None,
                      verify=not insecure, what=f"MLflow at {uri}",
                      tls_hint="give the CA bundle that signed it in MLFLOW_TRACKING_SERVER_CERT_PATH",
                      auth_hint="set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD")


# -- reading --------------------------------------------------------------------------------

def read_registry(api: JsonClient, names: Sequence[str] = (), *, models_page: int = MODELS_PAGE,
                  versions_page: int = VERSIONS_PAGE) -> MlflowRegistry:
    """Every registered model (or those named), its versions and their runs."""
    if names:
        heads = [_registered_model(api, name) for name in dict.fromkeys(names)]
        versions = {name: list(_versions(api, name, versions_page)) for name in dict.fromkeys(names)}
    else:
        heads = list(_pages(api, "/registered-models/search", "registered_models", models_page))
        versions = {}
        for item in _pages(api, "/model-versions/search", "model_versions", versions_page):
            versions.setdefault(str(item.get("name", "")), []).append(item)
    models = [_model(api.what, head, versions.get(str(head.get("name", "")), [])) for head in heads]
    models = [m for m in models if dict(m.tags).get(PROMPT_TAG, "").lower() != "true"]
    runs: dict[str, MlflowRun | None] = {}
    for run_id in sorted({v.run_id for m in models for v in m.versions if v.run_id}):
        runs[run_id] = _run(api, run_id)
    return MlflowRegistry(api.base_url, sorted(models, key=lambda m: m.name), runs, api.requests)


def _pages(api: JsonClient, path: str, key: str, size: int, params: Mapping[str, str] | None = None) -> Iterator[dict[str, Any]]:
    token: str | None = None
    seen: set[str] = set()
    while True:
        query: dict[str, str | int] = {"max_results": size, **(params or {})}
        if token:
            query["page_token"] = token
        page = api.get(API + path, query)
        items = page.get(key, [])
        if not isinstance(items, list):
            raise RegistryError(f"{api.what} answered {path} without a list of {key}")
        yield from (item for item in items if isinstance(item, dict))
        token = page.get("next_page_token") or None
        if token is None:
            return
        if not isinstance(token, str):
            raise RegistryError(f"{api.what} answered {path.lstrip('/')}: next_page_token is {type(token).__name__}, "
                                "not text")
        if token in seen:
            raise RegistryError(f"{api.what} repeated a page token for {path}: the listing does not end")
        seen.add(token)


def _registered_model(api: JsonClient, name: str) -> dict[str, Any]:
    try:
        found = api.get(API + "/registered-models/get", {"name": name}).get("registered_model")
    except HttpError as exc:
        if exc.status == 404 or exc.code == "RESOURCE_DOES_NOT_EXIST":
            raise RegistryError(f"{api.what} has no registered model '{name}'", exit_code=1) from None
        raise
    if not isinstance(found, dict):
        raise RegistryError(f"{api.what} answered registered-models/get without a registered model for '{name}'")
    return found


def _versions(api: JsonClient, name: str, size: int) -> Iterator[dict[str, Any]]:
    """A model's versions: filtered by name on the server, quoting it as MLflow's filter
    syntax allows (a name with both quote characters is filtered here instead)."""
    if "'" in name and '"' in name:
        yield from (v for v in _pages(api, "/model-versions/search", "model_versions", size) if v.get("name") == name)
        return
    quote = '"' if "'" in name else "'"
    yield from _pages(api, "/model-versions/search", "model_versions", size, {"filter": f"name = {quote}{name}{quote}"})


def _run(api: JsonClient, run_id: str) -> MlflowRun | None:
    try:
        run = api.get(API + "/runs/get", {"run_id": run_id}).get("run")
    except HttpError as exc:
        if exc.status == 404 or exc.code == "RESOURCE_DOES_NOT_EXIST":
            return None
        raise
    data = run.get("data", {}) if isinstance(run, dict) else {}
    metrics: dict[str, float] = {}
    for item in _listed(data, "metrics", f"{api.what} answered runs/get: run {run_id}") if isinstance(data, dict) else []:
        if isinstance(item.get("key"), str):
            value = _number(item.get("value"))
            if value is not None:
                metrics[item["key"]] = value
    return MlflowRun(run_id, metrics)


def _number(value: Any) -> float | None:
    """A metric value as the REST API writes it: a JSON number, or "NaN", "Infinity" and
    "-Infinity" as strings (protobuf's JSON for what JSON has no number for)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if value in ("NaN", "Infinity", "-Infinity"):
        return float(value)
    return None


def _model(what: str, head: Mapping[str, Any], versions: list[dict[str, Any]]) -> MlflowModel:
    name = str(head.get("name", ""))
    where = f"{what} answered registered-models/search: model '{name}'"
    aliases = {str(a.get("alias")): str(a.get("version")) for a in _listed(head, "aliases", where)}
    parsed = [_version(what, v) for v in versions]
    return MlflowModel(
        name=name,
        description=str(head.get("description") or ""),
        user_id=str(head.get("user_id") or ""),
        tags=_tags(head, where),
        aliases=aliases,
        versions=tuple(sorted(parsed, key=lambda v: (int(v.version) if v.version.isdigit() else 0, v.version))),
    )


def _version(what: str, item: Mapping[str, Any]) -> MlflowVersion:
    name, version = str(item.get("name", "")), str(item.get("version", ""))
    where = f"{what} answered model-versions/search: model '{name}' version {version}"
    return MlflowVersion(
        name=name,
        version=version,
        stage=str(item.get("current_stage") or "None"),
        source=str(item.get("source") or ""),
        description=str(item.get("description") or ""),
        run_id=str(item.get("run_id") or ""),
        status=str(item.get("status") or "READY"),
        user_id=str(item.get("user_id") or ""),
        created=_millis(item, "creation_timestamp", where),
        updated=_millis(item, "last_updated_timestamp", where),
        tags=_tags(item, where),
    )


def _tags(item: Mapping[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(t.get("key")), str(t.get("value") or "")) for t in _listed(item, "tags", where)))


def _listed(item: Mapping[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """The objects of a list field; a field of another type is the server's error, said in
    one line (read as empty, it would take aliases and tags away on the next import)."""
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RegistryError(f"{where}: {key} is {type(value).__name__}, not a list")
    return [entry for entry in value if isinstance(entry, dict)]


def _millis(item: Mapping[str, Any], key: str, where: str) -> int:
    """A time in milliseconds since the epoch: a JSON number, or digits in a string (how
    protobuf's JSON writes a 64-bit integer); absent is 0 (unknown)."""
    value = item.get(key)
    if value is None or value == "":
        return 0
    if not isinstance(value, bool) and isinstance(value, (int, float, str)):
        try:
            return int(value)
        except (ValueError, OverflowError):
            pass
    raise RegistryError(f"{where}: {key} {value!r} is not a time in milliseconds")


# -- translating ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Options:
    renames: Mapping[str, str] = field(default_factory=dict)
    stage_map: Mapping[str, str] = field(default_factory=dict)
    resolve_production: str | None = None


def translate(registry: MlflowRegistry, policy: Policy, options: Options) -> list[ImportedModel]:
    """The registry's models in this registry's terms, checked before anything is written."""
    source = registry.source
    stages = StageMap(source, options.stage_map, STAGES)
    models = [_imported(source, m, registry.runs, policy, stages, options) for m in registry.models]
    check_names(models)
    settle_unique_stages(source, models, policy, options.resolve_production, "resolve-production")
    return models


def _imported(source: Source, model: MlflowModel, runs: Mapping[str, MlflowRun | None], policy: Policy,
              stages: StageMap, options: Options) -> ImportedModel:
    name = model_name(source, model.name, options.renames)
    tags, metadata = split_tags(model.tags)
    imported = ImportedModel(name=name, source_name=model.name, versions=[], description=text_or_none(model.description),
                             owner=text_or_none(model.user_id), tags=tags, metadata=metadata, aliases=dict(model.aliases))
    for version in model.versions:
        where = f"model '{model.name}' version {version.version}"
        if version.status != "READY":
            imported.notes.append(f"{name} {version.version}: left out ({version.status} in MLflow)")
            continue
        imported.versions.append(_imported_version(source, where, f"{name} {version.version}", version, runs, policy,
                                                   stages, imported.notes))
        imported.history.append((version.version, f"{name} {version.version}: registered {_when(version.created)}"
                                 + (f" by {version.user_id}" if version.user_id else "")
                                 + f"; {version.stage} in MLflow (last updated {_when(version.updated)})"))
    listed = {v.label for v in imported.versions}
    for alias, label in sorted(imported.aliases.items()):
        if label not in listed:
            imported.notes.append(f"{name}: alias {alias} names version {label}, which is not imported; left out")
            del imported.aliases[alias]
    return imported


def _imported_version(source: Source, where: str, label: str, version: MlflowVersion,
                      runs: Mapping[str, MlflowRun | None], policy: Policy, stages: StageMap,
                      notes: list[str]) -> ImportedVersion:
    tags, metadata = split_tags(version.tags)
    run = runs.get(version.run_id) if version.run_id else None
    if version.run_id and run is None:
        notes.append(f"{label}: run {version.run_id} is not on the server; no metrics")
    run_id = version.run_id if version.run_id and len(version.run_id) <= RUN_ID_MAX and RUN_ID.fullmatch(version.run_id) else None
    return ImportedVersion(
        label=version.version,
        stage=stages.stage(version.stage, policy),
        source_stage=version.stage,
        artifact={"uri": check_uri(source, where, version.source), "format": "mlflow"},
        description=text_or_none(version.description),
        run_id=run_id,
        metrics=metric_values(run.metrics.items(), label, notes) if run is not None else {},
        tags=tags,
        metadata=metadata,
    )


def _when(millis: int) -> str:
    if millis <= 0:
        return "at an unknown time"
    try:
        moment = datetime.datetime.fromtimestamp(millis / 1000, tz=datetime.timezone.utc)
    except (OverflowError, ValueError, OSError):  # past what a date holds
        return f"at {millis} ms after 1970-01-01 UTC"
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
