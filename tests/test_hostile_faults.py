"""Faults of the read/validate path: missing and corrupt Git objects, shallow clones,
detached HEAD, bare repositories. Each is a clear one-line error (exit 2) or a correct
result, never a traceback and never a silent 'ok'."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from hostile_support import (
    assert_clean_error,
    assert_clean_violations,
    run_capped,
    valid_model,
)

FSCK = "run git fsck, or fetch the repository again"
SHALLOW = ("the repository is a shallow clone; fetch the full history (actions/checkout with fetch-depth: 0, "
           "or git fetch --unshallow) or fetch the base commit")


def _object_file(repo, rev: str) -> tuple[str, Path]:
    oid = repo.git("rev-parse", rev)
    path = repo.path / ".git" / "objects" / oid[:2] / oid[2:]
    assert path.exists(), f"{rev} is not a loose object"
    os.chmod(path, 0o644)
    return oid, path


@pytest.fixture
def registry(repo):
    repo.write("models/faq-bot.yaml", valid_model("faq-bot"))
    repo.commit("register faq-bot")
    repo.write("models/faq-bot.yaml", valid_model("faq-bot", stage="production"))
    repo.commit("promote faq-bot")
    return repo


def _ok(proc) -> None:
    assert (proc.code, proc.err) == (0, ""), proc.err
    assert proc.json()["ok"] is True


# --- missing and corrupt objects ---------------------------------------------------------

def test_missing_blob(registry) -> None:
    oid, path = _object_file(registry, "HEAD:models/faq-bot.yaml")
    path.unlink()
    assert_clean_error(run_capped(registry.path, "validate", "--ref", "HEAD"),
                       f"models/faq-bot.yaml: Git object {oid[:12]} is missing or corrupt; {FSCK}")


def test_corrupt_blob(registry) -> None:
    oid, path = _object_file(registry, "HEAD:models/faq-bot.yaml")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert_clean_error(run_capped(registry.path, "validate", "--ref", "HEAD"),
                       f"models/faq-bot.yaml: Git object {oid[:12]} is missing or corrupt; {FSCK}")


def _forge_first_blob(registry) -> str:
    """HEAD~1's model file object rewritten to hold other bytes (a production entry with
    another artifact), well-formed and compressed: only hashing it tells."""
    oid, path = _object_file(registry, "HEAD~1:models/faq-bot.yaml")
    forged = valid_model("faq-bot", stage="production").replace("s3://bucket/", "s3://attacker/").encode()
    path.write_bytes(zlib.compress(b"blob %d\x00" % len(forged) + forged))
    return oid


@pytest.mark.parametrize("args", [["validate", "--ref", "HEAD~1"],
                                  ["get", "faq-bot", "--stage", "production", "--ref", "HEAD~1"],
                                  ["validate", "--base", "HEAD~1", "--ref", "HEAD"]])
def test_blob_whose_content_does_not_match_its_id(registry, args: list[str]) -> None:
    """Refused, not read: the command line lets libgit2 read trees unhashed, as git does,
    and hashes every blob it parses itself."""
    oid = _forge_first_blob(registry)
    assert_clean_error(run_capped(registry.path, *args),
                       f"models/faq-bot.yaml: Git object {oid[:12]} is missing or corrupt; {FSCK}")


def test_forged_blob_is_refused_by_the_read_api_with_libgit2_defaults(registry) -> None:
    """A program importing the package keeps libgit2's own hashing; the blob is refused the same way."""
    oid = _forge_first_blob(registry)
    script = ("import sys\nfrom registry_tool import open_registry\nfrom registry_tool.errors import RegistryError\n"
              "try:\n    open_registry('.').at('HEAD~1').model('faq-bot')\n"
              "except RegistryError as exc:\n    print(exc)\n    sys.exit(3)\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=registry.path, capture_output=True, text=True)
    assert (proc.returncode, proc.stderr) == (3, "")
    assert proc.stdout == f"models/faq-bot.yaml: Git object {oid[:12]} is missing or corrupt; {FSCK}\n"


def test_missing_models_tree(registry) -> None:
    oid, path = _object_file(registry, "HEAD:models")
    path.unlink()
    head = registry.git("rev-parse", "HEAD")
    assert_clean_error(run_capped(registry.path, "validate", "--ref", "HEAD"),
                       f"models at {head[:12]}: Git object {oid[:12]} is missing or corrupt; {FSCK}")


def test_missing_tree_on_the_way_to_models_dir_is_not_an_empty_registry(repo) -> None:
    """The folder 'ml' is missing from the object database: the registry must not read as empty."""
    repo.write("registry.yaml", "models_dir: ml/models\n")
    repo.write("ml/models/faq-bot.yaml", valid_model("faq-bot", stage="production"))
    head = repo.commit("nested models")
    oid, path = _object_file(repo, "HEAD:ml")
    path.unlink()
    assert_clean_error(run_capped(repo.path, "validate", "--ref", "HEAD"),
                       f"ml at {head[:12]}: Git object {oid[:12]} is missing or corrupt; {FSCK}")


def test_missing_root_tree(registry) -> None:
    oid, path = _object_file(registry, "HEAD^{tree}")
    path.unlink()
    head = registry.git("rev-parse", "HEAD")
    assert_clean_error(run_capped(registry.path, "validate", "--ref", "HEAD"),
                       f"the tree of commit {head[:12]}: Git object {oid[:12]} is missing or corrupt; {FSCK}")


def test_missing_registry_yaml_blob(registry) -> None:
    registry.write("registry.yaml", "on_promote: refuse\n")
    registry.commit("a policy")
    oid, path = _object_file(registry, "HEAD:registry.yaml")
    path.unlink()
    assert_clean_error(run_capped(registry.path, "validate", "--ref", "HEAD"),
                       f"registry.yaml: Git object {oid[:12]} is missing or corrupt; {FSCK}")


@pytest.mark.parametrize("args", [["--ref", "HEAD"], ["--base", "HEAD"], ["--ref", "main"]])
def test_missing_commit_behind_a_ref(registry, args: list[str]) -> None:
    oid, path = _object_file(registry, "HEAD")
    path.unlink()
    rev = args[1]
    assert_clean_error(run_capped(registry.path, "validate", *args),
                       f"'{rev}' points to commit {oid[:12]}, which is missing from the repository "
                       f"(a corrupt or incomplete object database); {FSCK}")


def test_missing_parent_during_a_range(registry) -> None:
    root = registry.git("rev-list", "--max-parents=0", "HEAD")
    registry.write("models/faq-bot.yaml", valid_model("faq-bot", stage="staging"))
    registry.commit("demote")
    oid, path = _object_file(registry, "HEAD~1")
    path.unlink()
    proc = run_capped(registry.path, "validate", "--range", f"{root}..HEAD")
    assert_clean_error(proc, f"cannot walk history: 'object not found - no match for id ({oid})'; {FSCK}")


def test_missing_blob_of_an_unchanged_file_is_not_needed_against_a_base(registry) -> None:
    """--base reads only what changed: a lost base blob of an unchanged file does not matter."""
    _, path = _object_file(registry, "HEAD~1:models/faq-bot.yaml")
    path.unlink()
    _ok(run_capped(registry.path, "validate", "--format", "json", "--base", "HEAD"))


# --- shallow clones ---------------------------------------------------------------------------

@pytest.fixture
def shallow(registry, tmp_path: Path):
    registry.write("models/faq-bot.yaml", valid_model("faq-bot", stage="staging"))
    registry.commit("demote")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{registry.path}", str(clone)], check=True)
    return clone


def test_shallow_clone_reads_its_own_commit(shallow: Path) -> None:
    _ok(run_capped(shallow, "validate", "--format", "json"))
    _ok(run_capped(shallow, "validate", "--format", "json", "--ref", "HEAD"))


@pytest.mark.parametrize("args", [["--base", "HEAD~1"], ["--range", "HEAD~2..HEAD"]])
def test_shallow_clone_without_the_base(shallow: Path, args: list[str]) -> None:
    rev = "HEAD~1" if args[0] == "--base" else "HEAD~2"
    assert_clean_error(run_capped(shallow, "validate", *args), f"unknown revision '{rev}'; {SHALLOW}")


def test_shallow_range_that_walks_past_the_boundary(shallow: Path) -> None:
    """A base that is no ancestor (here an unrelated commit) makes the walk reach the
    shallow boundary, whose parent is not there."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@b"}
    tree = subprocess.run(["git", "mktree"], cwd=shallow, input="", capture_output=True, text=True, check=True).stdout.strip()
    orphan = subprocess.run(["git", "commit-tree", tree, "-m", "orphan"], cwd=shallow, env=env,
                            capture_output=True, text=True, check=True).stdout.strip()
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=shallow, capture_output=True, text=True, check=True).stdout.strip()
    assert_clean_error(run_capped(shallow, "validate", "--range", f"{orphan}..HEAD"),
                       f"the parent of commit {head[:12]} is not available: {SHALLOW}")


# --- detached HEAD ------------------------------------------------------------------------------

def test_detached_head(registry) -> None:
    registry.git("checkout", "-q", "--detach", "HEAD~1")
    for args in ([], ["--ref", "HEAD"], ["--base", "main"], ["--range", "HEAD..main"]):
        _ok(run_capped(registry.path, "validate", "--format", "json", *args))
    # what is checked is the detached commit, not the branch
    registry.write("models/faq-bot.yaml", valid_model("faq-bot", stage="Production"))
    registry.git("commit", "-qam", "broken on a detached HEAD")
    violations = assert_clean_violations(run_capped(registry.path, "validate", "--format", "json", "--ref", "HEAD"))
    assert [v["rule"] for v in violations] == ["undeclared-stage"]
    _ok(run_capped(registry.path, "validate", "--format", "json", "--ref", "main"))


# --- bare repositories --------------------------------------------------------------------------

@pytest.fixture
def bare(registry, tmp_path: Path) -> Path:
    path = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(registry.path), str(path)], check=True)
    return path


NO_WORK_TREE = "this is a bare repository with no working tree; pass --ref"


def test_bare_repository_without_ref_says_so(bare: Path, tmp_path: Path) -> None:
    """It used to check the bare folder itself, find no models directory, and say ok."""
    assert_clean_error(run_capped(bare, "validate"), NO_WORK_TREE)
    assert_clean_error(run_capped(bare / "refs", "validate"), NO_WORK_TREE)
    assert_clean_error(run_capped(tmp_path, "validate", "--repo", str(bare)), NO_WORK_TREE)
    assert_clean_error(run_capped(bare, "validate", "--base", "HEAD~1"), NO_WORK_TREE)


def test_bare_repository_with_ref_and_range(bare: Path) -> None:
    _ok(run_capped(bare, "validate", "--format", "json", "--ref", "HEAD"))
    proc = run_capped(bare, "validate", "--format", "json", "--range", "HEAD~1..HEAD")
    _ok(proc)
    assert proc.json()["files_checked"] == 1


def test_bare_repository_finds_violations(registry, tmp_path: Path) -> None:
    registry.write("models/faq-bot.yaml", valid_model("faq-bot", stage="production") + "name: twice\n")
    registry.commit("a duplicate key")
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(registry.path), str(bare)], check=True)
    violations = assert_clean_violations(run_capped(bare, "validate", "--format", "json", "--ref", "main"))
    assert [(v["file"], v["line"], v["rule"]) for v in violations] == [("models/faq-bot.yaml", 8, "yaml-duplicate-key")]


# --- no repository at all -----------------------------------------------------------------------

def test_not_a_repository(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    assert_clean_error(run_capped(folder, "validate", "--ref", "HEAD"),
                       f"not a Git repository: {folder.resolve()} (or any parent folder)")


def test_repository_without_commits(repo) -> None:
    assert_clean_error(run_capped(repo.path, "validate", "--ref", "HEAD"),
                       "HEAD has no commits yet: commit something first, or name a revision that has some")


# --- paths the file system refuses: one line, exit 2 (they were exit 3) ----------------------

LONG_NAME = "a" * 5000
TOO_LONG = f"{'a' * 120}... (5000 characters): the path is longer than the file system allows"
LOOP = "too many levels of symbolic links (a link that points back to itself?)"


@pytest.mark.parametrize("args", [
    ["validate", "--repo", LONG_NAME], ["validate", LONG_NAME], ["history", "--repo", LONG_NAME],
    ["show", "--repo", LONG_NAME], ["get", "faq-bot", "--stage", "production", "--repo", LONG_NAME],
    ["diff", "HEAD~1", "HEAD", "--repo", LONG_NAME], ["init", LONG_NAME],
    ["register", "faq-bot", "2.0.0", "--artifact-uri", "s3://b/x", "--repo", LONG_NAME],
], ids=lambda a: a[0] + ("-repo" if "--repo" in a else "-path"))
def test_a_path_longer_than_the_file_system_allows(registry, args: list[str]) -> None:
    before = sorted(p.name for p in registry.path.iterdir())
    assert_clean_error(run_capped(registry.path, *args), TOO_LONG)
    assert sorted(p.name for p in registry.path.iterdir()) == before  # nothing written


@pytest.mark.parametrize("args, shown", [
    (["validate", "loop/faq-bot.yaml"], "loop/faq-bot.yaml"), (["init", "loop/new"], "loop/new"),
    (["validate", "--repo", "loop/x"], "loop/x"), (["history", "--repo", "loop/x"], "loop/x"),
])
def test_a_symlink_loop_on_the_way(registry, args: list[str], shown: str) -> None:
    os.symlink("loop", registry.path / "loop")
    assert_clean_error(run_capped(registry.path, *args), f"{shown}: {LOOP}")


def test_init_into_a_symlink_loop(registry) -> None:
    os.symlink("loop", registry.path / "loop")
    assert_clean_error(run_capped(registry.path, "init", "loop"),
                       "loop: a symbolic link to nothing (or a loop of links); pass a real folder")
