"""get, show and export from the command line, on real repositories."""

from __future__ import annotations

import json

import pytest
from builders import artifact_sha, model, rich_model, sha, version
from builders import artifact_uri as uri

from registry_tool.schema.check import SCHEMA_VERSION

# The documented JSON keys of `get` (README: "registry-tool get").
GET_ALWAYS = {"commit", "model", "version", "stage", "artifact", "metrics", "tags", "metadata"}
GET_WHEN_SET = {"description", "run_id", "bindings"}

FULL_VERSION = model("support-llm", version(
    "1.2.0", "production", description="Fine-tuned on the ticket archive", uri="s3://models/support-llm/1.2.0/model.gguf",
    sha256=sha("support-llm"), size_bytes=42, fmt="gguf", run_id="run-7", artifact_flow=True,
    metrics={"accuracy": 0.9}, suites={"core-v1": {"score": 0.91, "config_parse_ok": True}}, tags=["llm"],
    metadata={"team": "support"}, bindings=[{"provider": "openai", "provider_model_id": "ft:gpt-4o-mini:acme:9xQ2",
                                             "status": "active", "config": {"temperature": 0.2}}]))
MINIMAL_VERSION = model("tiny", version("1", "staging", uri="s3://models/tiny/1/model.onnx", sha256=None))


@pytest.fixture
def history(repo):
    repo.write("models/faq-bot.yaml", rich_model("faq-bot", ("1.0.0", "production")))
    first = repo.commit("promote faq-bot 1.0.0")
    repo.write("models/faq-bot.yaml", rich_model("faq-bot", ("1.0.0", "production"), ("1.1.0", "staging")))
    repo.write("models/support-llm.yaml", FULL_VERSION)
    repo.write("models/tiny.yaml", MINIMAL_VERSION)
    second = repo.commit("register faq-bot 1.1.0, support-llm and tiny")
    repo.write("models/faq-bot.yaml", rich_model("faq-bot", ("1.0.0", "staging"), ("1.1.0", "production")))
    third = repo.commit("promote faq-bot 1.1.0")
    return repo, (first, second, third)


def test_get_prints_the_version_as_json_with_the_resolved_commit(cli, history):
    repo, (_, _, third) = history
    run = cli(repo.path, "get", "faq-bot", "--stage", "production")
    assert run.code == 0
    data = json.loads(run.out)
    assert data == {
        "commit": third, "model": "faq-bot", "version": "1.1.0", "stage": "production",
        "artifact": {"uri": uri("faq-bot", "1.1.0"), "sha256": artifact_sha("faq-bot", "1.1.0"), "size_bytes": 1024, "format": "onnx"},
        "metrics": {"accuracy": 0.95}, "tags": ["candidate"], "metadata": {"ticket": "T-1.1.0"},
    }
    assert run.out == json.dumps(data, indent=2, sort_keys=True) + "\n"


def test_get_json_keys_are_exactly_the_documented_set(cli, history):
    repo, _ = history
    full = json.loads(cli(repo.path, "get", "support-llm", "--stage", "production").out)
    assert set(full) == GET_ALWAYS | GET_WHEN_SET
    assert set(full["artifact"]) == {"uri", "sha256", "size_bytes", "format"}
    assert full["metrics"] == {"accuracy": 0.9, "suites": {"core-v1": {"score": 0.91, "config_parse_ok": True}}}
    assert full["bindings"] == [{"provider": "openai", "provider_model_id": "ft:gpt-4o-mini:acme:9xQ2",
                                 "status": "active", "config": {"temperature": 0.2}}]
    minimal = json.loads(cli(repo.path, "get", "tiny", "--stage", "staging").out)
    assert set(minimal) == GET_ALWAYS
    assert minimal["artifact"] == {"uri": "s3://models/tiny/1/model.onnx"}
    assert (minimal["metrics"], minimal["tags"], minimal["metadata"]) == ({}, [], {})


def test_get_at_old_revisions_after_later_promotions(cli, history):
    repo, (first, second, _) = history
    assert cli(repo.path, "get", "faq-bot", "--stage", "production", "--ref", first, "--field", "artifact.uri").out == uri("faq-bot", "1.0.0") + "\n"
    assert cli(repo.path, "get", "faq-bot", "--stage", "production", "--ref", "HEAD~1", "--field", "version").out == "1.0.0\n"
    assert json.loads(cli(repo.path, "get", "faq-bot", "--version", "1.1.0", "--ref", second).out)["stage"] == "staging"
    assert cli(repo.path, "get", "faq-bot", "--stage", "production", "--field", "version").out == "1.1.0\n"


def test_field_prints_the_raw_value(cli, history):
    repo, _ = history
    get = ("get", "support-llm", "--stage", "production", "--field")
    assert cli(repo.path, *get, "artifact.uri").out == "s3://models/support-llm/1.2.0/model.gguf\n"
    assert cli(repo.path, *get, "artifact.size_bytes").out == "42\n"
    assert cli(repo.path, *get, "metrics.suites.core-v1.config_parse_ok").out == "true\n"
    assert cli(repo.path, *get, "bindings.0.provider_model_id").out == "ft:gpt-4o-mini:acme:9xQ2\n"
    assert cli(repo.path, *get, "tags").out == '["llm"]\n'
    assert cli(repo.path, *get, "artifact.uri", "--format", "json").out == '"s3://models/support-llm/1.2.0/model.gguf"\n'


def test_field_missing_exits_1_and_a_typo_exits_2(cli, history):
    repo, _ = history
    missing = cli(repo.path, "get", "tiny", "--stage", "staging", "--field", "artifact.sha256")
    assert (missing.code, missing.out) == (1, "")
    assert missing.err.startswith("registry-tool: error: tiny 1 at ") and missing.err.endswith(" has no artifact.sha256\n")
    typo = cli(repo.path, "get", "tiny", "--stage", "staging", "--field", "artifact.url")
    assert typo.code == 2 and "not an artifact field" in typo.err and typo.err.count("\n") == 1
    typo = cli(repo.path, "get", "tiny", "--stage", "staging", "--field", "uri")
    assert typo.code == 2 and "'uri' is not a field" in typo.err


def test_get_text_format(cli, history):
    repo, (_, _, third) = history
    run = cli(repo.path, "get", "faq-bot", "--version", "1.0.0", "--format", "text")
    assert run.code == 0
    assert run.out.splitlines()[:5] == ["model: faq-bot", "version: 1.0.0", "stage: staging", f"commit: {third}",
                                       "artifact.format: onnx"]
    assert "tags: candidate" in run.out.splitlines()


def test_nothing_at_the_stage_exits_1_with_one_line(cli, history):
    repo, (first, _, _) = history
    run = cli(repo.path, "get", "faq-bot", "--stage", "staging", "--ref", first)
    assert (run.code, run.out) == (1, "")
    assert run.err == f"registry-tool: error: faq-bot has no version in staging at {first[:12]}\n"
    run = cli(repo.path, "get", "faq-bot", "--version", "3.0.0")
    assert run.code == 1 and run.err.count("\n") == 1 and "no version 3.0.0" in run.err


def test_unknown_model_and_bad_revision_exit_2(cli, history):
    repo, _ = history
    run = cli(repo.path, "get", "faq", "--stage", "production")
    assert run.code == 2 and run.out == ""
    assert run.err.startswith("registry-tool: error: unknown model 'faq'") and run.err.count("\n") == 1
    run = cli(repo.path, "get", "faq-bot", "--stage", "production", "--ref", "no-such-branch")
    assert (run.code, run.err) == (2, "registry-tool: error: unknown revision 'no-such-branch'\n")
    run = cli(repo.path, "get", "faq-bot", "--stage", "production", "--ref", "HEAD~9")
    assert run.code == 2 and "unknown revision" in run.err
    assert cli(repo.path, "get", "faq-bot").code == 2  # neither --stage nor --version


def test_newest_staging_version_when_several(cli, repo):
    repo.write("models/m.yaml", rich_model("m", ("1", "staging"), ("2", "staging"), ("3", "none")))
    repo.commit("two in staging")
    assert cli(repo.path, "get", "m", "--stage", "staging", "--field", "version").out == "2\n"


def test_bare_clone_and_detached_head_from_the_cli(cli, history, tmp_path):
    repo, (first, _, third) = history
    bare = tmp_path / "bare.git"
    repo.git("clone", "-q", "--bare", str(repo.path), str(bare))
    run = cli(bare, "get", "faq-bot", "--stage", "production")
    assert run.code == 0 and json.loads(run.out)["commit"] == third
    run = cli(tmp_path, "show", "--repo", str(bare), "--format", "json")
    assert run.code == 0 and json.loads(run.out)["commit"] == third
    repo.git("checkout", "-q", "--detach", first)
    assert cli(repo.path / "models", "get", "faq-bot", "--stage", "production", "--field", "version").out == "1.0.0\n"


def test_the_working_tree_is_neither_served_nor_touched(cli, history):
    repo, (_, _, third) = history
    edited = rich_model("faq-bot", ("1.0.0", "production"), ("1.1.0", "archived"))
    repo.write("models/faq-bot.yaml", edited)
    status = repo.git("status", "--porcelain")
    for args in (("get", "faq-bot", "--stage", "production"), ("show",), ("export",)):
        run = cli(repo.path, *args)
        assert run.code == 0 and third[:12] in run.out and "archived" not in run.out
    assert (repo.path / "models/faq-bot.yaml").read_text() == edited
    assert repo.git("status", "--porcelain") == status


def test_an_invalid_model_file_at_the_ref_is_refused(cli, history):
    repo, (_, _, good) = history
    repo.write("models/faq-bot.yaml", rich_model("faq-bot", ("1.0.0", "production"), ("1.1.0", "production")))
    repo.commit("two production versions")
    run = cli(repo.path, "get", "faq-bot", "--stage", "production")
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith("registry-tool: error: models/faq-bot.yaml:15: multiple-production: ")
    assert run.err.count("\n") == 1
    assert cli(repo.path, "get", "faq-bot", "--stage", "production", "--ref", good).code == 0
    assert cli(repo.path, "get", "tiny", "--stage", "staging").code == 0  # other files are still served
    assert cli(repo.path, "export").code == 2  # the whole registry cannot be exported
    assert cli(repo.path, "show").code == 2
    assert cli(repo.path, "show", "tiny").code == 0


def test_show_prints_an_aligned_table(cli, history):
    repo, (_, _, third) = history
    run = cli(repo.path, "show")
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[0].split() == ["MODEL", "VERSION", "STAGE", "ARTIFACT"]
    assert [line.split()[:3] for line in lines[1:-1]] == [
        ["faq-bot", "1.0.0", "staging"], ["faq-bot", "1.1.0", "production"],
        ["support-llm", "1.2.0", "production"], ["tiny", "1", "staging"],
    ]
    starts = [lines[0].index(h) for h in ("VERSION", "STAGE", "ARTIFACT")]
    for line in lines[1:-1]:  # every cell starts under its header
        assert all(line[s - 2:s] == "  " and line[s] != " " for s in starts), line
    assert lines[-1] == f"4 versions of 3 models at HEAD ({third[:12]})"


def test_show_one_model_a_stage_and_json(cli, history):
    repo, (first, _, third) = history
    run = cli(repo.path, "show", "faq-bot", "--ref", first, "--no-history")
    assert [line.split() for line in run.out.splitlines()[1:-1]] == [["faq-bot", "1.0.0", "production", uri("faq-bot", "1.0.0")]]
    run = cli(repo.path, "show", "--stage", "production", "--format", "json")
    data = json.loads(run.out)
    assert set(data) == {"commit", "versions"} and data["commit"] == third
    # one shape per concept: a row is the version as get prints it, without the commit
    assert data["versions"] == [
        {**{k: v for k, v in json.loads(cli(repo.path, "get", name, "--stage", "production").out).items() if k != "commit"},
         "aliases": []}
        for name in ("faq-bot", "support-llm")
    ]
    assert data["versions"][0]["artifact"]["uri"] == uri("faq-bot", "1.1.0")
    assert data["versions"][1]["metrics"]["suites"] == {"core-v1": {"score": 0.91, "config_parse_ok": True}}
    assert cli(repo.path, "show", "nope").code == 2


def test_export_is_the_whole_registry_with_sorted_keys(cli, history):
    repo, (first, _, third) = history
    run = cli(repo.path, "export")
    assert run.code == 0
    data = json.loads(run.out)
    assert run.out == json.dumps(data, indent=2, sort_keys=True) + "\n"
    assert set(data) == {"commit", "schema_version", "models"}
    assert (data["commit"], data["schema_version"]) == (third, SCHEMA_VERSION)
    assert list(data["models"]) == ["faq-bot", "support-llm", "tiny"]
    faq = data["models"]["faq-bot"]
    assert set(faq) == {"name", "owner", "tags", "metadata", "aliases", "versions"}
    assert faq["aliases"] == {}
    assert [(v["version"], v["stage"]) for v in faq["versions"]] == [("1.0.0", "staging"), ("1.1.0", "production")]
    assert data["models"]["support-llm"]["versions"][0] == {
        k: v for k, v in json.loads(cli(repo.path, "get", "support-llm", "--version", "1.2.0").out).items()
        if k not in ("model", "commit")
    }
    old = json.loads(cli(repo.path, "export", "--ref", first).out)
    assert old["commit"] == first and list(old["models"]) == ["faq-bot"]


def test_export_is_written_a_model_at_a_time_and_prints_nothing_when_one_is_refused(cli, history, monkeypatch):
    # export streams: each model is dumped as it is read, the text waits in a spool (past
    # its memory part, a temporary file) and is printed only once every model passed
    from registry_tool import open_registry
    from registry_tool.cli import options
    from registry_tool.output.values import dump
    from registry_tool.read.documents import export_document

    repo, _ = history
    monkeypatch.setattr(options, "SPOOL_BYTES", 100)  # the spool rolls over to its file
    run = cli(repo.path, "export")
    assert run.code == 0 and run.out == dump(export_document(open_registry(repo.path).at("HEAD")))
    repo.write("models/tiny.yaml", MINIMAL_VERSION.replace("stage: staging", "stage: nowhere"))  # the last model
    repo.commit("tiny: a stage nobody declared")
    run = cli(repo.path, "export")
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith("registry-tool: error: models/tiny.yaml:")
    repo.git("rm", "-q", "models/faq-bot.yaml", "models/support-llm.yaml", "models/tiny.yaml")
    repo.commit("no models")
    assert json.loads(cli(repo.path, "export").out)["models"] == {}


@pytest.mark.parametrize("items", [[], [("a", {})], [("a", 1), ("b", [])], [("é\u202e", {"z": [1, {"y": None}], "a": "x\ny"})]])
def test_a_document_written_in_parts_is_the_document_dumped_whole(items):
    from registry_tool.output.values import dump, dump_parts

    for around in ({"commit": "c"}, {"commit": "c", "schema_version": 1}, {"zzz": {"n": [1]}}):
        assert "".join(dump_parts(around, "models", iter(items))) == dump({**around, "models": dict(items)})
        values = [value for _, value in items]
        assert "".join(dump_parts(around, "versions", iter(values), mapping=False)) == dump({**around, "versions": values})


def test_empty_repository_and_not_a_repository_exit_2(cli, repo, tmp_path):
    run = cli(repo.path, "get", "faq-bot", "--stage", "production")
    assert run.code == 2 and "HEAD has no commits yet" in run.err
    outside = tmp_path / "outside"
    outside.mkdir()
    run = cli(outside, "export")
    assert run.code == 2 and "not a Git repository" in run.err


def test_get_in_a_real_process(run_process, history):
    repo, _ = history
    proc = run_process(repo.path, "get", "faq-bot", "--stage", "production", "--field", "artifact.uri")
    assert (proc.code, proc.out, proc.err) == (0, uri("faq-bot", "1.1.0") + "\n", "")
    proc = run_process(repo.path, "get", "faq-bot", "--stage", "archived")
    assert proc.code == 1 and proc.err.count("\n") == 1 and "Traceback" not in proc.err


def test_show_model_says_when_by_whom_and_where_each_version_reached_its_stage(cli, history):
    repo, (_, second, third) = history
    repo.write("models/faq-bot.yaml", rich_model("faq-bot", ("1.0.0", "production"), ("1.1.0", "staging")))
    fourth = repo.commit("Roll back faq-bot to 1.0.0 (#7)")
    run = cli(repo.path, "show", "faq-bot")
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[0].split() == ["MODEL", "VERSION", "STAGE", "ARTIFACT", "SINCE", "BY", "COMMIT", "CLAIMED", "PR"]
    assert lines[0].endswith("  CLAIMED PR")  # a number in a commit message is a claim, as history says
    assert [line.split()[:2] + line.split()[4:] for line in lines[1:-1]] == [
        ["faq-bot", "1.0.0", "2024-11-04", "10:00", "Ada", "Lovelace", fourth[:12], "#7"],
        ["faq-bot", "1.1.0", "2024-11-04", "10:00", "Ada", "Lovelace", fourth[:12], "#7"],
    ]
    data = json.loads(cli(repo.path, "show", "faq-bot", "--ref", third, "--format", "json").out)
    assert [(v["version"], v["stage"], v["since"], v["stage_commit"], v["pull_request"], v["by"]) for v in data["versions"]] == [
        ("1.0.0", "staging", "2024-11-03T10:00:00Z", third, None, {"name": "Ada Lovelace", "email": "ada@example.com"}),
        ("1.1.0", "production", "2024-11-03T10:00:00Z", third, None, {"name": "Ada Lovelace", "email": "ada@example.com"}),
    ]
    run = cli(repo.path, "show", "--history", "--stage", "staging", "--format", "json")
    assert [(v["model"], v["version"], v["stage_commit"]) for v in json.loads(run.out)["versions"]] == [
        ("faq-bot", "1.1.0", fourth), ("tiny", "1", second),
    ]
    assert "SINCE" not in cli(repo.path, "show").out  # the whole registry: no history walk unless asked
