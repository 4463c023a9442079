"""The example registry passes, from the CLI, as a new user would run it."""

from __future__ import annotations

import json

from conftest import REPO_ROOT


def test_example_registry_is_valid(cli):
    run = cli(REPO_ROOT, "validate", "--format", "json")
    assert run.code == 0
    data = json.loads(run.out)
    assert data["ok"] is True
    assert data["violations"] == []
    assert data["files_checked"] == 4
