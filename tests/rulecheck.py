"""Rule tests without a CLI or a repository: the validator's rules on model-file text.

``check(text, expect=[(line, column, rule), ...])`` puts ``text`` at ``models/faq-bot.yaml``
of a registry held in memory and runs the real validation engine on it: the loader, the
schema and the file and tree rules (``validate``); with ``base`` given, the change rules
too, against that base text (``validate --base``). Each expected item is a
``(line, column, rule)``, a ``(file, line, column, rule)`` when other files are involved,
or a rule id alone where the position is not the point. The violations are returned, for
their messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from registry_tool.core.findings import Violation
from registry_tool.core.policy import POLICY_FILE
from registry_tool.snapshots.memory import MemorySnapshot
from registry_tool.validation.engine import validate_change, validate_snapshot
from registry_tool.validation.report import Report

PATH = "models/faq-bot.yaml"


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()  # the file is not there on that side (a new model as base, a removed one as text)
Text = str | bytes | _Absent
Expected = str | tuple[int, int, str] | tuple[str, int, int, str]


def report(text: Text, base: Text | None = None, policy: str | None = None, *, head_policy: str | None = None,
           path: str = PATH, files: dict[str, str] | None = None,
           head_files: dict[str, str | None] | None = None) -> Report:
    """What ``validate`` (``base`` None) or ``validate --base`` reports for ``text`` at ``path``.

    ``policy`` is registry.yaml on both sides (``head_policy`` replaces it on the head's);
    ``files`` are other files on both sides, ``head_files`` change them on the head's
    (None removes one)."""
    shared: dict[str, str | bytes] = {**(files or {})}
    if policy is not None:
        shared[POLICY_FILE] = policy
    head = MemorySnapshot(_with(shared, path, text), label="head")
    head = head.changed({**(head_files or {}), **({POLICY_FILE: head_policy} if head_policy is not None else {})})
    if base is None:
        return validate_snapshot(head)
    return validate_change(MemorySnapshot(_with(shared, path, base), label="base"), head)


def violations(*args: Any, **options: Any) -> list[Violation]:
    """The violations of :func:`report`, in report order."""
    return report(*args, **options).violations


def check(text: Text, base: Text | None = None, policy: str | None = None, *, expect: Sequence[Expected],
          path: str = PATH, **options: object) -> list[Violation]:
    """Assert the violations' positions and rules (see the module's doc); return them."""
    found = violations(text, base, policy, path=path, **options)
    shaped = [_shaped(v, e, path) for v, e in zip(found, expect, strict=False)]
    listed = "\n".join(f"  {v.file}:{v.line}:{v.column}: {v.rule}: {v.message}" for v in found)
    assert shaped == list(expect) and len(found) == len(expect), f"expected: {list(expect)}\nfound:\n{listed}"
    return found


def _with(files: dict[str, str | bytes], path: str, text: Text) -> dict[str, str | bytes]:
    return files if isinstance(text, _Absent) else {**files, path: text}


def _shaped(v: Violation, like: Expected, path: str) -> Expected:
    """``v`` in the shape of the expected item, to compare with it."""
    if isinstance(like, str):
        return v.rule if v.file == path else (v.file, v.rule)
    if len(like) == 4:
        return (v.file, v.line, v.column, v.rule)
    return (v.line, v.column, v.rule) if v.file == path else (v.file, v.line, v.column, v.rule)
