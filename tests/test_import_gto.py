"""``registry-tool import gto``: GTO's annotated tags and artifacts.yaml, in real repositories.

The tags are made the way GTO makes them (gto/tag.py: an annotated tag whose tagger is the
committer identity, with GTO's default messages from gto/registry.py), by the git CLI with
fixed identities and dates; one test makes them with GTO itself when the ``gto`` package
is installed (``pip install '.[imports]'``).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest
from conftest import GitRepo

ADA = ("Ada Lovelace", "ada@example.com")
BOB = ("Bob Builder", "bob@example.com")

ARTIFACTS = """\
churn:
  type: model
  path: models/churn.pkl
  description: Churn predictor
  labels: [tabular, risk]
  custom: {owner_team: retention}
"""


def gto_tag(repo: GitRepo, name: str, message: str, *, who: tuple[str, str] = ADA, at: str, rev: str = "HEAD") -> None:
    """An annotated tag as GTO writes it: the tagger is the committer identity."""
    repo.git("tag", "-a", name, "-m", message, rev, env={
        "GIT_COMMITTER_NAME": who[0], "GIT_COMMITTER_EMAIL": who[1], "GIT_COMMITTER_DATE": at})


def register(repo: GitRepo, artifact: str, version: str, *, at: str, who: tuple[str, str] = ADA, rev: str = "HEAD",
             message: str | None = None) -> None:
    name = artifact.replace(":", "=")
    gto_tag(repo, f"{name}@{version}", message or f"Registering artifact {artifact} version {version}", who=who, at=at,
            rev=rev)


def assign(repo: GitRepo, artifact: str, stage: str, version: str, counter: int, *, at: str,
           who: tuple[str, str] = ADA, rev: str = "HEAD") -> None:
    gto_tag(repo, f"{artifact.replace(':', '=')}#{stage}#{counter}",
            f"Assigning stage {stage} to artifact {artifact} version {version}", who=who, at=at, rev=rev)


@pytest.fixture
def gto_repo(repo: GitRepo) -> GitRepo:
    """A project under GTO: churn v1.0.0 (staging, then prod), v1.1.0 (dev, then staging),
    v1.2.0 registered then deregistered; nlp:bert registered and deprecated; a lightweight
    tag GTO does not read."""
    repo.git("remote", "add", "origin", "git@github.com:acme/churn.git")
    repo.write("artifacts.yaml", ARTIFACTS)
    first = repo.commit("train churn 1.0")
    register(repo, "churn", "v1.0.0", at="2024-05-01T09:00:00+02:00")
    assign(repo, "churn", "staging", "v1.0.0", 1, at="2024-05-02T09:00:00+02:00")
    assign(repo, "churn", "prod", "v1.0.0", 2, at="2024-05-03T09:00:00+02:00", who=BOB)
    repo.write("train.py", "# 1.1\n")
    second = repo.commit("train churn 1.1")
    register(repo, "churn", "v1.1.0", at="2024-06-01T09:00:00+00:00")
    assign(repo, "churn", "dev", "v1.1.0", 3, at="2024-06-02T09:00:00+00:00")
    assign(repo, "churn", "staging", "v1.1.0", 4, at="2024-06-03T09:00:00+00:00")
    repo.write("train.py", "# 1.2\n")
    repo.commit("train churn 1.2")
    register(repo, "churn", "v1.2.0", at="2024-06-10T09:00:00+00:00")
    gto_tag(repo, "churn@v1.2.0!", "Deregistering artifact churn version v1.2.0", at="2024-06-11T09:00:00+00:00")
    register(repo, "nlp:bert", "v0.1.0", at="2024-04-01T09:00:00+00:00", rev=first)
    gto_tag(repo, "nlp=bert@deprecated", "Deprecating artifact 'nlp:bert'", at="2024-04-02T09:00:00+00:00")
    repo.git("tag", "churn@v9.9.9", second)  # lightweight: GTO ignores it
    return repo


def commits(repo: GitRepo) -> dict[str, str]:
    return {tag: repo.git("rev-parse", f"{tag}^{{commit}}") for tag in ("churn@v1.0.0", "churn@v1.1.0", "churn@v1.2.0",
                                                                       "nlp=bert@v0.1.0")}


def test_import_gto_writes_model_files_as_gto_show_sees_them(gto_repo, cli):
    done = cli(gto_repo.path, "import", "gto", "--stage-map", "dev=none", "--rename", "nlp:bert=bert")
    assert done.code == 0, done.err
    c = commits(gto_repo)
    origin = "git+ssh://git@github.com/acme/churn.git"
    assert (gto_repo.path / "models/churn.yaml").read_text() == f"""\
# yaml-language-server: $schema=../schemas/model.schema.json
name: churn
description: Churn predictor
tags: [tabular, risk]
metadata: {{owner_team: retention}}
versions:
  - version: "1.0.0"
    stage: production
    artifact:
      uri: "{origin}@{c['churn@v1.0.0']}#models/churn.pkl"
    metadata: {{commit: {c['churn@v1.0.0']}}}
  - version: "1.1.0"
    stage: staging
    artifact:
      uri: "{origin}@{c['churn@v1.1.0']}#models/churn.pkl"
    metadata: {{commit: {c['churn@v1.1.0']}}}
  - version: "1.2.0"
    stage: archived
    artifact:
      uri: "{origin}@{c['churn@v1.2.0']}#models/churn.pkl"
    metadata: {{commit: {c['churn@v1.2.0']}}}
"""
    assert (gto_repo.path / "models/bert.yaml").read_text() == f"""\
# yaml-language-server: $schema=../schemas/model.schema.json
name: bert
versions:
  - version: "0.1.0"
    stage: archived
    artifact:
      uri: {origin}@{c['nlp=bert@v0.1.0']}
    metadata: {{commit: {c['nlp=bert@v0.1.0']}}}
"""
    assert "import 2 models from GTO tags in" in done.out
    assert "bert: deprecated in GTO; every version imported archived" in done.out
    assert "1 lightweight tag named like GTO's left out (GTO reads annotated tags only)" in done.out
    assert cli(gto_repo.path, "validate").code == 0


def test_the_commit_message_lists_every_tag_with_its_tagger_and_date_model_by_model(gto_repo, cli):
    done = cli(gto_repo.path, "import", "gto", "--stage-map", "dev=none", "--rename", "nlp:bert=bert", "--commit")
    assert done.code == 0, done.err
    body = gto_repo.git("log", "-1", "--format=%B")
    history = body.split("As GTO recorded it:\n", 1)[1].splitlines()
    assert history == [  # model by model in the order of their files (bert, churn), each by tagger date
        "  nlp=bert@v0.1.0: registered v0.1.0 by Ada Lovelace <ada@example.com> on 2024-04-01 09:00:00 +0000",
        "  nlp=bert@deprecated: deprecated by Ada Lovelace <ada@example.com> on 2024-04-02 09:00:00 +0000",
        "  churn@v1.0.0: registered v1.0.0 by Ada Lovelace <ada@example.com> on 2024-05-01 09:00:00 +0200",
        "  churn#staging#1: assigned staging by Ada Lovelace <ada@example.com> on 2024-05-02 09:00:00 +0200",
        "  churn#prod#2: assigned prod by Bob Builder <bob@example.com> on 2024-05-03 09:00:00 +0200",
        "  churn@v1.1.0: registered v1.1.0 by Ada Lovelace <ada@example.com> on 2024-06-01 09:00:00 +0000",
        "  churn#dev#3: assigned dev by Ada Lovelace <ada@example.com> on 2024-06-02 09:00:00 +0000",
        "  churn#staging#4: assigned staging by Ada Lovelace <ada@example.com> on 2024-06-03 09:00:00 +0000",
        "  churn@v1.2.0: registered v1.2.0 by Ada Lovelace <ada@example.com> on 2024-06-10 09:00:00 +0000",
        "  churn@v1.2.0!: deregistered v1.2.0 by Ada Lovelace <ada@example.com> on 2024-06-11 09:00:00 +0000",
    ]
    assert body.startswith("import 2 models from GTO tags in ")


def test_a_second_import_changes_nothing_and_a_later_one_is_one_reviewed_change(gto_repo, cli):
    args = ("import", "gto", "--stage-map", "dev=none", "--rename", "nlp:bert=bert", "--commit")
    assert cli(gto_repo.path, *args).code == 0
    head = gto_repo.git("rev-parse", "HEAD")
    again = cli(gto_repo.path, *args)
    assert again.code == 0
    assert "nothing to import" in again.err
    assert gto_repo.git("rev-parse", "HEAD") == head
    # GTO moves on: 1.1.0 goes to prod (1.0.0 stays assigned there, as GTO leaves it), 1.3.0 is registered
    assign(gto_repo, "churn", "prod", "v1.1.0", 5, at="2024-07-01T09:00:00+00:00", rev="churn@v1.1.0")
    gto_repo.write("train.py", "# 1.3\n")
    trained = gto_repo.commit("train churn 1.3")
    register(gto_repo, "churn", "v1.3.0", at="2024-07-02T09:00:00+00:00", message="Retrained on June data")
    later = cli(gto_repo.path, *args)
    assert later.code == 0, later.err
    assert gto_repo.git("rev-list", "--count", f"{trained}..HEAD") == "1"
    assert "churn: 1.0.0 production -> staging; 1.1.0 staging -> production; register 1.3.0 in none" in later.out
    diff = gto_repo.git("diff", f"{trained}..HEAD", "--", "models/churn.yaml")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed[:4] == ["-    stage: production", "+    stage: staging", "-    stage: staging", "+    stage: production"]
    assert "+    description: Retrained on June data" in changed
    body = gto_repo.git("log", "-1", "--format=%B")
    assert "churn#prod#5: assigned prod by Ada Lovelace <ada@example.com> on 2024-07-01 09:00:00 +0000" in body
    assert "churn@v1.2.0" not in body  # only the versions this change touches
    assert cli(gto_repo.path, "validate", "--range", f"{head}..HEAD").code == 0
    assert "nothing to import" in cli(gto_repo.path, *args).err


def test_in_a_unique_stage_the_version_assigned_last_wins_and_unassigned_stages_do_not_count(repo, cli):
    repo.git("remote", "add", "origin", "https://github.com/acme/m.git")
    repo.commit("one")
    register(repo, "m", "v1.0.0", at="2024-01-01T00:00:00+00:00")
    assign(repo, "m", "prod", "v1.0.0", 1, at="2024-01-02T00:00:00+00:00")
    repo.write("a", "2")
    repo.commit("two")
    register(repo, "m", "v2.0.0", at="2024-01-03T00:00:00+00:00")
    assign(repo, "m", "prod", "v2.0.0", 2, at="2024-01-04T00:00:00+00:00")
    assign(repo, "m", "staging", "v2.0.0", 3, at="2024-01-05T00:00:00+00:00")
    gto_tag(repo, "m#staging!#4", "Unassigning stage 'staging' to artifact 'm' version 'v2.0.0'",
            at="2024-01-06T00:00:00+00:00")
    done = cli(repo.path, "import", "gto", "--json")
    assert done.code == 0, done.err
    text = (repo.path / "models/m.yaml").read_text()
    assert [line.strip() for line in text.splitlines() if "stage:" in line] == ["stage: staging", "stage: production"]
    assert json.loads(done.out)["files"] == ["models/m.yaml"]


def test_gto_stages_keep_their_names_when_the_registry_declares_them(gto_repo, cli):
    gto_repo.write("registry.yaml", """\
stages:
  - {name: dev}
  - {name: staging}
  - {name: prod, unique: true}
  - {name: archived, final: true}
""")
    done = cli(gto_repo.path, "import", "gto", "--rename", "nlp:bert=bert")
    assert done.code == 0, done.err
    text = (gto_repo.path / "models/churn.yaml").read_text()
    assert [line.strip() for line in text.splitlines() if "stage:" in line] == ["stage: prod", "stage: staging",
                                                                                "stage: archived"]
    assert cli(gto_repo.path, "validate").code == 0


def test_a_gto_stage_this_registry_does_not_have_is_one_line(gto_repo, cli):
    done = cli(gto_repo.path, "import", "gto", "--rename", "nlp:bert=bert")
    assert done.code == 2
    assert done.err == ("registry-tool: error: GTO stage 'dev' is not a stage of this registry (none, staging, "
                        "production, archived): give --stage-map dev=STAGE, or declare it in registry.yaml (stages)\n")
    assert not (gto_repo.path / "models").exists()
    bad = cli(gto_repo.path, "import", "gto", "--rename", "nlp:bert=bert", "--stage-map", "dev=qa")
    assert bad.code == 2
    assert "unknown stage in --stage-map dev=qa 'qa': one of none, staging, production, archived" in bad.err


def test_a_name_that_is_no_model_file_name_offers_a_rename(gto_repo, cli):
    done = cli(gto_repo.path, "import", "gto", "--stage-map", "dev=none")
    assert done.code == 2
    assert done.err == ("registry-tool: error: GTO model 'nlp:bert' is not a valid model file name here (lower-case "
                        "letters and digits separated by single '.', '_' or '-'); give --rename 'nlp:bert=nlp-bert'\n")
    bad = cli(gto_repo.path, "import", "gto", "--stage-map", "dev=none", "--rename", "nlp:bert=NLP/Bert")
    assert bad.code == 2
    assert "--rename nlp:bert=NLP/Bert: 'NLP/Bert' is not a model name" in bad.err


def test_artifact_uris_from_a_template_or_from_artifacts_yaml(repo, cli):
    repo.write("artifacts.yaml", "m:\n  path: s3://models/m/latest.onnx\n  virtual: true\n")
    repo.commit("one")
    register(repo, "m", "v1.0.0", at="2024-01-01T00:00:00+00:00")
    assert cli(repo.path, "import", "gto", "--dry-run").code == 0
    shown = cli(repo.path, "import", "gto", "--dry-run")
    assert "+      uri: s3://models/m/latest.onnx" in shown.out
    templated = cli(repo.path, "import", "gto", "--artifact-uri", "s3://models/{name}/{version}/{commit}.onnx")
    commit = repo.git("rev-parse", "HEAD")
    assert templated.code == 0, templated.err
    assert f"uri: s3://models/m/1.0.0/{commit}.onnx" in (repo.path / "models/m.yaml").read_text()


def test_without_a_remote_the_default_uri_cannot_be_made(repo, cli):
    repo.commit("one")
    register(repo, "m", "v1.0.0", at="2024-01-01T00:00:00+00:00")
    done = cli(repo.path, "import", "gto")
    assert done.code == 2
    assert done.err == ("registry-tool: error: GTO m v1.0.0: the repository has no remote 'origin' to name its "
                        "artifacts by; give --remote NAME, or --artifact-uri TEMPLATE (e.g. 's3://models/{name}/{version}')\n")
    unknown = cli(repo.path, "import", "gto", "--artifact-uri", "s3://x/{model}")
    assert "--artifact-uri s3://x/{model}: unknown placeholder {model}" in unknown.err


def test_gto_tags_read_from_another_repository(gto_repo, tmp_path, cli):
    registry = GitRepo(tmp_path / "other")
    registry.path.mkdir()
    registry.git("init", "-q", "-b", "main")
    registry.commit("empty registry")
    done = cli(registry.path, "import", "gto", "--from", str(gto_repo.path), "--stage-map", "dev=none",
               "--rename", "nlp:bert=bert", "--branch", "import-gto")
    assert done.code == 0, done.err
    assert registry.git("ls-tree", "--name-only", "import-gto", "models/").splitlines() == ["models/bert.yaml",
                                                                                          "models/churn.yaml"]
    assert not (registry.path / "models").exists()  # --branch leaves the work tree alone


def test_repo_names_the_repository_to_read_and_write(gto_repo, tmp_path, cli):
    done = cli(tmp_path, "import", "gto", "--repo", str(gto_repo.path), "--stage-map", "dev=none", "--rename",
               "nlp:bert=bert", "--dry-run")
    assert done.code == 0, done.err
    assert "+name: churn" in done.out and "+name: bert" in done.out
    assert not (gto_repo.path / "models").exists()


def test_no_repository_is_one_line(tmp_path, cli):
    done = cli(tmp_path, "import", "gto", "--from", str(tmp_path))
    assert done.code == 2
    assert "is not in a Git repository: GTO keeps its registry in Git tags" in done.err


@pytest.mark.skipif(importlib.util.find_spec("gto") is None,
                    reason="the gto package is not installed (pip install '.[imports]' installs it; .ci/run does)")
def test_tags_made_by_gto_itself(repo, cli):
    """GTO 1.x registers, assigns and deprecates; the import reads what it wrote."""
    repo.git("remote", "add", "origin", "https://github.com/acme/gto-made.git")
    repo.write("artifacts.yaml", "clf:\n  type: model\n  path: clf.pkl\n")
    repo.commit("one")
    script = f"""
import time
from gto import api
repo = {str(repo.path)!r}
api.register(repo, "clf", "HEAD", version="v0.1.0")
api.assign(repo, "clf", "staging", version="v0.1.0")
api.assign(repo, "clf", "prod", version="v0.1.0")
api.register(repo, "old", "HEAD", version="v1.0.0")
time.sleep(1.1)  # tags of the same second tie, and GTO itself then reads "old" as active
api.deprecate(repo, "old")
"""
    made = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    tags = repo.git("tag", "-l").split()
    assert set(tags) >= {"clf@v0.1.0", "old@v1.0.0", "old@deprecated"}
    done = cli(repo.path, "import", "gto", "--commit")
    assert done.code == 0, done.err
    clf = (repo.path / "models/clf.yaml").read_text()
    assert '- version: "0.1.0"\n    stage: production\n' in clf
    assert "#clf.pkl" in clf
    assert "stage: archived" in (repo.path / "models/old.yaml").read_text()
    body = repo.git("log", "-1", "--format=%B")
    assert "clf@v0.1.0: registered v0.1.0 by Test User <test@example.com>" in body
    assert cli(repo.path, "validate").code == 0
    again = cli(repo.path, "import", "gto", "--commit")
    assert "nothing to import" in again.err


def test_a_later_import_keeps_every_byte_it_does_not_mean_to_change(repo, cli):
    """Comments, a sha256 filled in by hand, flow style and a task added here all stay."""
    repo.git("remote", "add", "origin", "https://github.com/acme/m.git")
    repo.commit("one")
    register(repo, "m", "v1.0.0", at="2024-01-01T00:00:00+00:00")
    assert cli(repo.path, "import", "gto", "--artifact-uri", "s3://m/{version}", "--commit").code == 0
    path = repo.path / "models/m.yaml"
    edited = path.read_text().replace("name: m\n", "name: m  # the churn model\ntask: classification\n").replace(
        "      uri: s3://m/1.0.0\n", "      uri: s3://m/1.0.0\n      sha256: " + "ab" * 32 + "\n")
    path.write_text(edited)
    repo.commit("fill in the sha256")
    assign(repo, "m", "staging", "v1.0.0", 1, at="2024-01-02T00:00:00+00:00", rev="m@v1.0.0")
    done = cli(repo.path, "import", "gto", "--artifact-uri", "s3://m/{version}")
    assert done.code == 0, done.err
    assert path.read_text() == edited.replace("stage: none", "stage: staging")


BOMB = """\
churn:
  path: s3://models/churn
  custom:
    a: &a [x, x, x, x, x, x, x, x, x, x]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
    f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
    g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
    h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
"""


@pytest.mark.parametrize(("text", "problem"), [
    (BOMB, "line 4, column 8: anchor &a: anchors and aliases are not allowed; write the value out"),
    ("churn:\n  path: s3://models/churn\n  custom: " + "[" * 5000 + "]" * 5000 + "\n",
     "line 3, column 73: nesting deeper than 64 levels"),
])
def test_an_artifacts_yaml_that_would_exhaust_memory_or_the_stack_is_one_line(repo, text, problem):
    """An alias bomb (ten to the eighth values from a 500-byte file) once filled memory as
    custom metadata was copied out, and 5,000 nested brackets overflowed the parser's
    stack (exit 3). Both are refused in one line, exit 2, nothing written."""
    from hostile_support import assert_clean_error, run_capped

    repo.write("artifacts.yaml", text)
    head = repo.commit("artifacts")
    register(repo, "churn", "v1.0.0", at="2024-05-01T09:00:00+02:00")
    proc = run_capped(repo.path, "import", "gto")
    assert_clean_error(proc, f"cannot read artifacts.yaml at {head[:12]}: {problem}")
    assert not (repo.path / "models").exists()


def test_a_tag_dated_past_the_year_9999_is_told_as_its_raw_time(repo, cli):
    """A tag object git writes with --literally may carry any time: one past what a date
    can hold once ended the import (exit 3); the commit message now gives its raw time."""
    head = repo.commit("train churn")
    raw = f"object {head}\ntype commit\ntag churn@v1.0.0\ntagger Ada <ada@example.com> 99999999999999 +0000\n\nx\n"
    tag = subprocess.run(["git", "hash-object", "-t", "tag", "-w", "--literally", "--stdin"], cwd=repo.path,
                         input=raw, capture_output=True, text=True, check=True).stdout.strip()
    repo.git("update-ref", "refs/tags/churn@v1.0.0", tag)
    done = cli(repo.path, "import", "gto", "--artifact-uri", "s3://m/{name}/{version}", "--commit")
    assert done.code == 0, done.err
    message = repo.git("log", "-1", "--format=%B")
    assert "churn@v1.0.0: registered v1.0.0 by Ada <ada@example.com> on 99999999999999 s after 1970-01-01 UTC" in message
