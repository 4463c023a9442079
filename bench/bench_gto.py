"""registry-tool against GTO 1.10 on the same registry: ``show``, ``show NAME``, ``history NAME``.

bench/generate.py writes one synthetic history twice: as model files (``models/*.yaml``,
what registry-tool reads) and as GTO's annotated tags on the same commits
(``name@v1.0.0`` for a registration, ``name#staging#N`` / ``name#prod#N`` for a stage
assignment, ``name#prod!#N`` to unassign). Three pairs run side by side, interleaved,
each run a fresh process in the repository, JSON output on both sides:

* ``gto show --json``              vs ``registry-tool show --format json``
* ``gto show NAME --json``         vs ``registry-tool show NAME --format json``
  (for one model registry-tool also reads from history when each version got its stage)
* ``gto history NAME --json``      vs ``registry-tool history NAME --format json``

NAME is the model with the most GTO tags among those with several versions and both
prod and staging tags (``--name`` to choose). Before the timed runs every command runs
once with its output kept: each must exit 0, and the script prints what both sides say
(model names, versions, NAME's production version) so a mismatch shows. That run also
warms the page cache. When the registry-tool being run honours
``REGISTRY_TOOL_HISTORY_INDEX`` (its history index under ``.git/registry-tool/``), it is
measured twice: cold (``REGISTRY_TOOL_HISTORY_INDEX=0``, no index) and warm (the default,
the index written by the untimed run).

The repository is tag-based by default, as in the issue's GTO measurement (2,000 models /
10,000 tags: ``gto show`` ~33 s, ``gto show NAME`` and ``gto history NAME`` ~17 s). With
``--artifacts-yaml`` it also holds GTO's ``artifacts.yaml``, which GTO parses at every
version's commit and for every artifact at HEAD: keep ``--models`` in the hundreds then
(200 models already take ``gto show`` about two minutes). Target: registry-tool >= 10x
faster than GTO on each pair (ratio = GTO median / registry-tool median).

    python bench/bench_gto.py                        # 2,000 models x 2 versions, 4,000 commits (~13,700 tags)
    python bench/bench_gto.py --models 100 --runs 1  # a quick look
    python bench/bench_gto.py --compare wip=/work/other-checkout

GTO is looked up as ``--gto`` (default: $GTO, then /tmp/venv-gto/bin/gto); install it in
a venv of its own: ``python3 -m venv /tmp/venv-gto && /tmp/venv-gto/bin/pip install gto==1.10.0``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Contender, machine, race, registry, report, tool_command

INDEX_ENV = "REGISTRY_TOOL_HISTORY_INDEX"
GOAL = 10.0


def tags(repo: Path) -> list[str]:
    out = subprocess.run(["git", "for-each-ref", "--format=%(refname:short)", "refs/tags"], cwd=repo,
                         capture_output=True, text=True, check=True).stdout
    return out.split()


def pick_name(all_tags: list[str]) -> str:
    """The model with the most GTO tags among those with several versions, a prod and a
    staging assignment (ties: the first by name)."""
    per: dict[str, list[str]] = {}
    for tag in all_tags:
        name = re.split(r"[@#]", tag, maxsplit=1)[0]
        per.setdefault(name, []).append(tag)
    fits = [(len(t), n) for n, t in per.items()
            if sum("@v" in x and not x.endswith("!") for x in t) >= 2
            and any("#prod#" in x for x in t) and any("#staging#" in x for x in t)]
    if not fits:
        raise SystemExit("no model has two versions and both prod and staging tags; use --versions 2 or more, or --name")
    return min(fits, key=lambda f: (-f[0], f[1]))[1]


def package_dir(cmd: list[str], env: dict[str, str]) -> Path | None:
    """Where the registry_tool package that ``cmd`` runs lives."""
    python = cmd[0] if cmd[1:2] == ["-m"] else None
    if python is None:  # a console script: its interpreter is on the #! line
        try:
            first = Path(cmd[0]).read_text(errors="replace").splitlines()[0]
        except (OSError, IndexError):
            return None
        python = first[2:].strip().split()[0] if first.startswith("#!") else None
    if python is None:
        return None
    done = subprocess.run([python, "-c", "import registry_tool, os; print(os.path.dirname(registry_tool.__file__))"],
                          env={**os.environ, **env}, capture_output=True, text=True,
                          cwd=os.path.sep)  # not here: "" on sys.path would find this checkout first
    return Path(done.stdout.strip()) if done.returncode == 0 else None


def has_history_index(cmd: list[str], env: dict[str, str]) -> bool:
    found = package_dir(cmd, env)
    return found is not None and any(INDEX_ENV in p.read_text(errors="replace") for p in found.rglob("*.py"))


def variants(label: str, cmd: list[str], env: dict[str, str]) -> list[tuple[str, list[str], dict[str, str]]]:
    """registry-tool as run: once, or cold and warm when it keeps a history index."""
    if not has_history_index(cmd, env):
        return [(label, cmd, env)]
    return [(f"{label}, cold ({INDEX_ENV}=0)", cmd, {**env, INDEX_ENV: "0"}),
            (f"{label}, warm (history index)", cmd, env)]


def run_once(c: Contender) -> str:
    """One untimed run, output kept; it must exit 0."""
    done = subprocess.run(list(c.cmd), cwd=c.cwd, env={**os.environ, **c.env}, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{c.name}: exit {done.returncode}: {' '.join(c.cmd)}\n{done.stderr[-2000:]}")
    if not done.stdout.strip():
        raise SystemExit(f"{c.name}: printed nothing: {' '.join(c.cmd)}")
    return done.stdout


def bare(version: str) -> str:
    return version[1:] if version.startswith("v") else version


def gto_stage(entry: dict, stage: str) -> str | None:
    found = entry.get("stage", {}).get(stage)
    if isinstance(found, list):
        found = found[0] if found else None
    return bare(found) if found else None


def check_show(gto_out: str, tool_out: str) -> str:
    gto = json.loads(gto_out)
    tool = json.loads(tool_out)["versions"]
    names = {v["model"] for v in tool}
    prod = {v["model"]: v["version"] for v in tool if v["stage"] == "production"}
    same_prod = sum(gto_stage(e, "prod") == prod.get(n) for n, e in gto.items())
    return (f"gto show: {len(gto)} artifacts, {sum(1 for e in gto.values() if gto_stage(e, 'prod'))} with prod; "
            f"registry-tool show: {len(names)} models, {len(tool)} versions, {len(prod)} in production; "
            f"same names: {'yes' if set(gto) == names else 'NO'}; "
            f"same production version: {same_prod}/{len(gto)} models")


def check_show_name(name: str, gto_out: str, tool_out: str) -> str:
    gto = json.loads(gto_out)
    tool = json.loads(tool_out)["versions"]
    gto_prod = [bare(v["version"]) for v in gto
                if any(s["stage"] == "prod" and s.get("is_active") for s in v.get("stages", []))]
    tool_prod = [v["version"] for v in tool if v["stage"] == "production"]
    return (f"gto show {name}: {len(gto)} versions (registered: "
            f"{', '.join(bare(v['version']) for v in gto if v.get('registrations'))}), prod: {', '.join(gto_prod) or '-'}; "
            f"registry-tool show {name}: {len(tool)} versions ({', '.join(v['version'] for v in tool)}), "
            f"production: {', '.join(tool_prod) or '-'}")


def check_history(name: str, gto_out: str, tool_out: str) -> str:
    gto = json.loads(gto_out)
    tool = json.loads(tool_out)
    to_prod = [e for e in gto if e["event"] == "assignment" and e.get("stage") == "prod"]
    last_gto = max(to_prod, key=lambda e: (e["timestamp"], e.get("priority", 0)), default=None)
    last_tool = next((e for e in tool if e.get("to_stage") == "production"), None)  # newest first
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(Counter(e["event"] for e in gto).items()))
    return (f"gto history {name}: {len(gto)} events ({kinds}), "
            f"last to prod: {bare(last_gto['version']) + ' at ' + last_gto['timestamp'] if last_gto else '-'}; "
            f"registry-tool history {name}: {len(tool)} events "
            f"({', '.join(f'{k} {v}' for k, v in sorted(Counter(e['event'] for e in tool).items()))}), "
            f"last to production: {last_tool['version'] + ' at ' + last_tool['time'] if last_tool else '-'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--versions", type=int, default=2)
    parser.add_argument("--commits", type=int, help="commits of history (default: 2 x models)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per contender (median)")
    parser.add_argument("--rows", default="show,show-name,history", help="which pairs to run")
    parser.add_argument("--name", help="the model for show NAME and history NAME (default: picked from the tags)")
    parser.add_argument("--artifacts-yaml", action="store_true",
                        help="also commit GTO's artifacts.yaml (GTO is far slower with it; keep --models small)")
    parser.add_argument("--gto", default=os.environ.get("GTO", "/tmp/venv-gto/bin/gto"), help="the gto executable")
    parser.add_argument("--installed", help="run this registry-tool console script instead of this checkout")
    parser.add_argument("--compare", action="append", default=[], metavar="LABEL=PATH",
                        help="also run registry-tool from another checkout (PYTHONPATH=PATH)")
    args = parser.parse_args(argv)
    rows = set(args.rows.split(","))
    commits = args.commits or 2 * args.models

    gto = shutil.which(args.gto) or args.gto
    if not Path(gto).exists():
        print(f"gto not found at {args.gto} (--gto or $GTO). Install GTO 1.10 in a venv of its own:\n"
              f"  python3 -m venv /tmp/venv-gto && /tmp/venv-gto/bin/pip install gto==1.10.0", file=sys.stderr)
        return 2
    gto_version = subprocess.run([gto, "--version"], capture_output=True, text=True).stdout.strip()
    gto_version = gto_version.split()[-1] if gto_version else "unknown"

    tool, env, how = tool_command(args.installed)
    tools = variants("registry-tool", tool, env)
    for spec in args.compare:
        label, _, path = spec.partition("=")
        tools += variants(f"registry-tool ({label}: {path})", [sys.executable, "-m", "registry_tool"],
                          {"PYTHONPATH": path})

    print(f"# registry-tool vs GTO {gto_version}\nregistry-tool: {how}\ngto: {gto}\nmachine: {machine()}", flush=True)
    repo = registry(args.models, args.versions, commits, gto=args.artifacts_yaml, gto_tags_only=not args.artifacts_yaml)
    all_tags = tags(repo)
    name = args.name or pick_name(all_tags)
    n_commits = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=repo, capture_output=True, text=True,
                               check=True).stdout.strip()
    n_models = sum(1 for p in (repo / "models").iterdir() if p.suffix == ".yaml")
    n_versions = sum((repo / "models" / p.name).read_text().count("- version:") for p in (repo / "models").iterdir())
    print(f"registry: {repo} (bench/generate.py -n {args.models} -v {args.versions} -c {commits} "
          f"{'--gto' if args.artifacts_yaml else '--gto-tags-only'}): {n_models} models, {n_versions} versions, "
          f"{n_commits} commits, {len(all_tags)} tags ({'with' if args.artifacts_yaml else 'no'} artifacts.yaml)\n"
          f"NAME: {name} ({sum(1 for t in all_tags if re.split(r'[@#]', t, maxsplit=1)[0] == name)} tags)\n"
          f"output: JSON on both sides; {args.runs} interleaved runs per contender after one untimed checked run, "
          f"medians; ratio = GTO / registry-tool", flush=True)

    pairs = [
        ("show", "the whole registry: gto show vs registry-tool show", ["show", "--json"], ["show", "--format", "json"],
         lambda g, t: check_show(g, t)),
        ("show-name", f"one model: gto show {name} vs registry-tool show {name}", ["show", name, "--json"],
         ["show", name, "--format", "json"], lambda g, t: check_show_name(name, g, t)),
        ("history", f"one model's history: gto history {name} vs registry-tool history {name}",
         ["history", name, "--json"], ["history", name, "--format", "json"], lambda g, t: check_history(name, g, t)),
    ]
    for row, title, gto_args, tool_args, check in pairs:
        if row not in rows:
            continue
        ours = [Contender(f"{label}: {' '.join(tool_args)}", [*cmd, *tool_args], repo, e) for label, cmd, e in tools]
        theirs = Contender(f"gto {gto_version}: gto {' '.join(gto_args)}", [gto, *gto_args], repo)
        print(f"\n# {title}", flush=True)
        gto_out = run_once(theirs)
        for c in ours:
            print(f"check: {check(gto_out, run_once(c))}", flush=True)
        race([*ours, theirs], args.runs, warmup=False)
        report(title, [*ours, theirs], ours[0], f"GTO / registry-tool >= {GOAL:.0f}x (wall)")
        for c in ours:
            wall = theirs.median("wall") / c.median("wall")
            cpu = theirs.median("cpu") / c.median("cpu")
            print(f"GTO / {c.name}: {wall:.1f}x wall, {cpu:.1f}x cpu "
                  f"({'meets' if wall >= GOAL else 'MISSES'} the {GOAL:.0f}x target)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
