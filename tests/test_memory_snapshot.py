"""MemorySnapshot: files held in memory show the validator what the same files on disk do."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import model, version

from registry_tool.errors import RegistryError
from registry_tool.snapshots.base import EntryKind
from registry_tool.snapshots.memory import MemorySnapshot
from registry_tool.snapshots.worktree import WorktreeSnapshot
from registry_tool.validation import engine

FILES = {
    "registry.yaml": "on_promote: refuse\n",
    "models/faq-bot.yaml": model("faq-bot", version("1", "production")),
    "models/Faq-Bot.yaml": model("faq-bot"),
    "models/notes.txt": "notes\n",
    "models/x.yaml/inner.yaml": model("inner"),
    "elsewhere/ocr.yaml": model("ocr"),
}


def on_disk(root: Path, files: dict[str, str]) -> WorktreeSnapshot:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return WorktreeSnapshot(root)


def listing(snapshot, models_dir: str = "models") -> list[tuple]:
    return [(e.name, e.path, e.kind, snapshot.size(e) if e.kind is EntryKind.FILE else None,
             snapshot.blob_id(e) if e.kind is EntryKind.FILE else None) for e in snapshot.entries(models_dir)]


def test_entries_and_policy_are_what_the_same_files_on_disk_give(tmp_path):
    memory, disk = MemorySnapshot(FILES), on_disk(tmp_path, FILES)
    assert listing(memory) == listing(disk)
    assert [e.kind for e in memory.entries("models")] == [EntryKind.FILE] * 3 + [EntryKind.DIRECTORY]
    assert memory.read(memory.policy_entry()) == b"on_promote: refuse\n"
    assert memory.entries("nowhere") == [] and memory.entries("elsewhere")[0].name == "ocr.yaml"
    assert (memory.label, memory.commit_id) == ("memory", None)


def test_validation_in_memory_equals_validation_on_disk(tmp_path):
    head = {**FILES, "models/faq-bot.yaml": FILES["models/faq-bot.yaml"].replace("production", "Production"),
            "models/ocr.yaml": model("orc")}
    memory = engine.validate_snapshot(MemorySnapshot(head))
    assert memory.violations == engine.validate_snapshot(on_disk(tmp_path / "head", head)).violations
    assert {v.rule for v in memory.violations} == {"undeclared-stage", "name-mismatch", "name-case-collision", "unexpected-file"}
    change = engine.validate_change(MemorySnapshot(FILES), MemorySnapshot(head))
    assert change.violations == engine.validate_change(on_disk(tmp_path / "base", FILES),
                                                          on_disk(tmp_path / "head2", head)).violations


def test_changed_gives_a_new_snapshot_and_keeps_the_old_one():
    base = MemorySnapshot(FILES)
    head = base.changed({"models/notes.txt": None, "models/ocr.yaml": b"name: ocr\n"}, label="edit")
    assert [e.name for e in head.entries("models")] == ["Faq-Bot.yaml", "faq-bot.yaml", "ocr.yaml", "x.yaml"]
    assert "models/notes.txt" in base.files and head.label == "edit" and base.label == "memory"


def test_no_policy_file_means_defaults():
    assert MemorySnapshot({"models/a.yaml": "x"}).policy_entry() is None
    assert engine.validate_snapshot(MemorySnapshot({})).ok


def test_a_models_directory_that_is_a_file_is_an_error_as_on_disk():
    with pytest.raises(RegistryError, match=r"^models: the models directory is a file, not a directory$"):
        MemorySnapshot({"models": "x"}).entries("models")


@pytest.mark.parametrize("files", [{"/abs.yaml": ""}, {"models/../x": ""}, {"": ""}, {"models//a.yaml": ""},
                                   {"models/a.yaml": "", "models/a.yaml/b": ""}])
def test_paths_that_no_repository_can_hold_are_refused(files):
    with pytest.raises(ValueError):
        MemorySnapshot(files)
