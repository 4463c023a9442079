"""``registry-tool import`` against the source's own reader, side by side.

* ``gto``: bench/generate.py's GTO tags (``name@v1.0.0``, ``name#staging#N``, ``name#prod#N``,
  ``name#prod!#N``) for MODELS models; ``registry-tool import gto --from REPO --dry-run`` into
  an empty registry (every model file built, judged and printed as a diff) and the same
  import again once the first one is committed (every model compared, nothing to write),
  against ``gto show --json`` (GTO reading its own tags: the least GTO does to list them).
* ``mlflow``: a real ``mlflow server`` (SQLite) filled through MLflow's client with MODELS
  models of VERSIONS versions, each version from a run with metrics; ``registry-tool import
  mlflow --dry-run`` into an empty registry, against a Python process that reads the same
  with MLflow's own client (``search_registered_models``, ``search_model_versions``,
  ``get_run`` per run), which is what a migration script written with MLflow would run.

Each contender is a fresh process, interleaved, medians of RUNS (see harness.py); the
ratio is the source's reader / registry-tool.

    python bench/bench_import.py --rows gto --models 2000
    python bench/bench_import.py --rows mlflow --models 200 --versions 3

GTO is looked up as ``--gto`` (default: $GTO, then /tmp/venv-gto/bin/gto); MLflow is the
``mlflow`` package of ``--mlflow-python`` (default: this interpreter).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Contender, machine, race, registry, report, tool_command

MLFLOW_READER = """
import sys
from mlflow import MlflowClient
client = MlflowClient(tracking_uri=sys.argv[1])
models = client.search_registered_models(max_results=1000)
versions = runs = metrics = 0
seen = set()
for model in models:
    for version in client.search_model_versions(f"name = '{model.name}'"):
        versions += 1
        if version.run_id and version.run_id not in seen:
            seen.add(version.run_id)
            metrics += len(client.get_run(version.run_id).data.metrics)
print(len(models), "models", versions, "versions", len(seen), "runs", metrics, "metrics")
"""

MLFLOW_FILL = """
import sys
from mlflow import MlflowClient
client = MlflowClient(tracking_uri=sys.argv[1])
models, versions = int(sys.argv[2]), int(sys.argv[3])
experiment = client.create_experiment("bench")
for i in range(models):
    name = f"model-{i:05d}"
    client.create_registered_model(name, tags={"team": f"team-{i % 7}"}, description=f"model {i}")
    for v in range(versions):
        run = client.create_run(experiment).info.run_id
        for key in ("accuracy", "f1", "loss"):
            client.log_metric(run, key, 0.5 + (i * versions + v) % 50 / 100)
        client.create_model_version(name, f"s3://bench/{name}/{v + 1}", run_id=run, await_creation_for=0)
    if versions > 1:
        client.transition_model_version_stage(name, str(versions), "Staging")
        client.transition_model_version_stage(name, str(versions - 1), "Production")
        client.set_registered_model_alias(name, "champion", str(versions - 1))
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def empty_registry(root: Path, name: str) -> Path:
    path = root / name
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    git(path, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "--allow-empty", "-m", "empty")
    return path


def gto_row(args: argparse.Namespace, tool: list[str], env: dict[str, str], root: Path) -> None:
    gto = shutil.which(args.gto) or args.gto
    if not Path(gto).exists():
        raise SystemExit(f"gto not found at {args.gto}: python3 -m venv /tmp/venv-gto && /tmp/venv-gto/bin/pip install gto==1.10.0")
    source = registry(args.models, 2, 2 * args.models, gto_tags_only=True)
    tags = len(git(source, "tag", "-l").split())
    target = empty_registry(root, "from-gto")
    importing = [*tool, "import", "gto", "--from", str(source), "--artifact-uri", "s3://bench/{name}/{version}"]
    print(f"\n# import gto: {args.models} models, {tags} tags in {source}", flush=True)
    first = Contender("registry-tool import gto --dry-run (into an empty registry)", [*importing, "--dry-run"], target, env)
    theirs = Contender("gto show --json", [gto, "show", "--json"], source)
    race([first, theirs], args.runs)
    report(f"import gto, {args.models} models: a first import", [first, theirs], first, "the import within a few x of gto show")
    subprocess.run([*importing, "--commit"], cwd=target, env={**os.environ, **env}, check=True, capture_output=True)
    again = Contender("registry-tool import gto --dry-run (again: nothing to change)", [*importing, "--dry-run"], target, env)
    race([again, theirs], args.runs)
    report(f"import gto, {args.models} models: the same import again", [again, theirs], again,
           "the import within a few x of gto show")


def mlflow_row(args: argparse.Namespace, tool: list[str], env: dict[str, str], root: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server_env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    with (root / "mlflow.log").open("w") as log:
        server = subprocess.Popen([args.mlflow_python, "-m", "mlflow", "server", "--backend-store-uri",
                                   f"sqlite:///{root / 'mlflow.db'}", "--default-artifact-root", str(root / "artifacts"),
                                   "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                                  stdout=log, stderr=subprocess.STDOUT, env=server_env, start_new_session=True)
    try:
        _wait(url, server)
        started = time.monotonic()
        subprocess.run([args.mlflow_python, "-c", MLFLOW_FILL, url, str(args.models), str(args.versions)], check=True,
                       capture_output=True)
        print(f"\n# import mlflow: {args.models} models x {args.versions} versions (filled in "
              f"{time.monotonic() - started:.0f} s) at {url}", flush=True)
        target = empty_registry(root, "from-mlflow")
        ours = Contender("registry-tool import mlflow --dry-run", [*tool, "import", "mlflow", "--tracking-uri", url,
                                                                  "--dry-run"], target, env)
        theirs = Contender("MLflow's client reading the same", [args.mlflow_python, "-c", MLFLOW_READER, url], target)
        race([ours, theirs], args.runs)
        report(f"import mlflow, {args.models} x {args.versions}", [ours, theirs], ours,
               "the import no slower than MLflow's own client")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"mlflow server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("mlflow server did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="gto,mlflow")
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--versions", type=int, default=3, help="versions per MLflow model")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--gto", default=os.environ.get("GTO", "/tmp/venv-gto/bin/gto"))
    parser.add_argument("--mlflow-python", default=sys.executable, help="a Python with mlflow installed")
    parser.add_argument("--installed", help="run this registry-tool console script instead of this checkout")
    args = parser.parse_args(argv)
    tool, env, how = tool_command(args.installed)
    print(f"# registry-tool import\nregistry-tool: {how}\nmachine: {machine()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        if "gto" in args.rows:
            gto_row(args, tool, env, Path(tmp))
        if "mlflow" in args.rows:
            mlflow_row(args, tool, env, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
