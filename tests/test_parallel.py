"""The parallel full validate reports exactly what the serial one does."""

from __future__ import annotations

import os
import subprocess
import sys

import pygit2
import pytest
from builders import model, version
from conftest import REPO_ROOT

from registry_tool.snapshots.git import GitStore
from registry_tool.snapshots.worktree import WorktreeSnapshot
from registry_tool.validation import engine, parallel

BROKEN = {
    "models/zz-syntax.yaml": "name: zz-syntax\nversions: [\n",
    "models/zz-schema.yaml": "name: zz-schema\nversions:\n  - version: \"1.0.0\"\n    stgae: none\n    artifact: {uri: s3://b/m}\n",
    "models/zz-mismatch.yaml": "name: other-name\nversions: []\n",
    "models/zz-two-prod.yaml": model("zz-two-prod", version("1", "production"), version("2", "production"),
                                     layout="flow-items"),
    "models/zz-ambiguous.yaml": "name: zz-ambiguous\nversions: []\ntags: [yes]\n",
    "models/notes.txt": "not a model\n",
}


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    out = tmp_path_factory.mktemp("par") / "registry"
    done = subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "generate.py"), "-o", str(out),
                           "-n", "40", "-v", "4", "-c", "60"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    for path, text in BROKEN.items():
        (out / path).write_text(text)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    subprocess.run(["git", "add", "-A"], cwd=out, check=True)
    subprocess.run(["git", "commit", "-qm", "broken files"], cwd=out, check=True, env=env)
    return out


def test_parallel_and_serial_reports_are_identical_at_a_commit(registry):
    store = GitStore(pygit2.Repository(str(registry)))
    snapshot = store.snapshot(store.resolve("HEAD"))
    serial = engine.validate_snapshot(snapshot, jobs=1)
    together = engine.validate_snapshot(snapshot, jobs=2)
    assert serial.violations == together.violations
    assert [v.message for v in serial.violations] == [v.message for v in together.violations]
    assert serial.files_checked == together.files_checked == 45
    rules = {v.rule for v in serial.violations}
    assert {"yaml-syntax", "unknown-field", "name-mismatch", "multiple-production", "yaml-ambiguous-scalar",
            "unexpected-file"} <= rules


def test_parallel_and_serial_reports_are_identical_in_the_working_tree(registry):
    snapshot = WorktreeSnapshot(registry)
    assert engine.validate_snapshot(snapshot, jobs=1).violations == engine.validate_snapshot(snapshot, jobs=3).violations


@pytest.mark.parametrize("args", [("--ref", "HEAD"), ()])
def test_cli_output_is_byte_identical_with_one_or_two_workers(registry, run_process, args):
    one = run_process(registry, "validate", *args, "--format", "json", env={"REGISTRY_TOOL_JOBS": "1"})
    two = run_process(registry, "validate", *args, "--format", "json", env={"REGISTRY_TOOL_JOBS": "2"})
    assert one.code == two.code == 1
    assert one.out == two.out


def test_jobs_setting(monkeypatch):
    monkeypatch.delenv(parallel.JOBS_ENV, raising=False)
    assert parallel.jobs_for(10) == 1  # small registries stay serial
    assert parallel.jobs_for(10, jobs=4) == 4
    assert parallel.jobs_for(2, jobs=4) == 2  # never more workers than files
    monkeypatch.setenv(parallel.JOBS_ENV, "1")
    assert parallel.jobs_for(50_000) == 1


def test_a_bad_jobs_setting_is_a_one_line_error(registry, run_process):
    proc = run_process(registry, "validate", "--ref", "HEAD", env={"REGISTRY_TOOL_JOBS": "two"})
    assert proc.code == 2
    assert proc.err.strip() == "registry-tool: error: REGISTRY_TOOL_JOBS=two: expected a whole number of workers, 1 or more"
