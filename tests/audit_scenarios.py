"""Model files and commit sequences for the history and diff tests (seed 000's story)."""

from __future__ import annotations

import hashlib
from typing import Any


def sha(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def model_yaml(name: str, versions: list[tuple[str, str, dict[str, Any]]], *, owner: str = "hazel") -> str:
    """A model file: versions as (label, stage, extra fields written as flow YAML)."""
    lines = [f"name: {name}", f"owner: {owner}", "versions:"]
    for label, stage, extra in versions:
        lines += [
            f'  - version: "{label}"',
            f"    stage: {stage}",
            "    artifact:",
            f"      uri: s3://bucket/{name}/{label}/model.onnx",
            f"      sha256: {sha(name + label)}",
        ]
        for key, value in extra.items():
            lines.append(f"    {key}: {_flow(value)}")
    return "\n".join(lines) + "\n"


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


V1 = {"metrics": {"accuracy": 0.92}}
V11 = {"metrics": {"accuracy": 0.93}}


def faq(*versions: tuple[str, str]) -> str:
    extra = {"1.0.0": V1, "1.1.0": V11}
    return model_yaml("faq-bot", [(label, stage, extra.get(label, {})) for label, stage in versions])


SEED_000 = [
    ("Register faq-bot 1.0.0", faq(("1.0.0", "none"))),
    ("Promote faq-bot 1.0.0 to staging", faq(("1.0.0", "staging"))),
    ("Promote faq-bot 1.0.0 to production", faq(("1.0.0", "production"))),
    ("Register faq-bot 1.1.0", faq(("1.0.0", "production"), ("1.1.0", "none"))),
    ("Start the A/B test: faq-bot 1.1.0 to staging", faq(("1.0.0", "production"), ("1.1.0", "staging"))),
    ("Promote faq-bot 1.1.0 to production", faq(("1.0.0", "staging"), ("1.1.0", "production"))),
    ("Roll back faq-bot to 1.0.0", faq(("1.0.0", "production"), ("1.1.0", "staging"))),
    ("Archive faq-bot 1.1.0", faq(("1.0.0", "production"), ("1.1.0", "archived"))),
]


def commit_seed_000(repo: Any, *, docs_between: bool = True) -> list[str]:
    """Seed 000's story, one commit per step (oldest first); a docs-only commit after
    each step when ``docs_between``. Returns the model commits' shas, oldest first."""
    shas = []
    for i, (message, text) in enumerate(SEED_000):
        repo.write("models/faq-bot.yaml", text)
        shas.append(repo.commit(message))
        if docs_between:
            repo.write("README.md", f"notes {i}\n")
            repo.commit(f"Docs {i}")
    return shas
