"""Model files and commit sequences for the history and diff tests (seed 000's story)."""

from __future__ import annotations

from typing import Any

from builders import model, version

METRICS = {"1.0.0": {"accuracy": 0.92}, "1.1.0": {"accuracy": 0.93}}


def faq(*versions: tuple[str, str]) -> str:
    """faq-bot (owned by hazel) with the given (label, stage) pairs; 1.0.0 and 1.1.0 carry
    their accuracy, written in flow style."""
    return model("faq-bot", *(version(label, stage, metrics=METRICS.get(label), flow=True) for label, stage in versions),
                 owner="hazel")


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
