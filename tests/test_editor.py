"""The editor on hand-written files full of comments and odd-but-valid styling: each test
asserts the exact resulting text, so every byte outside the edit is proven kept."""

from __future__ import annotations

import pytest

from registry_tool.edit.model_editor import ModelEditor, new_model_text
from registry_tool.errors import EditError
from registry_tool.yamlfile import render

COMMENTED = """\
# yaml-language-server: $schema=../schemas/model.schema.json
# Owned by the help-centre team.   Ask in #support-ml before promoting.
name: faq-bot   # must equal the file name
description: 'Q&A bot: answers from the help centre'
tags: [nlp,   chat]     # odd spacing is kept

versions:
  # the baseline
  - version: "1.0.0"
    stage: "production"        # quoted on purpose
    artifact:
      uri: s3://bucket/faq-bot/1.0.0/model.onnx
      format: onnx
    metrics: {accuracy: 0.92,f1: 0.88}

  - version: "1.1.0"
    stage: staging   # canary
    artifact: {uri: "s3://bucket/faq-bot/1.1.0/model.onnx", format: onnx}
    # the canary's numbers
    metrics:
      accuracy: 0.93   # offline
      suites:
        core-v1: {score: 0.9}
    # TODO: latency numbers

# end of file
"""


def edit(text: str, action) -> str:
    editor = ModelEditor(text, "models/faq-bot.yaml")
    action(editor)
    return editor.text


def test_stage_change_keeps_quotes_and_comments():
    out = edit(COMMENTED, lambda e: (e.set_stage("1.0.0", "staging"), e.set_stage("1.1.0", "production")))
    assert out == COMMENTED.replace('stage: "production"        # quoted', 'stage: "staging"        # quoted').replace(
        "stage: staging   # canary", "stage: production   # canary")


def test_new_version_after_the_last_one_its_comments_and_a_blank_line_like_the_others():
    out = edit(COMMENTED, lambda e: e.add_version({
        "version": "1.2.0", "stage": "none",
        "artifact": {"uri": "s3://bucket/faq-bot/1.2.0/model.onnx", "sha256": "ab" * 32, "format": "onnx"},
        "tags": ["candidate"],
    }))
    # The last version writes its artifact in flow style and its metrics in block style:
    # the new version follows it; the blank line between versions is repeated.
    assert out == COMMENTED.replace("""    # TODO: latency numbers
""", """    # TODO: latency numbers

  - version: "1.2.0"
    stage: none
    artifact: {uri: s3://bucket/faq-bot/1.2.0/model.onnx, sha256: abababababababababababababababababababababababababababababababab, format: onnx}
    tags: [candidate]
""")


def test_metrics_merge_into_block_and_flow_mappings():
    def act(e: ModelEditor) -> None:
        e.set_metric("1.1.0", "accuracy", 0.94)          # replace, keep the comment
        e.set_metric("1.1.0", "latency_ms", 120)         # new top-level metric: before suites
        e.set_metric("1.1.0", "core-v1/score", 0.91)     # replace inside a flow mapping
        e.set_metric("1.1.0", "core-v1/parse_ok", True)  # add to a flow mapping
        e.set_metric("1.1.0", "smoke-v1/score", 1.0)     # a new suite
        e.set_metric("1.0.0", "recall", 0.8)             # add to a flow mapping without spaces
    assert edit(COMMENTED, act) == COMMENTED.replace(
        "    metrics: {accuracy: 0.92,f1: 0.88}", "    metrics: {accuracy: 0.92,f1: 0.88, recall: 0.8}").replace(
        """      accuracy: 0.93   # offline
      suites:
        core-v1: {score: 0.9}
""", """      accuracy: 0.94   # offline
      latency_ms: 120
      suites:
        core-v1: {score: 0.91, parse_ok: true}
        smoke-v1: {score: 1.0}
""")


def test_metrics_key_inserted_in_canonical_place_above_the_comment_of_the_next_key():
    text = "name: m\nversions:\n  - version: v1\n    stage: none\n    artifact: {uri: s3://a}\n    # about tags\n    tags: [x]\n"
    out = edit(text, lambda e: e.set_metric("v1", "core/ok", True))
    assert out == ("name: m\nversions:\n  - version: v1\n    stage: none\n    artifact: {uri: s3://a}\n"
                   "    metrics:\n      suites:\n        core: {ok: true}\n    # about tags\n    tags: [x]\n")


def test_crlf_file_stays_crlf():
    text = COMMENTED.replace("\n", "\r\n")
    out = edit(text, lambda e: (e.set_stage("1.1.0", "production"), e.add_version(
        {"version": "2.0.0", "stage": "none", "artifact": {"uri": "s3://b/2.0.0"}}), e.set_metric("2.0.0", "acc", 0.5)))
    assert "\n" not in out.replace("\r\n", "")
    assert out.startswith(text.split("  - version: \"1.1.0\"")[0])
    assert out.endswith('\r\n\r\n  - version: "2.0.0"\r\n    stage: none\r\n    artifact: {uri: s3://b/2.0.0}\r\n'
                        '    metrics: {acc: 0.5}\r\n\r\n# end of file\r\n')


def test_file_without_final_newline_keeps_ending_without_one():
    text = 'name: m\nversions:\n  - version: "1"\n    stage: none\n    artifact:\n      uri: s3://a'
    out = edit(text, lambda e: e.add_version({"version": "2", "stage": "staging", "artifact": {"uri": "s3://b"}}))
    assert out == text + '\n  - version: "2"\n    stage: staging\n    artifact:\n      uri: s3://b'


def test_indentless_sequence_and_four_space_step():
    text = "name: m\nversions:\n- version: '1'\n  stage: none\n  artifact:\n      uri: s3://a\n"
    out = edit(text, lambda e: e.add_version({"version": "2", "stage": "none", "artifact": {"uri": "s3://b", "format": "onnx"}}))
    assert out == text + "- version: '2'\n  stage: none\n  artifact:\n      uri: s3://b\n      format: onnx\n"


def test_flow_sequence_on_one_line_and_on_many():
    one = "name: m\nversions: [{version: v1, stage: none, artifact: {uri: s3://a}}]  # all on one line\n"
    out = edit(one, lambda e: e.add_version({"version": "v2", "stage": "none", "artifact": {"uri": "s3://b"}}))
    assert out == ("name: m\nversions: [{version: v1, stage: none, artifact: {uri: s3://a}}, "
                   "{version: v2, stage: none, artifact: {uri: s3://b}}]  # all on one line\n")
    many = "name: m\nversions: [\n  {version: v1, stage: none, artifact: {uri: s3://a}},\n  {version: v2, stage: none, artifact: {uri: s3://b}}\n]\n"
    out = edit(many, lambda e: e.add_version({"version": "v3", "stage": "none", "artifact": {"uri": "s3://c"}}))
    assert out == many.replace("s3://b}}\n]", "s3://b}},\n  {version: v3, stage: none, artifact: {uri: s3://c}}\n]")


def test_block_sequence_of_flow_mappings_gets_a_flow_mapping_line():
    text = "name: m\nversions:\n  - {version: 'a1', stage: none, artifact: {uri: s3://a}}\n  # more to come\n"
    out = edit(text, lambda e: e.add_version({"version": "a2", "stage": "none", "artifact": {"uri": "s3://b"}}))
    assert out == text + "  - {version: 'a2', stage: none, artifact: {uri: s3://b}}\n"


def test_empty_flow_list_becomes_a_block_list():
    out = edit("name: m\nversions: []\n", lambda e: e.add_version({"version": "1.0", "stage": "none", "artifact": {"uri": "s3://a"}}))
    assert out == 'name: m\nversions:\n  - version: "1.0"\n    stage: none\n    artifact:\n      uri: s3://a\n'


def test_plain_labels_stay_plain_unless_ambiguous():
    text = "name: m\nversions:\n  - version: v1\n    stage: none\n    artifact: {uri: s3://a}\n"
    out = edit(text, lambda e: (e.add_version({"version": "v2", "stage": "none", "artifact": {"uri": "s3://b"}}),
                                e.add_version({"version": "2.0", "stage": "none", "artifact": {"uri": "s3://c"}})))
    assert out.endswith("  - version: v2\n    stage: none\n    artifact: {uri: s3://b}\n"
                        '  - version: "2.0"\n    stage: none\n    artifact: {uri: s3://c}\n')


def test_spans_are_exactly_the_edits():
    editor = ModelEditor(COMMENTED, "models/faq-bot.yaml")
    editor.set_stage("1.1.0", "production")
    (start, end, new), = editor.spans
    assert COMMENTED[start:end] == "staging" and new == "production"


def test_unknown_version_and_unparsable_text_are_clear_errors():
    with pytest.raises(EditError, match=r"faq-bot has no version 9.9.9"):
        edit(COMMENTED, lambda e: e.set_stage("9.9.9", "production"))
    with pytest.raises(EditError, match=r"models/faq-bot.yaml:2:1: cannot edit: yaml-syntax"):
        ModelEditor("a: [\n", "models/faq-bot.yaml")


def test_new_model_file():
    text = new_model_text("faq-bot", {"artifact": {"uri": "s3://b/m.onnx", "size_bytes": 10}, "version": "1.0", "stage": "none",
                                      "metrics": {"accuracy": 0.9, "suites": {"core-v1": {"score": 0.8}}}, "tags": ["yes", "a"],
                                      "description": "a: b # not a comment"})
    assert text == """\
# yaml-language-server: $schema=../schemas/model.schema.json
name: faq-bot
versions:
  - version: "1.0"
    stage: none
    description: "a: b # not a comment"
    artifact:
      uri: s3://b/m.onnx
      size_bytes: 10
    metrics:
      accuracy: 0.9
      suites:
        core-v1: {score: 0.8}
    tags: ["yes", a]
"""


@pytest.mark.parametrize("value, text", [
    ("s3://bucket/m.onnx", "s3://bucket/m.onnx"), ("1.0", '"1.0"'), ("yes", '"yes"'), ("010", '"010"'),
    ("a: b", '"a: b"'), ("2024-01-01", '"2024-01-01"'), ("", '""'), ("tab\there", '"tab\\there"'),
    ("null", '"null"'), ("x\u2028y", '"x\\u2028y"'), (1e-05, "1.0e-05"), (1e20, "1.0e+20"), (0.1, "0.1"),
    (3, "3"), (True, "true"),
])
def test_scalars_read_back_the_same(value, text):
    assert render.scalar(value) == text
