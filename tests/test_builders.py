"""The test builder writes what it is asked to: the strict loader reads back the same values."""

from __future__ import annotations

import pytest
from builders import artifact_sha, artifact_uri, model, raw, sha, version

from registry_tool.yamlfile import loader

TRICKY = ["yes", "No", "on", "null", "~", "1.0", "010", "0o17", "0x1F", "1:20", "1e3", ".inf", "2024-01-01", "",
          "a: b", "#x", "- x", "[x]", "{x}", "x, y", "'q'", '"q"', "&a", "*a", "!x", "%x", "@x", "`x`", "café",
          "ft:gpt-4o:acme", "s3://b/k", "T-1.0.0", sha("x"), "1" * 64, "1" * 63 + "e", "12e45" + "0" * 59]


def read(text: str) -> dict:
    doc = loader.load(text.encode("utf-8"), "models/m.yaml")
    assert doc.ok, (text, doc.problems)
    return doc.data


@pytest.mark.parametrize("layout", ["block", "flow-items", "flow"])
@pytest.mark.parametrize("flow", [False, True])
def test_every_field_reads_back_as_given(layout, flow):
    metadata = {"team": "search", "nested": {"list": [1, 2.5, True], "deep": {"k": "v"}}}
    bindings = [{"provider": "openai", "provider_model_id": "ft:x:y", "config": {"temperature": 0.2}}]
    text = model("m", version("1.0", "staging", size_bytes=5, fmt="onnx", run_id="run-1", description="a: b",
                              metrics={"acc": 0.5, "n": 3}, suites={"core": {"ok": True, "score": 1}}, tags=["a", "b"],
                              metadata=metadata, bindings=bindings, flow=flow),
                 version("v2", uri="hf://x/y", sha256=None, artifact_flow=True),
                 owner="hazel", description="Q&A", task="qa", tags=["nlp"], metadata={"k": [1]}, layout=layout)
    assert read(text) == {
        "name": "m", "owner": "hazel", "description": "Q&A", "task": "qa", "tags": ["nlp"], "metadata": {"k": [1]},
        "versions": [
            {"version": "1.0", "stage": "staging", "description": "a: b",
             "artifact": {"uri": artifact_uri("m", "1.0"), "sha256": artifact_sha("m", "1.0"), "size_bytes": 5,
                          "format": "onnx"},
             "run_id": "run-1", "metrics": {"acc": 0.5, "n": 3, "suites": {"core": {"ok": True, "score": 1}}},
             "tags": ["a", "b"], "metadata": metadata, "bindings": bindings},
            {"version": "v2", "stage": "none", "artifact": {"uri": "hf://x/y"}},
        ]}


@pytest.mark.parametrize("value", TRICKY)
def test_strings_that_look_like_something_else_stay_strings(value):
    data = read(model("m", version("1", metadata={value: value}), owner=value, extra={"x": [value]}))
    assert (data["owner"], data["x"], data["versions"][0]["metadata"]) == (value, [value], {value: value})


@pytest.mark.parametrize("quote", ['"', "'", ""])
@pytest.mark.parametrize("indent, step", [(0, 2), (2, 4)])
def test_style_knobs_change_the_layout_not_the_values(quote, indent, step):
    text = model("m", version("v1", metrics={"acc": 0.5}), indent=indent, step=step, quote=quote)
    assert read(text)["versions"] == [{"version": "v1", "stage": "none", "metrics": {"acc": 0.5},
                                       "artifact": {"uri": artifact_uri("m", "v1"), "sha256": artifact_sha("m", "v1")}}]
    assert f"\n{' ' * indent}- version: {quote}v1{quote}\n" in text
    assert f"\n{' ' * (indent + 2 + step)}acc: 0.5\n" in text


def test_raw_text_is_written_verbatim():
    assert "\ntask: yes\n" in model("m", task=raw("yes"))
    assert "\ntask: \"yes\"\n" in model("m", task="yes")
    assert model("m") == "name: m\nversions: []\n"
