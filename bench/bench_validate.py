"""Benchmarks of ``registry-tool validate`` against its floor and a peer, side by side.

Rows (``--rows``, default all):

* ``floor``  full ``validate --ref HEAD`` vs bench/floor.py (pygit2 + ``yaml.load`` with
  ``CSafeLoader`` of every model blob, nothing else). Target: <= 1.5x the floor. For
  scale, bench/naive.py (the floor plus jsonschema) runs beside them.
* ``cjs``    the same vs ``check-jsonschema --schemafile schemas/model.schema.json`` on the
  same files in the working tree (a peer that checks far less). Target: >= 10x faster.
* ``pr``     a pull request changing 3 model files: ``validate --ref bench-pr --base
  bench-pr~1`` vs the full ``validate --ref bench-pr``. Target: <= 0.1x.
* ``staged`` the pre-commit hook: ``validate --staged`` with the same 3-file change staged
  in an index (``GIT_INDEX_FILE``, made by ``git read-tree bench-pr``) against HEAD (main),
  beside the ``pr`` row's ``--ref bench-pr --base bench-pr~1`` and ``git diff --cached
  --name-only`` (what pre-commit itself runs to list the staged files). No target: the
  index has no tree ids, so both sides are listed (ids only, nothing read).
* ``unknown`` one 330 KB model file with 13,000 unknown keys (a hostile or generated
  file): ``validate`` vs ``yaml.load`` of the file. Finding each key's line once scanned
  the mapping per key (quadratic: over a minute); now a per-mapping index and the per-file
  cap of schema findings keep it near the load. Target: <= 5x the load (wall).
* ``memory`` peak memory of the full validate at 2,000, 5,000 and 10,000 models, on the
  generated packs and on the same repositories after ``git repack -adf`` (the layout of
  a clone). Target: <= 200 MB and flat.

    python bench/bench_validate.py                       # 10,000 models x 5 versions, 20,000 commits
    python bench/bench_validate.py --models 2000 --commits 4000 --rows floor,pr --runs 5

check-jsonschema is looked up as ``--check-jsonschema`` (default: $CHECK_JSONSCHEMA, then
/tmp/venv-cjs/bin/check-jsonschema); install it in a venv of its own:
``python3 -m venv /tmp/venv-cjs && /tmp/venv-cjs/bin/pip install check-jsonschema``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pygit2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (
    BENCH,
    CACHE,
    CHECKOUT,
    Contender,
    machine,
    race,
    registry,
    report,
    tool_command,
)

PR_REF = "refs/heads/bench-pr"


def pr_commit(path: Path, files: int = 3) -> str:
    """A commit on bench-pr, child of main, registering a new version in ``files`` model
    files spread over the registry (a legal change)."""
    repo = pygit2.Repository(str(path))
    if PR_REF in repo.references:
        return "bench-pr"
    head = repo.revparse_single("main").peel(pygit2.Commit)
    models = head.tree["models"]
    names = sorted(e.name for e in models)
    picks = [names[(len(names) - 1) * k // max(1, files - 1)] for k in range(files)] if files > 1 else names[:1]
    builder = repo.TreeBuilder(models)
    for name in picks:
        stem = name[: -len(".yaml")]
        block = (f"  - version: \"9.0.0\"\n"
                 f"    stage: none\n"
                 f"    description: Registered by the pull-request benchmark\n"
                 f"    artifact:\n"
                 f"      uri: s3://models/{stem}/9.0.0/model.onnx\n"
                 f"      sha256: {'ab' * 32}\n"
                 f"      format: onnx\n"
                 f"    metrics: {{accuracy: 0.99}}\n")
        data = repo[models[name].id].data + block.encode()
        builder.insert(name, repo.create_blob(data), pygit2.enums.FileMode.BLOB)
    root = repo.TreeBuilder(head.tree)
    root.insert("models", builder.write(), pygit2.enums.FileMode.TREE)
    sig = pygit2.Signature("Bench", "bench@example.com", 1700000000, 0)
    repo.create_commit(PR_REF, sig, sig, f"bench: register 9.0.0 of {files} models", root.write(), [head.id])
    return "bench-pr"


def unknown_keys_file(size: int = 330_000) -> Path:
    """A registry whose one model file has unknown top-level keys up to ``size`` bytes."""
    path = CACHE / f"unknown-keys-{size}"
    target = path / "models" / "big.yaml"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        pygit2.init_repository(str(path))
        tail = 'name: big\nversions:\n  - version: "1.0.0"\n    stage: staging\n    artifact:\n      uri: s3://b/m.onnx\n'
        lines: list[str] = []
        total = len(tail)
        while total < size:
            lines.append(f"unknown_key_{len(lines):05d}: value\n")
            total += len(lines[-1])
        target.write_text("".join(lines) + tail)
    return path


def unknown_keys_row(tool: list[str], env: dict[str, str], args: argparse.Namespace) -> None:
    path = unknown_keys_file()
    load = Contender("yaml.load(CSafeLoader) of the file",
                     [sys.executable, "-c", "import yaml; yaml.load(open('models/big.yaml', 'rb'), Loader=yaml.CSafeLoader)"], path)

    def validate(label: str, command: list[str], extra: dict[str, str]) -> Contender:
        # exit 1 (violations) is the expected outcome; the harness takes any other exit as a failure
        script = 'exec 1>/dev/null; "$@"; [ $? -eq 1 ]'
        return Contender(label, ["sh", "-c", script, "sh", *command, "validate"], path, extra)

    contenders = [load, validate("registry-tool validate (330 KB, 13,197 unknown keys)", tool, env)]
    for spec in args.compare:
        label, _, where = spec.partition("=")
        contenders.append(validate(f"validate ({label}: {where})", [sys.executable, "-m", "registry_tool"], {"PYTHONPATH": where}))
    race(contenders, args.runs)
    report("a model file with thousands of unknown keys", contenders, load, "validate <= 5x the load (wall)")


def staged_row(repo: Path, tool: list[str], env: dict[str, str], args: argparse.Namespace) -> None:
    """The pre-commit hook: the pr row's change staged in an index, judged against HEAD."""
    ref = pr_commit(repo)
    index = repo / ".git" / "bench-staged-index"
    subprocess.run(["git", "read-tree", f"--index-output={index}", ref], cwd=repo, check=True)
    change = Contender(f"validate --ref {ref} --base {ref}~1 (3 files changed)",
                       [*tool, "validate", "--ref", ref, "--base", f"{ref}~1"], repo, env)
    staged = Contender("validate --staged (the same 3 files staged against HEAD)",
                       [*tool, "validate", "--staged"], repo, {**env, "GIT_INDEX_FILE": str(index)})
    listing = Contender("git diff --cached --name-only (pre-commit's own listing)",
                        ["git", "diff", "--cached", "--name-only"], repo, {"GIT_INDEX_FILE": str(index)})
    race([change, staged, listing], args.runs)
    report("the pre-commit hook: the staged change against HEAD", [change, staged, listing], change, "none (measured)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=10000)
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per contender (median)")
    parser.add_argument("--rows", default="floor,cjs,pr,staged,unknown,memory")
    parser.add_argument("--memory-sizes", default="2000,5000,10000")
    parser.add_argument("--check-jsonschema", default=os.environ.get("CHECK_JSONSCHEMA", "/tmp/venv-cjs/bin/check-jsonschema"))
    parser.add_argument("--installed", help="run this registry-tool console script instead of this checkout")
    parser.add_argument("--compare", action="append", default=[], metavar="LABEL=PATH",
                        help="also run the full validate of another checkout (PYTHONPATH=PATH) in the floor row, "
                             "e.g. before=/tmp/before to measure an optimisation")
    args = parser.parse_args(argv)
    rows = set(args.rows.split(","))

    tool, env, how = tool_command(args.installed)
    print(f"# registry-tool validate benchmarks\nregistry-tool: {how}\nmachine: {machine()}\n"
          f"registry: {args.models} models x {args.versions} versions, {args.commits} commits "
          f"(bench/generate.py); {args.runs} interleaved runs per contender, medians", flush=True)
    repo = registry(args.models, args.versions, args.commits)
    floor = Contender("floor: pygit2 + yaml.load(CSafeLoader)", [sys.executable, str(BENCH / "floor.py"), str(repo)], repo)
    full = Contender("registry-tool validate --ref HEAD", [*tool, "validate", "--ref", "HEAD"], repo, env)
    naive = Contender("for scale: floor + jsonschema iter_errors (bench/naive.py)",
                      [sys.executable, str(BENCH / "naive.py"), str(repo)], repo)

    if "floor" in rows:
        others = []
        for spec in args.compare:
            label, _, path = spec.partition("=")
            others.append(Contender(f"validate --ref HEAD ({label}: {path})", [sys.executable, "-m", "registry_tool", "validate",
                                    "--ref", "HEAD"], repo, {"PYTHONPATH": path}))
        race([floor, naive, *others, full], args.runs)
        report("full validate vs the floor", [floor, naive, *others, full], floor, "validate <= 1.5x floor (wall)")
    if "cjs" in rows:
        cjs_path = shutil.which(args.check_jsonschema) or args.check_jsonschema
        if not Path(cjs_path).exists():
            print(f"\n## full validate vs check-jsonschema\nskipped: {cjs_path} not found", flush=True)
        else:
            files = sorted(f"models/{p.name}" for p in (repo / "models").iterdir())
            cjs = Contender("check-jsonschema --schemafile schemas/model.schema.json models/*.yaml",
                            [cjs_path, "--schemafile", str(CHECKOUT / "schemas" / "model.schema.json"), *files], repo)
            fresh = Contender(full.name, full.cmd, repo, env)
            race([fresh, cjs], args.runs, warmup=False)
            report("full validate vs check-jsonschema", [fresh, cjs], fresh, "check-jsonschema >= 10x validate (wall)")
    if "pr" in rows:
        ref = pr_commit(repo)
        whole = Contender(f"validate --ref {ref} (full)", [*tool, "validate", "--ref", ref], repo, env)
        change = Contender(f"validate --ref {ref} --base {ref}~1 (3 files changed)",
                           [*tool, "validate", "--ref", ref, "--base", f"{ref}~1"], repo, env)
        race([whole, change], args.runs)
        report("pull-request validate vs full validate", [whole, change], whole, "pull request <= 0.1x full (wall)")
    if "staged" in rows:
        staged_row(repo, tool, env, args)
    if "unknown" in rows:
        unknown_keys_row(tool, env, args)
    if "memory" in rows:
        # The writers store each version of a file as a delta of the previous one (as git
        # fast-import does); a clone made by a server stores the newest versions whole.
        # Both layouts: libgit2's pack windows and delta-base cache follow the layout.
        sizes = [int(s) for s in args.memory_sizes.split(",")]
        contenders = []
        for repack in (False, True):
            for n in sizes:
                path = registry(n, args.versions, 2 * n, repack=repack)
                layout = "repacked like a clone" if repack else "as generated"
                contenders.append(Contender(f"validate --ref HEAD, {n} models ({2 * n} commits), {layout}",
                                            [*tool, "validate", "--ref", "HEAD"], path, env))
        race(contenders, args.runs)
        report("peak memory of the full validate as the registry grows", contenders, contenders[0],
               "<= 200 MB, flat")
    return 0


if __name__ == "__main__":
    sys.exit(main())
