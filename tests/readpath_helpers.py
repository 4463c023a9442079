"""Model files for the read-path tests, written as a user would write them."""

from __future__ import annotations

import hashlib


def sha(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def model_yaml(name: str, *versions: tuple[str, str], extra: str = "") -> str:
    """A model file with the given (version, stage) pairs, oldest first."""
    lines = [f"name: {name}", "owner: hazel", "versions:"]
    for label, stage in versions:
        lines += [
            f'  - version: "{label}"',
            f"    stage: {stage}",
            "    artifact:",
            f"      uri: s3://bucket/{name}/{label}/model.onnx",
            f"      sha256: {sha(name + label)}",
            "      size_bytes: 1024",
            "      format: onnx",
            f"    metrics: {{accuracy: 0.9{len(label)}}}",
            "    tags: [candidate]",
            f"    metadata: {{ticket: T-{label}}}",
        ]
    return "\n".join(lines) + "\n" + extra


def uri(name: str, label: str) -> str:
    return f"s3://bucket/{name}/{label}/model.onnx"
