"""Who proposed a change, who landed it, who approved it and why: read from merge commits
(the branch side), squash merges and trailers, in ``history`` (text and JSON), ``show``
and the Python provenance API."""

from __future__ import annotations

import json

from audit_scenarios import faq
from builders import model, version

from registry_tool.history import stage_provenance
from registry_tool.history.events import Person, approvers, reason, trailers
from registry_tool.snapshots.git import GitStore

PAT = ("Pat Proposer", "pat@example.com")
SAM = ("Sam Second", "sam@example.com")
MIA = ("Mia Merger", "mia@example.com")
GITHUB = ("GitHub", "noreply@github.com")
REX = {"name": "Rex Reviewer", "email": "rex@example.com"}
IVY = {"name": "Ivy Approver", "email": "ivy@example.com"}

MERGE_MESSAGE = ("Merge pull request #40 from team/promote-faq-bot\n\nPromote faq-bot 1.1.0\n\n"
                 "The November eval beat 1.0.0 on every suite.\n\n"
                 "Approved-by: Rex Reviewer <rex@example.com>\nReviewed-by: Ivy Approver <ivy@example.com>\n")


def merge(repo, branch: str, message: str, author: tuple[str, str], committer: tuple[str, str]) -> str:
    date = "2024-12-20T10:00:00+00:00"
    repo.git("merge", "-q", "--no-ff", "-m", message, branch, env={
        "GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1], "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": committer[0], "GIT_COMMITTER_EMAIL": committer[1], "GIT_COMMITTER_DATE": date})
    return repo.git("rev-parse", "HEAD")


def history_json(cli, repo, *args: str) -> list[dict]:
    run = cli(repo.path, "history", "--format", "json", *args)
    assert run.code == 0, run.err
    return json.loads(run.out)


def merged_pull_request(repo) -> str:
    """faq-bot 1.1.0 promoted by Pat and an ocr model registered by Sam on one branch,
    merged by Mia through a GitHub-style merge commit with approval trailers."""
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production"), ("1.1.0", "staging")))
    repo.commit("Register faq-bot 1.1.0")
    repo.git("checkout", "-q", "-b", "promote-faq-bot")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging"), ("1.1.0", "production")))
    repo.commit("Promote faq-bot 1.1.0", author=PAT, committer=PAT)
    repo.write("models/ocr.yaml", model("ocr", version("v1", "none")))
    repo.commit("Register ocr v1", author=SAM, committer=SAM)
    repo.git("checkout", "-q", "main")
    return merge(repo, "promote-faq-bot", MERGE_MESSAGE, MIA, GITHUB)


def test_a_merge_commit_credits_the_branch_author_the_merger_and_the_approvers(repo, cli):
    landed = merged_pull_request(repo)
    found = history_json(cli, repo, "--limit", "3")
    assert [(e["model"], e["version"], e["event"]) for e in found] == [
        ("faq-bot", "1.0.0", "stage_changed"), ("faq-bot", "1.1.0", "stage_changed"), ("ocr", None, "model_created")]
    for e in found:
        assert e["commit"] == landed
        assert e["merged_by"] == {"name": MIA[0], "email": MIA[1]}
        assert e["author"] == {"name": MIA[0], "email": MIA[1]} and e["committer"]["name"] == "GitHub"
        assert e["approved_by"] == [REX, IVY]
        assert e["pull_request"] == 40
        assert e["comment"] == "Merge pull request #40 from team/promote-faq-bot"
        assert e["reason"] == "Promote faq-bot 1.1.0\n\nThe November eval beat 1.0.0 on every suite."
        assert e["rollback"] is False
    assert found[1]["proposed_by"] == {"name": PAT[0], "email": PAT[1]}  # the branch commit that changed faq-bot
    assert found[2]["proposed_by"] == {"name": SAM[0], "email": SAM[1]}  # ... and the one that changed ocr

    text = cli(repo.path, "history", "faq-bot", "--limit", "2").out.splitlines()[1]
    assert text == (f"2024-12-20T10:00:00Z  {landed[:12]}  faq-bot 1.1.0: staging → production  (by Pat Proposer, "
                    "merged by Mia Merger, approved by Rex Reviewer, Ivy Approver, message claims PR #40)  Promote faq-bot 1.1.0")


def test_a_squash_merge_credits_its_author_and_the_host_that_landed_it(repo, cli):
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production"), ("1.1.0", "staging")))
    repo.commit("Register faq-bot 1.1.0")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging"), ("1.1.0", "production")))
    landed = repo.commit("Promote faq-bot 1.1.0 (#41)\n\n* promote\n* fix typo\n\nApproved-by: Rex Reviewer <rex@example.com>",
                         author=PAT, committer=GITHUB)
    (_, e) = history_json(cli, repo, "--limit", "2")
    assert e["commit"] == landed
    assert e["proposed_by"] == {"name": PAT[0], "email": PAT[1]}
    assert e["merged_by"] == {"name": "GitHub", "email": "noreply@github.com"}
    assert e["approved_by"] == [REX]
    assert (e["pull_request"], e["reason"]) == (41, "Promote faq-bot 1.1.0 (#41)")


def test_show_and_the_provenance_api_carry_the_same_attribution(repo, cli):
    landed = merged_pull_request(repo)
    run = cli(repo.path, "show", "faq-bot", "--format", "json")
    row = json.loads(run.out)["versions"][1]
    assert row["version"] == "1.1.0" and row["stage_commit"] == landed
    assert row["by"] == row["proposed_by"] == {"name": PAT[0], "email": PAT[1]}
    assert row["merged_by"] == {"name": MIA[0], "email": MIA[1]}
    assert row["approved_by"] == [REX, IVY]
    assert row["reason"].startswith("Promote faq-bot 1.1.0")
    table = cli(repo.path, "show", "faq-bot").out
    assert "Pat Proposer" in table.splitlines()[2] and "#40" in table.splitlines()[2]

    store = GitStore.discover(repo.path)
    event = stage_provenance(store, store.resolve("HEAD"), "faq-bot")["1.1.0"]
    assert event.proposer == Person(*PAT)
    assert event.commit.lander == Person(*MIA)
    assert event.commit.approved_by == (Person(REX["name"], REX["email"]), Person(IVY["name"], IVY["email"]))


def test_a_merge_that_changed_the_file_itself_credits_the_second_parent(repo, cli):
    """A change made while resolving the merge has no branch commit: the branch tip's author."""
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production")))
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "docs")
    repo.write("README.md", "docs\n")
    repo.commit("Docs", author=SAM, committer=SAM)
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "docs")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production"), ("1.1.0", "none")))
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "Merge pull request #7 from team/docs", env={
        "GIT_AUTHOR_NAME": MIA[0], "GIT_AUTHOR_EMAIL": MIA[1], "GIT_COMMITTER_NAME": MIA[0], "GIT_COMMITTER_EMAIL": MIA[1]})
    (e,) = history_json(cli, repo, "--limit", "1")
    assert e["proposed_by"] == {"name": SAM[0], "email": SAM[1]} and e["merged_by"]["name"] == MIA[0]
    assert e["reason"] == "Merge pull request #7 from team/docs"  # no body: the summary


def test_trailers_are_the_last_paragraph_of_key_value_lines():
    message = "Subject\n\nBody text.\n\nApproved-by: A <a@x>\nReviewed-by: B\n  continued\nSigned-off-by: C <c@x>\n"
    assert trailers(message) == [("Approved-by", "A <a@x>"), ("Reviewed-by", "B continued"),
                                 ("Signed-off-by", "C <c@x>")]
    assert approvers(message) == (Person("A", "a@x"), Person("B continued", ""))
    assert trailers("Subject\n\nApproved-by: A <a@x>\nnot a trailer\n") == []
    assert trailers("Approved-by: A <a@x>") == []  # a subject alone is not a trailer block
    assert approvers("S\n\nApproved-by: A <a@x>\napproved-by: A <a@x>\n") == (Person("A", "a@x"),)
    assert reason("Promote x (#3)\n\nbody") == "Promote x (#3)"
    assert reason("Merge pull request #3 from a/b\n\nTitle\n\nApproved-by: A <a@x>\n") == "Title"
