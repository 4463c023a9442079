"""The README's Python API example runs, as written, against a registry of the examples."""

from __future__ import annotations

import contextlib
import io
import re
import shutil

from conftest import REPO_ROOT


def readme_snippet(section: str) -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", body, flags=re.S)
    assert blocks, f"no python example in the README's '{section}' section"
    return blocks[0]


def test_the_python_api_example_runs(repo, monkeypatch):
    shutil.copytree(REPO_ROOT / "models", repo.path / "models")
    head = repo.commit("the example registry")
    repo.write("models/faq-bot.yaml", "uncommitted: edits are never served\n")
    monkeypatch.chdir(repo.path / "models")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(readme_snippet("Python API"), "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    assert lines[0] == head
    assert lines[1] == "['credit-risk-model', 'faq-bot', 'image-classifier', 'support-llm']"
    assert lines[2] == "s3://bucket/faq-bot/1.0.0/model.onnx"  # the comment in the README says so too
    assert lines[3].startswith("1.0.0 production s3://bucket/faq-bot/1.0.0/model.onnx")
    assert lines[-1].endswith(" 1") and "has no version in archived" in lines[-1]
