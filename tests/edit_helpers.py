"""Helpers for the editing tests: hand-written model files, and a fingerprint of a
repository's state (HEAD, branches, index, every file's bytes) to prove "untouched"."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

FAQ = """\
# yaml-language-server: $schema=../schemas/model.schema.json
# Owned by the help-centre team.
name: faq-bot   # must equal the file name
description: 'Q&A bot: answers from the help centre'
tags: [nlp,   chat]

versions:
  # the baseline
  - version: "1.0.0"
    stage: production          # quoted labels, plain stages
    artifact:
      uri: s3://bucket/faq-bot/1.0.0/model.onnx
      sha256: 3b4f1a0c39339158b0d934c40c3d7cd7daf37b998636deb5e8666ee1a7a398f8
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

  - version: "1.2.0"
    stage: none
    artifact: {uri: "s3://bucket/faq-bot/1.2.0/model.onnx"}

# end of file
"""

OCR = (
    "# yaml-language-server: $schema=../schemas/model.schema.json\r\n"
    "name: ocr\r\n"
    "versions: [\r\n"
    "  {version: v1, stage: none, artifact: {uri: 'gs://m/ocr/v1'}},   # first\r\n"
    "  {version: v2, stage: none, artifact: {uri: 'gs://m/ocr/v2'}},\r\n"
    "  {version: v3, stage: staging, artifact: {uri: 'gs://m/ocr/v3'}}\r\n"
    "]\r\n"
)


def fingerprint(root: Path) -> dict[str, str]:
    """Every file under root (the .git folder included: refs, index, objects, logs) by sha256,
    but for the history index (.git/registry-tool/history-index): a cache of facts fixed by
    commit ids, which reading history (as the gates do) may fill in, and safe to delete."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.relative_to(root).as_posix() != ".git/registry-tool/history-index":
            out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def changed_lines(diff: str) -> list[str]:
    """The - and + lines of a unified diff (not the file headers)."""
    return [line for line in diff.split("\n") if re.match(r"[-+](?![-+]{2} )", line)]


def text(repo, name="faq-bot"):
    """A model file's text in the working tree."""
    return repo.path.joinpath(f"models/{name}.yaml").read_bytes().decode()


def two_models(repo):
    """The registry most edit tests start from: the two hand-written models, committed."""
    repo.write("models/faq-bot.yaml", FAQ)
    repo.path.joinpath("models/ocr.yaml").write_bytes(OCR.encode())
    repo.commit("a registry with two hand-written models")
    return repo
