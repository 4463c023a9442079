"""registry-tool compare: versions side by side, as text, JSON and Markdown, on a real
repository whose policy guards metrics with no_regression."""

from __future__ import annotations

import json

import pytest
from builders import model, version

POLICY = """\
gates:
  production:
    no_regression: {accuracy: higher_is_better, latency_ms: lower_is_better, core-v1/score: higher_is_better}
"""


def faq(third: str = "none") -> str:
    """faq-bot: 1.0.0 in production, 1.1.0 staged, 1.2.0 in ``third``; metrics with suites."""
    return model(
        "faq-bot",
        version("1.0.0", "production", uri="s3://b/faq-bot/1.0.0/model.onnx", sha256="ab" * 32, size_bytes=100, fmt="onnx",
                run_id="run-1", metrics={"accuracy": 0.92, "latency_ms": 100, "slo_ok": True},
                suites={"core-v1": {"score": 0.9}}, tags=["baseline"]),
        version("1.1.0", "staging", uri="s3://b/faq-bot/1.1.0/model.onnx", sha256=None, fmt="onnx",
                metrics={"accuracy": 0.93, "latency_ms": 120, "slo_ok": False},
                suites={"core-v1": {"score": 0.9}, "safety": {"pass_rate": 0.99}}, tags=["candidate", "canary"]),
        version("1.2.0", third, uri="s3://b/faq-bot/1.2.0/model.onnx", sha256=None, metrics={"accuracy": 0.9, "f1": 0.8}))


@pytest.fixture
def reg(repo):
    repo.write("registry.yaml", POLICY)
    repo.write("models/faq-bot.yaml", faq())
    repo.commit("faq-bot")
    return repo


def test_json_has_each_version_as_get_shows_it_and_every_metric(cli, reg):
    run = cli(reg.path, "compare", "faq-bot", "1.0.0", "1.1.0", "1.2.0", "--format", "json")
    assert run.code == 0
    data = json.loads(run.out)
    assert data["model"] == "faq-bot" and data["commit"] == reg.git("rev-parse", "HEAD")
    for label, shown in zip(["1.0.0", "1.1.0", "1.2.0"], data["versions"], strict=True):
        got = json.loads(cli(reg.path, "get", "faq-bot", "--version", label).out)
        assert shown == {k: v for k, v in got.items() if k not in ("model", "commit")}
    assert data["metrics"] == [
        {"metric": "accuracy", "values": [0.92, 0.93, 0.9], "deltas": [None, 0.01, -0.02],
         "direction": "higher_is_better", "verdicts": [None, "better", "worse"]},
        {"metric": "f1", "values": [None, None, 0.8], "deltas": [None, None, None], "direction": None,
         "verdicts": [None, None, None]},
        {"metric": "latency_ms", "values": [100, 120, None], "deltas": [None, 20, None],
         "direction": "lower_is_better", "verdicts": [None, "worse", None]},
        {"metric": "slo_ok", "values": [True, False, None], "deltas": [None, None, None], "direction": None,
         "verdicts": [None, None, None]},
        {"metric": "core-v1/score", "values": [0.9, 0.9, None], "deltas": [None, 0, None],
         "direction": "higher_is_better", "verdicts": [None, "same", None]},
        {"metric": "safety/pass_rate", "values": [None, 0.99, None], "deltas": [None, None, None], "direction": None,
         "verdicts": [None, None, None]},
    ]


def test_text_is_an_aligned_table_with_changes_against_the_first(cli, reg):
    run = cli(reg.path, "compare", "faq-bot", "1.0.0", "1.1.0")
    assert run.code == 0
    lines = run.out.splitlines()
    head = reg.git("rev-parse", "HEAD")
    assert lines[0].split() == ["faq-bot", "1.0.0", "1.1.0"]
    rows = {line.split("  ")[0]: line for line in lines[1:-1]}
    assert list(rows) == ["stage", "artifact", "sha256", "size_bytes", "format", "run_id", "tags",
                          "accuracy (higher is better)", "latency_ms (lower is better)", "slo_ok",
                          "core-v1/score (higher is better)", "safety/pass_rate"]
    assert rows["accuracy (higher is better)"].split() == ["accuracy", "(higher", "is", "better)", "0.92", "0.93", "(+0.01,", "better)"]
    assert rows["latency_ms (lower is better)"].endswith("120 (+20, worse)")
    assert rows["core-v1/score (higher is better)"].endswith("0.9 (+0, same)")
    assert rows["sha256"].split() == ["sha256", "abababababab...", "-"]
    assert rows["tags"].split("  ")[-1].strip() == "candidate, canary"
    starts = [lines[0].index(h) for h in ("1.0.0", "1.1.0")]
    for line in lines[1:-1]:  # every cell starts under its header
        assert all(line[s - 2:s] == "  " and line[s] != " " for s in starts), line
    assert lines[-1] == f"faq-bot at HEAD ({head[:12]}); changes against 1.0.0"


def test_the_first_version_given_is_the_reference(cli, reg):
    data = json.loads(cli(reg.path, "compare", "faq-bot", "1.1.0", "1.0.0", "--format", "json").out)
    assert data["metrics"][0] == {"metric": "accuracy", "values": [0.93, 0.92], "deltas": [None, -0.01],
                                  "direction": "higher_is_better", "verdicts": [None, "worse"]}


def test_markdown_for_a_pull_request_comment(cli, reg):
    run = cli(reg.path, "compare", "faq-bot", "1.0.0", "1.1.0", "--format", "markdown")
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[:4] == ["### faq-bot: 1.0.0 vs 1.1.0", "", "| | 1.0.0 | 1.1.0 |", "|---|---|---|"]
    assert "| accuracy (higher is better) | 0.92 | 0.93 (+0.01, ✅ better) |" in lines
    assert "| latency_ms (lower is better) | 100 | 120 (+20, ❌ worse) |" in lines
    assert "| slo_ok | true | false |" in lines
    assert lines[-1].endswith("; better and worse as no_regression in registry.yaml judges them")


def test_markdown_without_unicode_output_falls_back_to_ascii(run_process, reg):
    done = run_process(reg.path, "compare", "faq-bot", "1.0.0", "1.1.0", "--format", "markdown",
                       env={"PYTHONIOENCODING": "ascii"})
    assert done.code == 0 and "(+0.01, ok: better)" in done.out and "(+20, FAIL: worse)" in done.out


def test_compare_reads_a_revision_or_a_time(cli, reg):
    first = reg.git("rev-parse", "HEAD")
    reg.write("models/faq-bot.yaml", faq("staging"))
    reg.commit("stage 1.2.0")
    data = json.loads(cli(reg.path, "compare", "faq-bot", "1.0.0", "1.2.0", "--ref", first, "--format", "json").out)
    assert data["commit"] == first and data["versions"][1]["stage"] == "none"
    data = json.loads(cli(reg.path, "compare", "faq-bot", "1.0.0", "1.2.0", "--format", "json").out)
    assert data["versions"][1]["stage"] == "staging"
    data = json.loads(cli(reg.path, "compare", "faq-bot", "1.0.0", "1.2.0", "--at", "2024-11-01T12:00:00Z",
                          "--format", "json").out)
    assert data["commit"] == first


@pytest.mark.parametrize(("args", "code", "message"), [
    (["faq-bot", "1.0.0", "9.9.9"], 1, "faq-bot has no version 9.9.9 at "),
    (["faq-bot", "1.0.0"], 2, "give at least two versions to compare"),
    (["faq-bot", "1.0.0", "1.1.0", "1.0.0"], 2, "version 1.0.0 is given twice; give each version once"),
    (["faq-bto", "1.0.0", "1.1.0"], 2, "unknown model 'faq-bto' at "),
])
def test_errors(cli, reg, args, code, message):
    run = cli(reg.path, "compare", *args)
    assert (run.code, run.out) == (code, "")
    assert message in run.err and run.err.count("\n") == 1
