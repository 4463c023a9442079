"""bench/generate.py writes registries that the validator accepts, commit by commit,
and its two writers (git fast-import, and the direct pack writer) make the same objects."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO_ROOT

GENERATE = REPO_ROOT / "bench" / "generate.py"


def generate(out, *args: str) -> None:
    done = subprocess.run([sys.executable, str(GENERATE), "-o", str(out), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def git(repo, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "registry"
    generate(out, "--models", "12", "--versions", "5", "--commits", "120", "--gto")
    return out


def test_every_generated_commit_passes_validate_range(generated, run_process):
    root = git(generated, "rev-list", "--max-parents=0", "HEAD").split()[0]
    assert len(git(generated, "rev-list", "HEAD").split()) >= 120
    proc = run_process(generated, "validate", "--range", f"{root}..HEAD", "--format", "json")
    assert proc.code == 0, proc.out
    assert '"ok": true' in proc.out


def test_generated_head_has_every_model_and_version(generated, run_process):
    models = sorted(p.name for p in (generated / "models").iterdir())
    assert len(models) == 12
    text = (generated / "models" / models[0]).read_text()
    assert text.count("- version:") == 5
    proc = run_process(generated, "validate", "--ref", "HEAD")
    assert proc.code == 0 and "12 model files checked" in proc.out


def test_pack_writer_and_fast_import_write_the_same_repository(generated, tmp_path):
    other = tmp_path / "fast-import"
    generate(other, "--models", "12", "--versions", "5", "--commits", "120", "--gto", "--fast-import")
    assert git(generated, "rev-parse", "HEAD") == git(other, "rev-parse", "HEAD")
    assert git(generated, "show-ref", "--tags") == git(other, "show-ref", "--tags")
    fsck = subprocess.run(["git", "fsck", "--strict", "--no-dangling"], cwd=generated, capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr


def test_gto_tags_name_registrations_and_stage_assignments(generated):
    tags = git(generated, "tag", "-l").split()
    assert any(t.endswith("@v1.0.0") for t in tags)
    assert any("#prod#" in t for t in tags)
    assert any("#staging#" in t for t in tags)
    kinds = {git(generated, "cat-file", "-t", t).strip() for t in tags[:20]}
    assert kinds == {"tag"}  # annotated, as GTO requires
    assert (generated / "artifacts.yaml").exists()


def test_gto_tags_only_writes_the_same_tags_without_artifacts_yaml(generated, tmp_path):
    other = tmp_path / "tags-only"
    generate(other, "--models", "12", "--versions", "5", "--commits", "120", "--gto-tags-only")
    assert not (other / "artifacts.yaml").exists()
    assert git(other, "log", "--all", "--format=", "--name-only", "--", "artifacts.yaml") == ""
    assert git(other, "tag", "-l") == git(generated, "tag", "-l")
    assert git(other, "ls-tree", "-r", "--name-only", "HEAD", "models") == \
        git(generated, "ls-tree", "-r", "--name-only", "HEAD", "models")
