#!/usr/bin/env python3
"""Benchmark: ``registry-tool site`` against what it is made of, ``export`` plus a
whole-registry ``history``.

The site reads every model at the revision (what ``export`` reads and checks) and walks
the whole registry's first-parent history once (what ``history --format json`` walks),
then renders one page per model. On a registry bench/generate.py writes (default: 2,000
models x 5 versions, 20,000 commits), this runs, interleaved, each a fresh process:

* ``export``: ``registry-tool export --ref HEAD``;
* ``history``: ``registry-tool history --format json`` (every model, every commit);
* ``site``: ``registry-tool site --out DIR`` (DIR is rebuilt in place each run);

after one untimed round that also writes the history index, which ``history`` and
``site`` share (as a second run of either does). It prints the medians and the ratio
site / (export + history), wall and CPU; the target is at most 3.

    python bench/bench_site.py [--models 2000] [--versions 5] [--commits 20000] [--runs 3]
    python bench/bench_site.py --repo DIR [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Contender, machine, race, registry, report, tool_command

GOAL = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repo", type=Path, help="an existing registry repository instead of a generated one")
    parser.add_argument("--installed", metavar="PATH", help="run this registry-tool console script instead of the checkout")
    args = parser.parse_args()

    repo = args.repo or registry(args.models, args.versions, args.commits)
    tool, env, how = tool_command(args.installed)
    print(f"registry: {repo}\nregistry-tool: {how}\nmachine: {machine()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        contenders = [
            Contender("export", [*tool, "export", "--ref", "HEAD"], repo, env),
            Contender("history (every model)", [*tool, "history", "--format", "json"], repo, env),
            Contender("site", [*tool, "site", "--out", str(out), "--ref", "HEAD"], repo, env),
        ]
        race(contenders, args.runs)
        export, history, site = contenders
        pages = len(list((out / "models").glob("*.html")))
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    report(f"site ({pages} model pages, {size / 1e6:.1f} MB) against export and history", contenders, export,
           f"site <= {GOAL:g}x (export + history)")
    for what in ("wall", "cpu"):
        both = export.median(what) + history.median(what)
        ratio = site.median(what) / both
        print(f"{what}: site {site.median(what):.2f} s / (export {export.median(what):.2f} s + history "
              f"{history.median(what):.2f} s = {both:.2f} s) = {ratio:.2f}x "
              f"({'met' if ratio <= GOAL else 'NOT met'}: target <= {GOAL:g}x)")


if __name__ == "__main__":
    main()
