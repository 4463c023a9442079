"""The pre-commit configuration ``init`` writes, run by a real ``pre-commit`` in a real
repository: pre-commit installs registry-tool from the requirement init wrote (this
checkout's tracked files built into a wheel, as a ``file://`` URL) into its own virtualenv and runs the hook on ``git commit``.

Slow the first time (pre-commit builds the environment): one test plays every case.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from builders import model, version
from conftest import GitRepo

pytest.importorskip("pre_commit", reason="pre-commit is in the test extra: pip install -e '.[test]'")


def commit(repo: GitRepo, env: dict[str, str], message: str) -> tuple[int, str]:
    """git commit (which runs the hook): its exit code and everything it printed."""
    done = subprocess.run(["git", "commit", "-q", "-m", message], check=False, cwd=repo.path, env={**os.environ, **env},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    return done.returncode, done.stdout


def test_generated_pre_commit_config_judges_each_commit_for_real(tmp_path, cli, pre_commit_env, checkout_requirement):
    root = tmp_path / "registry"
    requirement = checkout_requirement
    (root / "registry.yaml").parent.mkdir(parents=True)
    (root / "registry.yaml").write_text("models_dir: ml/models\n")  # the hook follows models_dir
    assert cli(tmp_path, "init", str(root), "--requirement", requirement).code == 0
    repo = GitRepo(root)
    repo.commit("A model registry")
    env = pre_commit_env
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], check=False, cwd=root, env={**os.environ, **env},
                               capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr

    path = "ml/models/faq-bot.yaml"
    repo.write(path, model("faq-bot", version("1.0.0", "staging")))
    repo.git("add", "-A")
    code, out = commit(repo, env, "register faq-bot 1.0.0")
    assert code == 0, out  # legal: the hook passes

    # A version born in production: refused, nothing committed.
    head = repo.git("rev-parse", "HEAD")
    repo.write(path, model("faq-bot", version("1.0.0", "staging"), version("1.1.0", "production")))
    repo.git("add", "-A")
    code, out = commit(repo, env, "sneak 1.1.0 into production")
    assert code == 1
    assert "validate the model registry" in out and "Failed" in out
    assert "skipped-stage: new version faq-bot 1.1.0 starts in production" in out
    assert repo.git("rev-parse", "HEAD") == head

    # Fixed in the working tree but not staged: the index is what is judged.
    repo.write(path, model("faq-bot", version("1.0.0", "staging"), version("1.1.0", "none")))
    code, out = commit(repo, env, "still the staged bad version")
    assert code == 1 and "skipped-stage" in out
    repo.git("add", "-A")
    code, out = commit(repo, env, "register faq-bot 1.1.0")
    assert code == 0, out

    # A commit that only deletes a model file (pre-commit passes no deleted files).
    repo.git("rm", "-q", path)
    code, out = commit(repo, env, "delete faq-bot")
    assert code == 1 and "model-removed: model faq-bot was removed" in out
    repo.git("reset", "-q", "--hard", "HEAD")

    # A commit outside the registry runs the hook too, and passes.
    repo.write("README.md", "# our models\n")
    repo.git("add", "README.md")
    code, out = commit(repo, env, "readme")
    assert code == 0, out
