"""``registry-tool history``: the audit log read from real repositories with authored commits."""

from __future__ import annotations

import json
import shutil
import subprocess

import pygit2
import pytest
from audit_scenarios import SEED_000, commit_seed_000, faq
from builders import model, version

from registry_tool.history import blobs
from registry_tool.history.events import EVENT_KEYS
from registry_tool.history.provenance import stage_provenance
from registry_tool.history.walk import read_history
from registry_tool.snapshots.git import GitStore

ADA = {"name": "Ada Lovelace", "email": "ada@example.com"}
GRACE = {"name": "Grace Hopper", "email": "grace@example.com"}


def events(cli, repo, *args):
    run = cli(repo.path, "history", "--format", "json", *args)
    assert run.code in (0, 1)
    return json.loads(run.out)


def brief(items):
    return [(e["event"], e["model"], e["version"], e["from_stage"], e["to_stage"]) for e in items]


def test_seed_000_story_exact_events_newest_first(cli, repo):
    shas = commit_seed_000(repo)
    got = events(cli, repo)
    # (commit index, event, version, from, to), newest first; within a commit, file order
    expected = [
        (7, "stage_changed", "1.1.0", "staging", "archived"),
        (6, "stage_changed", "1.0.0", "staging", "production"),
        (6, "stage_changed", "1.1.0", "production", "staging"),
        (5, "stage_changed", "1.0.0", "production", "staging"),
        (5, "stage_changed", "1.1.0", "staging", "production"),
        (4, "stage_changed", "1.1.0", "none", "staging"),
        (3, "version_registered", "1.1.0", None, "none"),
        (2, "stage_changed", "1.0.0", "staging", "production"),
        (1, "stage_changed", "1.0.0", "none", "staging"),
        (0, "model_created", None, None, None),
        (0, "version_registered", "1.0.0", None, "none"),
    ]
    assert [(shas.index(e["commit"]), e["event"], e["version"], e["from_stage"], e["to_stage"]) for e in got] == expected
    # the model commits are the odd ticks of the fixture's clock (the docs commits the even ones)
    assert [e["time"] for e in got][:3] == ["2024-11-15T10:00:00Z", "2024-11-13T10:00:00Z", "2024-11-13T10:00:00Z"]
    assert got[-1]["time"] == "2024-11-01T10:00:00Z"
    for e in got:
        assert sorted(e) == list(EVENT_KEYS)
        assert e["model"] == "faq-bot"
        assert e["author"] == ADA and e["committer"] == GRACE
        assert e["comment"] == SEED_000[shas.index(e["commit"])][0]
        assert e["pull_request"] is None and e["signed"] is False
        assert e["fields"] == [] and e["metrics"] == []


def test_text_output_one_line_per_event(cli, repo):
    shas = commit_seed_000(repo, docs_between=False)
    run = cli(repo.path, "history", "faq-bot", "--limit", "3")
    assert run.code == 0
    assert run.out.splitlines() == [
        f"2024-11-08T10:00:00Z  {shas[7][:12]}  faq-bot 1.1.0: staging → archived  "
        "(by Ada Lovelace, merged by Grace Hopper)  Archive faq-bot 1.1.0",
        f"2024-11-07T10:00:00Z  {shas[6][:12]}  faq-bot 1.0.0: staging → production  "
        "(by Ada Lovelace, merged by Grace Hopper, rollback)  Roll back faq-bot to 1.0.0",
        f"2024-11-07T10:00:00Z  {shas[6][:12]}  faq-bot 1.1.0: production → staging  "
        "(by Ada Lovelace, merged by Grace Hopper)  Roll back faq-bot to 1.0.0",
    ]
    assert run.err == ""


def test_commits_that_do_not_touch_models_are_skipped_and_each_blob_read_once(cli, repo, monkeypatch):
    shas = commit_seed_000(repo)
    reads, full_parses = [], []
    real_read, real_parse = GitStore.read_blob, blobs.parse_model

    def counting_read(self, oid, display):
        reads.append(str(oid))
        return real_read(self, oid, display)

    def counting_parse(raw, path, stem, policy):
        full_parses.append(path)
        return real_parse(raw, path, stem, policy)

    monkeypatch.setattr(GitStore, "read_blob", counting_read)
    monkeypatch.setattr(blobs, "parse_model", counting_parse)
    got = events(cli, repo)
    assert {e["commit"] for e in got} == set(shas)  # no docs commit carries an event
    # every distinct blob read once, no more: the rollback restores an earlier file (7 distinct of 8)
    assert len(reads) == len(set(reads)) == len({text for _, text in SEED_000}) == 7
    # only the newest is parsed in full; each older one is read as an edit of its successor
    assert full_parses == ["models/faq-bot.yaml"]


def test_model_filter_and_other_models(cli, repo):
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "none")))
    repo.write("models/ocr.yaml", model("ocr", version("v1", "staging")))
    repo.commit("Register faq-bot and ocr")
    repo.write("models/ocr.yaml", model("ocr", version("v1", "production")))
    repo.commit("Promote ocr v1")
    assert brief(events(cli, repo)) == [
        ("stage_changed", "ocr", "v1", "staging", "production"),
        ("model_created", "faq-bot", None, None, None),
        ("version_registered", "faq-bot", "1.0.0", None, "none"),
        ("model_created", "ocr", None, None, None),
        ("version_registered", "ocr", "v1", None, "staging"),
    ]
    assert brief(events(cli, repo, "faq-bot")) == [
        ("model_created", "faq-bot", None, None, None),
        ("version_registered", "faq-bot", "1.0.0", None, "none"),
    ]
    run = cli(repo.path, "history", "faq-bot", "--since", "2100-01-01")
    assert (run.code, run.out) == (1, "")
    assert run.err == "registry-tool: no changes to model faq-bot found on HEAD since 2100-01-01\n"


def test_a_model_with_no_file_and_no_history_is_unknown_with_a_suggestion(cli, repo):
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "none")))
    head = repo.commit("Register faq-bot")
    for args in [("faq-bott",), ("faq-bott", "--format", "json"), ("faq-bott", "--since", "2000-01-01"),
                 ("faq-bott", "--limit", "1")]:
        run = cli(repo.path, "history", *args)
        assert (run.code, run.out) == (2, ""), args
        assert run.err == (f"registry-tool: error: unknown model 'faq-bott' at {head[:12]} "
                           "(no models/faq-bott.yaml); did you mean 'faq-bot'?\n")
    run = cli(repo.path, "history", "credit-risk-model")
    assert (run.code, run.out) == (2, "")
    assert run.err.endswith("(no models/credit-risk-model.yaml); models: faq-bot\n")


def test_a_removed_model_keeps_its_history(cli, repo):
    repo.write("models/ocr.yaml", model("ocr", version("v1", "none")))
    repo.commit("Register ocr")
    (repo.path / "models/ocr.yaml").unlink()
    gone = repo.commit("Remove ocr")
    got = events(cli, repo, "ocr")
    assert brief(got) == [("model_removed", "ocr", None, None, None), ("model_created", "ocr", None, None, None),
                          ("version_registered", "ocr", "v1", None, "none")]
    assert got[0]["commit"] == gone
    assert events(cli, repo, "ocr", "--limit", "1")[0]["event"] == "model_removed"
    run = cli(repo.path, "history", "ocr", "--since", "2100-01-01")
    assert (run.code, run.out) == (1, "")
    assert run.err == "registry-tool: no changes to model ocr found on HEAD since 2100-01-01\n"


def test_since_and_limit(cli, repo):
    shas = commit_seed_000(repo)
    got = events(cli, repo, "--since", "2024-11-11")
    assert {shas.index(e["commit"]) for e in got} == {5, 6, 7}
    got = events(cli, repo, "--since", "2024-11-11T10:00:01Z")
    assert {shas.index(e["commit"]) for e in got} == {6, 7}
    got = events(cli, repo, "--since", "2024-11-11T11:00:00+01:00")  # 10:00 UTC
    assert {shas.index(e["commit"]) for e in got} == {5, 6, 7}
    got = events(cli, repo, "--limit", "2")
    assert [(shas.index(e["commit"]), e["version"]) for e in got] == [(7, "1.1.0"), (6, "1.0.0")]
    got = events(cli, repo, "faq-bot", "--since", "2024-11-04", "--limit", "1")
    assert brief(got) == [("stage_changed", "faq-bot", "1.1.0", "staging", "archived")]
    run = cli(repo.path, "history", "--since", "2099-01-01")
    assert (run.code, run.out) == (1, "")


def test_ref_walks_that_revision(cli, repo):
    shas = commit_seed_000(repo, docs_between=False)
    got = events(cli, repo, "--ref", shas[2])
    assert [shas.index(e["commit"]) for e in got] == [2, 1, 0, 0]


def test_merge_commit_records_its_pull_request_for_the_events_it_brings(cli, repo):
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging")))
    base = repo.commit("Register faq-bot 1.0.0")
    repo.git("checkout", "-q", "-b", "promote")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production")))
    branch_commit = repo.commit("Promote faq-bot 1.0.0")
    repo.git("checkout", "-q", "main")
    repo.write("README.md", "main moved on\n")
    repo.commit("Docs on main")
    repo.git("merge", "--no-ff", "-q", "-m", "Merge pull request #12 from x/y\n\nPromote faq-bot 1.0.0", "promote")
    merge = repo.git("rev-parse", "HEAD")
    got = events(cli, repo)
    assert [(e["commit"], e["event"], e["pull_request"]) for e in got] == [
        (merge, "stage_changed", 12),
        (base, "model_created", None),
        (base, "version_registered", None),
    ]
    assert branch_commit not in {e["commit"] for e in got}  # what main saw: the merge
    assert got[0]["comment"] == "Merge pull request #12 from x/y"
    assert got[0]["committer"]["email"] == "test@example.com"  # git merge used the isolated config


def test_squash_merge_message_records_the_pull_request(cli, repo):
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging")))
    repo.commit("Register faq-bot 1.0.0 (#33)")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production")))
    repo.commit("Promote faq-bot (#34)\n\n* Promote faq-bot 1.0.0\n* Fix typo (#2)")
    got = events(cli, repo)
    assert [(e["event"], e["pull_request"]) for e in got] == [
        ("stage_changed", 34), ("model_created", 33), ("version_registered", 33)]
    assert got[0]["comment"] == "Promote faq-bot (#34)"


@pytest.mark.parametrize("message, number", [
    ("Merge pull request #12 from org/branch", 12),
    ("Promote faq-bot (#34)", 34),
    ("Promote faq-bot (#34)  ", 34),
    ("Fix #12 in the docs", None),
    ("Merge branch 'main' into x", None),
    ("Promote (#34) faq-bot", None),
    ("", None),
])
def test_pull_request_numbers(message, number):
    from registry_tool.history.events import pull_request_number

    assert pull_request_number(message) == number


def test_signed_commit_with_an_ssh_key(cli, repo, tmp_path):
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    key = tmp_path / "signing_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ada@example.com", "-f", str(key)], check=True)
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging")))
    repo.commit("Register faq-bot 1.0.0")
    repo.git("config", "gpg.format", "ssh")
    repo.git("config", "user.signingkey", f"{key}.pub")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production")))
    repo.git("add", "-A")
    repo.git("commit", "-q", "-S", "-m", "Promote faq-bot 1.0.0 (signed)")
    assert "-----BEGIN SSH SIGNATURE-----" in repo.git("cat-file", "commit", "HEAD")
    got = events(cli, repo)
    assert [(e["event"], e["signed"]) for e in got] == [
        ("stage_changed", True), ("model_created", False), ("version_registered", False)]
    assert "signed, unverified)" in cli(repo.path, "history", "--limit", "1").out


def test_signed_commit_written_with_pygit2(cli, repo):
    """A commit carrying a gpgsig header (what any signing tool writes) counts as signed."""
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging")))
    repo.commit("Register faq-bot 1.0.0")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production")))
    repo.git("add", "-A")
    git = pygit2.Repository(str(repo.path))
    who = pygit2.Signature("Ada Lovelace", "ada@example.com", 1731492000, 0)
    tree = git.index.write_tree()
    content = git.create_commit_string(who, who, "Promote faq-bot 1.0.0\n", tree, [git.head.target])
    signature = "-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEE\n=abcd\n-----END PGP SIGNATURE-----"
    oid = git.create_commit_with_signature(content, signature)
    git.references["refs/heads/main"].set_target(oid)
    got = events(cli, repo)
    assert (got[0]["commit"], got[0]["signed"], got[0]["time"]) == (str(oid), True, "2024-11-13T10:00:00Z")


def test_shallow_clone_says_history_is_cut_and_invents_nothing(cli, repo, tmp_path):
    shas = commit_seed_000(repo, docs_between=False)
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "3", f"file://{repo.path}", str(clone)], check=True)
    run = cli(clone, "history", "--format", "json")
    assert run.code == 0
    got = json.loads(run.out)
    # the newest three commits: two of them compared with their parents; the boundary is not a creation
    assert [(e["event"], e["commit"]) for e in got] == [
        ("stage_changed", shas[7]), ("stage_changed", shas[6]), ("stage_changed", shas[6]),
        ("history_truncated", shas[5]),
    ]
    assert sorted(got[-1]) == list(EVENT_KEYS) and got[-1]["model"] is None
    assert run.err == (f"registry-tool: note: shallow clone: history before commit {shas[5][:12]} "
                       "(2024-11-06T10:00:00Z) is not available; fetch it with git fetch --unshallow\n")
    text = cli(clone, "history")
    assert len(text.out.splitlines()) == 3 and "shallow clone" in text.err


def test_invalid_file_in_between_compares_with_the_last_valid_copy(cli, repo):
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging")))
    first = repo.commit("Register faq-bot 1.0.0")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging")).replace("stage: staging", "stage: [oops"))
    repo.commit("Break the file")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production")))
    fixed = repo.commit("Fix the file and promote")
    got = events(cli, repo)
    assert [(e["commit"], e["event"], e["from_stage"], e["to_stage"]) for e in got] == [
        (fixed, "stage_changed", "staging", "production"),
        (first, "model_created", None, None),
        (first, "version_registered", None, "staging"),
    ]


def test_removed_model_and_models_dir_from_the_policy(cli, repo):
    repo.write("registry.yaml", "models_dir: registry/models\n")
    repo.write("registry/models/ocr.yaml", model("ocr", version("v1", "none")))
    repo.commit("Register ocr")
    (repo.path / "registry/models/ocr.yaml").unlink()
    gone = repo.commit("Remove ocr")
    got = events(cli, repo)
    assert brief(got) == [("model_removed", "ocr", None, None, None), ("policy_changed", None, None, None, None),
                          ("model_created", "ocr", None, None, None), ("version_registered", "ocr", "v1", None, "none")]
    assert got[0]["commit"] == gone
    assert got[1]["policy"] == [{"key": "models_dir", "from": None, "to": "registry/models"}]


def test_user_errors_are_one_line_exit_2(cli, repo, tmp_path):
    commit_seed_000(repo, docs_between=False)
    for args, message in [
        (("--ref", "nope"), "registry-tool: error: unknown revision 'nope'\n"),
        (("--since", "last tuesday"), "registry-tool: error: --since: 'last tuesday' is not a date; use 2024-11-01 or 2024-11-01T10:00:00Z\n"),
        (("../etc/passwd",), "registry-tool: error: '../etc/passwd' is not a model name: lower-case letters and "
                             "digits separated by single '.', '_' or '-'\n"),
        (("Faq-Bot",), "registry-tool: error: 'Faq-Bot' is not a model name: lower-case letters and digits "
                       "separated by single '.', '_' or '-'\n"),
        (("a" * 101,), f"registry-tool: error: '{'a' * 101}' is not a model name: at most 100 characters, not 101\n"),
    ]:
        run = cli(repo.path, "history", *args)
        assert (run.code, run.out, run.err) == (2, "", message)
    (tmp_path / "plain").mkdir()
    run = cli(tmp_path / "plain", "history")
    assert run.code == 2 and run.err.startswith("registry-tool: error: not a Git repository")


def test_empty_repository_without_commits(cli, repo):
    run = cli(repo.path, "history")
    assert run.code == 2 and "HEAD has no commits yet" in run.err


def test_subprocess_history_prints_no_progress_when_stderr_is_not_a_terminal(run_process, repo):
    commit_seed_000(repo, docs_between=False)
    proc = run_process(repo.path, "history", "faq-bot", "--format", "json")
    assert proc.code == 0 and proc.err == ""
    assert len(json.loads(proc.out)) == 11


# stage_provenance: the event that put each version where it is (for ``show``)

def provenance(repo, rev="HEAD", model="faq-bot"):
    store = GitStore.discover(repo.path)
    return stage_provenance(store, store.resolve(rev), model)


def test_provenance_after_seed_000(repo):
    shas = commit_seed_000(repo)
    found = provenance(repo)
    assert list(found) == ["1.0.0", "1.1.0"]
    assert (found["1.0.0"].commit.id, found["1.0.0"].kind, found["1.0.0"].change.to_stage.value) == (shas[6], "stage_changed", "production")
    assert (found["1.1.0"].commit.id, found["1.1.0"].change.to_stage.value) == (shas[7], "archived")
    assert found["1.0.0"].commit.comment == "Roll back faq-bot to 1.0.0"
    assert found["1.0.0"].commit.author.name == "Ada Lovelace"
    # at an older commit, the answer is what was true then
    older = provenance(repo, shas[4])
    assert {k: (shas.index(v.commit.id), v.kind) for k, v in older.items()} == {
        "1.0.0": (2, "stage_changed"), "1.1.0": (4, "stage_changed")}


def test_provenance_registration_metric_updates_and_merges(repo):
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging")))
    registered = repo.commit("Register faq-bot 1.0.0 in staging (#5)")
    repo.git("checkout", "-q", "-b", "metrics")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging")).replace("0.92", "0.95"))
    repo.commit("Re-measure")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "--no-ff", "-q", "-m", "Merge pull request #6 from x/metrics", "metrics")
    found = provenance(repo)
    assert (found["1.0.0"].commit.id, found["1.0.0"].kind, found["1.0.0"].commit.pull_request) == (registered, "version_registered", 5)
    assert provenance(repo, model="ocr") == {}


def test_provenance_in_a_shallow_clone_leaves_out_what_it_cannot_see(repo, tmp_path):
    shas = commit_seed_000(repo, docs_between=False)
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{repo.path}", str(clone)], check=True)
    store = GitStore.discover(clone)
    found = stage_provenance(store, store.resolve("HEAD"), "faq-bot")
    assert {k: v.commit.id for k, v in found.items()} == {"1.1.0": shas[7]}


def test_read_history_api_counts_commits_and_stops_at_the_limit(repo):
    commit_seed_000(repo)
    store = GitStore.discover(repo.path)
    found = read_history(store, store.resolve("HEAD"), model="faq-bot")
    assert found.complete and len(found.events) == 11 and found.commits_walked == 16
    limited = read_history(store, store.resolve("HEAD"), limit=1)
    assert len(limited.events) == 1 and limited.commits_walked < 16


def test_readme_documents_every_json_key():
    from conftest import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## History: the audit log", 1)[1].split("\n## ", 1)[0]
    documented = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]
    assert sorted(documented) == list(EVENT_KEYS)


def test_progress_only_on_a_terminal(tmp_path):
    import os
    import pty
    import select

    from registry_tool.cli.history import _Progress

    with open(tmp_path / "log", "w+") as plain:
        quiet = _Progress(plain, after=0)
        quiet(1000)
        quiet.clear()
        plain.seek(0)
        assert plain.read() == ""
    leader, follower = pty.openpty()
    with open(follower, "w", closefd=True) as terminal:
        slow_start = _Progress(terminal, after=3600)
        slow_start(1000)  # a short walk shows nothing
        shown = _Progress(terminal, after=0)
        shown(1000)
        shown(2000)
        shown.clear()
    expected = "\rreading history: 1000 commits\rreading history: 2000 commits\r\x1b[K"
    written = b""
    while len(written) < len(expected) and select.select([leader], [], [], 5)[0]:
        written += os.read(leader, 1000)
    os.close(leader)
    assert written.decode() == expected


def test_only_regular_yaml_files_in_the_models_folder_are_models(cli, repo):
    repo.write("README.md", "a registry\n")
    repo.commit("Start")  # no models folder yet
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "none")))
    repo.write("models/notes.txt", "not a model\n")
    repo.write("models/sub/ocr.yaml", model("ocr", version("v1", "none")))
    first = repo.commit("Register faq-bot, and some things that are not models")
    (repo.path / "models/faq-bot.yaml").unlink()
    (repo.path / "models/faq-bot.yaml").symlink_to("notes.txt")
    repo.write("models/sub/ocr.yaml", model("ocr", version("v1", "staging")))
    turned = repo.commit("faq-bot becomes a symlink; ocr in a subfolder moves")
    got = events(cli, repo)
    assert [(e["commit"], e["event"], e["model"]) for e in got] == [
        (turned, "model_removed", "faq-bot"),
        (first, "model_created", "faq-bot"),
        (first, "version_registered", "faq-bot"),
    ]
    assert brief(events(cli, repo, "faq-bot")) == brief(got)
    import shutil as sh

    sh.rmtree(repo.path / "models")
    repo.write("models.txt", "gone\n")
    gone = repo.commit("Remove the models folder")
    assert events(cli, repo, "--limit", "1")[0]["commit"] == turned  # nothing left to remove
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging")))
    back = repo.commit("Bring faq-bot back")
    assert [(e["commit"], e["event"]) for e in events(cli, repo, "--limit", "2")] == [
        (back, "model_created"), (back, "version_registered")]
    assert gone not in {e["commit"] for e in events(cli, repo)}


def test_an_output_encoding_without_arrows_gets_plain_text(run_process, repo):
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging")))
    repo.commit("Register", author=("Zoë Żak", "zoe@example.com"))
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production")))
    repo.commit("Promote", author=("Zoë Żak", "zoe@example.com"))
    proc = run_process(repo.path, "history", "--limit", "1", env={"PYTHONIOENCODING": "ascii"})
    assert proc.code == 0 and proc.err == ""
    assert "faq-bot 1.0.0: staging -> production  (by Zo? ?ak, merged by Grace Hopper)  Promote" in proc.out
    data = run_process(repo.path, "history", "--format", "json", env={"PYTHONIOENCODING": "ascii"})
    assert json.loads(data.out)[0]["author"]["name"] == "Zoë Żak"  # JSON escapes, never loses
    diff = run_process(repo.path, "diff", "HEAD~1", "HEAD", "--format", "markdown", env={"PYTHONIOENCODING": "ascii"})
    assert diff.code == 0 and "| 1.0.0: staging -> production | no gates configured |" in diff.out


def test_registry_provenance_every_model_in_one_walk(repo):
    from registry_tool.history.provenance import registry_provenance

    shas = commit_seed_000(repo, docs_between=False)
    repo.write("models/ocr.yaml", model("ocr", version("v1", "staging"), version("v2", "none")))
    ocr = repo.commit("Register ocr")
    repo.write("models/broken.yaml", "name: broken\nversions: [\n")
    repo.commit("A broken file")
    store = GitStore.discover(repo.path)
    found = registry_provenance(store, store.resolve("HEAD"))
    assert list(found) == ["faq-bot", "ocr"]  # the broken file has no versions to explain
    assert {m: {v: e.commit.id for v, e in versions.items()} for m, versions in found.items()} == {
        "faq-bot": {"1.0.0": shas[6], "1.1.0": shas[7]},
        "ocr": {"v1": ocr, "v2": ocr},
    }
    assert found["faq-bot"] == stage_provenance(store, store.resolve("HEAD"), "faq-bot")
    first = registry_provenance(store, store.resolve(shas[0]))
    assert first == {"faq-bot": provenance(repo, shas[0])}
    assert (first["faq-bot"]["1.0.0"].kind, first["faq-bot"]["1.0.0"].commit.id) == ("version_registered", shas[0])


def test_a_missing_parent_ends_the_history_like_a_shallow_boundary(cli, repo):
    shas = commit_seed_000(repo, docs_between=False)
    loose = repo.path / ".git" / "objects" / shas[0][:2] / shas[0][2:]
    loose.unlink()  # the first commit is gone from the object database (a damaged clone)
    run = cli(repo.path, "history", "--format", "json")
    assert run.code == 0
    got = json.loads(run.out)
    assert [shas.index(e["commit"]) for e in got] == [7, 6, 6, 5, 5, 4, 3, 2, 1]
    assert got[-1]["event"] == "history_truncated"  # commit 1 is the boundary, not a creation
    assert run.err == (f"registry-tool: note: the parent of commit {shas[1][:12]} (2024-11-02T10:00:00Z) is missing "
                       "from the repository: history before it is not available\n")


@pytest.mark.parametrize("index", ["0", "1"])
def test_files_whose_name_is_not_a_model_name_are_not_models(cli, repo, monkeypatch, index):
    """models/.yaml and models/FOO.yaml hold model-shaped YAML but are not model files
    (validate's unexpected-file): history never tells them as models, with or without the index."""
    from registry_tool.history.index import ENV

    monkeypatch.setenv(ENV, index)
    repo.write("models/ocr.yaml", model("ocr", version("v1", "none")))
    repo.commit("Register ocr")
    repo.write("models/.yaml", model("x", version("v1", "none")))
    repo.write("models/FOO.yaml", model("foo", version("v1", "none")))
    repo.commit("Two files that are not model files")
    (repo.path / "models/FOO.yaml").unlink()
    repo.commit("Remove one")
    for _ in range(2):  # the second run reads the index the first wrote
        assert brief(events(cli, repo)) == [("model_created", "ocr", None, None, None),
                                            ("version_registered", "ocr", "v1", None, "none")]
    run = cli(repo.path, "history", "FOO")
    assert run.code == 2 and run.err.startswith("registry-tool: error: 'FOO' is not a model name")
