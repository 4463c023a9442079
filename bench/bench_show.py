"""Benchmark: ``show`` with filters against a plain ``show``, on the generated registry.

``show --where`` reads and checks every model file as a plain ``show`` does, then keeps
the versions that pass; the filters must not cost more than the table they shorten.
Contenders, interleaved, each a fresh process (this checkout, or ``--installed``):

* ``show`` (the baseline) and ``show --format json``;
* ``show --where 'metrics.accuracy>=0.8'``: one condition on a metric, every version;
* ``show --tag nlp --where 'metrics.accuracy>=0.8' --where artifact.format=onnx
  --where metrics.suites.core-v1.score>0.5``: several filters at once;
* ``show --where ... --format json`` beside ``show --format json``.

Target: every filtered ``show`` within 1.2x of the plain one of the same format (wall).

    python bench/bench_show.py [--models 10000] [--versions 5] [--commits 20000] [--runs 3]
    python bench/bench_show.py --repo /tmp/reg        # a registry bench/generate.py wrote
    python bench/bench_show.py --rows where --runs 2  # only the issue's pair: show, show --where
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Contender, machine, race, registry, report, tool_command

ONE = ["--where", "metrics.accuracy>=0.8"]
SEVERAL = ["--tag", "nlp", "--where", "metrics.accuracy>=0.8", "--where", "artifact.format=onnx",
           "--where", "metrics.suites.core-v1.score>0.5"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=10000)
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per contender (median)")
    parser.add_argument("--repo", type=Path, help="an existing registry instead of the generated one")
    parser.add_argument("--rows", choices=["all", "where"], default="all",
                        help="all: the table and JSON rows; where: only show beside show --where (1 condition), "
                             "the pair the target names, when the machine is too busy for all five")
    parser.add_argument("--installed", help="run this registry-tool console script instead of this checkout")
    args = parser.parse_args(argv)

    tool, env, how = tool_command(args.installed)
    repo = args.repo or registry(args.models, args.versions, args.commits)
    print(f"# show with filters vs a plain show\nregistry-tool: {how}\nmachine: {machine()}\nregistry: {repo}; "
          f"{args.runs} interleaved runs per contender, medians", flush=True)

    def show(label: str, *extra: str) -> Contender:
        return Contender(label, [*tool, "show", "--no-history", *extra], repo, env)

    table = [show("show"), show("show --where (1 condition)", *ONE)]
    if args.rows == "where":
        race(table, args.runs)
        report("show with filters, table", table, table[0], "show --where <= 1.2x the plain show (wall)")
        return 0
    table.append(show("show --tag --where x3 (4 filters)", *SEVERAL))
    json_rows = [show("show --format json", "--format", "json"),
                 show("show --where (1 condition) --format json", *ONE, "--format", "json")]
    race(table + json_rows, args.runs)
    report("show with filters, table", table, table[0], "each filtered show <= 1.2x the plain show (wall)")
    report("show with filters, JSON rows", json_rows, json_rows[0], "<= 1.2x the plain show --format json (wall)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
