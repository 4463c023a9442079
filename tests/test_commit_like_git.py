"""``--commit`` and ``--branch`` commit as git would: the identity Git resolves (the
GIT_AUTHOR_* / GIT_COMMITTER_* variables bots use, author.* settings), commit.gpgsign
honoured (signed for real with an SSH key, or refused with nothing changed), and
end-of-line conversion (core.autocrlf, eol=crlf) not mistaken for uncommitted changes."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from builders import model, version
from edit_helpers import fingerprint


def state(root) -> dict[str, str]:
    """The fingerprint but for unreachable objects: like git commit when signing fails, the
    edit's blobs and trees may be left in the object database; nothing refers to them."""
    return {path: digest for path, digest in fingerprint(root).items() if not path.startswith(".git/objects/")}

PATH = "models/faq-bot.yaml"
FAQ = model("faq-bot", version("1.0.0", "production"), version("1.1.0", "staging"))


@pytest.fixture
def reg(repo):
    repo.write(PATH, FAQ)
    repo.commit("a registry")
    return repo


def test_identity_and_dates_from_git_variables(reg, cli, monkeypatch):
    monkeypatch.setenv("GIT_AUTHOR_NAME", "release-bot")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "bot@example.com")
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2024-12-24T08:00:00+01:00")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "CI")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "ci@example.com")
    assert cli(reg.path, "archive", "faq-bot", "1.1.0", "--commit").code == 0
    assert reg.git("log", "-1", "--format=%an <%ae> %aI|%cn <%ce>") == \
        "release-bot <bot@example.com> 2024-12-24T08:00:00+01:00|CI <ci@example.com>"
    assert cli(reg.path, "promote", "faq-bot", "1.0.0", "--to", "staging", "--branch", "demote").code == 0
    assert reg.git("log", "-1", "--format=%an|%cn", "demote") == "release-bot|CI"


def test_author_settings_beat_user_settings(reg, cli):
    reg.git("config", "author.name", "Ada Author")
    reg.git("config", "author.email", "ada@example.com")
    assert cli(reg.path, "archive", "faq-bot", "1.1.0", "--commit").code == 0
    assert reg.git("log", "-1", "--format=%an <%ae>|%cn <%ce>") == "Ada Author <ada@example.com>|Test User <test@example.com>"


def ssh_signing(repo, tmp_path) -> str:
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test@example.com", "-f", str(key)], check=True)
    repo.git("config", "gpg.format", "ssh")
    repo.git("config", "user.signingkey", str(key))
    repo.git("config", "commit.gpgsign", "true")
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"test@example.com {(tmp_path / 'id_ed25519.pub').read_text()}")
    repo.git("config", "gpg.ssh.allowedSignersFile", str(allowed))
    return str(key)


def test_commit_gpgsign_signs_the_commit(reg, cli, tmp_path):
    ssh_signing(reg, tmp_path)
    assert cli(reg.path, "archive", "faq-bot", "1.1.0", "--commit").code == 0
    assert "gpgsig" in reg.git("cat-file", "commit", "HEAD")
    reg.git("verify-commit", "HEAD")  # a real, valid signature
    assert cli(reg.path, "promote", "faq-bot", "1.0.0", "--to", "staging", "--branch", "signed-branch").code == 0
    reg.git("verify-commit", "signed-branch")
    assert "signed, unverified" in cli(reg.path, "history", "--limit", "1").out


def test_a_signature_that_cannot_be_made_changes_nothing(reg, cli, tmp_path):
    ssh_signing(reg, tmp_path)
    reg.git("config", "user.signingkey", str(tmp_path / "missing-key"))
    before = state(reg.path)
    run = cli(reg.path, "archive", "faq-bot", "1.1.0", "--commit")
    assert run.code == 2
    assert run.err.startswith("registry-tool: error: git could not sign the commit (commit.gpgsign is set): ")
    assert run.err.endswith("; nothing was changed\n")
    assert state(reg.path) == before


def test_without_git_installed_signing_is_refused_and_identity_still_resolved(reg, cli, monkeypatch, tmp_path):
    with_git = {"PATH": os.environ["PATH"]}
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    reg.git("config", "commit.gpgsign", "true")
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("GIT_AUTHOR_NAME", "release-bot")
    before = state(reg.path)
    run = cli(reg.path, "archive", "faq-bot", "1.1.0", "--commit")
    assert (run.code, run.err) == (2, "registry-tool: error: commit.gpgsign is set, but Git is not installed to sign the "
                                      "commit; nothing was changed (install git, or commit by hand)\n")
    assert state(reg.path) == before
    reg.git("config", "commit.gpgsign", "false", env=with_git)
    assert cli(reg.path, "archive", "faq-bot", "1.1.0", "--commit").code == 0
    assert reg.git("log", "-1", "--format=%an|%cn", env=with_git) == "release-bot|Test User"


@pytest.mark.parametrize("setup", ["autocrlf", "gitattributes"])
def test_end_of_line_conversion_is_not_an_uncommitted_change(repo, cli, setup):
    if setup == "autocrlf":
        repo.git("config", "core.autocrlf", "true")
    else:
        repo.write(".gitattributes", "*.yaml text eol=crlf\n")
    repo.write(PATH, FAQ)
    repo.commit("a registry")
    (repo.path / PATH).unlink()
    repo.git("checkout", "--", PATH)  # checked out with CRLF line ends
    assert b"\r\n" in (repo.path / PATH).read_bytes()
    assert repo.git("status", "--porcelain") == ""
    run = cli(repo.path, "archive", "faq-bot", "1.1.0", "--commit")
    assert run.code == 0, run.err
    assert b"stage: archived\r\n" in (repo.path / PATH).read_bytes()  # the file stays as Git checks it out
    assert b"\r\n" not in repo.git("show", f"HEAD:{PATH}").encode()  # the blob is LF, as Git stores it
    assert repo.git("status", "--porcelain") == ""
    (repo.path / PATH).write_bytes((repo.path / PATH).read_bytes().replace(b"archived", b"staging"))
    run = cli(repo.path, "archive", "faq-bot", "1.0.0", "--commit")  # a real change is still noticed
    assert run.code == 2 and "has uncommitted changes in the working tree" in run.err


@pytest.mark.parametrize("flag", ["--skip-worktree", "--assume-unchanged"])
def test_local_edits_to_a_file_flagged_unchanged_are_not_overwritten(reg, cli, flag):
    """git update-index --skip-worktree / --assume-unchanged make git status and libgit2 call
    the file clean whatever it holds: its bytes decide."""
    reg.git("update-index", flag, PATH)
    (reg.path / PATH).write_text(FAQ + "# a local note\n")
    before = fingerprint(reg.path)
    run = cli(reg.path, "promote", "faq-bot", "1.1.0", "--to", "production", "--commit")
    assert (run.code, run.out, run.err) == (2, "", "registry-tool: error: models/faq-bot.yaml has uncommitted changes "
                                                   "in the working tree; commit or stash them first, or edit without --commit\n")
    assert fingerprint(reg.path) == before
    (reg.path / PATH).write_text(FAQ)  # the same bytes as committed: the edit is committed
    assert cli(reg.path, "promote", "faq-bot", "1.1.0", "--to", "production", "--commit").code == 0
    assert reg.git("show", f"HEAD:{PATH}") + "\n" == (reg.path / PATH).read_text()


def test_git_is_run_with_the_repository_not_the_current_folder(reg, cli, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert cli(elsewhere, "archive", "faq-bot", "1.1.0", "--commit", "--repo", str(reg.path)).code == 0
    assert reg.git("log", "-1", "--format=%s") == "archive faq-bot 1.1.0"
    assert os.listdir(elsewhere) == []


@pytest.mark.parametrize("folder", ["models", "docs/deep"])
def test_commit_from_a_subfolder_of_the_work_tree(reg, cli, folder):
    """git reads the paths it is given from the current folder: run from a subfolder, the
    staged-file check asked git about a path that is not there and refused every edit of an
    existing model as "staged"."""
    (reg.path / folder).mkdir(parents=True, exist_ok=True)
    run = cli(reg.path / folder, "archive", "faq-bot", "1.1.0", "--commit")
    assert run.code == 0, run.err
    assert reg.git("log", "-1", "--format=%s") == "archive faq-bot 1.1.0"
    assert reg.git("status", "--porcelain", "--untracked-files=no") == ""


def test_commit_through_a_symbolic_branch_moves_the_branch_it_names(reg, cli):
    """HEAD -> refs/heads/alias -> refs/heads/main: git commit moves main, and so does --commit."""
    reg.git("symbolic-ref", "refs/heads/alias", "refs/heads/main")
    reg.git("symbolic-ref", "HEAD", "refs/heads/alias")
    before = reg.git("rev-parse", "main")
    run = cli(reg.path, "promote", "faq-bot", "1.1.0", "--to", "production", "--commit")
    assert run.code == 0
    assert run.out.startswith("[main ")
    assert reg.git("log", "-1", "--format=%s|%P", "main") == f"promote faq-bot 1.1.0 to production|{before}"
    assert reg.git("symbolic-ref", "--no-recurse", "HEAD") == "refs/heads/alias"  # the chain is kept
    assert reg.git("symbolic-ref", "--no-recurse", "refs/heads/alias") == "refs/heads/main"
    assert reg.git("status", "--porcelain") == ""


def test_a_loop_of_symbolic_refs_is_refused(reg, cli):
    reg.git("symbolic-ref", "refs/heads/one", "refs/heads/two")
    reg.git("symbolic-ref", "refs/heads/two", "refs/heads/one")
    reg.git("symbolic-ref", "HEAD", "refs/heads/one")
    before = fingerprint(reg.path)
    run = cli(reg.path, "promote", "faq-bot", "1.1.0", "--to", "production", "--commit")
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith("registry-tool: error: HEAD leads to refs/heads/") and run.err.count("\n") == 1
    assert "through more than 5 symbolic refs" in run.err
    assert fingerprint(reg.path) == before
