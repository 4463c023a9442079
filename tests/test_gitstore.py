"""The Git store on real repositories: revisions, commits read from the object database,
shallow clones, and what changed between two commits."""

from __future__ import annotations

import subprocess

import pytest
from builders import model, validate_json, version

from registry_tool.errors import RegistryError
from registry_tool.snapshots.base import EmptySnapshot
from registry_tool.snapshots.git import SHALLOW_HINT, GitStore

V1 = model("faq-bot", version("1.0.0", "staging"))
V2 = model("faq-bot", version("1.0.0", "production"))
V3 = model("faq-bot", version("1.0.0", "production"), version("1.1.0", "staging"))
V4 = model("faq-bot", version("1.0.0", "staging"), version("1.1.0", "production"))
BROKEN = V1.replace("stage: staging", "stage: live")


@pytest.fixture
def history(repo):
    """Four commits on main: register, promote, add 1.1.0, promote 1.1.0; tags on the first two."""
    shas = []
    for text, message in ((V1, "register"), (V2, "promote 1.0.0"), (V3, "add 1.1.0"), (V4, "promote 1.1.0")):
        repo.write("models/faq-bot.yaml", text)
        shas.append(repo.commit(message))
        if len(shas) == 1:
            repo.git("tag", "v1")
        if len(shas) == 2:
            repo.git("tag", "-a", "-m", "release", "v2")
    repo.shas = shas
    return repo


def git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def test_resolve_revisions(history):
    store = GitStore.discover(history.path)
    revisions = {"main": 3, "HEAD": 3, "HEAD~1": 2, "HEAD~3": 0, "main^": 2, "v1": 0, "v2": 1}  # v2 is annotated
    assert {rev: str(store.resolve(rev).id) for rev in revisions} == {
        rev: history.shas[index] for rev, index in revisions.items()}


def test_resolve_full_and_short_sha(history):
    store = GitStore.discover(history.path)
    sha = history.shas[1]
    assert str(store.resolve(sha).id) == sha
    assert str(store.resolve(sha[:7]).id) == sha


def test_resolve_remote_branch_in_a_clone(history, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(history.path), str(clone))
    git(clone, "reset", "-q", "--hard", "HEAD~2")  # local main behind origin/main
    store = GitStore.discover(clone)
    assert str(store.resolve("origin/main").id) == history.shas[3]
    assert str(store.resolve("main").id) == history.shas[1]


def test_discover_from_a_subfolder(history):
    (history.path / "a" / "b").mkdir(parents=True)
    store = GitStore.discover(history.path / "a" / "b")
    assert store.workdir == history.path
    assert str(store.resolve("HEAD").id) == history.shas[3]


def test_validate_ref_takes_any_revision(history, cli):
    for rev in ("v1", "v2", "HEAD~1", history.shas[2][:8]):
        assert validate_json(cli, history.path, "--ref", rev)[:2] == (0, [])


def test_ref_reads_the_commit_not_the_working_tree(history, cli):
    history.write("models/faq-bot.yaml", BROKEN)
    assert validate_json(cli, history.path)[0] == 1
    assert validate_json(cli, history.path, "--ref", "HEAD")[:2] == (0, [])


def test_ref_sees_a_broken_commit_while_the_working_tree_is_fixed(history, cli):
    history.write("models/faq-bot.yaml", BROKEN)
    history.commit("break")
    history.write("models/faq-bot.yaml", V1)
    _, found, _ = validate_json(cli, history.path, "--ref", "HEAD")
    assert [(v["file"], v["line"], v["rule"]) for v in found] == [("models/faq-bot.yaml", 4, "undeclared-stage")]
    assert validate_json(cli, history.path)[0] == 0


def test_ref_reads_registry_yaml_at_the_commit(history, cli):
    history.write("registry.yaml", "models_dir: registry/models\n")  # not committed
    assert validate_json(cli, history.path, "--ref", "HEAD")[2]["files_checked"] == 1
    run = cli(history.path, "validate")  # the working tree's registry.yaml points at a folder that is not there
    assert run.code == 2 and "the models folder registry/models/ (models_dir in registry.yaml) is missing" in run.err


# --- folder_change: what differs between two commits' models folders ----------------------

def test_folder_change_names_what_differs(history):
    history.write("models/image-classifier.yaml", model("image-classifier", version("v1", "staging")))
    history.write("models/faq-bot.yaml", V4.replace("stage: staging", "stage: archived"))
    history.write("README.md", "outside the models directory\n")
    added = history.commit("add a model, archive 1.0.0")
    history.git("rm", "-q", "models/image-classifier.yaml")
    removed = history.commit("remove it again")
    store = GitStore.discover(history.path)

    def changed(old: str | None, new: str, folder: str = "models") -> list[str]:
        base = store.snapshot(store.resolve(old)) if old is not None else EmptySnapshot()
        change = store.snapshot(store.resolve(new)).folder_change(base, folder)
        assert change is not None
        return sorted(f"{folder}/{name}" for name in change.entries)

    assert changed(history.shas[3], added) == ["models/faq-bot.yaml", "models/image-classifier.yaml"]
    assert changed(added, removed) == ["models/image-classifier.yaml"]
    assert changed(removed, removed) == []
    assert changed(None, history.shas[0]) == ["models/faq-bot.yaml"]
    assert changed(history.shas[0], history.shas[0], "nowhere") == []


# --- shallow clones -----------------------------------------------------------------------

@pytest.fixture
def shallow(history, tmp_path):
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{history.path}", str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository") == "true"
    return clone


def test_shallow_clone_validates_its_head(shallow, cli):
    assert validate_json(cli, shallow, "--ref", "HEAD")[:2] == (0, [])
    assert validate_json(cli, shallow)[:2] == (0, [])


def test_shallow_base_not_in_the_clone(history, shallow, run_process):
    proc = run_process(shallow, "validate", "--base", history.shas[1])
    assert (proc.code, proc.out) == (2, "")
    assert proc.err == f"registry-tool: error: unknown revision '{history.shas[1]}'; {SHALLOW_HINT}\n"
    assert "fetch-depth: 0" in proc.err


@pytest.mark.parametrize("args", [["--base", "HEAD~1"], ["--ref", "HEAD", "--base", "HEAD~1"], ["--range", "HEAD~1..HEAD"]])
def test_shallow_parent_not_in_the_clone(shallow, cli, args):
    run = cli(shallow, "validate", *args)
    assert (run.code, run.out) == (2, "")
    assert run.err == f"registry-tool: error: unknown revision 'HEAD~1'; {SHALLOW_HINT}\n"


def test_shallow_range_with_a_base_not_in_the_clone(history, shallow, cli):
    run = cli(shallow, "validate", "--range", f"{history.shas[0]}..HEAD")
    assert run.code == 2
    assert run.err == f"registry-tool: error: unknown revision '{history.shas[0]}'; {SHALLOW_HINT}\n"


def test_shallow_range_across_the_boundary(history, tmp_path, cli):
    """The base is in the clone (on another branch) but HEAD's history is cut short before
    reaching it: the walk needs the parent of the shallow boundary commit."""
    history.git("branch", "side", history.shas[0])
    clone = tmp_path / "shallow2"
    git(tmp_path, "clone", "-q", "--depth", "2", "--no-single-branch", f"file://{history.path}", str(clone))
    boundary = history.shas[2]  # main's history stops here
    assert boundary in (clone / ".git" / "shallow").read_text()
    run = cli(clone, "validate", "--range", "origin/side..origin/main")
    assert (run.code, run.out) == (2, "")
    assert run.err == f"registry-tool: error: the parent of commit {boundary[:12]} is not available: {SHALLOW_HINT}\n"


def test_shallow_range_inside_the_clone_works(history, tmp_path, cli):
    clone = tmp_path / "shallow3"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{history.path}", str(clone))
    code, found, data = validate_json(cli, clone, "--range", "HEAD~1..HEAD")
    assert (code, found, data["commits_checked"]) == (0, [], [history.shas[3]])


def test_shallow_base_inside_the_clone_works(history, tmp_path, cli):
    clone = tmp_path / "shallow4"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{history.path}", str(clone))
    assert validate_json(cli, clone, "--base", "HEAD~1")[:2] == (0, [])


def test_resolve_error_in_a_full_clone_has_no_shallow_hint(history):
    with pytest.raises(RegistryError) as caught:
        GitStore.discover(history.path).resolve("no-such-branch")
    assert str(caught.value) == "unknown revision 'no-such-branch'"
