"""Hostile repository states: what sits in the models directory besides regular model
files, and names built to confuse. Each runs the real CLI in a capped subprocess, from
the working tree and, where Git stores it differently, as committed (--ref)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from hostile_support import (
    assert_clean_error,
    assert_clean_violations,
    run_capped,
    valid_model,
)

BOTH = pytest.mark.parametrize("where", ["working tree", "--ref"])


def _validate(repo, where: str, *extra: str):
    args = ["validate", "--format", "json", *extra] + (["--ref", "HEAD"] if where == "--ref" else [])
    return run_capped(repo.path, *args)


def _rules(violations: list[dict]) -> list[tuple[str, str]]:
    return sorted((v["file"], v["rule"]) for v in violations)


def _messages(violations: list[dict]) -> dict[str, str]:
    return {v["file"]: v["message"] for v in violations}


@pytest.fixture
def registry(repo):
    """A repository with one valid model, committed."""
    repo.write("models/faq-bot.yaml", valid_model("faq-bot"))
    repo.commit("register faq-bot")
    return repo


@BOTH
def test_symlink_to_a_model_file(registry, where: str) -> None:
    os.symlink("faq-bot.yaml", registry.path / "models" / "faq-bot-link.yaml")
    registry.commit("a symlink")
    violations = assert_clean_violations(_validate(registry, where))
    assert _rules(violations) == [("models/faq-bot-link.yaml", "unexpected-file")]
    assert violations[0]["message"] == "faq-bot-link.yaml is a symbolic link; model files are regular files"


@BOTH
def test_symlink_to_an_endless_device_is_never_read(registry, where: str) -> None:
    """Following it would read /dev/zero until the memory cap: it is flagged unread."""
    os.symlink("/dev/zero", registry.path / "models" / "zero.yaml")
    registry.commit("a symlink out of the repository")
    violations = assert_clean_violations(_validate(registry, where))
    assert _rules(violations) == [("models/zero.yaml", "unexpected-file")]


@BOTH
def test_submodule_in_the_models_directory(registry, tmp_path: Path, where: str) -> None:
    other = tmp_path / "other"
    other.mkdir()
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    (other / "x").write_text("x\n")
    subprocess.run(["git", "-C", str(other), "add", "x"], check=True)
    subprocess.run(["git", "-C", str(other), "commit", "-qm", "x"], check=True)
    registry.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(other), "models/vendored.yaml")
    registry.commit("a submodule named like a model file")
    violations = assert_clean_violations(_validate(registry, where))
    assert _rules(violations) == [("models/vendored.yaml", "unexpected-file")]
    assert violations[0]["message"] == "vendored.yaml is a submodule; the models directory holds only <name>.yaml files"


@BOTH
def test_directory_named_like_a_model_file(registry, where: str) -> None:
    registry.write("models/x.yaml/inner.yaml", valid_model("inner"))
    registry.commit("a folder named x.yaml")
    violations = assert_clean_violations(_validate(registry, where))
    assert _rules(violations) == [("models/x.yaml", "unexpected-file")]
    assert violations[0]["message"] == "x.yaml is a directory; the models directory holds only <name>.yaml files"


@BOTH
def test_other_extensions(registry, where: str) -> None:
    registry.write("models/notes.md", "# notes\n")
    registry.write("models/faq-bot.yml", valid_model("faq-bot"))
    registry.write("models/.hidden.yaml", valid_model("hidden"))
    registry.commit("stray files")
    violations = assert_clean_violations(_validate(registry, where))
    assert _rules(violations) == [("models/.hidden.yaml", "unexpected-file"), ("models/faq-bot.yml", "unexpected-file"),
                                  ("models/notes.md", "unexpected-file")]
    assert _messages(violations)["models/.hidden.yaml"] == (
        ".hidden.yaml is not a model file: the part before .yaml is not a model name (lower-case letters and digits "
        "separated by single '.', '_' or '-')")


@BOTH
def test_models_directory_is_a_symlink(repo, where: str) -> None:
    """The working tree would follow it; Git stores only the link: both refuse it alike."""
    repo.write("elsewhere/faq-bot.yaml", valid_model("faq-bot"))
    os.symlink("elsewhere", repo.path / "models")
    head = repo.commit("models is a link")
    proc = _validate(repo, where)
    tail = ("is a symbolic link (Git stores the link, not the files it points to); "
            "the models directory (models) must be a real folder")
    assert_clean_error(proc, f"models: {tail}" if where == "working tree" else f"models at {head[:12]}: {tail}")


@BOTH
def test_folder_on_the_way_to_models_dir_is_a_symlink(repo, where: str) -> None:
    repo.write("registry.yaml", "models_dir: ml/models\n")
    repo.write("real/models/faq-bot.yaml", valid_model("faq-bot"))
    os.symlink("real", repo.path / "ml")
    head = repo.commit("ml is a link")
    tail = ("is a symbolic link (Git stores the link, not the files it points to); "
            "the models directory (ml/models) must be a real folder")
    assert_clean_error(_validate(repo, where), f"ml: {tail}" if where == "working tree" else f"ml at {head[:12]}: {tail}")


@BOTH
def test_models_directory_is_a_file(repo, where: str) -> None:
    repo.write("models", "not a folder\n")
    head = repo.commit("models is a file")
    expected = ("models: the models directory is a file, not a directory" if where == "working tree"
                else f"models at {head[:12]}: is a file, not a directory; the models directory (models) must be a real folder")
    assert_clean_error(_validate(repo, where), expected)


@BOTH
def test_registry_yaml_is_a_symlink(registry, where: str) -> None:
    registry.write("policy/real.yaml", "on_promote: refuse\n")
    os.symlink("policy/real.yaml", registry.path / "registry.yaml")
    registry.commit("registry.yaml is a link")
    violations = assert_clean_violations(_validate(registry, where))
    assert [(v["file"], v["rule"], v["message"]) for v in violations] == [
        ("registry.yaml", "unexpected-file", "registry.yaml is a symlink, not a regular file")]


@BOTH
def test_registry_yaml_is_a_directory(registry, where: str) -> None:
    registry.write("registry.yaml/inner", "x\n")
    registry.commit("registry.yaml is a folder")
    violations = assert_clean_violations(_validate(registry, where))
    assert [(v["file"], v["rule"], v["message"]) for v in violations] == [
        ("registry.yaml", "unexpected-file", "registry.yaml is a directory, not a regular file")]


def _case_sensitive(folder: Path) -> bool:
    (folder / "probe-a").write_text("")
    try:
        return not (folder / "PROBE-A").exists()
    finally:
        (folder / "probe-a").unlink()


@BOTH
def test_names_that_differ_only_by_case(registry, where: str) -> None:
    if not _case_sensitive(registry.path):
        pytest.skip("the file system folds case: both names cannot exist")
    registry.write("models/FAQ-bot.yaml", valid_model("faq-bot"))
    registry.commit("a case twin")
    violations = assert_clean_violations(_validate(registry, where))
    assert _rules(violations) == [("models/FAQ-bot.yaml", "unexpected-file"), ("models/faq-bot.yaml", "name-case-collision")]
    assert _messages(violations)["models/faq-bot.yaml"] == (
        "faq-bot.yaml and FAQ-bot.yaml differ only by case; they are the same file on macOS and Windows")


@BOTH
def test_names_that_differ_only_by_unicode_normalisation(registry, where: str) -> None:
    composed, decomposed = "caf\u00e9.yaml", "cafe\u0301.yaml"
    (registry.path / "models" / composed).write_text(valid_model("cafe"))
    try:
        (registry.path / "models" / decomposed).write_text(valid_model("cafe"))
    except OSError:
        pytest.skip("the file system normalises names")
    if len(os.listdir(registry.path / "models")) != 3:
        pytest.skip("the file system normalises names")
    registry.commit("NFC and NFD twins")
    violations = assert_clean_violations(_validate(registry, where))
    assert ("name-case-collision" in {v["rule"] for v in violations})
    assert {v["rule"] for v in violations} == {"name-case-collision", "unexpected-file"}


@BOTH
def test_look_alike_unicode_file_name(registry, where: str) -> None:
    """'f\u0430q-bot' with a Cyrillic a claims to be faq-bot: not a model name, so not a model file."""
    registry.write("models/f\u0430q-bot.yaml", valid_model("faq-bot", stage="production"))
    registry.commit("a look-alike")
    violations = assert_clean_violations(_validate(registry, where))
    assert [(v["file"], v["line"], v["rule"], v["message"]) for v in violations] == [
        ("models/f\u0430q-bot.yaml", 1, "unexpected-file", "f\u0430q-bot.yaml is not a model file: the part before .yaml "
         "is not a model name (lower-case letters and digits separated by single '.', '_' or '-')")]


@BOTH
def test_file_name_that_is_not_utf8(registry, where: str) -> None:
    raw = os.path.join(os.fsencode(registry.path / "models"), b"\xff\xfe.yaml")
    with open(raw, "wb") as handle:
        handle.write(valid_model("faq-bot").encode())
    registry.commit("a name that is not UTF-8")
    violations = assert_clean_violations(_validate(registry, where))
    assert [v["rule"] for v in violations] == ["unexpected-file"]
    text = run_capped(registry.path, "validate", *(["--ref", "HEAD"] if where == "--ref" else []))
    assert text.code == 1
    text.raw_out.decode("utf-8")  # the undecodable bytes are escaped, not passed through
    assert text.out.splitlines()[0] == (r"models/\xff\xfe.yaml:1:1: unexpected-file: \xff\xfe.yaml is not a model file: "
                                        "the part before .yaml is not a model name (lower-case letters and digits "
                                        "separated by single '.', '_' or '-')")


@BOTH
def test_file_name_with_a_newline_cannot_forge_report_lines(registry, where: str) -> None:
    registry.write("models/a\nmodels:9:9: fake.yaml", valid_model("faq-bot"))
    registry.commit("a name with a newline")
    proc = run_capped(registry.path, "validate", *(["--ref", "HEAD"] if where == "--ref" else []))
    assert (proc.code, proc.err) == (1, "")
    assert proc.out.splitlines() == [
        r"models/a\nmodels:9:9: fake.yaml:1:1: unexpected-file: a\nmodels:9:9: fake.yaml is not a model file: "
        "the part before .yaml is not a model name (lower-case letters and digits separated by single '.', '_' or '-')",
        "1 violation in 1 file (1 model file checked)",
    ]


def test_fifo_in_the_models_directory_is_never_opened(registry) -> None:
    os.mkfifo(registry.path / "models" / "pipe.yaml")
    violations = assert_clean_violations(_validate(registry, "working tree"))
    assert [(v["file"], v["rule"], v["message"]) for v in violations] == [
        ("models/pipe.yaml", "unexpected-file", "pipe.yaml is not a regular file")]


def test_fifo_passed_as_a_path_is_never_opened(registry) -> None:
    os.mkfifo(registry.path / "models" / "pipe.yaml")
    violations = assert_clean_violations(run_capped(registry.path, "validate", "--format", "json", "models/pipe.yaml"))
    assert [(v["file"], v["rule"]) for v in violations] == [("models/pipe.yaml", "unexpected-file")]


def test_fifo_as_registry_yaml_is_never_opened(registry) -> None:
    os.mkfifo(registry.path / "registry.yaml")
    violations = assert_clean_violations(_validate(registry, "working tree"))
    assert [(v["file"], v["rule"], v["message"]) for v in violations] == [
        ("registry.yaml", "unexpected-file", "registry.yaml is a special file (FIFO, socket or device), not a regular file")]


def test_symlink_passed_as_a_path(registry) -> None:
    os.symlink("/dev/zero", registry.path / "models" / "zero.yaml")
    violations = assert_clean_violations(run_capped(registry.path, "validate", "--format", "json", "models/zero.yaml"))
    assert [(v["file"], v["rule"]) for v in violations] == [("models/zero.yaml", "unexpected-file")]


# --- trees only a hand-made commit can hold -----------------------------------------------

def _mktree(repo, entries: list[tuple[str, bytes, str]]) -> str:
    """Write a tree object byte by byte (git mktree would refuse these names)."""
    raw = b"".join(mode.encode() + b" " + name + b"\0" + bytes.fromhex(oid) for mode, name, oid in entries)
    done = subprocess.run(["git", "hash-object", "-t", "tree", "--literally", "-w", "--stdin"], cwd=repo.path,
                          input=raw, capture_output=True, check=True)
    return done.stdout.decode().strip()


def _crafted_commit(repo, model_entries: list[tuple[str, bytes, str]]) -> str:
    models = _mktree(repo, model_entries)
    root = _mktree(repo, [("40000", b"models", models)])
    return repo.git("commit-tree", root, "-m", "crafted")


def _blob(repo, text: str) -> str:
    done = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=repo.path, input=text.encode(), capture_output=True, check=True)
    return done.stdout.decode().strip()


def test_tree_entry_with_a_path_separator(repo) -> None:
    blob = _blob(repo, valid_model("faq-bot"))
    commit = _crafted_commit(repo, [("100644", b"../faq-bot.yaml", blob), ("100644", b"faq-bot.yaml", blob)])
    violations = assert_clean_violations(run_capped(repo.path, "validate", "--format", "json", "--ref", commit))
    assert [(v["file"], v["rule"], v["message"]) for v in violations] == [
        ("models/../faq-bot.yaml", "unexpected-file", "../faq-bot.yaml is not a model file: the part before .yaml is not "
         "a model name (lower-case letters and digits separated by single '.', '_' or '-')")]


def test_tree_entry_named_dot_dot(repo) -> None:
    blob = _blob(repo, valid_model("faq-bot"))
    commit = _crafted_commit(repo, [("100644", b"..", blob), ("100644", b"faq-bot.yaml", blob)])
    violations = assert_clean_violations(run_capped(repo.path, "validate", "--format", "json", "--ref", commit))
    assert [(v["file"], v["rule"]) for v in violations] == [("models/..", "unexpected-file")]


def test_tree_that_lists_a_name_twice(repo) -> None:
    """Two blobs under one name: which one a reader takes depends on its lookup."""
    good = _blob(repo, valid_model("faq-bot"))
    evil = _blob(repo, valid_model("faq-bot", stage="production").replace("s3://bucket/", "s3://attacker/"))
    commit = _crafted_commit(repo, [("100644", b"faq-bot.yaml", good), ("100644", b"faq-bot.yaml", evil)])
    violations = assert_clean_violations(run_capped(repo.path, "validate", "--format", "json", "--ref", commit))
    assert [(v["file"], v["rule"], v["message"]) for v in violations] == [
        ("models/faq-bot.yaml", "name-case-collision",
         "faq-bot.yaml is listed twice in the models directory (a malformed Git tree); readers would take either one")]


# --- files over the size limit --------------------------------------------------------------

def test_committed_file_over_the_limit_is_refused_unread(registry) -> None:
    """The loose object's header says 2,000,000 bytes but its body is cut short: reading it
    would fail as corrupt. file-too-large proves only the header was read."""
    import zlib

    oid = registry.git("rev-parse", "HEAD:models/faq-bot.yaml")
    path = registry.path / ".git" / "objects" / oid[:2] / oid[2:]
    os.chmod(path, 0o644)
    path.write_bytes(zlib.compress(b"blob 2000000\x00" + b"#" * 100))
    violations = assert_clean_violations(run_capped(registry.path, "validate", "--format", "json", "--ref", "HEAD"))
    assert [(v["file"], v["rule"], v["message"]) for v in violations] == [
        ("models/faq-bot.yaml", "file-too-large", "file is 2000000 bytes; the limit is 1048576 bytes")]


@BOTH
def test_file_over_a_policy_limit(registry, where: str) -> None:
    registry.write("registry.yaml", "max_file_bytes: 1024\n")
    registry.write("models/faq-bot.yaml", valid_model("faq-bot") + "#" * 2000 + "\n")
    registry.commit("a smaller limit")
    violations = assert_clean_violations(_validate(registry, where))
    size = (registry.path / "models" / "faq-bot.yaml").stat().st_size
    assert [(v["file"], v["rule"], v["message"]) for v in violations] == [
        ("models/faq-bot.yaml", "file-too-large", f"file is {size} bytes; the limit is 1024 bytes")]


@pytest.mark.parametrize("extra", [[], ["--base", "HEAD"]], ids=["state", "against a base"])
def test_huge_working_tree_file_is_never_read(registry, extra: list[str]) -> None:
    """1.5 GB (sparse) under a 1 GiB memory cap: reading or hashing it would fail."""
    with open(registry.path / "models" / "faq-bot.yaml", "ab") as handle:
        handle.truncate(1536 * 1024 * 1024)
    violations = assert_clean_violations(run_capped(registry.path, "validate", "--format", "json", *extra))
    assert [(v["file"], v["rule"], v["message"]) for v in violations] == [
        ("models/faq-bot.yaml", "file-too-large", "file is 1610612736 bytes; the limit is 1048576 bytes")]


# --- what git shows and what is stored: replace refs and grafts ------------------------------

REPLACED = ("git show, log and checkout serve the replacement objects while registry-tool reads the objects as "
            "stored, so what a reviewer sees and what was validated could differ; remove them (git replace -d), "
            "or set core.useReplaceRefs=false (or GIT_NO_REPLACE_OBJECTS=1) so that git reads the stored objects too")


@pytest.fixture
def replaced(registry):
    """git show HEAD:models/faq-bot.yaml serves a production copy the validator never read."""
    stored = registry.git("rev-parse", "HEAD:models/faq-bot.yaml")
    other = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=registry.path, capture_output=True, text=True, check=True,
                           input=valid_model("faq-bot", stage="production")).stdout.strip()
    registry.git("replace", stored, other)
    assert "stage: production" in registry.git("show", "HEAD:models/faq-bot.yaml")
    registry.stored = stored
    return registry


@pytest.mark.parametrize("packed", [False, True], ids=["loose", "packed"])
@pytest.mark.parametrize("args", [["validate", "--ref", "HEAD"], ["validate"], ["get", "faq-bot", "--stage", "staging"],
                                  ["history"], ["show"]], ids=lambda a: "-".join(a[:2]))
def test_replace_refs_are_refused(replaced, args: list[str], packed: bool) -> None:
    if packed:
        replaced.git("pack-refs", "--all")
        assert not (replaced.path / ".git/refs/replace" / replaced.stored).exists()
    assert_clean_error(run_capped(replaced.path, *args), f"this repository has replace refs (refs/replace/{replaced.stored}): {REPLACED}")


def test_replace_refs_git_is_told_to_ignore_are_allowed(replaced) -> None:
    assert run_capped(replaced.path, "validate", "--ref", "HEAD").code == 2
    replaced.git("config", "core.useReplaceRefs", "false")
    assert "stage: staging" in replaced.git("show", "HEAD:models/faq-bot.yaml")  # git reads the stored object too
    assert run_capped(replaced.path, "validate", "--ref", "HEAD").code == 0


def test_a_grafts_file_is_refused(registry) -> None:
    head = registry.git("rev-parse", "HEAD")
    grafts = registry.path / ".git" / "info" / "grafts"
    grafts.parent.mkdir(exist_ok=True)
    grafts.write_text(f"{head}\n")  # HEAD grafted to have no parent: git log would end here
    assert_clean_error(run_capped(registry.path, "validate", "--range", f"{head}..HEAD"),
                       f"this repository has a grafts file ({grafts}): git log and checkout follow the grafted parents "
                       "while registry-tool follows the stored ones, so the history each reads could differ; remove the "
                       "file (git replace --convert-graft-file turns it into replace refs, which are refused too)")


# --- git's pack window settings ----------------------------------------------------------------

@pytest.mark.parametrize("args", [["validate"], ["validate", "--ref", "HEAD"], ["get", "faq-bot", "--stage", "staging"]],
                         ids=lambda a: "-".join(a[:2]))
def test_a_pack_window_setting_that_is_not_a_size_is_refused(registry, args: list[str]) -> None:
    """As git refuses it ('bad numeric config value'): never read as 'not a repository'."""
    registry.git("config", "core.packedGitLimit", "lots")
    assert_clean_error(run_capped(registry.path, *args), "the Git configuration's core.packedGitLimit is not a size "
                       "('lots'): a number of bytes, or with k, m or g after it (128m)")


def test_pack_windows_follow_the_git_configuration(registry, cli) -> None:
    """core.packedGitWindowSize and core.packedGitLimit cap what libgit2 maps of a pack, as
    they cap git; reading through windows of 64 KiB gives the same answers."""
    import pygit2

    from registry_tool.snapshots.git import GitStore

    registry.write("models/faq-bot.yaml", valid_model("faq-bot", stage="production"))
    registry.commit("promote faq-bot")
    registry.git("gc", "-q")
    expected = json.loads(cli(registry.path, "validate", "--ref", "HEAD", "--base", "HEAD~1", "--format", "json").out)
    defaults = (pygit2.settings.mwindow_size, pygit2.settings.mwindow_mapped_limit)
    registry.git("config", "core.packedGitWindowSize", "64k")
    registry.git("config", "core.packedGitLimit", "128k")
    try:
        GitStore.discover(registry.path)
        assert (pygit2.settings.mwindow_size, pygit2.settings.mwindow_mapped_limit) == (64 * 1024, 128 * 1024)
        capped = cli(registry.path, "validate", "--ref", "HEAD", "--base", "HEAD~1", "--format", "json")
        assert (capped.code, json.loads(capped.out)) == (0, expected)
        assert cli(registry.path, "get", "faq-bot", "--stage", "production", "--field", "artifact.uri").out == \
            "s3://bucket/faq-bot/1.0.0/model.onnx\n"
    finally:
        pygit2.settings.mwindow_size, pygit2.settings.mwindow_mapped_limit = defaults


def test_the_command_line_bounds_pack_maps_unless_git_is_configured(registry) -> None:
    """The console entry reads packs through 1 MiB windows, 128 MiB mapped at most, when the
    repository's configuration says nothing (a configured key wins over its bound), and
    keeps nothing in libgit2's object cache."""
    registry.write("models/faq-bot.yaml", valid_model("faq-bot", stage="production"))
    registry.commit("faq-bot")
    assert _libgit2_settings(registry, "validate", "--ref", "HEAD") == f"{1 << 20} {128 << 20} 0"
    registry.git("config", "core.packedGitLimit", "1g")
    assert _libgit2_settings(registry, "validate", "--ref", "HEAD") == f"{1 << 20} {1 << 30} 0"
    registry.git("config", "core.packedGitWindowSize", "32m")
    assert _libgit2_settings(registry, "validate", "--ref", "HEAD") == f"{32 << 20} {1 << 30} 0"


def test_history_maps_less_of_a_pack_unless_git_is_configured(registry) -> None:
    """A walk over the whole history maps at most 32 MiB of a pack at once; a configured
    core.packedGitLimit still wins."""
    registry.write("models/faq-bot.yaml", valid_model("faq-bot", stage="production"))
    registry.commit("faq-bot")
    assert _libgit2_settings(registry, "history") == f"{1 << 20} {32 << 20} 0"
    assert _libgit2_settings(registry, "history", "faq-bot") == f"{1 << 20} {32 << 20} 0"
    registry.git("config", "core.packedGitLimit", "1g")
    assert _libgit2_settings(registry, "history") == f"{1 << 20} {1 << 30} 0"


def _libgit2_settings(registry, *args: str) -> str:
    """libgit2's pack-map settings and cached bytes at the end of a command run as the
    console script runs it (in a process of its own: libgit2 holds them per process)."""
    probe = ("import atexit, sys, pygit2\n"
             "atexit.register(lambda: print(pygit2.settings.mwindow_size, pygit2.settings.mwindow_mapped_limit,\n"
             "                              pygit2.settings.cached_memory[0]))\n"
             f"sys.argv = ['registry-tool', *{list(args)!r}]\n"
             "from registry_tool.cli import run\n"
             "run()\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=registry.path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1]


def test_a_repository_libgit2_cannot_open_is_never_validated_as_a_plain_folder(registry) -> None:
    """A repository format from a newer Git: an error naming the repository, not the
    files on disk checked as if no repository were there."""
    config = registry.path / ".git" / "config"
    config.write_text(config.read_text().replace("repositoryformatversion = 0", "repositoryformatversion = 99"))
    for args in (["validate"], ["validate", "--ref", "HEAD"]):
        proc = run_capped(registry.path, *args)
        assert (proc.code, proc.out) == (2, "")
        assert proc.err.startswith(f"registry-tool: error: cannot open the Git repository at {registry.path / '.git'}")
        assert proc.err.count("\n") == 1 and "Traceback" not in proc.err
