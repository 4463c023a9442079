"""A script that proposes registry edits through the documented write API only.

tests/test_write_api.py type-checks it with ``mypy --strict``: every name the README
documents for editing must be visible to a type checker.
"""

from __future__ import annotations

from registry_tool import Change, EditRefused, RegistryEditor, open_registry
from registry_tool.core.findings import Violation
from registry_tool.edit.targets import Outcome


def promote_on_a_branch(path: str, model: str, version: str) -> str | None:
    change: Change = open_registry(path).edit(branch=f"promote-{model}-{version}").promote(model, version, "production")
    problems: list[Violation] = change.violations
    if problems:
        return "; ".join(f"{v.file}:{v.line}: {v.rule}: {v.message}" for v in problems)
    diff: str = change.diff
    print(diff, change.message, change.notes, change.files, change.ok, change.empty)
    done: Outcome = change.apply(message=f"promote {model} {version}")
    return done.committed.commit if done.committed is not None else None


def record(path: str) -> list[str]:
    editor: RegistryEditor = open_registry(path).edit(commit=True)
    changes = [
        editor.metrics("faq-bot", "1.1.0", {"accuracy": 0.93, "slo_ok": True}),
        editor.set("faq-bot", owner="hazel", tags=["nlp"], metadata={"team": "support"}),
        editor.set("faq-bot", "1.1.0", description="Canary", untag=["candidate"], unset_metadata=["ticket"]),
        editor.bind("faq-bot", "1.1.0", "openai", "ft:x", status="active", config={"temperature": 0.2}),
        editor.unbind("faq-bot", "1.1.0", "openai"),
        editor.register("faq-bot", "2.0.0", artifact_uri="s3://b/2.0.0", artifact_format="onnx", metrics={"accuracy": 0.9}),
        editor.retention(keep=3),
        editor.archive("faq-bot", "1.0.0"),
        editor.rollback("faq-bot"),
    ]
    written: list[str] = []
    for change in changes:
        try:
            written += change.apply().written
        except EditRefused as exc:
            written += [v.rule for v in exc.violations]
    return written
