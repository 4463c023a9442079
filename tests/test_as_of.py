"""get, show and export --at TIME: the registry as of the last first-parent commit of --ref
committed at or before TIME; Registry.as_of in the API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from builders import rich_model

from registry_tool import NotFound, RegistryError, open_registry
from registry_tool.history.asof import parse_time


def dated(when: str) -> dict[str, str]:
    return {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}


@pytest.fixture
def timeline(repo):
    """main: 1.0.0 in production (Nov 1, 10:00), 1.1.0 promoted (Nov 2, 10:00), then a pull
    request merged with a merge commit (Nov 5, 10:00) whose branch commit is dated Nov 3."""
    repo.write("models/faq-bot.yaml", rich_model("faq-bot", ("1.0.0", "production")))
    first = repo.commit("1.0.0 in production")  # 2024-11-01T10:00:00Z
    repo.write("models/faq-bot.yaml", rich_model("faq-bot", ("1.0.0", "staging"), ("1.1.0", "production")))
    second = repo.commit("promote 1.1.0")  # 2024-11-02T10:00:00Z
    repo.git("checkout", "-q", "-b", "rollback")
    repo.write("models/faq-bot.yaml", rich_model("faq-bot", ("1.0.0", "production"), ("1.1.0", "staging")))
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "roll back to 1.0.0", env=dated("2024-11-03T10:00:00+00:00"))
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7 from hazel/rollback", "rollback",
             env=dated("2024-11-05T10:00:00+00:00"))
    merge = repo.git("rev-parse", "HEAD")
    return repo, (first, second, merge)


def production(cli, repo, *args):
    run = cli(repo.path, "get", "faq-bot", "--stage", "production", *args)
    assert run.code == 0, run.err
    return json.loads(run.out)


@pytest.mark.parametrize(("at", "index", "version"), [
    ("2024-11-01T10:00:00Z", 0, "1.0.0"),          # at the commit's own second: included
    ("2024-11-02T09:59:59Z", 0, "1.0.0"),
    ("2024-11-02", 0, "1.0.0"),                    # a date is its midnight, UTC
    ("2024-11-02T10:00:00Z", 1, "1.1.0"),
    ("2024-11-02T11:30:00+01:00", 1, "1.1.0"),     # 10:30 UTC
    ("2024-11-02 10:30", 1, "1.1.0"),              # no zone: UTC
    ("2024-11-04T12:00:00Z", 1, "1.1.0"),          # the branch's Nov 3 commit was not on main yet
    ("2024-11-05T10:00:00Z", 2, "1.0.0"),
    ("2030-01-01T00:00:00Z", 2, "1.0.0"),
])
def test_get_at_a_time_reads_the_commit_main_had_then(cli, timeline, at, index, version):
    repo, commits = timeline
    found = production(cli, repo, "--at", at)
    assert (found["commit"], found["version"]) == (commits[index], version)


def test_at_combines_with_ref(cli, timeline):
    repo, (_, second, _) = timeline
    repo.git("branch", "old", second)
    assert production(cli, repo, "--ref", "old", "--at", "2030-01-01")["commit"] == second
    assert production(cli, repo, "--ref", "rollback", "--at", "2024-11-03T12:00:00Z")["version"] == "1.0.0"  # the branch's commit
    assert production(cli, repo, "--ref", "rollback", "--at", "2024-11-02T12:00:00Z")["commit"] == second


def test_before_the_first_commit_is_exit_1_with_one_line(cli, timeline):
    repo, (first, _, _) = timeline
    run = cli(repo.path, "get", "faq-bot", "--stage", "production", "--at", "2024-10-31T23:59:59Z")
    assert (run.code, run.out) == (1, "")
    assert run.err == (f"registry-tool: error: HEAD has no commit at or before 2024-10-31T23:59:59Z: its first commit, "
                       f"{first[:12]}, was committed 2024-11-01T10:00:00Z\n")
    for command in (["show"], ["export"]):
        run = cli(repo.path, *command, "--at", "2024-01-01")
        assert run.code == 1 and run.err.count("\n") == 1 and "has no commit at or before 2024-01-01T00:00:00Z" in run.err


@pytest.mark.parametrize(("at", "shown"), [("0001-01-01", "0001-01-01T00:00:00Z"), ("0999-12-31T23:00:00Z", "0999-12-31T23:00:00Z"),
                                           ("0042-06-15T12:30:00+02:00", "0042-06-15T10:30:00Z")])
def test_a_year_before_1000_is_shown_with_four_digits(cli, timeline, at, shown):
    repo, (first, _, _) = timeline
    for command in (["get", "faq-bot", "--stage", "production"], ["show"]):
        run = cli(repo.path, *command, "--at", at)
        assert (run.code, run.err) == (1, f"registry-tool: error: HEAD has no commit at or before {shown}: its first commit, "
                                          f"{first[:12]}, was committed 2024-11-01T10:00:00Z\n")


def test_a_bad_time_is_exit_2(cli, timeline):
    repo, _ = timeline
    run = cli(repo.path, "show", "--at", "last tuesday")
    assert (run.code, run.err) == (2, "registry-tool: error: --at: 'last tuesday' is not a date; "
                                      "use 2024-11-01 or 2024-11-01T10:00:00Z\n")


def test_show_and_export_at_a_time(cli, timeline):
    repo, (first, second, _) = timeline
    run = cli(repo.path, "show", "--at", "2024-11-02T12:00:00Z", "--stage", "production")
    assert run.code == 0
    assert run.out.splitlines()[-1] == f"1 version in production of 1 model at HEAD as of 2024-11-02T12:00:00Z ({second[:12]})"
    data = json.loads(cli(repo.path, "show", "--at", "2024-11-01T12:00:00Z", "--format", "json").out)
    assert data["commit"] == first and [(v["version"], v["stage"]) for v in data["versions"]] == [("1.0.0", "production")]
    exported = json.loads(cli(repo.path, "export", "--at", "2024-11-02T12:00:00Z").out)
    assert exported["commit"] == second
    assert exported == json.loads(cli(repo.path, "export", "--ref", second).out)


def test_history_since_still_parses_its_dates(cli, timeline):
    repo, _ = timeline
    run = cli(repo.path, "history", "faq-bot", "--since", "2024-11-02T00:00:00Z", "--format", "json")
    assert run.code == 0 and {e["time"][:10] for e in json.loads(run.out)} == {"2024-11-02", "2024-11-05"}
    assert cli(repo.path, "history", "--since", "yesterday").err == (
        "registry-tool: error: --since: 'yesterday' is not a date; use 2024-11-01 or 2024-11-01T10:00:00Z\n")


def test_registry_as_of_in_the_api(timeline):
    repo, (first, second, merge) = timeline
    reg = open_registry(repo.path)
    assert reg.as_of("2024-11-02T12:00:00Z").commit == second
    assert reg.as_of(datetime(2024, 11, 1, 12, tzinfo=timezone.utc)).commit == first
    assert reg.as_of(datetime(2024, 11, 1, 12)).commit == first  # naive: UTC
    moment = datetime(2024, 11, 2, 11, 0, tzinfo=timezone(timedelta(hours=1)))  # 10:00 UTC
    assert reg.as_of(moment).commit == second
    assert reg.as_of(int(datetime(2024, 11, 6, tzinfo=timezone.utc).timestamp()), "main").commit == merge
    snap = reg.as_of("2024-11-01T12:00:00Z")
    assert snap.model("faq-bot").production.version == "1.0.0"
    assert repr(snap) == f"<RegistrySnapshot HEAD as of 2024-11-01T12:00:00Z at {first[:12]}>"
    with pytest.raises(NotFound) as caught:
        reg.as_of("2020-01-01")
    assert caught.value.exit_code == 1
    with pytest.raises(RegistryError, match="not a date"):
        reg.as_of("soon")


def test_a_shallow_clone_says_where_its_history_stops(cli, timeline, tmp_path):
    repo, (_, _, merge) = timeline
    clone = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone))
    run = cli(clone, "get", "faq-bot", "--stage", "production", "--at", "2024-11-02T12:00:00Z")
    assert run.code == 2 and run.err.count("\n") == 1
    assert f"stops at commit {merge[:12]} (2024-11-05T10:00:00Z): the repository is a shallow clone" in run.err


@pytest.mark.parametrize(("text", "epoch"), [
    ("2024-11-01", 1730419200),
    ("2024-11-01T10:00:00Z", 1730455200),
    ("2024-11-01T10:00:00z", 1730455200),
    ("2024-11-01T11:00:00+01:00", 1730455200),
])
def test_parse_time(text, epoch):
    assert parse_time(text) == epoch
