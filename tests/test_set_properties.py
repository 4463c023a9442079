"""Property: on random valid model files in random styles (block, flow items, flow; CRLF;
comments anywhere), a field edit followed by its undo gives the original bytes back
(add a tag then remove it, set a metadata key then unset it, bind a provider then unbind
it), and in between the file is valid and keeps every comment."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_edit_properties import model_files

from registry_tool.core.policy import Policy
from registry_tool.edit.model_editor import ModelEditor
from registry_tool.validation.checks import check_model
from registry_tool.validation.model_file import parse_model
from registry_tool.yamlfile import loader

COMMENT = re.compile(r"#c\d+")

edits = st.lists(st.sampled_from(["tag", "metadata", "binding", "model-tag", "model-metadata", "description"]),
                 min_size=1, max_size=4, unique=True)


def _valid(text: str) -> None:
    mf, problems = parse_model(text.encode(), "models/m.yaml", "m", Policy())
    assert mf is not None and not problems, (text, problems)
    assert check_model(mf, Policy()) == [], text


def _do(editor: ModelEditor, kind: str, label: str) -> None:
    if kind == "tag":
        editor.add_tags(label, ["zz-new"])
    elif kind == "model-tag":
        editor.add_tags(None, ["zz-new"])
    elif kind == "metadata":
        editor.set_metadata(label, "zz_key", {"nested": [1, "two"]})
    elif kind == "model-metadata":
        editor.set_metadata(None, "zz_key", "value: with colon")
    elif kind == "binding":
        editor.add_binding(label, {"provider": "openai", "provider_model_id": "ft:x:y", "config": {"t": 0.2}})
    else:
        editor.set_field(label, "description", "new: description")


def _undo(editor: ModelEditor, kind: str, label: str, had_description: bool) -> None:
    if kind == "tag":
        assert editor.remove_tags(label, ["zz-new"]) == ["zz-new"]
    elif kind == "model-tag":
        assert editor.remove_tags(None, ["zz-new"]) == ["zz-new"]
    elif kind == "metadata":
        assert editor.unset_metadata(label, "zz_key")
    elif kind == "model-metadata":
        assert editor.unset_metadata(None, "zz_key")
    elif kind == "binding":
        editor.remove_binding(label, editor.binding_index(label, "openai", "ft:x:y")[0])
    elif not had_description:
        editor.delete_key(editor.base(label), "description")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=model_files(), kinds=edits, pick=st.integers(0, 9))
def test_an_edit_and_its_undo_give_the_original_bytes_back(text: str, kinds: list[str], pick: int) -> None:
    data = loader.load(text.encode(), "m.yaml").data
    label = data["versions"][pick % len(data["versions"])]["version"]
    had_description = "description" in data["versions"][pick % len(data["versions"])]
    if "description" in kinds and had_description:
        kinds.remove("description")  # replacing a value is not undone by deleting it
    if not kinds:
        return
    editor = ModelEditor(text, "models/m.yaml")
    for kind in kinds:
        _do(editor, kind, label)
    edited = editor.text
    _valid(edited)
    assert sorted(COMMENT.findall(edited)) == sorted(COMMENT.findall(text))
    newline = "\r\n" if "\r\n" in text else "\n"
    assert "\n" not in edited.replace(newline, "")  # the file's line ending, everywhere
    editor = ModelEditor(edited, "models/m.yaml")
    for kind in reversed(kinds):
        _undo(editor, kind, label, had_description)
    assert editor.text == text
