"""A walk for one model without the history index takes its steps from ``git log --
path`` (history/gitlog.py). These tests hold it to the walk that reads every commit from
Git objects, on histories with merges, policy changes, invalid copies, symlinks and a
moved models folder: the same events, the same commit count."""

from __future__ import annotations

import os

import pytest
from audit_scenarios import commit_seed_000
from builders import model, version

from registry_tool.history import gitlog
from registry_tool.history.blobs import BlobReader
from registry_tool.history.walk import read_history
from registry_tool.snapshots.git import GitStore


def _both(repo, monkeypatch: pytest.MonkeyPatch, name: str):
    monkeypatch.setenv("REGISTRY_TOOL_HISTORY_INDEX", "0")
    store = GitStore.discover(repo.path)
    head = store.resolve("HEAD")
    calls: list[object] = []
    real = gitlog.file_steps

    def spy(*args: object) -> object:
        found = real(*args)  # type: ignore[arg-type]
        calls.append(found)
        return found

    monkeypatch.setattr(gitlog, "file_steps", spy)
    fast = read_history(store, head, model=name)
    monkeypatch.setattr(gitlog.shutil, "which", lambda _: None)  # no git: every commit read from objects
    plain = read_history(GitStore.discover(repo.path), head, model=name)
    return fast, plain, calls


CANARY = ("stages:\n  - {name: none}\n  - {name: staging}\n  - {name: canary}\n  - {name: production, unique: true}\n"
          "  - {name: archived, final: true}\n")


def _awkward(repo) -> None:
    commit_seed_000(repo)
    repo.write("registry.yaml", CANARY)
    repo.commit("a canary stage")
    repo.write("models/ocr.yaml", model("ocr", version("1.0.0", "canary")))
    repo.commit("Register ocr 1.0.0")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("models/ocr.yaml", model("ocr", version("1.0.0", "staging")))
    repo.commit("Move ocr 1.0.0 to staging")
    repo.write("models/ocr.yaml", "name: ocr\nversions: [\n")  # broken on the branch
    repo.commit("break ocr")
    repo.write("models/ocr.yaml", model("ocr", version("1.0.0", "production")))
    repo.commit("Move ocr 1.0.0 to production")
    repo.git("checkout", "-q", "main")
    repo.write("README.md", "docs\n")
    repo.commit("docs")
    repo.git("merge", "--no-ff", "-q", "-m", "Merge pull request #9 from x/ocr", "side")
    repo.write("registry.yaml", CANARY.replace("  - {name: production", "  - {name: shadow}\n  - {name: production"))
    repo.commit("a shadow stage")
    repo.write("models/ocr.yaml", "name: ocr\nversions: [\n")
    repo.commit("break ocr on main")
    repo.write("models/ocr.yaml", model("ocr", version("1.0.0", "production"), version("1.1.0", "none")))
    repo.commit("Register ocr 1.1.0")
    os.remove(repo.path / "models" / "gone.yaml") if (repo.path / "models" / "gone.yaml").exists() else None
    os.symlink("ocr.yaml", repo.path / "models" / "link.yaml")
    repo.commit("a symlink model")


@pytest.mark.parametrize("name", ["faq-bot", "ocr", "link", "never-there"])
def test_git_log_steps_give_the_events_of_the_object_walk(repo, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    _awkward(repo)
    fast, plain, calls = _both(repo, monkeypatch, name)
    assert calls and calls[0] is not None  # the git log path was taken
    assert fast.events == plain.events
    assert (fast.truncated, fast.commits_walked) == (plain.truncated, plain.commits_walked)
    if name in ("faq-bot", "ocr"):
        assert fast.events  # the history really has events to compare


def test_a_moved_models_folder_reads_objects(repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write("models/a.yaml", model("a", version("1.0.0", "none")))
    repo.commit("Register a 1.0.0")
    os.makedirs(repo.path / "ml" / "models")
    os.rename(repo.path / "models" / "a.yaml", repo.path / "ml" / "models" / "a.yaml")
    repo.write("registry.yaml", "models_dir: ml/models\n")
    repo.commit("move the models")
    repo.write("ml/models/a.yaml", model("a", version("1.0.0", "staging")))
    repo.commit("Move a 1.0.0 to staging")
    fast, plain, calls = _both(repo, monkeypatch, "a")
    assert calls[0] is None  # the policy moved the folder: git log's path would miss the older copies
    assert fast.events == plain.events and len(fast.events) >= 2



def test_one_walk_of_the_folder_gives_each_file_the_steps_of_its_own(repo, monkeypatch: pytest.MonkeyPatch) -> None:
    _awkward(repo)
    monkeypatch.setenv("REGISTRY_TOOL_HISTORY_INDEX", "0")
    store = GitStore.discover(repo.path)
    head = store.resolve("HEAD")
    files = ["faq-bot.yaml", "ocr.yaml", "link.yaml", "never-there.yaml"]
    together = gitlog.files_steps(store, BlobReader(store), head, files)
    assert together is not None
    for file in files:
        alone = gitlog.file_steps(store, BlobReader(store), head, file)
        assert alone is not None and together[0][file] == alone[0], file
    assert len(together[0]["ocr.yaml"]) > 3  # its history is really there


def test_a_folder_by_a_model_file_s_name_reads_objects(repo, monkeypatch: pytest.MonkeyPatch) -> None:
    commit_seed_000(repo)
    os.makedirs(repo.path / "models" / "ocr.yaml")
    repo.write("models/ocr.yaml/notes.txt", "not a model\n")
    repo.commit("a folder where a model file could be")
    store = GitStore.discover(repo.path)
    head = store.resolve("HEAD")
    assert gitlog.files_steps(store, BlobReader(store), head, ["faq-bot.yaml", "ocr.yaml"]) is None
    assert gitlog.files_steps(store, BlobReader(store), head, ["faq-bot.yaml", "other.yaml"]) is not None


def test_a_repository_that_hides_the_root_commit_s_diff_still_has_its_creations(repo, monkeypatch) -> None:
    commit_seed_000(repo)  # the root commit creates faq-bot
    repo.git("config", "log.showRoot", "false")  # the repository's own configuration, which git log reads
    fast, plain, calls = _both(repo, monkeypatch, "faq-bot")
    assert calls and calls[0] is not None
    assert fast.events == plain.events
    assert [e.change.kind.value for e in fast.events[-2:]] == ["model_created", "version_registered"]
