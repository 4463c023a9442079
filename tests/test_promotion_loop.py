"""The promotion loop as a team lives it, end to end, in real repositories:

init (its pre-commit configuration installed for real) -> a proposer on a branch cut
before main moved -> pre-commit judging each commit -> the pull request check against
the merge base -> a reviewer's approval -> a GitHub-style merge commit checked as the
merge queue would -> a squash merge -> a rollback under a no_regression gate -> the
audit log (every attribution field) -> validate --range over the whole story.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import GitRepo

pytest.importorskip("pre_commit", reason="pre-commit is in the test extra: pip install -e '.[test]'")

PAT = ("Pat Proposer", "pat@example.com")  # proposes on branches
SAM = ("Sam Squasher", "sam@example.com")  # a second proposer, squash-merged
REX = ("Rex Reviewer", "rex@example.com")  # reviews and approves
MIA = ("Mia Maintainer", "mia@example.com")  # runs main and merges
GITHUB = ("GitHub", "noreply@github.com")
POLICY = """\
gates:
  production:
    require_sha256: true
    no_regression: {accuracy: higher_is_better}
"""


def person(who: tuple[str, str]) -> dict[str, str]:
    return {"name": who[0], "email": who[1]}


class Team:
    """One repository worked on by several people: each command runs as someone."""

    def __init__(self, root, cli, monkeypatch, pre_commit_env):
        self.repo = GitRepo(root)
        self.root = root
        self.cli = cli
        self.monkeypatch = monkeypatch
        self.env = dict(pre_commit_env)

    def be(self, author: tuple[str, str], committer: tuple[str, str] | None = None) -> None:
        committer = committer or author
        for key, value in (("GIT_AUTHOR_NAME", author[0]), ("GIT_AUTHOR_EMAIL", author[1]),
                           ("GIT_COMMITTER_NAME", committer[0]), ("GIT_COMMITTER_EMAIL", committer[1])):
            self.monkeypatch.setenv(key, value)

    def run(self, *args: str) -> str:
        done = self.cli(self.root, *args)
        assert done.code == 0, done.err
        return done.out

    def commit(self, message: str) -> tuple[int, str]:
        """git add -A && git commit: the pre-commit hook judges it."""
        self.repo.git("add", "-A")
        done = subprocess.run(["git", "commit", "-q", "-m", message], check=False, cwd=self.root,
                              env={**os.environ, **self.env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=900)
        return done.returncode, done.stdout

    def committed(self, message: str) -> str:
        code, out = self.commit(message)
        assert code == 0, out
        return self.repo.git("rev-parse", "HEAD")

    def merge(self, branch: str, *paragraphs: str, squash_author: tuple[str, str] | None = None) -> str:
        """Land a branch on main as GitHub does: a merge commit by the merger (committer
        GitHub), or (``squash_author``) one squashed commit by the proposer."""
        self.repo.git("checkout", "-q", "main")
        if squash_author is not None:
            self.repo.git("merge", "-q", "--squash", branch)
            self.be(squash_author, GITHUB)
            self.repo.git("commit", "-q", "--no-verify", "-m", "\n\n".join(paragraphs))
        else:
            self.be(MIA, GITHUB)
            args = [a for p in paragraphs for a in ("-m", p)]
            self.repo.git("merge", "-q", "--no-ff", *args, branch)
        return self.repo.git("rev-parse", "HEAD")

    def history(self, *args: str) -> list[dict]:
        return json.loads(self.run("history", "--format", "json", *args))


def test_the_promotion_loop_with_three_people(tmp_path, cli, monkeypatch, pre_commit_env, checkout_requirement):
    root = tmp_path / "registry"
    team = Team(root, cli, monkeypatch, pre_commit_env)
    artifact = tmp_path / "model.onnx"

    # --- Mia starts the registry; pre-commit is installed for real ------------------------
    team.be(MIA)
    made = cli(tmp_path, "init", str(root), "--owner", "@acme/ml", "--requirement", checkout_requirement)
    assert made.code == 0 and "next steps:" in made.out
    (root / "registry.yaml").write_text(POLICY)
    start = team.committed("A model registry")
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], check=False, cwd=root,
                               env={**os.environ, **team.env}, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    artifact.write_bytes(b"faq-bot 1.0.0 weights")
    team.run("register", "faq-bot", "1.0.0", "--artifact-uri", "s3://models/faq-bot/1.0.0/model.onnx",
             "--file", str(artifact), "--metric", "accuracy=0.90")
    team.committed("Register faq-bot 1.0.0")  # through the hook
    team.run("promote", "faq-bot", "1.0.0", "--to", "staging", "--commit")
    team.run("promote", "faq-bot", "1.0.0", "--to", "production", "--commit")

    # --- Pat registers a candidate, cuts a branch to promote it; then main moves on ---------
    team.be(PAT)
    artifact.write_bytes(b"faq-bot 1.1.0 weights")
    team.run("register", "faq-bot", "1.1.0", "--artifact-uri", "s3://models/faq-bot/1.1.0/model.onnx",
             "--file", str(artifact), "--metric", "accuracy=0.93", "--stage", "staging")
    team.committed("Register faq-bot 1.1.0")
    team.repo.git("branch", "promote-faq-bot")
    team.be(MIA)
    team.run("register", "faq-bot", "1.0.1", "--artifact-uri", "s3://models/faq-bot/1.0.1/model.onnx",
             "--metric", "accuracy=0.88", "--commit")
    main_before_pr = team.repo.git("rev-parse", "main")

    team.be(PAT)
    team.repo.git("checkout", "-q", "promote-faq-bot")

    # pre-commit refuses an illegal change: a registered checksum rewritten
    text = (root / "models/faq-bot.yaml").read_text()
    tampered = text.replace(text.split("sha256: ")[1][:64], "ab" * 32, 1)
    (root / "models/faq-bot.yaml").write_text(tampered)
    code, hook = team.commit("Fix the checksum of 1.0.0")
    assert code == 1 and "immutable-field: faq-bot 1.0.0: artifact.sha256 changed" in hook
    team.repo.git("reset", "-q", "--hard", "HEAD")

    team.run("promote", "faq-bot", "1.1.0", "--to", "production")
    team.committed("Promote faq-bot 1.1.0")

    # --- the pull request check: the PR's own change, though main has moved ---------------
    check = cli(root, "validate", "--ref", "HEAD", "--base", "main")
    assert (check.code, check.out) == (0, "ok: 1 model file checked, no violations\n")
    tip = cli(root, "validate", "--ref", "HEAD", "--base", "main", "--base-mode", "tip", "--format", "json")
    assert [v["rule"] for v in json.loads(tip.out)["violations"]] == ["version-removed"]  # 1.0.1, registered on main

    # --- Rex approves, Mia merges (a GitHub merge commit); the merge queue's check -------
    pr40 = team.merge("promote-faq-bot", "Merge pull request #40 from acme/promote-faq-bot",
                      "Promote faq-bot 1.1.0\n\nBeats 1.0.0 by 3 points on the November eval.",
                      f"Approved-by: {REX[0]} <{REX[1]}>")
    queue = cli(root, "validate", "--ref", pr40, "--base", main_before_pr, "--base-mode", "tip")
    assert queue.code == 0, queue.out

    # --- Sam's pull request, squash-merged --------------------------------------------------
    team.be(SAM)
    team.repo.git("checkout", "-q", "-b", "faq-bot-1.2.0")
    team.run("register", "faq-bot", "1.2.0", "--artifact-uri", "s3://models/faq-bot/1.2.0/model.onnx",
             "--metric", "accuracy=0.91")
    team.committed("Register faq-bot 1.2.0")
    team.run("metrics", "faq-bot", "1.1.0", "--suite", "core-v1", "score=0.9")  # results that arrived later
    team.committed("Core suite results of 1.1.0")
    pr41 = team.merge("faq-bot-1.2.0", "Register faq-bot 1.2.0 (#41)", "* Register faq-bot 1.2.0\n* Core suite results",
                      f"Reviewed-by: {REX[0]} <{REX[1]}>", squash_author=SAM)

    # --- 1.1.0 misbehaves in the field: roll back under the no_regression gate --------------
    team.be(MIA)
    out = team.run("rollback", "faq-bot", "--branch", "rollback-faq-bot")
    assert "faq-bot 1.1.0 demoted from production to staging" in out
    pr42 = team.merge("rollback-faq-bot", "Merge pull request #42 from acme/rollback-faq-bot",
                      "Roll back faq-bot to 1.0.0", f"Approved-by: {REX[0]} <{REX[1]}>")
    assert cli(root, "get", "faq-bot", "--stage", "production", "--field", "version").out == "1.0.0\n"

    # --- the audit log ------------------------------------------------------------------
    events = team.history("faq-bot")
    by_commit: dict[str, list[dict]] = {}
    for e in events:
        by_commit.setdefault(e["commit"], []).append(e)

    rollback = {(e["version"], e["from_stage"], e["to_stage"]): e for e in by_commit[pr42]}
    back = rollback[("1.0.0", "staging", "production")]
    assert back["rollback"] is True and rollback[("1.1.0", "production", "staging")]["rollback"] is False
    for e in by_commit[pr42]:
        assert e["proposed_by"] == person(MIA) and e["merged_by"] == person(MIA)
        assert e["committer"] == person(GITHUB) and e["approved_by"] == [person(REX)]
        assert (e["pull_request"], e["reason"], e["signed"]) == (42, "Roll back faq-bot to 1.0.0", False)
        assert e["comment"] == "Merge pull request #42 from acme/rollback-faq-bot"

    squashed = by_commit[pr41]
    assert {(e["event"], e["version"]) for e in squashed} == {("version_registered", "1.2.0"), ("version_updated", "1.1.0")}
    for e in squashed:
        assert e["proposed_by"] == person(SAM) and e["author"] == person(SAM)
        assert e["merged_by"] == person(GITHUB) and e["approved_by"] == [person(REX)]
        assert (e["pull_request"], e["reason"], e["rollback"]) == (41, "Register faq-bot 1.2.0 (#41)", False)

    promoted = {(e["event"], e["version"], e["to_stage"]): e for e in by_commit[pr40]}
    assert set(promoted) == {("stage_changed", "1.1.0", "production"), ("stage_changed", "1.0.0", "staging")}
    for e in by_commit[pr40]:
        assert e["proposed_by"] == person(PAT) and e["merged_by"] == person(MIA) and e["author"] == person(MIA)
        assert e["approved_by"] == [person(REX)] and e["pull_request"] == 40
        assert e["reason"] == "Promote faq-bot 1.1.0\n\nBeats 1.0.0 by 3 points on the November eval."
        assert e["rollback"] is False and e["signed"] is False
    first = [e for e in events if e["version"] == "1.0.0" and e["to_stage"] == "production" and not e["rollback"]]
    assert len(first) == 1 and first[0]["proposed_by"] == person(MIA) and first[0]["pull_request"] is None

    text = cli(root, "history", "faq-bot", "--limit", "1").out
    assert "(by Mia Maintainer, approved by Rex Reviewer, message claims PR #42, rollback)  Roll back faq-bot to 1.0.0" in text

    shown = {row["version"]: row for row in json.loads(team.run("show", "faq-bot", "--format", "json"))["versions"]}
    assert shown["1.0.0"]["stage_commit"] == pr42 and shown["1.0.0"]["approved_by"] == [person(REX)]
    assert shown["1.1.0"]["stage_commit"] == pr42 and shown["1.2.0"]["proposed_by"] == person(SAM)

    # --- the whole story passes, commit by commit ----------------------------------------
    whole = cli(root, "validate", "--range", f"{start}..main")
    assert whole.code == 0, whole.out
    assert whole.out.endswith("no violations\n")
