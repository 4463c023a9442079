"""Write a synthetic registry repository with ``git fast-import``.

N models x V versions, YAML shaped like the examples in ``models/`` (comments, flow and
block styles, metrics and evaluation suites, tags, metadata, provider bindings), a
``registry.yaml`` with production gates, and a first-parent history of H commits made of
registrations and legal stage moves (none -> staging -> production with the old
production version demoted to staging, demotions and re-promotions, archiving all but
the newest three versions, metric and tag edits). ``registry-tool validate --range
<root>..HEAD`` passes over it.

With ``--gto`` the same history is also written the way GTO reads a registry: an
``artifacts.yaml`` at the root and annotated tags, ``name@v1.0.0`` for a registration,
``name#staging#N`` / ``name#prod#N`` for a stage assignment (``name#prod!#N`` to
unassign) and ``name@v1.0.0!`` when a version is archived (deregistered), each tag on the
commit that registered its version and dated when the move happened. With
``--gto-tags-only`` the tags are written but not ``artifacts.yaml``: a purely tag-based
GTO registry. (GTO parses ``artifacts.yaml`` as committed at every version's commit and
again for every artifact at HEAD, so with the file in the repository its reads grow with
models x versions x models; without it they grow with the tags.)

Everything is derived from ``--seed``: the same arguments give the same repository,
byte for byte (commit ids included).

    python bench/generate.py --models 10000 --versions 5 --commits 20000 --out /tmp/reg
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from packwriter import PackWriter

WORDS_A = ["fraud", "churn", "faq", "image", "credit", "support", "search", "ranking", "spam", "toxicity", "demand",
           "price", "speech", "ocr", "intent", "embed", "vision", "anomaly", "recsys", "ner", "sentiment", "lead"]
WORDS_B = ["bot", "classifier", "detector", "model", "ranker", "scorer", "encoder", "llm", "forecaster", "tagger"]
TASKS = ["classification", "generation", "embedding", "moderation", "object_detection", "ranking", "regression",
         "forecasting"]
TEAMS = ["platform-ai", "search", "risk", "support-ml", "vision", "growth", "trust-safety", "forecasting"]
OWNERS = ["hazel", "ines", "tomas", "mei", "kofi", "ana", "ravi", "lena", "omar", "yuki"]
FORMATS = ["onnx", "pytorch", "safetensors", "gguf", "tensorflow_saved_model", "xgboost", "sklearn", "tflite"]
EXTENSIONS = {"onnx": "model.onnx", "pytorch": "model.pt", "safetensors": "model.safetensors", "gguf": "model.gguf",
              "tensorflow_saved_model": "saved_model", "xgboost": "model.json", "sklearn": "model.pkl",
              "tflite": "model.tflite"}
BUCKETS = ["s3://models", "gs://ml-artifacts", "s3://acme-registry", "hf://acme"]
VERSION_TAGS = ["baseline", "candidate", "nightly", "canary", "distilled", "quantized", "retrained", "hotfix"]
PEOPLE = [("Ada Lovelace", "ada@example.com"), ("Grace Hopper", "grace@example.com"),
          ("Alan Turing", "alan@example.com"), ("Katherine Johnson", "katherine@example.com"),
          ("Edsger Dijkstra", "edsger@example.com"), ("Barbara Liskov", "barbara@example.com"),
          ("registry-bot", "registry-bot@example.com")]
START_TIME = 1672531200  # 2023-01-01T00:00:00Z
GTO_STAGE = {"staging": "staging", "production": "prod"}
KEEP_NEWEST = 3  # retention: older versions are archived

POLICY = """\
# yaml-language-server: $schema=schemas/registry.schema.json
# Synthetic registry written by bench/generate.py (seed {seed}).
models_dir: models
on_promote: demote          # promoting a version demotes the current production version
demote_to: staging
gates:
  production:
    require_sha256: true
    required_metrics: [accuracy]
{overrides}"""
OVERRIDE = """\
  {name}:
    gates:
      production:
        min_metrics: {{accuracy: 0.5}}
        no_regression: {{accuracy: higher_is_better}}
"""


# ---------------------------------------------------------------- the registry's state


@dataclass
class Version:
    index: int
    label: str
    stage: str
    sha256: str
    size: int
    fmt: str
    accuracy: float
    latency: int
    run: str
    touched: int = 0  # how many times metrics/tags were edited since registration
    _text: str | None = None
    _key: tuple[str, int] | None = None


@dataclass
class Model:
    index: int
    name: str
    style: int
    rng_seed: int
    versions: list[Version] = field(default_factory=list)
    header: str = ""
    gated: bool = False
    gto_counter: int = 0
    gto_commit: dict[int, int] = field(default_factory=dict)  # version index -> commit mark


def model_name(i: int) -> str:
    return f"{WORDS_A[i % len(WORDS_A)]}-{WORDS_B[(i // len(WORDS_A)) % len(WORDS_B)]}-{i:05d}"


def make_model(i: int, seed: int) -> Model:
    rng = random.Random(f"{seed}:model:{i}")
    name = model_name(i)
    style = rng.choices((0, 1, 2), weights=(45, 40, 15))[0]  # 2: an LLM with provider bindings
    task = "generation" if style == 2 else rng.choice(TASKS)
    tags = rng.sample(["nlp", "vision", "tabular", "llm", "chat", "realtime", "batch", "pii", "eu"], rng.randrange(1, 4))
    owner, team = rng.choice(OWNERS), rng.choice(TEAMS)
    if style == 0:
        header = (f"# yaml-language-server: $schema=../schemas/model.schema.json\n"
                  f"name: {name}\n"
                  f"description: {WORDS_A[i % len(WORDS_A)].capitalize()} "
                  f"{WORDS_B[(i // len(WORDS_A)) % len(WORDS_B)]} for the {team} team\n"
                  f"owner: {owner}\n"
                  f"task: {task}\n"
                  f"tags: [{', '.join(tags)}]\n"
                  f"versions:\n")
    elif style == 1:
        header = (f"# {name}: owned by {team}; edit through a pull request, CI validates it\n"
                  f"name: {name}\n"
                  f"owner: {team}\n"
                  f"task: {task}\n"
                  f"tags:\n" + "".join(f"  - {t}\n" for t in tags) +
                  f"metadata:\n"
                  f"  team: {team}\n"
                  f"  cost_center: \"cc-{rng.randrange(100, 999)}\"\n"
                  f"  on_call: {owner}@example.com\n"
                  f"versions:\n")
    else:
        header = (f"# yaml-language-server: $schema=../schemas/model.schema.json\n"
                  f"name: {name}\n"
                  f"description: LLM behind the {team} assistant, served through hosted providers\n"
                  f"owner: {team}\n"
                  f"task: {task}\n"
                  f"tags: [llm]\n"
                  f"metadata: {{subject: {WORDS_A[i % len(WORDS_A)]}}}\n"
                  f"versions:\n")
    return Model(i, name, style, rng.randrange(1 << 30), header=header)


def new_version(model: Model, index: int, stage: str, rng: random.Random) -> Version:
    label = f"1.{index}.0"
    digest = hashlib.sha256(f"{model.name}@{label}".encode()).hexdigest()
    fmt = "gguf" if model.style == 2 else FORMATS[(model.index + index) % len(FORMATS)]
    return Version(
        index=index, label=label, stage=stage, sha256=digest, size=rng.randrange(10, 5000) * 1048576, fmt=fmt,
        accuracy=round(0.6 + 0.05 * index + rng.random() * 0.04, 4), latency=rng.randrange(5, 400),
        run=f"run-2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}-{digest[:6]}",
    )


def render_version(model: Model, v: Version) -> str:
    key = (v.stage, v.touched)
    if v._key == key and v._text is not None:
        return v._text
    uri = f"{BUCKETS[model.index % len(BUCKETS)]}/{model.name}/{v.label}/{EXTENSIONS[v.fmt]}"
    tags = VERSION_TAGS[(v.index + v.touched) % len(VERSION_TAGS): (v.index + v.touched) % len(VERSION_TAGS) + 1 + v.touched % 2]
    latency = v.latency + v.touched
    if model.style == 0:
        comment = "          # none | staging | production | archived" if v.index == 0 else ""
        text = (f"  - version: \"{v.label}\"\n"
                f"    stage: {v.stage}{comment}\n"
                f"    description: Trained on the {2023 + v.index % 3} snapshot\n"
                f"    artifact:\n"
                f"      uri: {uri}\n"
                f"      sha256: {v.sha256}\n"
                f"      size_bytes: {v.size}\n"
                f"      format: {v.fmt}\n"
                f"    run_id: {v.run}\n"
                f"    metrics: {{accuracy: {v.accuracy}, f1: {round(v.accuracy - 0.03, 4)}, latency_ms: {latency}}}\n"
                f"    tags: [{', '.join(tags)}]\n"
                f"    metadata: {{git_commit: \"{v.sha256[7:14]}\"}}\n")
    elif model.style == 1:
        text = (f"  # {v.label}: from {v.run}\n"
                f"  - version: \"{v.label}\"\n"
                f"    stage: {v.stage}\n"
                f"    artifact: {{uri: \"{uri}\", sha256: {v.sha256}, format: {v.fmt}}}\n"
                f"    run_id: {v.run}\n"
                f"    metrics:\n"
                f"      accuracy: {v.accuracy}\n"
                f"      latency_ms: {latency}\n"
                f"      suites:\n"
                f"        core-v1: {{score: {round(v.accuracy + 0.01, 4)}, passed: true}}\n"
                f"    tags:\n" + "".join(f"      - {t}\n" for t in tags))
    else:
        text = (f"  - version: \"{v.label}\"\n"
                f"    stage: {v.stage}\n"
                f"    artifact:\n"
                f"      uri: {uri}\n"
                f"      sha256: {v.sha256}\n"
                f"      size_bytes: {v.size}\n"
                f"      format: {v.fmt}\n"
                f"    metrics:\n"
                f"      accuracy: {v.accuracy}\n"
                f"      cost_per_1k: 0.0{10 + v.index % 9}\n"
                f"      suites:\n"
                f"        core-v1: {{score: {round(v.accuracy + 0.02, 4)}, config_parse_ok: true}}\n"
                f"    bindings:\n"
                f"      - provider: openai\n"
                f"        provider_model_id: \"ft:gpt-4o-mini:acme:{model.name}:{v.sha256[:4]}\"\n"
                f"        status: {'active' if v.stage == 'production' else 'inactive'}\n"
                f"        region: us-east-1\n"
                f"        config: {{temperature: 0.2, max_tokens: {1000 + latency}}}\n")
    v._key, v._text = key, text
    return text


def render_model(model: Model) -> bytes:
    return (model.header + "".join(render_version(model, v) for v in model.versions)).encode()


# ---------------------------------------------------------------- the plan of events
# An event is (kind, version index). Each model's events are planned by simulating its
# stages, so every event is a legal move from the state the previous one left.


def plan_model(model: Model, n_versions: int) -> list[tuple[str, int]]:
    rng = random.Random(model.rng_seed)
    stages: list[str] = []
    events: list[tuple[str, int]] = []

    def production() -> int | None:
        return next((j for j, s in enumerate(stages) if s == "production"), None)

    for i in range(n_versions):
        born = "staging" if rng.random() < 0.2 else "none"
        events.append(("register-staging" if born == "staging" else "register", i))
        stages.append(born)
        if rng.random() < 0.3:
            events.append(("touch", i))
        if born == "none" and (rng.random() < 0.9 or i == n_versions - 1):
            events.append(("stage", i))
            stages[i] = "staging"
        if stages[i] == "staging" and rng.random() < 0.75:
            current = production()
            events.append(("promote", i))
            if current is not None:
                stages[current] = "staging"
            stages[i] = "production"
            if rng.random() < 0.1:  # an incident: take it out of production, then back in
                events.append(("demote", i))
                events.append(("promote", i))
        old = i - KEEP_NEWEST
        if old >= 0 and stages[old] != "production" and stages[old] != "archived":
            events.append(("archive", old))
            stages[old] = "archived"
    return events


def apply_event(model: Model, kind: str, index: int, rng: random.Random) -> str:
    """Change the model's state; return a one-line description for the commit message."""
    name = model.name
    if kind.startswith("register"):
        v = new_version(model, index, "staging" if kind == "register-staging" else "none", rng)
        model.versions.append(v)
        return f"register {name} {v.label}" + (" in staging" if v.stage == "staging" else "")
    v = model.versions[index]
    if kind == "stage":
        v.stage = "staging"
        return f"promote {name} {v.label} to staging"
    if kind == "promote":
        for other in model.versions:
            if other.stage == "production":
                other.stage = "staging"
        v.stage = "production"
        return f"promote {name} {v.label} to production"
    if kind == "demote":
        v.stage = "staging"
        return f"demote {name} {v.label} to staging"
    if kind == "archive":
        v.stage = "archived"
        return f"archive {name} {v.label}"
    v.touched += 1
    return f"update metrics and tags of {name} {v.label}"


def schedule(plans: list[list[tuple[str, int]]], n_commits: int, rng: random.Random) -> list[list[tuple[int, str, int]]]:
    """Cut the interleaved events into commits; one event per model per commit (so a
    commit never folds two moves of one version, e.g. none -> production)."""
    total = sum(len(p) for p in plans)
    while total < n_commits:  # too few events for the commits asked for: add edits
        j = rng.randrange(len(plans))
        index = rng.randrange(max(1, sum(1 for k, _ in plans[j] if k.startswith("register"))))
        plans[j].append(("touch", index))
        total += 1
    # The registry grows: model m appears around m/N of the way through the first half of
    # the history, and its moves spread from there to the end.
    n = len(plans)
    keyed = []
    for m, plan in enumerate(plans):
        start = 0.5 * m / n
        keyed.extend((start + (1 - start) * rng.random(), m) for _ in plan)
    keyed.sort()
    tickets = [m for _, m in keyed]
    cursor = [0] * len(plans)
    commits: list[list[tuple[int, str, int]]] = []
    carry: list[int] = []
    position = 0
    for c in range(n_commits):
        want = (total * (c + 1)) // n_commits - (total * c) // n_commits
        batch: list[tuple[int, str, int]] = []
        seen: set[int] = set()
        pending, carry = carry, []
        while len(batch) < want and (pending or position < len(tickets)):
            if pending:
                m = pending.pop(0)
            else:
                m = tickets[position]
                position += 1
            if m in seen:
                carry.append(m)
                continue
            seen.add(m)
            kind, index = plans[m][cursor[m]]
            cursor[m] += 1
            batch.append((m, kind, index))
        carry = pending + carry
        commits.append(batch)
    leftover = carry + tickets[position:]
    while leftover:  # duplicates pushed past the last commit: a few more commits
        batch, seen, rest = [], set(), []
        for m in leftover:
            if m in seen:
                rest.append(m)
                continue
            seen.add(m)
            kind, index = plans[m][cursor[m]]
            cursor[m] += 1
            batch.append((m, kind, index))
        commits.append(batch)
        leftover = rest
    return [c for c in commits if c]


# ---------------------------------------------------------------- the fast-import stream


class FastImport:
    """The same sink as :class:`packwriter.PackWriter`, as a ``git fast-import`` stream
    (marks stand for object ids; identical files share one blob mark)."""

    def __init__(self, repo: Path) -> None:
        self.cwd = repo
        self.proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done", "--date-format=raw"], cwd=repo,
                                     stdin=subprocess.PIPE)
        self.mark = 0
        self.blobs: dict[bytes, int] = {}
        self.chunks: list[bytes] = []
        self.size = 0
        self.write(b"feature done\n")

    def write(self, data: bytes) -> None:
        self.chunks.append(data)
        self.size += len(data)
        if self.size > 1 << 20:
            self.flush()

    def flush(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"".join(self.chunks))
        self.chunks, self.size = [], 0

    def next_mark(self) -> int:
        self.mark += 1
        return self.mark

    def blob(self, data: bytes, path: str | None = None) -> int:
        key = hashlib.sha1(data).digest()
        mark = self.blobs.get(key)
        if mark is None:
            mark = self.next_mark()
            self.blobs[key] = mark
            self.write(b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data))
        return mark

    def commit(self, when: int, person: tuple[str, str], message: str, files: list[tuple[str, int]],
               parent: int | None) -> int:
        mark = self.next_mark()
        msg = message.encode()
        ident = f"{person[0]} <{person[1]}> {when} +0000".encode()
        self.write(b"commit refs/heads/main\nmark :%d\nauthor %s\ncommitter %s\ndata %d\n%s\n"
                   % (mark, ident, ident, len(msg), msg))
        if parent is not None:
            self.write(b"from :%d\n" % parent)
        for path, blob in files:
            self.write(b"M 100644 :%d %s\n" % (blob, path.encode()))
        self.write(b"\n")
        return mark

    def tag(self, name: str, commit: int, when: int, person: tuple[str, str], message: str) -> None:
        msg = message.encode()
        self.write(b"tag %s\nfrom :%d\ntagger %s <%s> %d +0000\ndata %d\n%s\n"
                   % (name.encode(), commit, person[0].encode(), person[1].encode(), when, len(msg), msg))

    def finish(self, branch: str, head: int) -> None:
        self.write(b"done\n")
        self.flush()
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            raise SystemExit("git fast-import failed")
        subprocess.run(["git", "pack-refs", "--all"], cwd=self.proc.args and self.cwd, check=True)


def gto_tags(stream: Any, model: Model, before: list[str], commit: int, when: int, person: tuple[str, str]) -> None:
    """The tags GTO would have created for one event: the stages before it against now."""
    name = model.name
    for v in model.versions:
        old = before[v.index] if v.index < len(before) else None
        if old == v.stage:
            continue
        tag = f"v{v.label}"
        if old is None:
            model.gto_commit[v.index] = commit
            stream.tag(f"{name}@{tag}", commit, when, person, f"Registering artifact {name} version {tag}")
        if v.stage == "archived":
            stream.tag(f"{name}@{tag}!", model.gto_commit[v.index], when, person, f"Deregistering artifact {name} version {tag}")
            continue
        if old == "production":  # leaving production; a promotion from staging just assigns prod
            model.gto_counter += 1
            stream.tag(f"{name}#{GTO_STAGE[old]}!#{model.gto_counter}", model.gto_commit[v.index], when, person,
                       f"Unassigning stage '{GTO_STAGE[old]}' from artifact '{name}' version '{tag}'")
        if v.stage in GTO_STAGE:
            model.gto_counter += 1
            stream.tag(f"{name}#{GTO_STAGE[v.stage]}#{model.gto_counter}", model.gto_commit[v.index], when, person,
                       f"Assigning stage '{GTO_STAGE[v.stage]}' to artifact '{name}' version '{tag}'")


def artifacts_yaml(models: list[Model]) -> bytes:
    lines = ["# GTO's index of artifacts (bench/generate.py --gto)\n"]
    for m in models:
        lines.append(f"{m.name}:\n  type: model\n  path: models/{m.name}.yaml\n  description: {m.name} model\n")
    return "".join(lines).encode()


def generate(out: Path, n_models: int, n_versions: int, n_commits: int, seed: int = 1, gto: bool = False,
             gated_every: int = 200, fast_import: bool = False, gto_index: bool = True) -> dict[str, int]:
    """Write the repository at ``out`` (which must not exist); return counts."""
    rng = random.Random(seed)
    models = [make_model(i, seed) for i in range(n_models)]
    for m in models[::gated_every]:
        m.gated = True
    plans = [plan_model(m, n_versions) for m in models]
    commits = schedule(plans, max(1, n_commits - 1), rng)  # the first commit holds the policy

    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    sink: Any = FastImport(out) if fast_import else PackWriter(out / ".git")
    gated = [OVERRIDE.format(name=m.name) for m in models if m.gated]
    overrides = "models:                     # stricter gates for some models\n" + "".join(gated) if gated else ""
    policy = POLICY.format(seed=seed, overrides=overrides)
    first = [("registry.yaml", sink.blob(policy.encode())),
             ("README.md", sink.blob(b"# Synthetic model registry\n\nWritten by registry-tool's bench/generate.py.\n"))]
    if gto and gto_index:
        first.append(("artifacts.yaml", sink.blob(artifacts_yaml(models))))
    when = START_TIME
    head = sink.commit(when, PEOPLE[0], "Registry policy: gates for production", first, None)
    for batch in commits:
        when += 300 + rng.randrange(3300)
        person = PEOPLE[rng.randrange(len(PEOPLE))]
        lines, files, moved = [], [], []
        for m, kind, index in batch:
            model = models[m]
            moved.append((model, [v.stage for v in model.versions]))
            lines.append(apply_event(model, kind, index, rng))
            path = f"models/{model.name}.yaml"
            files.append((path, sink.blob(render_model(model), path)))
        message = lines[0] if len(lines) == 1 else f"registry: {len(lines)} changes\n\n" + "".join(f"- {line}\n" for line in lines)
        head = sink.commit(when, person, message, files, head)
        if gto:
            for model, before in moved:
                gto_tags(sink, model, before, head, when, person)
    sink.finish("main", head)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=out, check=True)  # a working tree, as in a clone
    n_tags = subprocess.run(["git", "tag", "-l"], cwd=out, capture_output=True, check=True).stdout.count(b"\n")
    return {"models": n_models, "versions": sum(len(m.versions) for m in models), "commits": len(commits) + 1,
            "events": sum(len(b) for b in commits), "tags": n_tags}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", "-n", type=int, default=1000, help="number of models (N)")
    parser.add_argument("--versions", "-v", type=int, default=5, help="versions per model (V)")
    parser.add_argument("--commits", "-c", type=int, default=2000, help="commits of history (H, at least; "
                        "a few more are added when one commit cannot hold its share of moves)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gto", action="store_true", help="also write artifacts.yaml and GTO's tags")
    parser.add_argument("--gto-tags-only", action="store_true",
                        help="write GTO's tags but no artifacts.yaml (implies --gto)")
    parser.add_argument("--fast-import", action="store_true",
                        help="write through git fast-import instead of packwriter (same objects, slower at scale)")
    parser.add_argument("--repack", action="store_true",
                        help="finish with git repack -adf, so the newest version of each file is stored whole "
                             "as in a server-made clone (the writers store each version as a delta of the previous one)")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    parser.add_argument("--out", "-o", type=Path, required=True, help="the repository to create")
    args = parser.parse_args(argv)
    if args.out.exists():
        if not args.force:
            parser.error(f"{args.out} exists (use --force to replace it)")
        shutil.rmtree(args.out)
    started = time.perf_counter()
    counts = generate(args.out, args.models, args.versions, args.commits, seed=args.seed,
                      gto=args.gto or args.gto_tags_only, fast_import=args.fast_import,
                      gto_index=not args.gto_tags_only)
    if args.repack:
        subprocess.run(["git", "repack", "-adfq"], cwd=args.out, check=True)
    elapsed = time.perf_counter() - started
    print(f"{args.out}: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + f" in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
