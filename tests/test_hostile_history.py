"""Hostile histories: a main branch rewritten under the validator's feet (a force-push that
rewinds or rewrites it, a fast-forward "foxtrot" merge that puts the old main on a second
parent and drops its changes), and the old head missing from the clone. Real repositories,
the real CLI in a capped subprocess."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from builders import line_of, model, version
from conftest import GitRepo
from hostile_support import assert_clean_error, run_capped

PATH = "models/faq-bot.yaml"
ONE = model("faq-bot", version("1.0.0", "staging"))
TWO = model("faq-bot", version("1.0.0", "staging"), version("2.0.0", "none"))
MOVED = model("faq-bot", version("1.0.0", "staging", uri="s3://elsewhere/faq-bot/1.0.0/model.onnx"))


@pytest.fixture
def main(repo: GitRepo) -> GitRepo:
    """main: faq-bot 1.0.0 registered (repo.first), then 2.0.0 registered (repo.second)."""
    repo.write(PATH, ONE)
    repo.first = repo.commit("register faq-bot 1.0.0")
    repo.write(PATH, TWO)
    repo.second = repo.commit("register faq-bot 2.0.0")
    return repo


def _range(repo: GitRepo, spec: str):
    return run_capped(repo.path, "validate", "--format", "json", "--range", spec)


def _found(proc) -> list[tuple[str, int, int, str, str | None]]:
    return [(v["file"], v["line"], v["column"], v["rule"], v.get("commit")) for v in proc.json()["violations"]]


def _rewritten(before: str, after: str, how: str) -> str:
    return (f"history was rewritten: {before[:12]} (BEFORE) is not on the first-parent history of {after[:12]} "
            f"(AFTER); {how}; AFTER was judged against BEFORE as one change, not commit by commit")


REWOUND = "the branch was rewound to an older commit (a force-push)"
REWRITTEN = "the branch was rewritten (a force-push: BEFORE is not an ancestor of AFTER)"
FOXTROT = ("BEFORE is reached from AFTER only through a merge's second parent (a fast-forward merge with the old head "
           "as second parent, a 'foxtrot' merge, which can drop the branch's changes)")


def test_force_push_that_rewinds_main(main: GitRepo) -> None:
    """Before: "0 model files checked", exit 0. The rewind drops version 2.0.0."""
    proc = _range(main, f"{main.second}..{main.first}")
    assert proc.code == 1
    assert _found(proc) == [("models", 1, 1, "history-rewritten", main.first),
                            (PATH, line_of(ONE, "version: "), 3, "version-removed", main.first)]
    assert proc.json()["violations"][0]["message"] == _rewritten(main.second, main.first, REWOUND)
    assert proc.json()["commits_checked"] == [main.first]
    assert proc.err == (f"registry-tool: note: {main.second} is not on the first-parent history of {main.first} "
                        f"({REWOUND}): judging {main.first} against {main.second} as one change, and failing the "
                        "range (history-rewritten)\n")


def test_force_push_that_rewrites_main(main: GitRepo) -> None:
    """The last commit amended to change 1.0.0's artifact: a sibling of BEFORE, not a descendant."""
    main.git("reset", "-q", "--hard", main.first)
    main.write(PATH, MOVED)
    rewritten = main.commit("register faq-bot 2.0.0 (amended)")
    proc = _range(main, f"{main.second}..{rewritten}")
    assert proc.code == 1
    assert _found(proc) == [("models", 1, 1, "history-rewritten", rewritten),
                            (PATH, line_of(ONE, "version: "), 3, "version-removed", rewritten),
                            (PATH, line_of(MOVED, "uri:"), 12, "immutable-field", rewritten)]
    assert proc.json()["violations"][0]["message"] == _rewritten(main.second, rewritten, REWRITTEN)


def test_foxtrot_merge_that_drops_mains_change(main: GitRepo) -> None:
    """A branch from before 2.0.0 merges main in (main as second parent), resolving the
    conflict to its own side, and is pushed to main as a fast-forward: its first-parent
    commits each pass against their parents, but main lost 2.0.0."""
    main.git("switch", "-q", "-c", "feature", main.first)
    main.write("README.md", "notes\n")
    main.commit("notes")
    main.git("merge", "-q", "-s", "ours", "--no-edit", "main")  # keeps the branch's faq-bot: 2.0.0 is gone
    merged = main.git("rev-parse", "HEAD")
    assert main.git("rev-parse", "HEAD^2") == main.second
    proc = _range(main, f"{main.second}..{merged}")
    assert proc.code == 1
    assert _found(proc) == [("models", 1, 1, "history-rewritten", merged),
                            (PATH, line_of(ONE, "version: "), 3, "version-removed", merged)]
    assert proc.json()["violations"][0]["message"] == _rewritten(main.second, merged, FOXTROT)


def test_a_merge_with_main_as_first_parent_is_judged_commit_by_commit(main: GitRepo) -> None:
    """The ordinary merge (what a Git host does for a pull request) is no rewrite."""
    main.git("switch", "-q", "-c", "feature", main.first)
    main.write("README.md", "notes\n")
    main.commit("notes")
    main.git("switch", "-q", "main")
    main.git("merge", "-q", "--no-ff", "--no-edit", "feature")
    proc = _range(main, f"{main.second}..HEAD")
    assert (proc.code, proc.err) == (0, "")
    assert len(proc.json()["commits_checked"]) == 1


@pytest.fixture
def after_force_push(main: GitRepo, tmp_path: Path) -> tuple[GitRepo, Path]:
    """main force-pushed back to its first commit, and a fresh clone (as CI makes after the
    push): the old head is in neither clone's branches, and not in the clone at all."""
    main.git("reset", "-q", "--hard", main.first)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-local", str(main.path), str(clone)], check=True)
    return main, clone


def test_before_missing_from_the_clone_fails_the_range(after_force_push) -> None:
    main, clone = after_force_push
    proc = run_capped(clone, "validate", "--range", f"{main.second}..HEAD")
    assert proc.out == ""
    assert_clean_error(proc, f"the start of the range, '{main.second}', is not in this repository: after a force-push "
                             "the old head is on no branch, so a clone does not have it (git fetch origin "
                             f"{main.second} fetches it while the host keeps it; a shallow clone needs fetch-depth: 0); "
                             "the range cannot be judged without it")


# --- what history and show print from commits: escaped, never raw --------------------------

HIDDEN_AUTHOR = "Ada \u202eecalevoL\u202c"  # shows as "Ada Lovelace" reversed by a bidi override
HIDDEN_MESSAGE = "promote faq-bot\u3164 1.0.0 \u2066(approved)\u2069"


def test_bidi_controls_and_blank_characters_from_commits_are_escaped(main: GitRepo) -> None:
    main.write(PATH, ONE.replace("stage: staging", "stage: production"))
    commit = main.commit(HIDDEN_MESSAGE, author=(HIDDEN_AUTHOR, "ada@example.com"))
    proc = run_capped(main.path, "history", "faq-bot", "--limit", "1")
    assert (proc.code, proc.err) == (0, "")
    assert proc.out.splitlines() == [
        f"2024-11-03T10:00:00Z  {commit[:12]}  faq-bot 1.0.0: staging → production  (by Ada \\u202eecalevoL\\u202c, "
        "merged by Grace Hopper)  promote faq-bot\\u3164 1.0.0 \\u2066(approved)\\u2069"]
    shown = run_capped(main.path, "show", "faq-bot")
    assert shown.code == 0
    assert "Ada \\u202eecalevoL\\u202c" in shown.out and "\u202e" not in shown.out
    assert run_capped(main.path, "history", "--format", "json").json()[0]["proposed_by"]["name"] == HIDDEN_AUTHOR  # data stays data


# --- commits Git accepts (fsck-clean) that a calendar or a codec cannot read ---------------

PROD_ONE = model("faq-bot", version("1.0.0", "production"), version("2.0.0", "staging"))
PROD_TWO = model("faq-bot", version("1.0.0", "staging"), version("2.0.0", "production"))


def _raw_commit(repo: GitRepo, headers: bytes, message: bytes) -> str:
    """Commit what is staged with hand-written author/committer/encoding headers."""
    repo.git("add", "-A")
    tree, parent = repo.git("write-tree"), repo.git("rev-parse", "HEAD")
    body = b"tree %s\nparent %s\n%s\n%s" % (tree.encode(), parent.encode(), headers, message)
    oid = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--stdin"], cwd=repo.path, input=body,
                         capture_output=True, check=True).stdout.decode().strip()
    repo.git("update-ref", "refs/heads/main", oid)
    assert subprocess.run(["git", "fsck", "--strict", "--no-dangling"], cwd=repo.path, capture_output=True).returncode == 0
    return oid


ODD_COMMITS = {
    "year 10000": (b"author Ada <ada@example.com> 253402300800 +0000\ncommitter Ada <ada@example.com> 253402300800 +0000\n",
                   b"promote 2.0.0\n"),
    "unknown encoding": (b"author Ad\xe9 <ada@example.com> 1700000000 +0000\ncommitter Ada <ada@example.com> 1700000000 +0000\n"
                         b"encoding x-no-such-encoding\n", b"promote 2.0.0 (#41)\n"),
}


@pytest.fixture(params=sorted(ODD_COMMITS))
def odd(request, repo: GitRepo) -> tuple[GitRepo, str, str]:
    """1.0.0 in production, then 2.0.0 promoted by an odd commit. Returns (repo, its id, case)."""
    repo.write(PATH, PROD_ONE)
    repo.commit("1.0.0 in production")
    repo.write(PATH, PROD_TWO)
    oid = _raw_commit(repo, *ODD_COMMITS[request.param])
    repo.git("reset", "-q", "--hard")
    return repo, oid, request.param


def test_history_shows_what_it_cannot_read_as_a_question_mark(odd) -> None:
    repo, oid, case = odd
    proc = run_capped(repo.path, "history", "--limit", "2")
    assert (proc.code, proc.err) == (0, "")
    if case == "year 10000":
        expected = f"?  {oid[:12]}  faq-bot 1.0.0: production → staging  (by Ada)  promote 2.0.0"
    else:  # every text of the commit is in an encoding nobody knows: no name, no message, no PR number
        expected = f"2023-11-14T22:13:20Z  {oid[:12]}  faq-bot 1.0.0: production → staging  (by ?)  ?"
    assert proc.out.splitlines()[0] == expected
    assert run_capped(repo.path, "history", "--format", "json").code == 0


def test_show_and_rollback_go_on_past_an_odd_commit(odd) -> None:
    repo, oid, case = odd
    shown = run_capped(repo.path, "show", "faq-bot")
    assert (shown.code, shown.err) == (0, "")
    row = shown.out.splitlines()[2].split()
    assert row[:3] == ["faq-bot", "2.0.0", "production"]
    assert row[4:] == (["?", "Ada", oid[:12]] if case == "year 10000" else ["2023-11-14", "22:13", "?", oid[:12]])
    rolled = run_capped(repo.path, "rollback", "faq-bot")
    assert rolled.code == 0, rolled.err
    assert (repo.path / PATH).read_text() == model("faq-bot", version("1.0.0", "production"), version("2.0.0", "staging"))


# --- a change that repairs an invalid base copy is judged against the last valid one ---------

ARCHIVED = model("faq-bot", version("1.0.0", "archived"), version("2.0.0", "production"))
BROKEN = ARCHIVED.replace("name: faq-bot\n", "name: faq-bot\nname: faq-bot\n")  # a duplicate key: invalid
REPAIRED = model("faq-bot", version("1.0.0", "production", uri="s3://attacker/faq-bot/1.0.0/model.onnx"),
                 version("2.0.0", "staging"))


@pytest.fixture
def broken(repo: GitRepo) -> GitRepo:
    """faq-bot with 1.0.0 archived (repo.valid), then a commit that broke the file (repo.broken)."""
    repo.write(PATH, ARCHIVED)
    repo.valid = repo.commit("archive 1.0.0")
    repo.write(PATH, BROKEN)
    repo.broken = repo.commit("a broken edit, pushed past review")
    return repo


def test_repairing_an_invalid_base_does_not_switch_change_rules_off(broken: GitRepo) -> None:
    """Before: the un-archive and the new uri passed, since the base copy was invalid."""
    broken.write(PATH, REPAIRED)
    head = broken.commit("repair faq-bot")
    proc = run_capped(broken.path, "validate", "--format", "json", "--ref", head, "--base", broken.broken)
    assert proc.code == 1
    assert sorted((v["rule"], v["line"]) for v in proc.json()["violations"]) == [
        ("archived-promotion", line_of(REPAIRED, "stage: production")),
        ("immutable-field", line_of(REPAIRED, "s3://attacker")),
    ]
    assert _range(broken, f"{broken.broken}..{head}").json()["ok"] is False
    diff = run_capped(broken.path, "diff", broken.broken, head)
    assert diff.code == 0
    assert "faq-bot 1.0.0: archived → production" in diff.out and "no model or policy changes" not in diff.out


def test_a_file_never_valid_is_judged_as_new(repo: GitRepo) -> None:
    repo.write(PATH, BROKEN.replace("archived", "none"))
    base = repo.commit("a broken registration")
    repo.write(PATH, model("faq-bot", version("1.0.0", "production")))
    head = repo.commit("repair it straight into production")
    proc = run_capped(repo.path, "validate", "--format", "json", "--ref", head, "--base", base)
    assert [v["rule"] for v in proc.json()["violations"]] == ["skipped-stage"]


def test_deleting_an_invalid_file_is_still_a_removal(broken: GitRepo) -> None:
    (broken.path / PATH).unlink()
    head = broken.commit("delete the broken file")
    proc = run_capped(broken.path, "validate", "--format", "json", "--ref", head, "--base", broken.broken)
    assert [(v["file"], v["rule"]) for v in proc.json()["violations"]] == [(PATH, "model-removed")]


# --- a one-line models_dir switch is judged as moving every model ---------------------------

def test_models_dir_switch_to_a_folder_prepared_earlier(broken: GitRepo) -> None:
    """The new folder's copy was committed while it was outside models_dir (never judged);
    the switch is judged as the move: the new folder's files against the old ones."""
    broken.write(PATH, ARCHIVED)
    base = broken.commit("fixed")
    broken.write("shadow/faq-bot.yaml", REPAIRED)
    broken.commit("a folder nobody validates")
    broken.write("registry.yaml", "models_dir: shadow\n")
    head = broken.commit("one line")
    for args in (["--ref", head, "--base", base], ["--range", f"{base}..{head}"]):
        proc = run_capped(broken.path, "validate", "--format", "json", *args)
        assert sorted((v["file"], v["rule"]) for v in proc.json()["violations"]) == [
            ("shadow/faq-bot.yaml", "archived-promotion"), ("shadow/faq-bot.yaml", "immutable-field")]


def test_models_dir_switch_that_leaves_a_model_behind(broken: GitRepo) -> None:
    broken.write(PATH, ARCHIVED)
    base = broken.commit("fixed")
    broken.write("registry.yaml", "models_dir: shadow\n")
    broken.write("shadow/other.yaml", model("other", version("1", "none")))
    head = broken.commit("switch, without faq-bot")
    proc = run_capped(broken.path, "validate", "--format", "json", "--ref", head, "--base", base)
    assert [(v["file"], v["rule"]) for v in proc.json()["violations"]] == [(PATH, "model-removed")]


# --- signatures: a header is a claim; git checks it when asked -------------------------------

def test_a_garbage_signature_is_not_a_signature(main: GitRepo, tmp_path: Path) -> None:
    import pygit2

    main.write(PATH, TWO.replace('"2.0.0"\n    stage: none', '"2.0.0"\n    stage: staging'))
    main.git("add", "-A")
    git = pygit2.Repository(str(main.path))
    who = pygit2.Signature("Mallory", "mallory@example.com", 1731492000, 0)
    content = git.create_commit_string(who, who, "promote 2.0.0 (#41)\n", git.index.write_tree(), [git.head.target])
    oid = git.create_commit_with_signature(content, "-----BEGIN PGP SIGNATURE-----\n\nnot a signature\n-----END PGP SIGNATURE-----")
    git.references["refs/heads/main"].set_target(oid)
    plain = run_capped(main.path, "history", "--limit", "1")
    assert plain.out.endswith("(by Mallory, message claims PR #41, signed, unverified)  promote 2.0.0 (#41)\n")
    assert run_capped(main.path, "history", "--format", "json").json()[0]["signature"] == "unverified"
    checked = run_capped(main.path, "history", "--limit", "1", "--verify-signatures")
    assert checked.code == 0
    verdict = run_capped(main.path, "history", "--verify-signatures", "--format", "json").json()[0]["signature"]
    assert verdict in ("BAD", "cannot be checked (key missing)", "unreadable (not a signature)")
    assert checked.out.endswith(f"(by Mallory, message claims PR #41, signature {verdict})  promote 2.0.0 (#41)\n")


def test_a_real_ssh_signature_is_verified_by_git(main: GitRepo, tmp_path: Path) -> None:
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ada@example.com", "-f", str(key)], check=True)
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"ada@example.com {(tmp_path / 'key.pub').read_text()}")
    main.git("config", "gpg.format", "ssh")
    main.git("config", "user.signingkey", f"{key}.pub")
    main.git("config", "gpg.ssh.allowedSignersFile", str(allowed))
    main.write(PATH, TWO.replace('"2.0.0"\n    stage: none', '"2.0.0"\n    stage: staging'))
    main.git("add", "-A")
    main.git("commit", "-q", "-S", "-m", "promote 2.0.0",
             env={"GIT_COMMITTER_EMAIL": "ada@example.com", "GIT_AUTHOR_EMAIL": "ada@example.com"})
    checked = run_capped(main.path, "history", "--limit", "1", "--verify-signatures")
    assert checked.out.rstrip().endswith("signature good)  promote 2.0.0")


# --- history after the fact: a branch rewritten since history last read it -----------------

def _warning(branch: str, old: str, new: str) -> str:
    return (f"registry-tool: warning: {branch} was rewritten since history last read it: its head then, {old[:12]}, "
            f"is not in the history of {new[:12]} (a force-push or a reset); changes only {old[:12]} had are not in "
            "this history\n")


def _history(repo_path: Path, *args: str):
    return run_capped(repo_path, "history", *args)


def test_history_says_the_branch_was_reset_since_it_last_read_it(main: GitRepo) -> None:
    """main read at 2.0.0's commit, then reset and rewritten: the next history run says so
    once (text and JSON alike, on stderr), and lists the new history as it is."""
    assert _history(main.path).err == ""
    main.git("reset", "-q", "--hard", main.first)
    main.write(PATH, MOVED)
    rewritten = main.commit("register faq-bot 1.0.0 elsewhere")
    proc = _history(main.path, "--format", "json")
    assert proc.code == 0
    assert proc.err == _warning("main", main.second, rewritten)
    assert [e["commit"] for e in proc.json()] == [rewritten, main.first, main.first]  # the JSON is the same list of events
    again = _history(main.path)
    assert (again.code, again.err) == (0, "")  # said once: the new head is what history read last


def test_a_rewind_is_a_rewrite_and_moving_forward_is_not(main: GitRepo) -> None:
    assert _history(main.path, "--ref", "main").err == ""
    main.write(PATH, MOVED)
    main.commit("move faq-bot 1.0.0")  # forward: the old head stays on the first-parent history
    assert _history(main.path, "--ref", "main").err == ""
    head = main.git("rev-parse", "HEAD")
    main.git("reset", "-q", "--hard", main.first)  # a rewind: the old head is a descendant now
    assert _history(main.path, "--ref", "main").err == _warning("main", head, main.first)


def test_a_foxtrot_merge_is_a_rewrite_of_the_first_parent_history(main: GitRepo) -> None:
    """main fast-forwarded to a branch that merged main in: the old head is still an ancestor,
    but only through a second parent, so the audit log (first parents) changed."""
    assert _history(main.path).err == ""
    main.git("switch", "-q", "-c", "feature", main.first)
    main.write("README.md", "notes\n")
    main.commit("notes")
    main.git("merge", "-q", "-s", "ours", "--no-edit", "main")
    merged = main.git("rev-parse", "HEAD")
    main.git("switch", "-q", "main")
    main.git("merge", "-q", "--ff-only", "feature")
    proc = _history(main.path)
    assert proc.err == (f"registry-tool: warning: main's first-parent history was rewritten since history last read it: "
                        f"its head then, {main.second[:12]}, is reached from {merged[:12]} only through a merge's second "
                        "parent (a fast-forward 'foxtrot' merge); changes it made may be attributed to other commits now, "
                        "or be gone\n")


def test_each_branch_is_followed_on_its_own(main: GitRepo) -> None:
    """Reading another branch, a tag or a commit id is no rewrite of main; only branches are followed."""
    assert _history(main.path).err == ""
    main.git("switch", "-q", "-c", "old", main.first)
    assert _history(main.path).err == ""  # HEAD is the branch 'old' now: its first read
    main.git("tag", "v1", main.second)
    for ref in ("v1", main.first, "main~1"):
        assert _history(main.path, "--ref", ref).err == ""
    assert _history(main.path, "--ref", "main").err == ""


def test_a_fresh_clone_cannot_know_and_a_fetch_that_forced_an_update_tells(main: GitRepo, tmp_path: Path) -> None:
    """A clone made after a force-push has no earlier head and no reflog entry: nothing to say.
    A clone that fetches the force-push has git's 'forced-update' in its reflog of origin/main:
    history says so even on its first read."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-local", str(main.path), str(clone)], check=True)
    main.git("reset", "-q", "--hard", main.first)
    main.write(PATH, MOVED)
    rewritten = main.commit("register faq-bot 1.0.0 elsewhere")
    fresh = tmp_path / "fresh"
    subprocess.run(["git", "clone", "-q", "--no-local", str(main.path), str(fresh)], check=True)
    assert _history(fresh, "--ref", "origin/main").err == ""
    subprocess.run(["git", "fetch", "-q", "origin"], cwd=clone, check=True)
    proc = _history(clone, "--ref", "origin/main")
    assert proc.code == 0
    assert proc.err.startswith("registry-tool: warning: origin/main was force-updated at ")
    assert proc.err.endswith(f" (its reflog: {main.second[:12]} -> {rewritten[:12]}, a force-push): changes only "
                             f"{main.second[:12]} had are not in this history\n")
    assert proc.err.count("\n") == 1
    assert _history(clone, "--ref", "origin/main").err == ""  # said once


def test_without_the_index_nothing_is_kept_and_nothing_is_said(main: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGISTRY_TOOL_HISTORY_INDEX", "0")
    assert _history(main.path).err == ""
    main.git("reset", "-q", "--hard", main.first)
    assert _history(main.path).err == ""
    assert not (main.path / ".git" / "registry-tool" / "history-heads").exists()
