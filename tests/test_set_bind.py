"""Editing every field from the CLI: set (model and version fields), bind, register's new
options, and retention's default from registry.yaml. Each on hand-written files, with the
exact lines the edit changes and every other byte kept."""

from __future__ import annotations

import hashlib
import json

import pytest
from edit_helpers import FAQ, OCR, changed_lines, fingerprint, text, two_models


@pytest.fixture
def reg(repo):
    return two_models(repo)


def edit(cli, reg, *args):
    """Run an edit for real, check it validates against HEAD, and return the diff's changed lines."""
    dry = cli(reg.path, *args, "--dry-run")
    assert dry.code == 0, dry.err
    run = cli(reg.path, *args)
    assert run.code == 0, run.err
    assert cli(reg.path, "validate", "--base", "HEAD").code == 0
    return changed_lines(dry.out)


def test_set_model_fields_in_place(cli, reg):
    lines = edit(cli, reg, "set", "faq-bot", "--owner", "hazel", "--task", "generation", "--description", "Answers: v2",
                 "--tag", "llm", "--untag", "chat", "--metadata", "team=support", "--metadata", 'langs=["en", "fr"]')
    assert lines == [
        "-description: 'Q&A bot: answers from the help centre'",
        "-tags: [nlp,   chat]",
        "+description: 'Answers: v2'",  # its quoting kept
        "+owner: hazel",
        "+task: generation",
        "+tags: [nlp,   llm]",          # the list's spacing kept
        "+metadata: {team: support, langs: [en, fr]}",
    ]
    assert json.loads(cli(reg.path, "export", "--ref", "HEAD").out)["models"]["faq-bot"]["tags"] == ["nlp", "chat"]


def test_set_a_version_adds_keys_where_the_file_orders_them(cli, reg):
    lines = edit(cli, reg, "set", "faq-bot", "1.1.0", "--description", "Canary: new prompt", "--tag", "canary",
                 "--metadata", "ticket=T-1", "--metadata", "epochs=3", "--metadata", "build=\"042\"")
    assert lines == [
        '+    description: "Canary: new prompt"',
        "+    tags: [canary]",
        '+    metadata: {ticket: T-1, epochs: 3, build: "042"}',
    ]
    assert text(reg).index("description: \"Canary") < text(reg).index('artifact: {uri: "s3://bucket/faq-bot/1.1.0')


def test_set_then_unset_gives_the_original_bytes_back(cli, reg):
    edit(cli, reg, "set", "faq-bot", "1.1.0", "--tag", "a", "--tag", "b", "--metadata", "k=1", "--metadata", "j=2")
    edit(cli, reg, "set", "faq-bot", "1.1.0", "--untag", "a", "--unset-metadata", "j")
    assert "    tags: [b]\n    metadata: {k: 1}\n" in text(reg)
    edit(cli, reg, "set", "faq-bot", "1.1.0", "--untag", "b", "--unset-metadata", "k")
    assert text(reg) == FAQ  # the last tag and key take their keys with them


def test_block_lists_and_mappings(cli, repo):
    repo.write("models/m.yaml", "name: m\nmetadata:\n  team: a   # who\n  cost: 1\nversions:\n"
                                '  - version: "1"\n    stage: none\n    artifact:\n      uri: s3://b/m/1\n'
                                "    tags:\n      # first\n      - x\n      - w\n")
    repo.commit("m")
    assert edit(cli, repo, "set", "m", "1", "--tag", "z", "--untag", "x") == ["-      # first", "-      - x", "+      - z"]
    assert edit(cli, repo, "set", "m", "--metadata", "team=b", "--unset-metadata", "cost") == [
        "-  team: a   # who", "-  cost: 1", "+  team: b   # who"]
    assert edit(cli, repo, "set", "m", "--metadata", 'team={"lead": "ada"}') == [
        "-  team: b   # who", "+  team: {lead: ada}"]


def test_set_on_a_crlf_flow_file(cli, reg):
    lines = edit(cli, reg, "set", "ocr", "v2", "--tag", "ocr", "--description", "second")
    assert lines == ["-  {version: v2, stage: none, artifact: {uri: 'gs://m/ocr/v2'}},",
                     "+  {version: v2, stage: none, description: second, artifact: {uri: 'gs://m/ocr/v2'}, tags: [ocr]},"]
    assert text(reg, "ocr").count("\r\n") == OCR.count("\r\n")


def test_a_block_description_is_rewritten_on_one_line(cli, repo):
    repo.write("models/m.yaml", 'name: m\ndescription: |\n  Two\n  lines\nversions:\n  - version: "1"\n'
                                "    stage: none\n    artifact: {uri: s3://b/m/1}\n")
    repo.commit("m")
    assert edit(cli, repo, "set", "m", "--description", "One line") == ["-description: |", "-  Two", "-  lines",
                                                                        "+description: One line"]


def test_fill_in_facts_never_registered_but_never_change_one(cli, reg, tmp_path):
    artifact = tmp_path / "model.onnx"
    artifact.write_bytes(b"weights" * 100)
    sha = hashlib.sha256(artifact.read_bytes()).hexdigest()
    lines = edit(cli, reg, "set", "faq-bot", "1.2.0", "--file", str(artifact), "--artifact-format", "onnx", "--run-id", "run-9")
    assert lines == ['-    artifact: {uri: "s3://bucket/faq-bot/1.2.0/model.onnx"}',
                     f'+    artifact: {{uri: "s3://bucket/faq-bot/1.2.0/model.onnx", sha256: {sha}, size_bytes: 700, format: onnx}}',
                     "+    run_id: run-9"]
    before = fingerprint(reg.path)
    run = cli(reg.path, "set", "faq-bot", "1.0.0", "--sha256", "f" * 64)  # registered: immutable
    assert run.code == 1
    assert "immutable-field: faq-bot 1.0.0: artifact.sha256 changed" in run.err
    assert fingerprint(reg.path) == before


def test_nothing_to_change_and_notes(cli, reg):
    run = cli(reg.path, "set", "faq-bot", "--tag", "nlp", "--untag", "nope", "--unset-metadata", "zzz")
    assert (run.code, run.out) == (0, "")
    assert run.err == ("faq-bot has tag nlp already\nfaq-bot has no tag nope to remove\nfaq-bot has no metadata zzz to remove\n"
                       "faq-bot: nothing to change\n")
    assert text(reg) == FAQ


@pytest.mark.parametrize(("args", "code", "message"), [
    (["faq-bot", "1.1.0", "--owner", "x"], 2, "owner and task are the model's: set them without a VERSION"),
    (["faq-bot", "--run-id", "r"], 2, "run_id and artifact facts belong to a version: name the VERSION"),
    (["faq-bot", "--tag", "a", "--untag", "a"], 2, "tag a is both added and removed; give it once"),
    (["faq-bot", "--metadata", "a=1", "--unset-metadata", "a"], 2, "metadata a is both set and unset; give it once"),
    (["faq-bot", "--metadata", "a=1", "--metadata", "a=2"], 2, "--metadata a is given twice; give it once"),
    (["faq-bot", "--metadata", "=1"], 2, "--metadata '=1' is not KEY=VALUE"),
    (["faq-bot", "9.9.9", "--tag", "x"], 2, "faq-bot has no version 9.9.9 (versions: 1.0.0, 1.1.0, 1.2.0)"),
    (["nope", "--tag", "x"], 2, "no model nope: models/nope.yaml does not exist"),
    (["faq-bot", "--task", "Text Generation"], 1, "schema: task: 'Text Generation' is not"),
    (["faq-bot", "--tag", "has space"], 1, "schema: tags[2]: 'has space' is not a tag"),
])
def test_refusals_write_nothing(cli, reg, args, code, message):
    before = fingerprint(reg.path)
    run = cli(reg.path, "set", *args)
    assert run.code == code
    assert message in run.err
    assert fingerprint(reg.path) == before


def test_set_commits_on_a_branch(cli, reg):
    run = cli(reg.path, "set", "faq-bot", "--owner", "hazel", "--branch", "owner")
    assert run.code == 0 and run.out.startswith("[owner ")
    assert "set faq-bot: owner=hazel" in reg.git("log", "-1", "--format=%s", "owner")
    assert text(reg) == FAQ


def test_a_bad_config_assignment_shows_a_config_example(cli, reg):
    run = cli(reg.path, "bind", "faq-bot", "1.1.0", "--provider", "openai", "--provider-model-id", "m", "--config", "temperature")
    assert (run.code, run.out) == (2, "")
    assert run.err == "registry-tool: error: --config 'temperature' is not KEY=VALUE (e.g. temperature=0.2, max_tokens=512)\n"


def test_bind_adds_updates_and_removes_a_provider_binding(cli, reg):
    lines = edit(cli, reg, "bind", "faq-bot", "1.1.0", "--provider", "openai", "--provider-model-id", "ft:gpt-4o-mini:acme:9xQ2",
                 "--status", "active", "--config", "temperature=0.2")
    assert lines == ["+    bindings:", "+      - provider: openai", "+        provider_model_id: ft:gpt-4o-mini:acme:9xQ2",
                     "+        status: active", "+        config: {temperature: 0.2}"]
    lines = edit(cli, reg, "bind", "faq-bot", "1.1.0", "--provider", "openai", "--provider-model-id", "ft:gpt-4o-mini:acme:9xQ2",
                 "--status", "inactive", "--region", "us-east-1", "--config", "top_p=1")
    assert lines == ["-        status: active", "-        config: {temperature: 0.2}", "+        status: inactive",
                     "+        region: us-east-1", "+        config: {temperature: 0.2, top_p: 1}"]
    edit(cli, reg, "bind", "faq-bot", "1.1.0", "--provider", "vertex", "--provider-model-id", "projects/p/models/7",
         "--endpoint-url", "https://vertex.example/v1")
    reg.commit("bindings")
    got = json.loads(cli(reg.path, "get", "faq-bot", "--version", "1.1.0").out)["bindings"]
    assert got == [{"provider": "openai", "provider_model_id": "ft:gpt-4o-mini:acme:9xQ2", "status": "inactive",
                    "region": "us-east-1", "config": {"temperature": 0.2, "top_p": 1}},
                   {"provider": "vertex", "provider_model_id": "projects/p/models/7", "endpoint_url": "https://vertex.example/v1"}]
    run = cli(reg.path, "bind", "faq-bot", "1.1.0", "--provider", "openai", "--provider-model-id", "ft:gpt-4o-mini:acme:9xQ2",
              "--status", "inactive")
    assert (run.code, run.err) == (0, "faq-bot 1.1.0 is bound to openai ft:gpt-4o-mini:acme:9xQ2 as given: nothing to change\n")
    edit(cli, reg, "bind", "faq-bot", "1.1.0", "--provider", "openai", "--remove")
    edit(cli, reg, "bind", "faq-bot", "1.1.0", "--provider", "vertex", "--remove")
    assert text(reg) == FAQ


def test_bind_in_a_flow_version(cli, reg):
    assert edit(cli, reg, "bind", "ocr", "v2", "--provider", "bedrock", "--provider-model-id", "arn:aws:bedrock:x") == [
        "-  {version: v2, stage: none, artifact: {uri: 'gs://m/ocr/v2'}},",
        "+  {version: v2, stage: none, artifact: {uri: 'gs://m/ocr/v2'}, bindings: [{provider: bedrock, provider_model_id: "
        "arn:aws:bedrock:x}]},",
    ]


@pytest.mark.parametrize(("args", "message"), [
    (["--provider", "openai"], "bind needs --provider-model-id (or --remove)"),
    (["--provider", "openai", "--remove", "--status", "active"], "--remove takes only --provider and --provider-model-id"),
    (["--provider", "openai", "--provider-model-id", "x", "--endpoint-url", "ftp://x"], "endpoint_url"),
    (["--provider", "Open AI", "--provider-model-id", "x"], "provider"),
])
def test_bind_refusals(cli, reg, args, message):
    before = fingerprint(reg.path)
    run = cli(reg.path, "bind", "faq-bot", "1.1.0", *args)
    assert run.code in (1, 2) and message in run.err
    assert fingerprint(reg.path) == before


def test_removing_one_of_several_bindings_to_a_provider_needs_its_id(cli, reg):
    for model_id in ("a", "b"):
        edit(cli, reg, "bind", "faq-bot", "1.1.0", "--provider", "openai", "--provider-model-id", model_id)
    run = cli(reg.path, "bind", "faq-bot", "1.1.0", "--provider", "openai", "--remove")
    assert (run.code, run.err) == (2, "registry-tool: error: faq-bot 1.1.0 has 2 bindings to openai: name one with "
                                      "--provider-model-id\n")
    edit(cli, reg, "bind", "faq-bot", "1.1.0", "--provider", "openai", "--provider-model-id", "a", "--remove")
    reg.commit("one binding left")
    assert [b["provider_model_id"] for b in json.loads(cli(reg.path, "get", "faq-bot", "--version", "1.1.0").out)["bindings"]] == ["b"]


def test_register_a_new_model_with_its_owner_description_task_and_metadata(cli, reg):
    run = cli(reg.path, "register", "sentiment", "0.1.0", "--artifact-uri", "hf://acme/sentiment@0.1.0",
              "--artifact-format", "safetensors", "--owner", "@acme/nlp", "--model-description", "Reviews: sentiment",
              "--task", "classification", "--metadata", "team=nlp", "--metadata", "epochs=3")
    assert run.code == 0, run.err
    assert text(reg, "sentiment") == """\
# yaml-language-server: $schema=../schemas/model.schema.json
name: sentiment
description: "Reviews: sentiment"
owner: "@acme/nlp"
task: classification
versions:
  - version: "0.1.0"
    stage: none
    artifact:
      uri: hf://acme/sentiment@0.1.0
      format: safetensors
    metadata: {team: nlp, epochs: 3}
"""
    assert cli(reg.path, "validate", "--base", "HEAD").code == 0


def test_registering_a_new_model_again_is_a_no_op_and_metadata_counts(cli, reg):
    """A re-run of the command that created a model (its --owner and --task included)
    changes nothing; a different metadata value is a different registration."""
    args = ["register", "sentiment", "0.1.0", "--artifact-uri", "hf://acme/sentiment@0.1.0", "--owner", "@acme/nlp",
            "--task", "classification", "--metadata", "team=nlp"]
    assert cli(reg.path, *args, "--commit").code == 0
    before = fingerprint(reg.path)
    run = cli(reg.path, *args, "--commit")
    assert (run.code, run.err) == (0, "sentiment 0.1.0 is already registered as given (now in none): nothing to change\n")
    run = cli(reg.path, *args[:-1], "team=vision", "--commit")
    assert (run.code, run.err) == (1, "registry-tool: error: sentiment 0.1.0 is already registered (with a different "
                                      "metadata.team); register a new version label instead\n")
    run = cli(reg.path, *args[:5], "--owner", "bob", "--task", "classification")
    assert run.code == 2 and run.err.startswith("registry-tool: error: --owner: only for a new model, and sentiment exists")
    assert fingerprint(reg.path) == before


def test_register_model_fields_are_for_a_new_model_only(cli, reg):
    run = cli(reg.path, "register", "faq-bot", "3.0.0", "--artifact-uri", "s3://b/f/3", "--owner", "bob", "--task", "qa")
    assert (run.code, run.err) == (2, "registry-tool: error: --owner, --task: only for a new model, and faq-bot exists; "
                                      "change it with registry-tool set faq-bot --owner/--description/--task\n")
    assert text(reg) == FAQ


def test_register_format_is_a_hidden_alias_of_artifact_format(cli, reg):
    run = cli(reg.path, "register", "faq-bot", "3.0.0", "--artifact-uri", "s3://b/f/3", "--format", "onnx", "--dry-run")
    assert run.code == 0
    assert "+    artifact: {uri: s3://b/f/3, format: onnx}" in run.out
    assert run.err.startswith("registry-tool: warning: register --format is now --artifact-format")
    assert "--format" not in cli(reg.path, "register", "--help").out
    run = cli(reg.path, "register", "faq-bot", "3.0.0", "--artifact-uri", "s3://b/f/3", "--format", "onnx",
              "--artifact-format", "onnx")
    assert (run.code, run.err) == (2, "registry-tool: error: give --artifact-format once (--format is its old name)\n")


def retained(name: str) -> str:
    """A model with five versions in stage none."""
    return f"name: {name}\nversions:\n" + "".join(f'  - version: "{i}"\n    stage: none\n    artifact: {{uri: s3://b/{i}}}\n'
                                                for i in range(1, 6))


def test_retention_without_keep_uses_registry_yaml(cli, repo):
    repo.write("models/a.yaml", retained("a"))
    repo.write("models/b.yaml", retained("b"))
    repo.write("models/c.yaml", retained("c"))
    repo.write("registry.yaml", "retention: {keep: 3}\nmodels:\n  b:\n    retention: {keep: 4}\n")
    repo.commit("three models")
    run = cli(repo.path, "retention", "--json")
    assert run.code == 0
    assert json.loads(run.out)["notes"] == [f"archive {m} {v}" for m, v in
                                            [("a", "1"), ("a", "2"), ("b", "1"), ("c", "1"), ("c", "2")]]
    run = cli(repo.path, "retention", "b")
    assert (run.code, run.err) == (0, "nothing to archive: no version beyond the newest 4 versions is in none (the first "
                                      "stage, the only one retention archives from) without an alias naming it\n")
    assert cli(repo.path, "validate", "--base", "HEAD").code == 0


def test_retention_per_model_default_alone(cli, repo):
    repo.write("models/a.yaml", retained("a"))
    repo.write("models/b.yaml", retained("b"))
    repo.write("registry.yaml", "models:\n  b:\n    retention: {keep: 4}\n")
    repo.commit("two models")
    run = cli(repo.path, "retention", "a")
    assert run.code == 2 and "retention needs --keep N, or retention: {keep: N}" in run.err
    run = cli(repo.path, "retention")
    assert run.code == 0 and run.out.startswith("retention: keep the newest versions, as registry.yaml's retention says, "
                                                "archive b 1:")
    assert "stage: archived" not in (repo.path / "models/a.yaml").read_text()


def test_retention_needs_a_keep_from_somewhere(cli, reg):
    run = cli(reg.path, "retention")
    assert (run.code, run.err) == (2, "registry-tool: error: retention needs --keep N, or retention: {keep: N} (or models: "
                                      "{NAME: {retention: ...}}) in registry.yaml\n")


def test_an_invalid_retention_policy_is_refused(cli, reg):
    reg.write("registry.yaml", "retention: {keep: 0}\n")
    run = cli(reg.path, "validate")
    assert run.code == 1 and "registry.yaml:1:" in run.out and "retention.keep" in run.out


def test_removing_a_binding_that_is_not_there_changes_nothing_and_says_so(cli, reg):
    """As removing an alias or a tag that is not there: the registry is already as asked
    (a pipeline that runs the removal twice does not fail the second time)."""
    before = fingerprint(reg.path)
    run = cli(reg.path, "bind", "faq-bot", "1.1.0", "--provider", "openai", "--remove")
    assert (run.code, run.out) == (0, "")
    assert "faq-bot 1.1.0 has no binding to openai: nothing to change" in run.err
    assert fingerprint(reg.path) == before
