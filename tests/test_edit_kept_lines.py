"""An edit next to a ``|+`` or ``>+`` block scalar (keep chomping: its trailing blank lines
are part of its value) goes after those lines, so the scalar reads the same; and any edit
that would change a value it does not mean to change is refused, one line, nothing written."""

from __future__ import annotations

import pytest
import yaml
from edit_helpers import fingerprint

from registry_tool.errors import EditError
from registry_tool.yamlfile.splice import YamlEditor

PATH = "models/m.yaml"
LAST_DESCRIPTION = ('name: m\nversions:\n  - version: "1.0.0"\n    stage: none\n    artifact: {uri: "s3://b/m"}\n'
                    "    description: |+\n      keep\n\n\n")
LAST_METADATA = ('name: m\nversions:\n  - version: "1.0.0"\n    stage: none\n    artifact: {uri: "s3://b/m"}\n'
                 "    metadata:\n      note: >+\n        keep\n\n\n"
                 '  - version: "1.1.0"\n    stage: none\n    artifact: {uri: "s3://b/n"}\n')


def committed(repo, text: str):
    repo.path.joinpath("models").mkdir(exist_ok=True)
    repo.path.joinpath(PATH).write_bytes(text.encode())
    repo.commit("a model")
    return repo


def test_register_after_a_kept_block_scalar_keeps_its_blank_lines(repo, cli):
    committed(repo, LAST_DESCRIPTION)
    run = cli(repo.path, "register", "m", "1.1.0", "--artifact-uri", "s3://b/x", "--commit")
    assert run.code == 0
    text = repo.path.joinpath(PATH).read_text()
    assert text.startswith(LAST_DESCRIPTION)  # every byte before the new version as it was
    versions = yaml.safe_load(text)["versions"]
    assert versions[0]["description"] == "keep\n\n\n"
    assert [v["version"] for v in versions] == ["1.0.0", "1.1.0"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_set_metadata_after_a_kept_block_scalar_keeps_its_blank_lines(repo, cli, newline):
    committed(repo, LAST_METADATA.replace("\n", newline))
    run = cli(repo.path, "set", "m", "1.0.0", "--metadata", "k=v")
    assert run.code == 0
    data = yaml.safe_load(repo.path.joinpath(PATH).read_bytes())
    assert data["versions"][0]["metadata"] == {"note": "keep\n\n\n", "k": "v"}
    assert data["versions"][1]["version"] == "1.1.0"


def test_replacing_or_removing_a_kept_block_scalar_takes_its_blank_lines_with_it(repo, cli):
    committed(repo, LAST_METADATA)
    assert cli(repo.path, "set", "m", "1.0.0", "--metadata", "note=short").code == 0
    assert repo.path.joinpath(PATH).read_text() == LAST_METADATA.replace(">+\n        keep\n\n\n", "short\n")
    assert cli(repo.path, "set", "m", "1.0.0", "--metadata", "k=v", "--unset-metadata", "note").code == 0
    assert yaml.safe_load(repo.path.joinpath(PATH).read_text())["versions"][0]["metadata"] == {"k": "v"}


def test_an_edit_that_would_change_another_value_is_refused(repo, cli, monkeypatch):
    """The safety net: whatever the splice gets wrong (here a scalar's kept lines taken for
    blank lines after it, as before the fix), the untouched values must read as before."""
    committed(repo, LAST_DESCRIPTION)
    monkeypatch.setattr(YamlEditor, "_keeps_trailing_lines", lambda self, node: False)
    before = fingerprint(repo.path)
    run = cli(repo.path, "register", "m", "1.1.0", "--artifact-uri", "s3://b/x", "--commit")
    assert (run.code, run.err) == (2, "registry-tool: error: models/m.yaml: cannot make this edit without also changing "
                                      "versions.0.description; nothing was written\n")
    assert fingerprint(repo.path) == before


def test_the_safety_net_lets_the_intended_change_through_and_names_what_else_changed():
    editor = YamlEditor("a: 1\nb: [p, q]\nc: {d: 2}\n")
    editor.replace_scalar(("a",), 5)
    editor.append_item(("b",), "r")
    editor.insert_key(("c",), "e", 3)
    editor.delete_item(("b",), 0)
    editor.delete_key((), "a")
    assert editor.text == "b: [q, r]\nc: {d: 2, e: 3}\n"
    original = editor.splice

    def misplaced(start: int, end: int, new: str) -> None:  # a splice that also rewrites d
        original(start, end, new)
        original(editor.text.index("2"), editor.text.index("2") + 1, "9")

    editor.splice = misplaced  # type: ignore[method-assign]
    with pytest.raises(EditError, match=r"^<text>: cannot make this edit without also changing c\.d; nothing was written$"):
        editor.append_item(("b",), "w")
