#!/usr/bin/env python3
"""Benchmark: ``registry-tool history MODEL`` against ``git log -- models/MODEL.yaml``.

Builds a registry repository with a long history in one ``git fast-import`` stream (model
files registered, promoted with demotions, re-measured and archived; commits that touch
only docs; pull requests merged with ``--no-ff`` merge commits), then times, interleaved,

* the floor: ``git log --format=%H -- models/MODEL.yaml`` (Git's own path-limited walk);
* ``registry-tool history MODEL --format json`` (this checkout, a fresh process each run),
  with its history index (written by one untimed first run, as any first run does);
* the same with ``REGISTRY_TOOL_HISTORY_INDEX=0``: every commit read from Git objects;

checks both runs of registry-tool print the same events, and prints the ratios of the
medians. Absolute seconds depend on the machine; the ratio is the number to watch
(target: at most 2 over 20,000 commits). ``--repo`` runs on an existing repository instead
(one ``bench/generate.py`` wrote: ``--repo /tmp/reg --model NAME``).

    python bench/bench_history.py [--commits 20000] [--models 50] [--runs 7] [--repack] [--keep DIR]
    python bench/bench_history.py --repo DIR --model NAME [--runs 7]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START = 1_700_000_000  # commit times: one a minute from here


class Registry:
    """The evolving state of every model, rendered as model files."""

    def __init__(self, models: int, rng: random.Random) -> None:
        self.rng = rng
        self.names = [f"model-{i:03d}" for i in range(models)]
        self.versions: dict[str, list[list]] = {n: [] for n in self.names}  # [label, stage, accuracy]

    def step(self, name: str) -> str:
        """Apply one lifecycle step to a model; returns the commit summary."""
        versions, rng = self.versions[name], self.rng
        live = [v for v in versions if v[1] != "archived"]
        if not live or (len(live) < 6 and rng.random() < 0.25):
            label = f"1.{len(versions)}.0"
            versions.append([label, "none", round(rng.uniform(0.80, 0.95), 4)])
            return f"Register {name} {label}"
        v = rng.choice(live)
        roll = rng.random()
        if roll < 0.15 and len(live) > 2 and v[1] != "production":
            v[1] = "archived"
            return f"Archive {name} {v[0]}"
        if roll < 0.45:
            v[2] = round(min(0.99, v[2] + rng.uniform(-0.01, 0.02)), 4)
            return f"Re-measure {name} {v[0]}"
        if v[1] == "none":
            v[1] = "staging"
        elif v[1] == "staging":
            for other in versions:
                if other[1] == "production":
                    other[1] = "staging"
            v[1] = "production"
        else:
            v[1] = "staging"
        return f"Move {name} {v[0]} to {v[1]}"

    def render(self, name: str) -> bytes:
        out = [f"# yaml-language-server: $schema=../schemas/model.schema.json\nname: {name}\n"
               "description: A benchmark model\nowner: ml-platform\ntask: classification\ntags: [bench]\nversions:\n"]
        for label, stage, accuracy in self.versions[name]:
            out.append(
                f'  - version: "{label}"\n    stage: {stage}\n    description: Build {label} of {name}\n'
                f"    artifact:\n      uri: s3://models/{name}/{label}/model.onnx\n"
                f"      sha256: {hashlib.sha256(f'{name} {label}'.encode()).hexdigest()}\n"
                f"      size_bytes: {100_000 + len(label) * 1000}\n      format: onnx\n"
                f"    run_id: run-{name}-{label}\n    metrics: {{accuracy: {accuracy}, f1: {round(accuracy - 0.03, 4)}}}\n"
                f"    tags: [candidate]\n    metadata: {{commit: c{zlib.crc32(label.encode()):08x}}}\n"
            )
        return "".join(out).encode()


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def generate(path: Path, commits: int, models: int, seed: int = 7) -> dict[str, int]:
    """A repository at ``path`` whose main branch has ``commits`` first-parent commits."""
    rng = random.Random(seed)
    registry = Registry(models, rng)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=path, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    write = proc.stdin.write
    mark, main_mark, prs, counts = 0, 0, 0, {"model_commits": 0, "docs_commits": 0, "merges": 0}

    def commit(ref: str, message: str, files: list[tuple[str, bytes]], parents: list[int]) -> int:
        nonlocal mark
        mark += 1
        when = START + mark * 60
        head = (f"commit {ref}\nmark :{mark}\nauthor Ada Lovelace <ada@example.com> {when} +0000\n"
                f"committer Grace Hopper <grace@example.com> {when} +0000\n").encode()
        write(head + _data(message.encode()))
        if parents:
            write(f"from :{parents[0]}\n".encode())
        for parent in parents[1:]:
            write(f"merge :{parent}\n".encode())
        for name, content in files:
            write(f"M 100644 inline {name}\n".encode() + _data(content))
        write(b"\n")
        return mark

    for i in range(commits):
        parents = [main_mark] if main_mark else []
        if i == 0:
            files = [(f"models/{n}.yaml", registry.render(n)) for n in registry.names if registry.step(n)]
            main_mark = commit("refs/heads/main", "Register the first versions", files, parents)
            continue
        if rng.random() < 0.3:
            main_mark = commit("refs/heads/main", f"Docs {i}", [("README.md", f"notes {i}\n".encode())], parents)
            counts["docs_commits"] += 1
            continue
        name = rng.choice(registry.names)
        message = registry.step(name)
        files = [(f"models/{name}.yaml", registry.render(name))]
        counts["model_commits"] += 1
        if rng.random() < 0.2:  # through a pull request, merged with a merge commit
            prs += 1
            side = commit("refs/heads/pr", message, files, parents)
            main_mark = commit("refs/heads/main", f"Merge pull request #{prs} from team/{name}", files, [*parents, side])
            counts["merges"] += 1
        else:
            main_mark = commit("refs/heads/main", message, files, parents)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=path, check=True)
    subprocess.run(["git", "branch", "-q", "-D", "pr"], cwd=path, capture_output=True)
    return counts


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, bytes]:
    """Wall-clock and CPU seconds of one run (CPU time is steadier on a busy machine)."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True)
    elapsed, cpu = time.perf_counter() - start, _children_cpu() - cpu
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr.decode()}")
    return elapsed, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--model", default="model-007")
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    parser.add_argument("--repo", type=Path, help="an existing repository to run on (say, one bench/generate.py "
                                                   "wrote); with --model naming one of its models")
    parser.add_argument("--repack", action="store_true",
                        help="git repack -adf after generating (packed as a fresh clone would be)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if args.repo:
            repo = args.repo
        else:
            repo = args.keep or Path(tmp) / "registry"
            started = time.perf_counter()
            counts = generate(repo, args.commits, args.models)
            if args.repack:
                subprocess.run(["git", "repack", "-adfq"], cwd=repo, check=True)
            print(f"generated {args.commits} first-parent commits ({counts['model_commits']} model changes, "
                  f"{counts['docs_commits']} docs-only, {counts['merges']} merged pull requests), "
                  f"{args.models} models, in {time.perf_counter() - started:.1f}s")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
        cold_env = {**env, "REGISTRY_TOOL_HISTORY_INDEX": "0"}
        floor = ["git", "log", "--format=%H", "--", f"models/{args.model}.yaml"]
        tool = [sys.executable, "-m", "registry_tool", "history", args.model, "--format", "json"]
        contenders = [("floor", floor, env), ("tool", tool, env), ("cold", tool, cold_env)]
        started = time.perf_counter()
        timed(tool, repo, env)  # untimed: builds the history index, as a first run does
        print(f"first run (walks every commit and writes the history index): {time.perf_counter() - started:.2f}s")
        times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name, _, _ in contenders}
        outputs: dict[str, bytes] = {}
        for run in range(args.runs):
            for name, cmd, run_env in (contenders if run % 2 == 0 else contenders[::-1]):  # interleaved
                elapsed, cpu, out = timed(cmd, repo, run_env)
                times[name][0].append(elapsed)
                times[name][1].append(cpu)
                outputs[name] = out
        if outputs["tool"] != outputs["cold"]:
            raise SystemExit("the history index changed the output: this is a bug")
        events = json.loads(outputs["tool"])
        floor_commits = len(outputs["floor"].split())
        wall = {name: statistics.median(t[0]) for name, t in times.items()}
        cpu = {name: statistics.median(t[1]) for name, t in times.items()}
        changed = len({e["commit"] for e in events})
        print(f"floor  git log -- models/{args.model}.yaml: median {wall['floor'] * 1000:.0f} ms wall, "
              f"{cpu['floor'] * 1000:.0f} ms CPU ({floor_commits} commits)")
        for name, label in (("tool", "with its history index"), ("cold", "REGISTRY_TOOL_HISTORY_INDEX=0")):
            print(f"{name:<6} registry-tool history {args.model} ({label}): median {wall[name] * 1000:.0f} ms wall, "
                  f"{cpu[name] * 1000:.0f} ms CPU ({len(events)} events in {changed} commits); "
                  f"ratio {wall[name] / wall['floor']:.2f}x wall, {cpu[name] / cpu['floor']:.2f}x CPU")
        print(f"(medians of {args.runs} interleaved runs; target <= 2x)")


if __name__ == "__main__":
    main()
