"""``registry-tool import mlflow`` against a real MLflow tracking server.

The module starts one ``mlflow server`` on 127.0.0.1 (SQLite backend, the basic-auth app,
so credentials are checked for real) and fills it through MLflow's own client: models,
runs with metrics, versions, tags, aliases and legacy stages. The import reads it through
the REST API with the standard library only. Needs the ``imports`` extra
(``pip install '.[imports]'``; .ci/run installs it); skipped with that reason otherwise.
All tests here run on one xdist worker (``xdist_group``), so the server starts once.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import GitRepo

from registry_tool.yamlfile.render import scalar  # a run id such as 0b12... is quoted, as every import writes it

pytestmark = [
    pytest.mark.xdist_group("mlflow"),
    pytest.mark.filterwarnings("ignore:``mlflow.tracking.client.MlflowClient.transition_model_version_stage``:FutureWarning"),
    pytest.mark.skipif(importlib.util.find_spec("mlflow") is None,
                       reason="the mlflow package is not installed (pip install '.[imports]' installs it; .ci/run does)"),
]

ADMIN = "admin"
PASSWORD = "registry-tool-test-Passw0rd"
STARTUP_SECONDS = 300


@dataclass
class Server:
    url: str
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("mlflow")
    port = _free_port()
    (root / "auth.ini").write_text(
        "[mlflow]\ndefault_permission = READ\n"
        f"database_uri = sqlite:///{root / 'auth.db'}\n"
        f"admin_username = {ADMIN}\nadmin_password = {PASSWORD}\n"
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n")
    env = {**os.environ, "MLFLOW_AUTH_CONFIG_PATH": str(root / "auth.ini"),
           "MLFLOW_FLASK_SERVER_SECRET_KEY": "registry-tool-tests",
           "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}  # no job runner: a quicker start, fewer processes
    log = root / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mlflow", "server", "--app-name", "basic-auth",
             "--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}", "--default-artifact-root", str(root / "artifacts"),
             "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc, log)
        _quick_password_check(root / "auth.db")
        yield Server(url, log)
    finally:
        _stop(proc)


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"mlflow server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"mlflow server did not answer within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


def _quick_password_check(auth_db: Path) -> None:
    """The admin's password hash with one PBKDF2 round. The basic-auth app checks the
    password on every request, with scrypt by default: over a second a request on a busy
    CI machine, minutes over this module. The server still checks every request against
    the hash (a wrong password is still refused); only the hashing is cheaper."""
    from werkzeug.security import generate_password_hash

    with contextlib.closing(sqlite3.connect(auth_db)) as db, db:
        done = db.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                          (generate_password_hash(PASSWORD, method="pbkdf2:sha256:1"), ADMIN))
        assert done.rowcount == 1, "the basic-auth app has no admin user to speed up"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """The server and everything it started (its own process group)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


@pytest.fixture
def mlflow(mlflow_server: Server, monkeypatch: pytest.MonkeyPatch):
    """MLflow's own client, with the admin's credentials (the import reads the same variables)."""
    from mlflow import MlflowClient

    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", ADMIN)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", PASSWORD)
    for var in ("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_INSECURE_TLS"):
        monkeypatch.delenv(var, raising=False)
    return MlflowClient(tracking_uri=mlflow_server.url)


def run_with_metrics(client, experiment: str, **metrics: list[float]) -> str:
    """A finished run whose metrics were logged step by step (the last value is the latest)."""
    found = client.get_experiment_by_name(experiment)
    experiment_id = found.experiment_id if found is not None else client.create_experiment(experiment)
    run = client.create_run(experiment_id)
    for key, values in metrics.items():
        for step, value in enumerate(values):
            client.log_metric(run.info.run_id, key, value, step=step)
    client.set_terminated(run.info.run_id)
    return run.info.run_id


def new_registry(tmp_path: Path, name: str = "registry") -> GitRepo:
    repo = GitRepo(tmp_path / name)
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.commit("an empty registry")
    return repo


def stages(text: str) -> list[str]:
    return [line.strip().removeprefix("stage: ") for line in text.splitlines() if line.strip().startswith("stage:")]


def changed_lines(diff: str) -> list[str]:
    return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_migration_import_validate_import_again_then_reviewed_changes(mlflow, mlflow_server, tmp_path, cli):
    client = mlflow
    client.create_registered_model("churn", tags={"team": "retention", "tabular": ""}, description="Predicts churn")
    run1 = run_with_metrics(client, "churn", accuracy=[0.81, 0.86], **{"val/loss": [0.5, 0.42], "eval.f1": [0.7]})
    run2 = run_with_metrics(client, "churn", accuracy=[0.9], broken=[math.nan])
    client.create_model_version("churn", f"runs:/{run1}/model", run_id=run1, description="baseline",
                                tags={"validated": "", "data": "2024-10"})
    client.create_model_version("churn", f"runs:/{run2}/model", run_id=run2)
    client.create_model_version("churn", "s3://bucket/churn/3")
    client.transition_model_version_stage("churn", "1", "Production")
    client.transition_model_version_stage("churn", "2", "Staging")
    client.transition_model_version_stage("churn", "3", "Archived")
    client.set_registered_model_alias("churn", "champion", "1")
    client.set_registered_model_alias("churn", "challenger", "2")
    client.create_registered_model("ranker")
    client.create_model_version("ranker", "s3://bucket/ranker/1")
    registry = new_registry(tmp_path)
    args = ("import", "mlflow", "--tracking-uri", mlflow_server.url, "--model", "churn", "--model", "ranker")

    first = cli(registry.path, *args)
    assert first.code == 0, first.err
    assert (registry.path / "models/churn.yaml").read_text() == f"""\
# yaml-language-server: $schema=../schemas/model.schema.json
name: churn
description: Predicts churn
tags: [tabular]
metadata: {{team: retention}}
aliases:
  challenger: "2"
  champion: "1"
versions:
  - version: "1"
    stage: production
    description: baseline
    artifact:
      uri: runs:/{run1}/model
      format: mlflow
    run_id: {scalar(run1)}
    metrics:
      accuracy: 0.86
      eval_f1: 0.7
      suites:
        val: {{loss: 0.42}}
    tags: [validated]
    metadata: {{data: 2024-10}}
  - version: "2"
    stage: staging
    artifact:
      uri: runs:/{run2}/model
      format: mlflow
    run_id: {scalar(run2)}
    metrics: {{accuracy: 0.9}}
  - version: "3"
    stage: archived
    artifact:
      uri: s3://bucket/churn/3
      format: mlflow
"""
    assert (registry.path / "models/ranker.yaml").read_text() == """\
# yaml-language-server: $schema=../schemas/model.schema.json
name: ranker
versions:
  - version: "1"
    stage: none
    artifact:
      uri: s3://bucket/ranker/1
      format: mlflow
"""
    assert f"import 2 models from MLflow at {mlflow_server.url}: wrote models/churn.yaml, models/ranker.yaml" in first.out
    assert "churn 1: metric 'eval.f1' imported as eval_f1" in first.out
    assert "churn 2: metric broken = nan left out (not a finite number)" in first.out
    assert cli(registry.path, "validate").code == 0
    registry.commit("import from MLflow")
    base = registry.git("rev-parse", "HEAD")

    again = cli(registry.path, *args)
    assert again.code == 0
    assert again.err == f"nothing to import: the registry already matches MLflow at {mlflow_server.url}\n"
    assert registry.git("status", "--porcelain") == ""

    # MLflow moves on: 2 replaces 1 in Production (archiving it), 4 is registered, champion follows 2
    client.create_model_version("churn", f"runs:/{run2}/model-v4", run_id=run2)
    client.set_registered_model_alias("churn", "champion", "2")
    client.transition_model_version_stage("churn", "2", "Production", archive_existing_versions=True)
    later = cli(registry.path, *args, "--commit")
    assert later.code == 0, later.err
    assert registry.git("rev-list", "--count", f"{base}..HEAD") == "1"
    assert "churn: 1 production -> archived; 2 staging -> production; register 4 in none; alias champion 1 -> 2" in later.out
    assert changed_lines(registry.git("diff", f"{base}..HEAD")) == [
        '-  champion: "1"', '+  champion: "2"',
        "-    stage: production", "+    stage: archived",
        "-    stage: staging", "+    stage: production",
        '+  - version: "4"', "+    stage: none", "+    artifact:", f"+      uri: runs:/{run2}/model-v4",
        "+      format: mlflow", f"+    run_id: {scalar(run2)}", "+    metrics: {accuracy: 0.9}",
    ]
    body = registry.git("log", "-1", "--format=%B")
    assert body.startswith(f"import from MLflow at {mlflow_server.url}: update churn\n")
    assert "As MLflow recorded it:\n  churn 1: registered " in body
    assert "churn 3: registered" not in body  # only the versions this change touches
    assert cli(registry.path, "validate", "--range", f"{base}..HEAD").code == 0
    assert "nothing to import" in cli(registry.path, *args).err
    _a_move_the_policy_forbids_is_refused_then_taken_in_steps(client, registry, args, cli)


def _a_move_the_policy_forbids_is_refused_then_taken_in_steps(client, registry, args, cli):
    """MLflow moves 4 from None straight to Production (archiving 2): the import refuses
    (skipped-stage); --step takes it through staging, keeping 2 in production meanwhile."""
    client.delete_registered_model_alias("churn", "challenger")
    client.set_registered_model_alias("churn", "champion", "4")
    client.transition_model_version_stage("churn", "4", "Production", archive_existing_versions=True)
    head = registry.git("rev-parse", "HEAD")
    refused = cli(registry.path, *args, "--commit")
    assert refused.code == 1
    assert "models/churn.yaml:" in refused.err and ": skipped-stage: churn 4: none -> production skips staging" in refused.err
    assert refused.err.rstrip().endswith("import refused: 1 violation; nothing was written; import --step moves each "
                                         "version only as far as the policy allows in one change")
    assert registry.git("rev-parse", "HEAD") == head
    first = cli(registry.path, *args, "--commit", "--step")
    assert first.code == 0, first.err
    assert "churn: 4 none -> staging; alias champion 2 -> 4; alias challenger removed (was 2)" in first.out
    assert stages((registry.path / "models/churn.yaml").read_text()) == ["archived", "production", "archived", "staging"]
    second = cli(registry.path, *args, "--commit", "--step")
    assert second.code == 0, second.err
    assert "churn: 2 production -> archived; 4 staging -> production" in second.out
    assert cli(registry.path, "validate", "--range", f"{head}..HEAD").code == 0
    assert "nothing to import" in cli(registry.path, *args, "--step").err


def test_a_first_import_in_steps_passes_the_pull_request_check_each_time(mlflow, mlflow_server, tmp_path, cli):
    """The README's walkthrough under the CI ``init`` writes (validate --base): taken whole,
    a version arriving in production is skipped-stage; with --step each pull request is
    one legal move, and the third import finds nothing to do."""
    mlflow.create_registered_model("stepped")
    for n in range(3):
        mlflow.create_model_version("stepped", f"s3://bucket/stepped/{n + 1}")
    mlflow.transition_model_version_stage("stepped", "1", "Production")
    mlflow.transition_model_version_stage("stepped", "2", "Archived")
    mlflow.set_registered_model_alias("stepped", "champion", "1")
    registry = new_registry(tmp_path)
    args = ("import", "mlflow", "--tracking-uri", mlflow_server.url, "--model", "stepped")

    assert cli(registry.path, *args, "--branch", "whole").code == 0
    whole = cli(registry.path, "validate", "--ref", "whole", "--base", "main")
    assert whole.code == 1
    assert "skipped-stage: new version stepped 1 starts in production" in whole.out
    for step, expected in (("step-1", ["staging", "none", "none"]), ("step-2", ["production", "archived", "none"])):
        done = cli(registry.path, *args, "--step", "--branch", step)
        assert done.code == 0, done.err
        assert stages(registry.git("show", f"{step}:models/stepped.yaml")) == expected
        checked = cli(registry.path, "validate", "--ref", step, "--base", "main")
        assert checked.code == 0, checked.out
        registry.git("merge", "-q", "--ff-only", step)
    assert 'champion: "1"' in (registry.path / "models/stepped.yaml").read_text()
    assert "nothing to import" in cli(registry.path, *args, "--step").err


def test_two_versions_in_production_are_refused_with_a_list_or_resolved_newest(mlflow, mlflow_server, tmp_path, cli):
    for n in range(3):
        if n == 0:
            mlflow.create_registered_model("two-prod")
        mlflow.create_model_version("two-prod", f"s3://bucket/two-prod/{n + 1}")
    mlflow.transition_model_version_stage("two-prod", "1", "Production")
    mlflow.transition_model_version_stage("two-prod", "2", "Production")
    registry = new_registry(tmp_path)
    args = ("import", "mlflow", "--tracking-uri", mlflow_server.url, "--model", "two-prod")
    refused = cli(registry.path, *args)
    assert refused.code == 1
    assert refused.err == (
        "registry-tool: error: MLflow holds several versions of 1 model in a stage this registry keeps unique "
        "(one version at a time):\n"
        "  two-prod: versions 1, 2 in Production\n"
        "Move the others out in MLflow first, or give --resolve-production newest (the newest stays, the others go to "
        "the stage promote demotes to).\n")
    assert not (registry.path / "models").exists()
    as_json = json.loads(cli(registry.path, *args, "--json").out)
    assert as_json["ok"] is False
    assert as_json["conflicts"] == [{"model": "two-prod", "stage": "Production", "versions": ["1", "2"]}]
    resolved = cli(registry.path, *args, "--resolve-production", "newest")
    assert resolved.code == 0, resolved.err
    assert stages((registry.path / "models/two-prod.yaml").read_text()) == ["staging", "production", "none"]
    assert ("two-prod 1 is in Production in MLflow beside the newer 2: imported in staging (--resolve-production newest)"
            in resolved.out)
    assert cli(registry.path, "validate").code == 0


def test_a_name_that_is_no_model_file_name_is_renamed(mlflow, mlflow_server, tmp_path, cli):
    mlflow.create_registered_model("Fraud Detector")
    mlflow.create_model_version("Fraud Detector", "gs://models/fraud/1")
    registry = new_registry(tmp_path)
    args = ("import", "mlflow", "--tracking-uri", mlflow_server.url, "--model", "Fraud Detector")
    refused = cli(registry.path, *args)
    assert refused.code == 2
    assert refused.err == ("registry-tool: error: MLflow model 'Fraud Detector' is not a valid model file name here "
                           "(lower-case letters and digits separated by single '.', '_' or '-'); give --rename "
                           "'Fraud Detector=fraud-detector'\n")
    done = cli(registry.path, *args, "--rename", "Fraud Detector=fraud-detector", "--commit")
    assert done.code == 0, done.err
    assert "name: fraud-detector\n" in (registry.path / "models/fraud-detector.yaml").read_text()
    assert "nothing to import" in cli(registry.path, *args, "--rename", "Fraud Detector=fraud-detector").err
    # a name with a quote is filtered on the server with the other quote character
    mlflow.create_registered_model("O'Reilly")
    mlflow.create_model_version("O'Reilly", "gs://models/oreilly/1")
    quoted = cli(registry.path, "import", "mlflow", "--tracking-uri", mlflow_server.url, "--model", "O'Reilly",
                 "--rename", "O'Reilly=oreilly")
    assert quoted.code == 0, quoted.err
    assert "uri: gs://models/oreilly/1" in (registry.path / "models/oreilly.yaml").read_text()


def test_a_source_that_is_not_a_uri_is_one_line(mlflow, mlflow_server, tmp_path, cli):
    """A server whose artifact root is a plain path registers versions from plain paths."""
    run_id = run_with_metrics(mlflow, "local", accuracy=[0.5])
    source = mlflow.get_run(run_id).info.artifact_uri + "/model"
    mlflow.create_registered_model("local-src")
    mlflow.create_model_version("local-src", source, run_id=run_id)
    registry = new_registry(tmp_path)
    done = cli(registry.path, "import", "mlflow", "--tracking-uri", mlflow_server.url, "--model", "local-src")
    assert done.code == 2
    assert done.err == (f"registry-tool: error: MLflow model 'local-src' version 1: its artifact source {source!r} is "
                        "not a URI (scheme:path, such as s3://bucket/model or runs:/ID/model); registry-tool's "
                        "artifact.uri must be one\n")
    assert not (registry.path / "models").exists()


def test_an_unknown_model_is_one_line(mlflow, mlflow_server, tmp_path, cli):
    done = cli(new_registry(tmp_path).path, "import", "mlflow", "--tracking-uri", mlflow_server.url, "--model", "nope")
    assert done.code == 1
    assert done.err == f"registry-tool: error: MLflow at {mlflow_server.url} has no registered model 'nope'\n"


def test_credentials_are_checked_by_the_server(mlflow, mlflow_server, tmp_path, cli, monkeypatch):
    mlflow.create_registered_model("auth-check")
    registry = new_registry(tmp_path).path
    args = ("import", "mlflow", "--tracking-uri", mlflow_server.url, "--model", "auth-check", "--dry-run")
    monkeypatch.delenv("MLFLOW_TRACKING_USERNAME")
    monkeypatch.delenv("MLFLOW_TRACKING_PASSWORD")
    none = cli(registry, *args)
    assert (none.code, none.err) == (2, f"registry-tool: error: MLflow at {mlflow_server.url} needs credentials (HTTP 401 "
                                        "Unauthorized): set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and "
                                        "MLFLOW_TRACKING_PASSWORD\n")
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", ADMIN)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "wrong")
    wrong = cli(registry, *args)
    assert (wrong.code, wrong.err) == (2, f"registry-tool: error: MLflow at {mlflow_server.url} refused the credentials "
                                          "from MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (HTTP 401 Unauthorized)\n")
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "not-a-token-this-server-knows")
    token = cli(registry, *args)
    assert "refused the credentials from MLFLOW_TRACKING_TOKEN (HTTP 401 Unauthorized)" in token.err
    monkeypatch.delenv("MLFLOW_TRACKING_TOKEN")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", PASSWORD)
    assert cli(registry, *args).code == 0


def test_listings_are_followed_page_by_page(mlflow, mlflow_server):
    from registry_tool.imports import mlflow as source

    mlflow.create_registered_model("paged-a")
    mlflow.create_registered_model("paged-b")
    for n in range(3):
        mlflow.create_model_version("paged-a", f"s3://bucket/paged-a/{n}")
    environ = {"MLFLOW_TRACKING_USERNAME": ADMIN, "MLFLOW_TRACKING_PASSWORD": PASSWORD}
    whole = source.read_registry(source.client(mlflow_server.url, environ, []))
    api = source.client(mlflow_server.url, environ, [])
    paged = source.read_registry(api, models_page=1, versions_page=1)
    assert paged.models == whole.models
    assert [v.version for m in paged.models if m.name == "paged-a" for v in m.versions] == ["1", "2", "3"]
    assert paged.requests > len(paged.models) + sum(len(m.versions) for m in paged.models)
    named = source.read_registry(api, ["paged-a"], versions_page=1)
    assert named.models == [m for m in whole.models if m.name == "paged-a"]


def test_branch_and_json(mlflow, mlflow_server, tmp_path, cli):
    mlflow.create_registered_model("on-branch")
    mlflow.create_model_version("on-branch", "s3://bucket/on-branch/1")
    registry = new_registry(tmp_path)
    done = cli(registry.path, "import", "mlflow", "--tracking-uri", mlflow_server.url, "--model", "on-branch",
               "--branch", "import-mlflow", "--json")
    assert done.code == 0, done.err
    data = json.loads(done.out)
    assert (data["ok"], data["changed"], data["files"], data["branch"]) == (True, True, ["models/on-branch.yaml"],
                                                                           "import-mlflow")
    assert data["message"].startswith(f"import on-branch from MLflow at {mlflow_server.url}\n")
    assert registry.git("ls-tree", "--name-only", "import-mlflow", "models/") == "models/on-branch.yaml"
    assert not (registry.path / "models").exists()
