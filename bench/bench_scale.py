"""How each cost grows with the registry: one row per line of issue 22's table, each beside
its floor in one run (interleaved, medians), at every size asked for.

Rows (``--rows``, default all):

* ``pr``       a pull request changing 3 model files, ``validate --ref bench-pr --base
  bench-pr~1``, vs ``python -c 'import pygit2, yaml, click'`` (the import floor). Goal <= 1.3x.
  ``git diff-tree`` of the same commits runs beside it, for reference.
* ``get``      ``get MODEL --stage production --field artifact.uri`` vs the import floor. Goal <= 1.3x.
  ``git cat-file blob main:models/MODEL.yaml`` runs beside it, for reference.
* ``full``     full ``validate --ref HEAD`` vs bench/floor.py (read and ``yaml.load`` every
  model blob). Goal <= 1.0x. Also run with git's pack windows capped (``core.packedGitLimit``),
  which trades time for memory.
* ``staged``   ``validate --staged`` (the pre-commit hook) with one model file's edit staged
  vs the import floor; ``git diff --cached --name-only`` beside it. Goal: as ``pr``.
* ``export``   ``export --ref main`` (the whole registry as one JSON document) vs the same
  floor as ``full``. Goal: peak memory <= 200 MB whatever the size (the document is
  written a model at a time, not held).
* ``promote``  ``promote MODEL V --to staging --commit`` vs ``sed`` of the same line + ``git add``
  + ``git commit`` (each run starts from the same commit: an untimed ``git reset --hard``
  puts it back). Goal <= 2x. The import floor runs beside it, for reference.
* ``history``  ``history MODEL`` without the history index (``REGISTRY_TOOL_HISTORY_INDEX=0``,
  a fresh CI clone) vs ``git log --format=%H -- models/MODEL.yaml``. Goal <= 2x.
* ``history-limit``  the whole registry's newest 500 events, ``history --limit 500 --format
  json``, without the history index, vs ``git log --first-parent --raw --format=%H -- models
  registry.yaml`` (the one walk of the folder that tells, for every model entering
  production in those events, whether it had been there before). Goal <= 2x, as ``history``.
* ``history-limit-fresh``, ``history-all-fresh``  the same as in a fresh CI clone: the
  history index on and empty (removed, untimed, before each run), so the walk writes it.
* ``index-only``  ``history --index-only`` (the history index written, no model read) in a
  fresh clone (the index removed, untimed, before each run) vs the same ``git log`` as
  ``history-limit``. Goal: <= 1.5x (issue 22: the first walk, which builds the index, at
  1.5x Git's own per-commit diff).
* ``history-warm``, ``history-limit-warm``  ``history MODEL`` and ``history --limit 500``
  with the history index whole (as a CI cache restores it; filled untimed before each run
  by this checkout's ``history --index-only``)
  vs the import floor. Goal: peak memory <= 200 MB; the index is read, not held.
* ``history-all``  the whole registry's ``history --format json`` without the history index
  (every commit's changes, read from ``git log``, and both sides of each parsed) vs ``git log
  --first-parent --raw --format=%H -- models`` (Git listing the same changes). Goal: peak memory <= 200 MB (the largest process, anon
  and PSS), whatever the size; the wall ratio is printed too. Slow: one walk at 2,000
  models takes ~50 s of CPU; run it with ``--runs 1``.

Every row prints peak memory too (largest process, summed anon, summed PSS; see
bench/harness.py). ``--compare LABEL=PATH`` runs another checkout beside this one (e.g.
``before=/tmp/before``, made with ``git archive main | tar -x -C /tmp/before``), so a
change is measured before and after in one run.

    python bench/bench_scale.py --sizes 2000,10000,50000 --rows pr,get --runs 5 --compare before=/tmp/before

Registries are generated once (``bench/generate.py``, ``N`` models x 5 versions, ``2N``
commits) under $REGISTRY_BENCH_CACHE (default /tmp/registry-bench); 50,000 models / 100,000
commits take a quarter of an hour or more on a shared 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from functools import partial
from pathlib import Path

import pygit2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_validate import pr_commit
from harness import BENCH, CACHE, Contender, machine, race, registry, report, tool_command

IMPORT_FLOOR = [sys.executable, "-c", "import pygit2, yaml, click"]
HISTORY_LIMIT = 500  # events of the history-limit row


def tools(args: argparse.Namespace) -> list[tuple[str, list[str], dict[str, str]]]:
    """(label, command, environment) of this checkout and of each --compare checkout."""
    tool, env, _ = tool_command(args.installed)
    found = [("this checkout", tool, env)]
    for spec in args.compare:
        label, _, where = spec.partition("=")
        found.append((label, [sys.executable, "-m", "registry_tool"], {"PYTHONPATH": where}))
    return found


def pick_model(path: Path, wanted: str) -> tuple[str, str]:
    """A model (from the middle of the sorted names) with a version at ``wanted`` stage and
    its label."""
    repo = pygit2.Repository(str(path))
    folder = repo.revparse_single("main").peel(pygit2.Commit).tree["models"]
    names = sorted(e.name for e in folder)
    start = len(names) // 2
    for name in names[start:] + names[:start]:
        text = repo[folder[name].id].data.decode()
        found = re.search(r'version: "?([^"\n]+)"?\n\s+stage: ' + wanted + r"\n", text)
        if found:
            return name[: -len(".yaml")], found.group(1)
    raise SystemExit(f"no model with a version in {wanted} at {path}")


def pr_row(path: Path, args: argparse.Namespace) -> list[Contender]:
    """Beside the tool, for reference: Git's own diff of the same two commits (what reading
    and comparing two models trees costs Git)."""
    ref = pr_commit(path)
    git = Contender(f"for reference: git diff-tree -r --raw {ref}~1 {ref}", ["git", "diff-tree", "-r", "--raw", f"{ref}~1", ref],
                    path)
    return [git, *(Contender(f"validate --ref {ref} --base {ref}~1 ({label})",
                             [*cmd, "validate", "--ref", ref, "--base", f"{ref}~1"], path, env)
                   for label, cmd, env in tools(args))]


def get_row(path: Path, args: argparse.Namespace) -> list[Contender]:
    """Beside the tool, for reference: Git printing the same file (it reads the models tree too)."""
    name, _ = pick_model(path, "production")
    git = Contender(f"for reference: git cat-file blob main:models/{name}.yaml",
                    ["git", "cat-file", "blob", f"main:models/{name}.yaml"], path)
    return [git, *(Contender(f"get {name} --stage production --field artifact.uri ({label})",
                             [*cmd, "get", name, "--stage", "production", "--field", "artifact.uri", "--ref", "main"], path,
                             env) for label, cmd, env in tools(args))]


def full_row(path: Path, args: argparse.Namespace) -> list[Contender]:
    """Each tool as it comes (the command line bounds what libgit2 maps of a pack: 1 MiB
    windows, 128 MiB), and this checkout with git's own defaults set in the configuration
    (``core.packedGitWindowSize=1g``, ``core.packedGitLimit=8g``, from a .gitconfig in a
    HOME of its own, which git and libgit2 both read): time against memory."""
    home = CACHE / "home-git-pack-defaults"
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text("[core]\n\tpackedGitLimit = 8g\n\tpackedGitWindowSize = 1g\n")
    (label, cmd, env), *_ = tools(args)
    unbounded = Contender(f"validate --ref HEAD, core.packedGitLimit=8g ({label})", [*cmd, "validate", "--ref", "HEAD"],
                          path, {**env, "HOME": str(home)})
    return [*(Contender(f"validate --ref HEAD ({label})", [*cmd, "validate", "--ref", "HEAD"], path, env)
              for label, cmd, env in tools(args)), unbounded]


def staged_row(path: Path, args: argparse.Namespace) -> list[Contender]:
    """``validate --staged`` (the pre-commit hook) with one model file's edit staged: a
    comment line appended, untimed before each run (``git reset --hard``, the edit, ``git
    add``; the last run's edit stays staged). Beside it, for reference: Git listing the
    staged change."""
    name, _ = pick_model(path, "production")
    head = subprocess.run(["git", "rev-parse", "main"], cwd=path, check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run(["git", "checkout", "-q", "main"], cwd=path, check=True)
    stage = ["sh", "-c", f"git reset -q --hard {head} && echo '# staged by the bench' >> models/{name}.yaml && "
             f"git add models/{name}.yaml"]
    git = Contender("for reference: git diff --cached --name-only", ["git", "diff", "--cached", "--name-only"], path,
                    before=stage)
    return [git, *(Contender(f"validate --staged, {name}.yaml edited ({label})", [*cmd, "validate", "--staged"], path, env,
                             before=stage) for label, cmd, env in tools(args))]


def export_row(path: Path, args: argparse.Namespace) -> list[Contender]:
    """``export``: every model read, checked and printed as one JSON document (~200 MB at
    50,000 models), against the same floor as ``full``; what it watches is peak memory."""
    return [Contender(f"export --ref main ({label})", [*cmd, "export", "--ref", "main"], path, env)
            for label, cmd, env in tools(args)]


def history_row(path: Path, args: argparse.Namespace) -> list[Contender]:
    name, _ = pick_model(path, "production")
    return [Contender(f"history {name}, no index ({label})", [*cmd, "history", name, "--format", "json"], path,
                      {**env, "REGISTRY_TOOL_HISTORY_INDEX": "0"}) for label, cmd, env in tools(args)]


def promote_row(path: Path, args: argparse.Namespace) -> tuple[Contender, list[Contender]]:
    """A version in stage none promoted to staging: one line of one file."""
    name, label = pick_model(path, "none")
    head = subprocess.run(["git", "rev-parse", "main"], cwd=path, check=True, capture_output=True, text=True).stdout.strip()
    reset = ["git", "reset", "-q", "--hard", head]
    subprocess.run(["git", "checkout", "-q", "main"], cwd=path, check=True)
    subprocess.run(reset, cwd=path, check=True)
    text = (path / "models" / f"{name}.yaml").read_text()
    line = text[: text.index(f'version: "{label}"')].count("\n") + 2  # the stage line follows the version line
    env = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "Bench",
           "GIT_COMMITTER_EMAIL": "bench@example.com"}
    floor = Contender(f"sed line {line} of models/{name}.yaml + git add + git commit",
                      ["sh", "-c", f"sed -i '{line}s/stage: none/stage: staging/' models/{name}.yaml && "
                       f"git add models/{name}.yaml && git commit -q -m 'Promote {name} {label} to staging'"],
                      path, env, before=reset)
    ours = [Contender(f"promote {name} {label} --to staging --commit ({tool})",
                      [*cmd, "promote", name, label, "--to", "staging", "--commit"], path, {**tenv, **env}, before=reset)
            for tool, cmd, tenv in tools(args)]
    # Python's start with the three imports alone, for reference: what any edit by a Python
    # tool on pygit2 costs before it reads a byte.
    imports = Contender("for reference: python -c 'import pygit2, yaml, click'", IMPORT_FLOOR, path)
    return floor, [imports, *ours]


def _history(path: Path, args: argparse.Namespace, what: str, extra: list[str], fresh: bool) -> list[Contender]:
    """``history --format json`` plus ``extra``: without the history index
    (``REGISTRY_TOOL_HISTORY_INDEX=0``), or ``fresh``, as in a fresh CI clone: the index on
    and empty (removed, untimed, before each run), so the walk writes it."""
    empty = ["rm", "-rf", str(path / ".git" / "registry-tool")] if fresh else None
    how = "fresh clone's index" if fresh else "no index"
    return [Contender(f"{what}, {how} ({label})", [*cmd, "history", *extra, "--format", "json"], path,
                      {**env, "REGISTRY_TOOL_HISTORY_INDEX": "1" if fresh else "0"}, before=empty)
            for label, cmd, env in tools(args)]


def history_limit_row(path: Path, args: argparse.Namespace, fresh: bool = False) -> list[Contender]:
    return _history(path, args, f"history --limit {HISTORY_LIMIT} --format json", ["--limit", str(HISTORY_LIMIT)], fresh)


def history_all_row(path: Path, args: argparse.Namespace, fresh: bool = False) -> list[Contender]:
    return _history(path, args, "history --format json, every model", [], fresh)


def index_only_row(path: Path, args: argparse.Namespace) -> list[Contender]:
    """``history --index-only`` as in a fresh CI clone: the index removed, untimed, before
    each run. This checkout only: an older one may not have the flag."""
    (label, cmd, env), *_ = tools(args)
    empty = ["rm", "-rf", str(path / ".git" / "registry-tool")]
    return [Contender(f"history --index-only, a fresh clone's index ({label})", [*cmd, "history", "--index-only"], path,
                      {**env, "REGISTRY_TOOL_HISTORY_INDEX": "1"}, before=empty)]


def _warm(path: Path, args: argparse.Namespace, what: str, extra: list[str]) -> list[Contender]:
    """``history --format json`` plus ``extra`` with the history index whole, as a later CI
    run reads it from a cache: this checkout's ``history --index-only`` fills it untimed
    before each run (the file is the same for every tool; cheap once it is whole)."""
    (_, this, this_env), *_ = tools(args)
    fill = ["env", *(f"{k}={v}" for k, v in this_env.items()), *this, "history", "--index-only"]
    return [Contender(f"{what}, the index whole ({label})", [*cmd, "history", *extra, "--format", "json"], path,
                      {**env, "REGISTRY_TOOL_HISTORY_INDEX": "1"}, before=fill) for label, cmd, env in tools(args)]


def history_warm_row(path: Path, args: argparse.Namespace) -> list[Contender]:
    name, _ = pick_model(path, "production")
    return _warm(path, args, f"history {name}", [name])


def history_limit_warm_row(path: Path, args: argparse.Namespace) -> list[Contender]:
    return _warm(path, args, f"history --limit {HISTORY_LIMIT}", ["--limit", str(HISTORY_LIMIT)])


ROWS = {"pr": (pr_row, "the import floor", "<= 1.3x the import floor (wall)"),
        "get": (get_row, "the import floor", "<= 1.3x the import floor (wall)"),
        "staged": (staged_row, "the import floor", "<= 1.3x the import floor (wall), as a pull request's check"),
        "history": (history_row, "git log", "<= 2x git log --format=%H -- path (wall)"),
        "history-limit": (history_limit_row, "git log", "<= 2x git log --raw -- models registry.yaml (wall)"),
        "history-all": (history_all_row, "git log", "peak memory <= 200 MB (largest process, anon, PSS)"),
        "history-limit-fresh": (partial(history_limit_row, fresh=True), "git log",
                                "<= 2x git log --raw -- models registry.yaml (wall)"),
        "history-all-fresh": (partial(history_all_row, fresh=True), "git log",
                              "peak memory <= 200 MB (largest process, anon, PSS)"),
        "index-only": (index_only_row, "git log", "<= 1.5x git log --raw -- models registry.yaml (wall)"),
        "history-warm": (history_warm_row, "the import floor", "peak memory <= 200 MB (largest process, anon, PSS)"),
        "history-limit-warm": (history_limit_warm_row, "the import floor",
                               "peak memory <= 200 MB (largest process, anon, PSS)")}


def run_size(models: int, rows: list[str], args: argparse.Namespace) -> None:
    path = registry(models, 5, 2 * models)
    print(f"\n# {models} models x 5 versions, {2 * models} commits ({path})", flush=True)
    for row in rows:
        if row in ("full", "export"):
            floor = Contender("floor: pygit2 + yaml.load(CSafeLoader) of every model", [sys.executable, str(BENCH / "floor.py"),
                                                                                      str(path), "main"], path)
            contenders = [floor, *(full_row if row == "full" else export_row)(path, args)]
            target = "<= 1.0x the floor (wall)" if row == "full" else "peak memory <= 200 MB (largest process, anon, PSS)"
        elif row == "promote":
            floor, ours = promote_row(path, args)
            contenders, target = [floor, *ours], "<= 2x sed + git commit (wall)"
        else:
            build, _, target = ROWS[row]
            if row == "history":
                name, _ = pick_model(path, "production")
                floor = Contender(f"git log --format=%H -- models/{name}.yaml",
                                  ["git", "log", "--format=%H", "main", "--", f"models/{name}.yaml"], path)
            elif row.endswith("-warm"):
                floor = Contender("floor: python -c 'import pygit2, yaml, click'", IMPORT_FLOOR, path)
            elif row.startswith("history-limit") or row == "index-only":
                floor = Contender("git log --first-parent --raw --format=%H -- models registry.yaml",
                                  ["git", "log", "--first-parent", "--raw", "--no-abbrev", "--format=%H", "main", "--",
                                   "models", "registry.yaml"], path)
            elif row.startswith("history-all"):
                floor = Contender("git log --first-parent --raw --format=%H -- models",
                                  ["git", "log", "--first-parent", "--raw", "--no-abbrev", "--format=%H", "main", "--",
                                   "models"], path)
            else:
                floor = Contender("floor: python -c 'import pygit2, yaml, click'", IMPORT_FLOOR, path)
            contenders = [floor, *build(path, args)]
        race(contenders, args.runs, warmup=not args.no_warmup)
        report(f"{row}, {models} models", contenders, floor, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,10000,50000")
    parser.add_argument("--rows", default="pr,get,full,promote,history",
                        help="comma-separated; also staged, export, history-limit, history-all and their -fresh rows "
                             "(slow, not in the default), index-only, history-warm and history-limit-warm")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-warmup", action="store_true",
                        help="skip the untimed first round (for slow rows whose registry is already in the page cache)")
    parser.add_argument("--installed", help="run this registry-tool console script instead of this checkout")
    parser.add_argument("--compare", action="append", default=[], metavar="LABEL=PATH")
    args = parser.parse_args(argv)
    # Let Python write .pyc files (the untimed round does), as an installed package has them:
    # otherwise every run recompiles every module of a checkout.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    _, _, how = tool_command(args.installed)
    print(f"# registry-tool at scale\nregistry-tool: {how}\nmachine: {machine()}\n{args.runs} interleaved runs per "
          f"contender{' (no untimed round first)' if args.no_warmup else ' after one untimed round'}, medians", flush=True)
    for size in (int(s) for s in args.sizes.split(",")):
        run_size(size, args.rows.split(","), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
