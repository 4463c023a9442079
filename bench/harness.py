"""Run contenders side by side: interleaved runs, medians, ratios, peak memory.

Every contender is a subprocess. For each run we take the wall time, the CPU time of the
process and every child it waited for (``os.wait4``), its peak resident set (``ru_maxrss``,
the largest single process; file pages of the mmapped pack count there) and, sampled
every 10 ms over the whole process tree, the peaks of the summed anonymous memory
(``RssAnon``: the heap, what grows if a validator holds documents) and of the summed
proportional set size (``Pss``: the whole footprint, shared pages counted once).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
CHECKOUT = BENCH.parent
CACHE = Path(os.environ.get("REGISTRY_BENCH_CACHE", "/tmp/registry-bench"))


@dataclass
class Sample:
    wall: float
    cpu: float
    maxrss_mb: float
    anon_mb: float
    pss_mb: float


@dataclass
class Contender:
    name: str
    cmd: Sequence[str]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)
    before: Sequence[str] | None = None  # run untimed before each measurement (e.g. reset what the last run wrote)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(s, attr) for s in self.samples)


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as handle:
                    todo.extend(int(c) for c in handle.read().split())
        except OSError:
            pass
    return out


def _memory_kb(pid: int) -> tuple[int, int]:
    """(anonymous resident, proportional set size) of one process, in KiB."""
    anon = pss = 0
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("RssAnon:"):
                    anon = int(line.split()[1])
                    break
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                    break
    except OSError:
        pass
    return anon, pss


def measure(c: Contender) -> Sample:
    env = {**os.environ, **c.env}
    if c.before is not None:
        subprocess.run(list(c.before), cwd=c.cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    start = time.perf_counter()
    proc = subprocess.Popen(list(c.cmd), cwd=c.cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            found = [_memory_kb(p) for p in _tree(proc.pid)]
            peak[0] = max(peak[0], sum(a for a, _ in found))
            peak[1] = max(peak[1], sum(p for _, p in found))
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{c.name}: exit {proc.returncode}: {' '.join(map(str, c.cmd))}\n{err.decode()[-2000:]}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, peak[0] / 1024, peak[1] / 1024)


def race(contenders: list[Contender], runs: int, warmup: bool = True) -> None:
    """Interleaved: run 1 of each, then run 2 of each, ... (a first, untimed round warms
    the page cache)."""
    if warmup:
        for c in contenders:
            measure(c)
    for r in range(runs):
        for c in contenders:
            c.samples.append(measure(c))
            s = c.samples[-1]
            print(f"  run {r + 1}/{runs} {c.name}: {s.wall:.2f} s wall, {s.cpu:.2f} s cpu, "
                  f"{s.maxrss_mb:.0f} MB maxrss, {s.anon_mb:.0f} MB anon, {s.pss_mb:.0f} MB pss", file=sys.stderr, flush=True)


def report(title: str, contenders: list[Contender], baseline: Contender, target: str) -> str:
    lines = [f"\n## {title}", f"target: {target}",
             "| contender | wall (median) | cpu (median) | wall ratio | cpu ratio | peak RSS | peak anon | peak PSS |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for c in contenders:
        lines.append(
            f"| {c.name} | {c.median('wall'):.2f} s | {c.median('cpu'):.2f} s | "
            f"{c.median('wall') / baseline.median('wall'):.2f}x | {c.median('cpu') / baseline.median('cpu'):.2f}x | "
            f"{max(s.maxrss_mb for s in c.samples):.0f} MB | {max(s.anon_mb for s in c.samples):.0f} MB | "
            f"{max(s.pss_mb for s in c.samples):.0f} MB |")
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def registry(models: int, versions: int, commits: int, gto: bool = False, repack: bool = False,
             gto_tags_only: bool = False) -> Path:
    """A generated registry, cached under $REGISTRY_BENCH_CACHE (default /tmp/registry-bench).
    ``gto``: with GTO's artifacts.yaml and tags; ``gto_tags_only``: GTO's tags alone."""
    flavour = "-gto-tags" if gto_tags_only else "-gto" if gto else ""
    path = CACHE / f"n{models}-v{versions}-c{commits}{flavour}{'-repacked' if repack else ''}"
    marker = path / ".git" / "bench-complete"
    if not marker.exists():
        if path.exists():
            shutil.rmtree(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, str(BENCH / "generate.py"), "-n", str(models), "-v", str(versions), "-c", str(commits),
               "-o", str(path)] + (["--gto-tags-only"] if gto_tags_only else ["--gto"] if gto else []) + \
            (["--repack"] if repack else [])
        subprocess.run(cmd, check=True)
        marker.write_text("ok\n")
    return path


def tool_command(installed: str | None) -> tuple[list[str], dict[str, str], str]:
    """How registry-tool is run: this checkout on PYTHONPATH (default), or an installed
    console script."""
    if installed:
        return [installed], {}, f"installed: {installed}"
    return ([sys.executable, "-m", "registry_tool"], {"PYTHONPATH": str(CHECKOUT)},
            f"this checkout via PYTHONPATH={CHECKOUT} ({sys.executable})")


def machine() -> str:
    load = os.getloadavg()
    text = f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at start"
    editable = sorted(m for m in sys.modules if m.startswith("__editable__"))
    if editable:
        # A .pth file runs this finder at every start of this Python, floor and tool alike:
        # ~20 ms of CPU that inflates the import floor and flatters every ratio against it.
        text += (f"\nWARNING: this Python starts an editable install's finder ({', '.join(editable)}) in every "
                 "process: run the benchmarks with a venv that has registry-tool's dependencies but no editable install")
    return text
