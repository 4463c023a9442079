"""The Python write API (registry_tool.open_registry(path).edit()): proposals with their diff
and violations, applied to the work tree, committed, or committed on a new branch."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
from conftest import REPO_ROOT
from edit_helpers import FAQ, changed_lines, fingerprint

import registry_tool
from registry_tool import EditRefused, RegistryError, open_registry
from registry_tool.edit.api import Change, EditableRegistry, RegistryEditor
from registry_tool.errors import ChangedMeanwhile


@pytest.fixture
def reg(repo):
    repo.write("models/faq-bot.yaml", FAQ)
    repo.commit("faq-bot")
    return repo


def text(repo):
    return (repo.path / "models/faq-bot.yaml").read_text()


def test_open_registry_reads_and_edits(reg):
    registry = open_registry(reg.path)
    assert isinstance(registry, EditableRegistry) and isinstance(registry, registry_tool.Registry)
    assert registry.at("HEAD").model("faq-bot").production.version == "1.0.0"
    change = registry.edit().promote("faq-bot", "1.1.0", "production")
    assert isinstance(change, Change)
    assert change.ok and change.violations == [] and not change.empty
    assert change.message == "promote faq-bot 1.1.0 to production\n\nfaq-bot 1.0.0 demoted from production to staging\n"
    assert change.files == ["models/faq-bot.yaml"]
    assert changed_lines(change.diff) == ["-    stage: production          # quoted labels, plain stages",
                                          "+    stage: staging          # quoted labels, plain stages",
                                          "-    stage: staging   # canary",
                                          "+    stage: production   # canary"]
    assert text(reg) == FAQ  # a preview writes nothing
    outcome = change.apply()
    assert outcome.written == ["models/faq-bot.yaml"] and outcome.committed is None
    assert "stage: production   # canary" in text(reg)


def test_a_refused_change_carries_its_violations_and_diff(reg):
    reg.write("registry.yaml", "gates:\n  production:\n    min_metrics: {accuracy: 0.99}\n")
    reg.commit("a strict gate")
    before = fingerprint(reg.path)
    change = open_registry(reg.path).edit().promote("faq-bot", "1.1.0", "production")
    assert not change.ok
    assert [(v.rule, v.message) for v in change.violations] == [
        ("gate-min-metric", "faq-bot 1.1.0: accuracy is 0.93; production needs at least 0.99")]
    assert "+    stage: production   # canary" in change.diff
    with pytest.raises(EditRefused) as refused:
        change.apply()
    assert refused.value.exit_code == 1 and refused.value.violations == change.violations
    assert fingerprint(reg.path) == before


def test_commit_on_the_current_branch_and_on_a_new_branch(reg):
    registry = open_registry(reg.path)
    outcome = registry.edit(commit=True).metrics("faq-bot", "1.1.0", {"core-v1/score": 0.91, "slo_ok": True}).apply(
        message="eval run 7")
    assert outcome.committed is not None and outcome.committed.branch == "main"
    assert reg.git("log", "-1", "--format=%s") == "eval run 7"
    assert registry.at("HEAD").model("faq-bot").version("1.1.0").metric("slo_ok") is True
    head = reg.git("rev-parse", "HEAD")
    outcome = registry.edit(branch="owner").set("faq-bot", owner="hazel", tags=["llm"]).apply()
    assert outcome.committed is not None and outcome.committed.branch == "owner"
    assert reg.git("rev-parse", "HEAD") == head and "owner:" not in text(reg)
    assert registry.at("owner").model("faq-bot").owner == "hazel"
    assert registry.at("owner").model("faq-bot").tags == ("nlp", "chat", "llm")


def test_apply_writes_what_was_previewed_or_nothing(reg):
    change = open_registry(reg.path).edit().archive("faq-bot", "1.2.0")
    assert change.diff
    (reg.path / "models/faq-bot.yaml").write_text(FAQ.replace("# end of file", "# edited meanwhile"))
    with pytest.raises(ChangedMeanwhile, match="changed since this change was previewed"):
        change.apply()
    assert text(reg).endswith("# edited meanwhile\n")
    fresh = open_registry(reg.path).edit().archive("faq-bot", "1.2.0")
    fresh.apply()  # not previewed: built from what is there now
    assert "# edited meanwhile" in text(reg) and "stage: archived" in text(reg)


def test_errors_come_when_the_change_is_read(reg):
    change = open_registry(reg.path).edit().promote("nope", "1.0.0", "staging")
    with pytest.raises(RegistryError, match="no model nope"):
        change.diff  # noqa: B018 - the property does the work
    with pytest.raises(RegistryError, match="unknown --to stage 'prod'"):
        open_registry(reg.path).edit().promote("faq-bot", "1.0.0", "prod").diff  # noqa: B018


def test_register_set_bind_and_retention_from_python(reg, tmp_path):
    artifact = tmp_path / "model.onnx"
    artifact.write_bytes(b"w" * 4096)
    editor = RegistryEditor(reg.path)  # the work tree, without open_registry
    editor.register("faq-bot", "2.0.0", artifact_uri="s3://b/faq-bot/2.0.0/model.onnx", file=artifact,
                    artifact_format="onnx", metrics={"accuracy": 0.95, "core-v1/score": 0.9}, tags=["candidate"],
                    metadata={"epochs": 3}).apply()
    editor.bind("faq-bot", "2.0.0", "openai", "ft:x", status="active", config={"temperature": 0.2}).apply()
    editor.set("faq-bot", "2.0.0", description="Bigger", untag=["candidate"]).apply()
    reg.commit("2.0.0")
    version = open_registry(reg.path).at("HEAD").model("faq-bot").version("2.0.0")
    assert version.artifact.sha256 == hashlib.sha256(b"w" * 4096).hexdigest() and version.artifact.size_bytes == 4096
    assert (version.description, version.tags, dict(version.metadata)) == ("Bigger", (), {"epochs": 3})
    assert [(b.provider, b.status, dict(b.config)) for b in version.bindings] == [("openai", "active", {"temperature": 0.2})]
    assert editor.unbind("faq-bot", "2.0.0", "openai").message == "unbind faq-bot 2.0.0 from openai ft:x"
    change = editor.retention(keep=1)
    assert change.message.startswith("retention: keep the newest 1 version, archive faq-bot 1.2.0")
    empty = editor.set("faq-bot", tags=["nlp"])
    assert empty.empty and empty.diff == "" and empty.notes == ["faq-bot has tag nlp already", "faq-bot: nothing to change"]


def test_a_script_against_the_write_api_type_checks(tmp_path):
    script = tmp_path / "propose.py"
    script.write_text((REPO_ROOT / "tests" / "typing" / "propose.py").read_text())
    env = {**os.environ, "MYPYPATH": str(REPO_ROOT)}
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--follow-imports=silent",
                           str(script)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_readme_write_api_example_runs(repo, monkeypatch):
    import contextlib
    import io
    import shutil

    from test_readme_api import readme_snippet

    shutil.copytree(REPO_ROOT / "models", repo.path / "models")
    shutil.copy(REPO_ROOT / "registry.yaml", repo.path / "registry.yaml")
    repo.commit("the example registry")
    monkeypatch.chdir(repo.path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(readme_snippet("Python write API"), "README.md", "exec"), {})
    printed = out.getvalue()
    assert "+    stage: production" in printed and "[]\npromote faq-bot 1.1.0 to production\n" in printed
    assert printed.endswith("immutable-field\n")
    assert "stage: production" in (repo.path / "models/faq-bot.yaml").read_text().split('"1.1.0"')[1]
    assert "eval run 7" in repo.git("log", "-1", "--format=%s", "eval-run-7")
    assert "fix-sha" not in repo.git("branch")


def test_alias_and_a_declared_stage_from_python(reg):
    editor = open_registry(reg.path).edit(commit=True)
    editor.alias("faq-bot", "champion", "1.1.0").apply()
    assert open_registry(reg.path).at("HEAD").model("faq-bot").aliases == {"champion": "1.1.0"}
    assert editor.alias("faq-bot", "champion", None).message == "remove faq-bot alias champion (was 1.1.0)"
    reg.write("registry.yaml", "stages:\n  - {name: dev}\n  - {name: qa}\n  - {name: production, unique: true}\n"
                               "  - {name: archived, final: true}\n")
    reg.write("models/tiny.yaml", 'name: tiny\nversions:\n  - version: "1"\n    stage: dev\n    artifact: {uri: s3://b/t/1}\n')
    reg.commit("declared stages")
    change = editor.promote("tiny", "1", "qa")
    assert change.ok and change.message == "promote tiny 1 to qa"
    with pytest.raises(RegistryError, match="unknown --to stage 'staging'"):
        editor.promote("tiny", "1", "staging").diff  # noqa: B018 - the property does the work


def test_a_value_no_utf8_file_can_hold_is_refused_in_one_line(reg):
    """The command line checks its arguments; the Python API took a lone surrogate (how
    Python decodes a byte that is not UTF-8) as far as the file's or the commit message's
    encoding, and raised UnicodeEncodeError."""
    before = fingerprint(reg.path)
    registry = open_registry(reg.path)
    attempts = [lambda: registry.edit().set("faq-bot", owner="a\udcffb").apply(),
                lambda: registry.edit(commit=True).promote("faq-bot", "1.1.0", "production").apply(message="x\udcff")]
    for attempt in attempts:
        with pytest.raises(RegistryError, match=r": a value holds U\+DCFF, a lone surrogate no UTF-8 file or commit can hold"):
            attempt()
    assert fingerprint(reg.path) == before
