"""The example registry passes, from the CLI, as a new user would run it."""

from __future__ import annotations

import json

import pytest
from conftest import REPO_ROOT


def test_example_registry_is_valid(cli):
    run = cli(REPO_ROOT, "validate", "--format", "json")
    assert run.code == 0
    data = json.loads(run.out)
    assert data["ok"] is True
    assert data["violations"] == []
    assert data["files_checked"] == 4


def test_example_history_passes_every_commit(run_process):
    """This repository's own history registers and promotes the examples legally."""
    import subprocess

    root = subprocess.run(["git", "rev-list", "--max-parents=0", "HEAD"], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=False).stdout.split()
    if not root:
        pytest.skip("not a Git checkout (an sdist?): there is no history to replay")
    proc = run_process(REPO_ROOT, "validate", "--range", f"{root[-1]}..HEAD")
    assert proc.code == 0
    assert "Traceback" not in proc.err
