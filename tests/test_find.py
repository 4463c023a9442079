"""show's filters (--tag, --owner, --task, --stage, --where) and RegistrySnapshot.find, on a
real repository, through the CLI."""

from __future__ import annotations

import json

import pytest
from builders import model, version

from registry_tool import RegistryError, open_registry

FAQ = model(
    "faq-bot",
    version("1.0.0", "archived", uri="s3://b/faq-bot/1.0.0/model.onnx", sha256=None, fmt="onnx", size_bytes=100,
            metrics={"accuracy": 0.88}, flow=True, artifact_flow=True),
    version("1.1.0", "production", uri="s3://b/faq-bot/1.1.0/model.onnx", sha256=None, fmt="onnx", size_bytes=120,
            run_id="run-11", metrics={"accuracy": 0.92, "slo_ok": True}, suites={"core-v1": {"score": 0.91}},
            tags=["baseline"], metadata={"team": "support", "langs": ["en", "fr"]}, artifact_flow=True),
    version("1.10.0", "staging", uri="s3://b/faq-bot/1.10.0/model.gguf", sha256=None, fmt="gguf",
            metrics={"accuracy": 0.95, "slo_ok": False}, suites={"core-v1": {"score": 0.93}}, tags=["candidate"],
            artifact_flow=True),
    owner="hazel", task="generation", tags=["nlp", "chat"], metadata={"team": "support"})

OCR = model(
    "ocr",
    version("2", "production", uri="gs://m/ocr/2", sha256=None, fmt="onnx", metrics={"accuracy": 0.9, "cer": 0.08},
            tags=["nlp"], metadata={"team": "vision"}, flow=True, artifact_flow=True),
    version("3", "none", uri="gs://m/ocr/3", sha256=None, artifact_flow=True),
    owner="ravi", task="classification")

TINY = model("tiny", version("1", "staging", uri="s3://b/tiny/1", sha256=None, artifact_flow=True))


@pytest.fixture
def reg(repo):
    repo.write("models/faq-bot.yaml", FAQ)
    repo.write("models/ocr.yaml", OCR)
    repo.write("models/tiny.yaml", TINY)
    repo.commit("three models")
    return repo


def found(cli, reg, *args):
    """(model, version) of every row ``show --format json`` prints."""
    run = cli(reg.path, "show", *args, "--format", "json")
    assert run.code == 0, run.err
    return [(row["model"], row["version"]) for row in json.loads(run.out)["versions"]]


def test_tag_matches_a_version_tag_or_its_model_tag(cli, reg):
    assert found(cli, reg, "--tag", "nlp") == [("faq-bot", "1.0.0"), ("faq-bot", "1.1.0"), ("faq-bot", "1.10.0"), ("ocr", "2")]
    assert found(cli, reg, "--tag", "candidate") == [("faq-bot", "1.10.0")]
    assert found(cli, reg, "--tag", "nlp", "--tag", "baseline") == [("faq-bot", "1.1.0")]  # repeated: all of them
    assert found(cli, reg, "--tag", "nope") == []


def test_owner_task_and_stage_combine_with_and(cli, reg):
    assert found(cli, reg, "--owner", "ravi") == [("ocr", "2"), ("ocr", "3")]
    assert found(cli, reg, "--task", "generation", "--stage", "staging") == [("faq-bot", "1.10.0")]
    assert found(cli, reg, "--owner", "hazel", "--task", "classification") == []
    assert found(cli, reg, "--stage", "production", "--tag", "nlp", "--owner", "ravi") == [("ocr", "2")]


@pytest.mark.parametrize(("where", "expected"), [
    ("metrics.accuracy>=0.92", [("faq-bot", "1.1.0"), ("faq-bot", "1.10.0")]),
    ("metrics.accuracy > 0.92", [("faq-bot", "1.10.0")]),
    ("metrics.accuracy<0.9", [("faq-bot", "1.0.0")]),
    ("metrics.accuracy<=0.9", [("faq-bot", "1.0.0"), ("ocr", "2")]),
    ("metrics.accuracy=0.9", [("ocr", "2")]),
    ("metrics.accuracy==0.90", [("ocr", "2")]),
    ("metrics.accuracy!=0.9", [("faq-bot", "1.0.0"), ("faq-bot", "1.1.0"), ("faq-bot", "1.10.0")]),  # missing never matches
    ("metrics.suites.core-v1.score>0.92", [("faq-bot", "1.10.0")]),
    ("metrics.slo_ok=true", [("faq-bot", "1.1.0")]),
    ("metrics.slo_ok=false", [("faq-bot", "1.10.0")]),
    ("metrics.slo_ok>0", []),  # booleans are not ordered
    ("artifact.format=onnx", [("faq-bot", "1.0.0"), ("faq-bot", "1.1.0"), ("ocr", "2")]),
    ("artifact.format!=onnx", [("faq-bot", "1.10.0")]),
    ("artifact.size_bytes>=110", [("faq-bot", "1.1.0")]),
    ("run_id=run-11", [("faq-bot", "1.1.0")]),
    ("metadata.team=vision", [("ocr", "2")]),
    ("metadata.langs=fr", [("faq-bot", "1.1.0")]),  # a list holds the value
    ("tags=baseline", [("faq-bot", "1.1.0")]),
    ("tags!=baseline", [("faq-bot", "1.0.0"), ("faq-bot", "1.10.0"), ("ocr", "2"), ("ocr", "3"), ("tiny", "1")]),
    ("version=1.10.0", [("faq-bot", "1.10.0")]),  # labels compare as text: 1.10.0 is not 1.1
    ("version='1.10.0'", [("faq-bot", "1.10.0")]),
    ("version=2", [("ocr", "2")]),
    ("stage=none", [("ocr", "3")]),
    ("model=tiny", [("tiny", "1")]),
    ("artifact.uri>=s3://", [("faq-bot", "1.0.0"), ("faq-bot", "1.1.0"), ("faq-bot", "1.10.0"), ("tiny", "1")]),
    ("bindings.0.provider=openai", []),  # a field of the shape that no version has here: an empty answer
])
def test_where_compares_by_the_kind_of_value_found(cli, reg, where, expected):
    assert found(cli, reg, "--where", where) == expected


def test_where_is_repeatable_and_combines_with_the_other_filters(cli, reg):
    assert found(cli, reg, "--where", "metrics.accuracy>=0.9", "--where", "artifact.format=onnx") == [("faq-bot", "1.1.0"), ("ocr", "2")]
    assert found(cli, reg, "--where", "metrics.accuracy>=0.9", "--tag", "nlp", "--owner", "hazel", "--stage", "staging") == \
        [("faq-bot", "1.10.0")]
    # with a MODEL only its versions are read: a metric it never had is refused, as a typo would be
    run = cli(reg.path, "show", "faq-bot", "--where", "metrics.cer<1")
    assert (run.code, run.err) == (2, "registry-tool: error: --where 'metrics.cer<1': no version of faq-bot has metrics.cer; "
                                      "fields there: metrics.accuracy, metrics.slo_ok, metrics.suites\n")


@pytest.mark.parametrize(("where", "message"), [
    ("metrics.acuracy>0.9", "--where 'metrics.acuracy>0.9': no version has metrics.acuracy; did you mean 'metrics.accuracy'?"),
    ("metadata.taem=support", "--where 'metadata.taem=support': no version has metadata.taem; did you mean 'metadata.team'?"),
    ("metric.accuracy>0.9", "--where 'metric.accuracy>0.9': 'metric' is not a field; did you mean 'metrics'?"),
    ("artifact.fromat=onnx", "--where 'artifact.fromat=onnx': not an artifact field; did you mean 'format'?"),
    ("version.major=1", "--where 'version.major=1': version is a single value, with no fields below it"),
    ("commit=abc", "--where 'commit=abc': 'commit' is not a field; allowed: artifact, bindings, description, metadata, "
                   "metrics, model, run_id, stage, tags, version"),
    ("metrics.accuracy>high", "--where 'metrics.accuracy>high': metrics.accuracy is compared as a number, and 'high' is not one"),
    ("metrics.accuracy", "--where 'metrics.accuracy': not FIELD OP VALUE (e.g. metrics.accuracy>=0.9, artifact.format=onnx); "
                         "OP is one of = != < <= > >="),
    ("metrics.accuracy>=", "--where 'metrics.accuracy>=': not FIELD OP VALUE"),
    ("metrics..accuracy=1", "--where 'metrics..accuracy=1': an empty part"),
])
def test_a_typo_in_a_field_is_exit_2_with_a_did_you_mean(cli, reg, where, message):
    run = cli(reg.path, "show", "--where", where)
    assert run.code == 2 and run.out == ""
    assert run.err.startswith(f"registry-tool: error: {message}") and run.err.count("\n") == 1


def test_a_metric_no_version_has_lists_what_there_is(cli, reg):
    run = cli(reg.path, "show", "--where", "metrics.zzz=1")
    assert run.code == 2
    assert run.err == ("registry-tool: error: --where 'metrics.zzz=1': no version has metrics.zzz; fields there: "
                       "metrics.accuracy, metrics.cer, metrics.slo_ok, metrics.suites\n")
    run = cli(reg.path, "show", "--where", "metrics.suites.core-v2.score>0")
    assert run.err == ("registry-tool: error: --where 'metrics.suites.core-v2.score>0': no version has "
                       "metrics.suites.core-v2.score; did you mean 'metrics.suites.core-v1.score'?\n")
    run = cli(reg.path, "show", "--where", "bindings.0.config.temperature<1")
    assert run.err == ("registry-tool: error: --where 'bindings.0.config.temperature<1': no version has "
                       "bindings.0.config.temperature; no version has anything under bindings\n")


def test_the_table_says_what_was_matched(cli, reg):
    head = reg.git("rev-parse", "HEAD")
    run = cli(reg.path, "show", "--tag", "nlp", "--where", "metrics.accuracy >= 0.92")
    assert run.code == 0
    lines = run.out.splitlines()
    assert [line.split()[:3] for line in lines[1:-1]] == [["faq-bot", "1.1.0", "production"], ["faq-bot", "1.10.0", "staging"]]
    assert lines[-1] == f"2 versions of 3 models at HEAD ({head[:12]}), matching --tag nlp --where metrics.accuracy>=0.92"
    run = cli(reg.path, "show", "--owner", "nobody")
    assert run.out == f"0 versions of 3 models at HEAD ({head[:12]}), matching --owner nobody\n"


def test_json_rows_carry_the_shapes_of_get(cli, reg):
    rows = json.loads(cli(reg.path, "show", "--where", "run_id=run-11", "--format", "json").out)["versions"]
    got = json.loads(cli(reg.path, "get", "faq-bot", "--version", "1.1.0").out)
    del got["commit"]
    assert rows == [{**got, "aliases": []}]  # and the aliases naming it
    assert rows[0]["artifact"] == {"uri": "s3://b/faq-bot/1.1.0/model.onnx", "format": "onnx", "size_bytes": 120}
    assert rows[0]["metrics"] == {"accuracy": 0.92, "slo_ok": True, "suites": {"core-v1": {"score": 0.91}}}


def test_find_in_the_python_api(reg):
    snap = open_registry(reg.path).at("HEAD")
    pairs = snap.find(tags=["nlp"], where=["metrics.accuracy>=0.92"])
    assert [(m.name, v.version) for m, v in pairs] == [("faq-bot", "1.1.0"), ("faq-bot", "1.10.0")]
    assert [(m.name, v.version) for m, v in snap.find("ocr", stage="none")] == [("ocr", "3")]
    assert [v.version for _, v in snap.find(owner="ravi", task="classification", stage="production")] == ["2"]
    with pytest.raises(RegistryError, match=r"did you mean 'metrics\.accuracy'"):
        snap.find(where=["metrics.acuracy>1"])
    with pytest.raises(RegistryError, match="unknown stage 'prod'"):
        snap.find(stage="prod")


def test_one_version_shape_in_get_show_export_and_the_api(cli, reg):
    """The same version is the same object in get, show --format json, export and
    version_dict: suites under metrics.suites, the artifact as an object."""
    from registry_tool.read.documents import version_dict

    got = json.loads(cli(reg.path, "get", "faq-bot", "--version", "1.1.0").out)
    row = json.loads(cli(reg.path, "show", "faq-bot", "--where", "version=1.1.0", "--format", "json").out)["versions"][0]
    exported = json.loads(cli(reg.path, "export").out)["models"]["faq-bot"]["versions"][1]
    api = version_dict(open_registry(reg.path).at("HEAD").version("faq-bot", version="1.1.0"))
    same = {k: v for k, v in got.items() if k not in ("commit", "model")}
    assert exported == api == same
    assert {k: v for k, v in row.items() if k in same} == same
