"""--range finds each commit's change by tree diff and carries state from step to step
(parsed files, policies, the folded names of the models directory). These tests hold
that fast path to the plain one, which lists both sides of every change, on a history
full of awkward changes."""

from __future__ import annotations

import itertools
import os

import pygit2
import pytest
from builders import model, version

from registry_tool.snapshots.base import Entry, Snapshot
from registry_tool.snapshots.git import GitStore
from registry_tool.validation import engine
from registry_tool.validation.changed import FoldIndex, compute
from registry_tool.validation.report import Report


class Listed:
    """A snapshot that cannot tell its change by tree diff: the validator lists it."""

    def __init__(self, inner: Snapshot) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def folder_change(self, base: object, models_dir: str) -> None:
        return None


@pytest.fixture
def awkward(repo):
    """A history whose every commit changes the models directory in another way."""
    steps = [
        ("register a", lambda: repo.write("models/a.yaml", model("a", version("1", "none")))),
        ("register b and c", lambda: (repo.write("models/b.yaml", model("b", version("1", "staging"))),
                                      repo.write("models/c.yaml", model("c", version("1", "none"))))),
        ("promote a, a stray file", lambda: (repo.write("models/a.yaml", model("a", version("1", "staging"))),
                                             repo.write("models/notes.txt", "x\n"))),
        ("a name that collides by case", lambda: repo.write("models/B.yaml", model("b", version("1", "none")))),
        ("edit the collision's twin", lambda: repo.write("models/b.yaml", model("b", version("1", "production")))),
        ("a folder named like a model", lambda: repo.write("models/d.yaml/x", "y\n")),
        ("change inside the folder", lambda: repo.write("models/d.yaml/x", "z\n")),
        ("an immutable fact changes", lambda: repo.write("models/c.yaml", model("c", version("1", "none", uri="s3://b/c/1-new")))),
        ("a model removed", lambda: os.remove(repo.path / "models/c.yaml")),
        ("a symlink replaces a model", lambda: (os.remove(repo.path / "models/a.yaml"),
                                                os.symlink("b.yaml", repo.path / "models/a.yaml"))),
        ("the collision removed", lambda: os.remove(repo.path / "models/B.yaml")),
        ("nothing in models", lambda: repo.write("README.md", "docs\n")),
        ("a stricter policy", lambda: repo.write("registry.yaml", "gates:\n  production:\n    require_sha256: true\n")),
        ("register e in production", lambda: repo.write("models/e.yaml", model("e", version("1", "production")))),
        ("models move", lambda: (repo.write("registry.yaml", "models_dir: registry/models\n"),
                                 repo.write("registry/models/b.yaml", model("b", version("1", "production"))))),
        ("back in the new place", lambda: repo.write("registry/models/f.yaml", model("f", version("1", "none")))),
    ]
    commits = [repo.commit("root")]
    for message, change in steps:
        change()
        commits.append(repo.commit(message))
    return repo, commits


def _run(store: GitStore, base: str, head: str, *, listed: bool) -> Report:
    steps = store.range_steps(store.resolve(base), store.resolve(head))
    if listed:
        steps = [(c, Listed(parent), Listed(snap)) for c, parent, snap in steps]
    return engine.validate_commits(steps)


def test_range_by_tree_diff_reports_what_listing_reports(awkward):
    repo, commits = awkward
    store = GitStore.discover(repo.path)
    fast = _run(store, commits[0], commits[-1], listed=False)
    plain = _run(store, commits[0], commits[-1], listed=True)
    assert [(v.commit, v) for v in fast.violations] == [(v.commit, v) for v in plain.violations]
    assert fast.files_checked == plain.files_checked
    assert fast.commits_checked == plain.commits_checked == commits[1:]
    rules = {v.rule for v in fast.violations}  # the history really exercises the tree and change rules
    assert {"unexpected-file", "name-case-collision", "immutable-field", "model-removed", "skipped-stage"} <= rules


def test_each_step_alone_matches_the_range(awkward):
    """A fresh cache per step (what --base does) gives each step the same answer."""
    repo, commits = awkward
    store = GitStore.discover(repo.path)
    whole = _run(store, commits[0], commits[-1], listed=False)
    for older, newer in itertools.pairwise(commits):
        alone = engine.validate_change(store.snapshot(store.resolve(older)), store.snapshot(store.resolve(newer)))
        assert alone.violations == [v for v in whole.violations if v.commit == newer]


def test_an_unchanged_models_folder_is_not_listed(repo):
    repo.write("models/a.yaml", model("a", version("1", "none")))
    first = repo.commit("register a")
    repo.write("README.md", "docs\n")
    second = repo.commit("docs only")
    store = GitStore.discover(repo.path)
    base, head = store.snapshot(store.resolve(first)), store.snapshot(store.resolve(second))

    def refuse(models_dir: str) -> list[Entry]:
        raise AssertionError("listed an unchanged folder")

    head.entries = refuse  # type: ignore[method-assign]
    base.entries = refuse  # type: ignore[method-assign]
    found = compute(base, head, "models", "models", everything=False, limit=1 << 20, folds=FoldIndex())
    assert (found.changed, found.removed, found.tree_view) == ([], [], [])


def test_a_diff_finds_only_the_names_that_changed(repo):
    for name in "abcdef":
        repo.write(f"models/{name}.yaml", model(name, version("1", "none")))
    first = repo.commit("six models")
    repo.write("models/c.yaml", model("c", version("1", "staging")))
    second = repo.commit("promote c")
    store = GitStore.discover(repo.path)
    change = store.snapshot(store.resolve(second)).folder_change(store.snapshot(store.resolve(first)), "models")
    assert change is not None and set(change.entries) == {"c.yaml"}
    old, new = change.entries["c.yaml"]
    assert old is not None and new is not None and old.blob_id != new.blob_id
    tree = store.repo.revparse_single(f"{second}:models")
    assert isinstance(tree, pygit2.Tree) and change.head_folder == str(tree.id)


def test_the_staged_change_by_diff_reports_what_listing_and_the_commit_report(awkward, tmp_path):
    # the pre-commit hook diffs HEAD's tree against the index (IndexSnapshot.folder_change)
    # instead of listing every staged path: each step of the awkward history, staged, is
    # judged as listing judges it, and as the commit that holds it is judged
    from registry_tool.snapshots.index import IndexSnapshot

    repo, commits = awkward
    store = GitStore.discover(repo.path)
    for step, (older, newer) in enumerate(itertools.pairwise(commits)):
        index = tmp_path / f"index-{step}"
        repo.git("read-tree", f"--index-output={index}", newer)
        base = store.snapshot(store.resolve(older))
        staged = engine.validate_change(base, IndexSnapshot(store, index))
        listed = engine.validate_change(Listed(base), Listed(IndexSnapshot(store, index)))  # type: ignore[arg-type]
        committed = engine.validate_change(base, store.snapshot(store.resolve(newer)))
        assert staged.violations == listed.violations == committed.violations, step
        assert [c.path for c in staged.checked] == [c.path for c in listed.checked] == [c.path for c in committed.checked]


def test_a_staged_change_by_diff_skips_files_only_marked_to_be_added(repo):
    from registry_tool.snapshots.index import IndexSnapshot

    repo.write("models/a.yaml", model("a", version("1", "none")))
    repo.write("models/Ä.yaml", model("Ä", version("1", "none")))
    repo.commit("a and Ä")
    repo.write("models/b.yaml", model("b", version("1", "production")))  # would be skipped-stage if it were added
    repo.write("models/A.yaml", model("a", version("1", "none")))
    repo.write("models/ä.yaml", model("ä", version("1", "none")))
    repo.git("add", "-N", "models/b.yaml")
    repo.git("add", "models/A.yaml", "models/ä.yaml")
    store = GitStore.discover(repo.path)
    base = store.snapshot(store.resolve("HEAD"))
    change = IndexSnapshot(store).folder_change(base, "models")
    assert change is not None and sorted(change.entries) == ["A.yaml", "ä.yaml"]
    fast = engine.validate_change(base, IndexSnapshot(store))
    plain = engine.validate_change(Listed(base), Listed(IndexSnapshot(store)))  # type: ignore[arg-type]
    assert fast.violations == plain.violations
    assert ("models/a.yaml", "name-case-collision") in [(v.file, v.rule) for v in fast.violations]
    assert all(v.file != "models/b.yaml" for v in fast.violations)  # only marked to be added: not in the commit
