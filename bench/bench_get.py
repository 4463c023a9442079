"""How fast does ``registry-tool get`` start, against the floor of its libraries?

Deploy tools run ``get`` as a fresh process for every lookup, so what matters is a whole
process: interpreter start, imports, opening the repository, reading and checking one
model file. This script builds a registry in a temporary Git repository (faq-bot plus
``--models`` other models of ``--versions`` versions each, over a few commits), then
runs, interleaved, ``--runs`` times each:

* ``get``: ``registry-tool get faq-bot --stage production --field artifact.uri``, and the
  same by alias (``--alias champion``), through the venv's console script and through
  ``python -m registry_tool`` (when both exist);
* ``floor``: ``python -c "import pygit2, yaml, click"``, the import cost of the chosen
  libraries, which no Python implementation of ``get`` can beat;
* ``git show``: ``git show REV:models/faq-bot.yaml``, the plain-Git way to read the file
  (no parsing, no checks).

It prints medians and the ratios of medians. Run it with the interpreter of a venv where
this checkout is installed (``pip install -e .``: then the console script is measured
too), or any interpreter with the libraries (``python -m registry_tool`` runs this
checkout, on PYTHONPATH)::

    python bench/bench_get.py [--runs 40] [--models 50] [--versions 20]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
GOAL = 1.3
FLOOR = "floor: import pygit2, yaml, click"
GIT_SHOW = "git show REV:models/faq-bot.yaml"


def model_yaml(name: str, versions: int, production: int) -> str:
    lines = [f"name: {name}", "owner: bench", "tags: [bench]", "aliases:", f'  champion: "1.{production}.0"',
             f'  challenger: "1.{versions - 1}.0"', "versions:"]
    for i in range(versions):
        stage = "production" if i == production else ("staging" if i == versions - 1 else "archived")
        lines += [
            f'  - version: "1.{i}.0"',
            f"    stage: {stage}",
            f"    description: version {i} of {name}",
            "    artifact:",
            f"      uri: s3://bench/{name}/1.{i}.0/model.onnx",
            f"      sha256: {hashlib.sha256(f'{name}-{i}'.encode()).hexdigest()}",
            f"      size_bytes: {1000 + i}",
            "      format: onnx",
            f"    run_id: run-{name}-{i}",
            f"    metrics: {{accuracy: 0.{50 + i % 50}, f1: 0.{40 + i % 50}}}",
            "    tags: [bench]",
            f"    metadata: {{index: {i}}}",
        ]
    return "\n".join(lines) + "\n"


def build_repo(root: Path, models: int, versions: int) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout.strip()

    git("init", "-q", "-b", "main")
    (root / "models").mkdir()
    for n in range(models):
        (root / "models" / f"model-{n:03d}.yaml").write_text(model_yaml(f"model-{n:03d}", versions, versions - 2))
    for commit in range(3):  # a little history, so the revision is not the root commit
        (root / "models" / "faq-bot.yaml").write_text(model_yaml("faq-bot", versions, versions - 2 - commit % 2))
        git("add", "-A")
        git("commit", "-q", "--allow-empty", "-m", f"bench commit {commit}")
    return git("rev-parse", "HEAD")


WAYS = {"--stage": ["--stage", "production"], "--alias": ["--alias", "champion"]}  # one get row each


def commands(rev: str, cwd: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    def args(way: str) -> list[str]:
        return ["get", "faq-bot", *WAYS[way], "--field", "artifact.uri", "--ref", rev]

    # Let Python write .pyc files (the warm-up run does), as an installed package has them:
    # otherwise a checkout recompiles every module on every run.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    found: dict[str, tuple[list[str], dict[str, str]]] = {}
    script = Path(sys.executable).parent / "registry-tool"
    # The console script only when the venv's package is this checkout (an editable install
    # of another checkout would measure other code); python -m always runs this checkout.
    where = subprocess.run([sys.executable, "-c", "import registry_tool; print(registry_tool.__file__)"], cwd=cwd,
                           env=env, capture_output=True, text=True).stdout.strip()
    installed = where.startswith(str(CHECKOUT) + os.sep)
    module_env = {**env, "PYTHONPATH": str(CHECKOUT)}
    for way in WAYS:
        if script.exists() and installed:
            found[f"get {way} (console script)"] = ([str(script), *args(way)], env)
        found[f"get {way} (python -m)"] = ([sys.executable, "-m", "registry_tool", *args(way)], module_env)
    found[FLOOR] = ([sys.executable, "-c", "import pygit2, yaml, click"], env)
    found[GIT_SHOW] = (["git", "show", f"{rev}:models/faq-bot.yaml"], env)
    return found


def run_once(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds (user + system) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed with exit code {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(cmds: dict[str, tuple[list[str], dict[str, str]]], cwd: Path, runs: int) -> dict[str, tuple[list[float], list[float]]]:
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in cmds}
    for name, (argv, env) in cmds.items():  # warm up: page cache, .pyc files
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{name} failed ({done.returncode}): {done.stderr.strip()}")
    for _ in range(runs):
        for name, (argv, env) in cmds.items():  # interleaved: drift hits every command alike
            wall, cpu = run_once(argv, env, cwd)
            times[name][0].append(wall)
            times[name][1].append(cpu)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--versions", type=int, default=20)
    opts = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="bench-get-"))
    try:
        rev = build_repo(root, opts.models, opts.versions)
        cmds = commands(rev, root)
        times = measure(cmds, root, opts.runs)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print(f"registry: faq-bot + {opts.models} models x {opts.versions} versions; "
          f"{opts.runs} interleaved runs each; python {sys.version.split()[0]} ({sys.executable})")
    width = max(map(len, times))
    for kind, index in (("wall-clock", 0), ("CPU (user+sys)", 1)):
        medians = {name: statistics.median(t[index]) for name, t in times.items()}
        floor = medians[FLOOR]
        gitshow = medians[GIT_SHOW]
        print(f"{kind} medians:")
        for name, median in medians.items():
            print(f"  {name.ljust(width)}  {median * 1000:7.1f} ms  {median / floor:5.2f}x floor  "
                  f"{median / gitshow:6.1f}x git show")
        for name in (n for n in medians if n.startswith("get")):
            ratio = medians[name] / floor
            verdict = "within" if ratio <= GOAL else "OVER"
            print(f"  => {name}: {ratio:.2f}x the import floor ({verdict} the {GOAL}x goal), "
                  f"+{(medians[name] - floor) * 1000:.1f} ms")

if __name__ == "__main__":
    main()
