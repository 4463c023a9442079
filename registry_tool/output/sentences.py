"""Change events as short human sentences, shared by ``history`` and ``diff``.

``faq-bot 1.1.0: staging → production``, ``faq-bot 2.0.0: registered in none``,
``faq-bot 1.1.0: metrics accuracy 0.93 → 0.95``, ``faq-bot: alias champion 1.0.0 → 1.1.0``.
Pure: strings in, strings out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from registry_tool.core.changes import Change, ChangeKind, MetricChange

ARROW = "→"


POLICY_FILE = "registry.yaml"


def subject(change: Change) -> str:
    if change.kind is ChangeKind.POLICY_CHANGED:
        return POLICY_FILE
    return f"{change.model} {change.version}" if change.version is not None else change.model


def _value(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def metric_text(m: MetricChange) -> str:
    return f"{m.metric} {_value(m.before)} {ARROW} {_value(m.after)}"


def setting(value: object) -> str:
    """A registry.yaml value as YAML would write it in flow style; ``unset`` when absent."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(setting(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {setting(v)}" for k, v in value.items()) + "}"
    return str(value)


def policy_text(change: Change) -> str:
    """``gates.production.require_sha256: unset → true; on_promote: demote → refuse``."""
    return "; ".join(f"{p.key}: {setting(p.before)} {ARROW} {setting(p.after)}" for p in change.policy)


def what(change: Change) -> str:
    """The change without its subject: ``staging → production``."""
    k = change.kind
    if k is ChangeKind.POLICY_CHANGED:
        return policy_text(change)
    if k is ChangeKind.MODEL_CREATED:
        return "new model"
    if k is ChangeKind.MODEL_REMOVED:
        return "model removed"
    if k is ChangeKind.MODEL_UPDATED:
        return "updated " + ", ".join(change.fields)
    if k is ChangeKind.VERSION_REGISTERED:
        return f"registered in {change.to_stage}"
    if k is ChangeKind.STAGE_CHANGED:
        return f"{change.from_stage} {ARROW} {change.to_stage}"
    if k is ChangeKind.VERSION_REMOVED:
        return f"removed (was {change.from_stage})"
    if k is ChangeKind.ALIAS_CHANGED:
        return alias_text(change)
    parts = [f for f in change.fields if f != "metrics"]
    text = "updated " + ", ".join(parts) if parts else ""
    if change.metrics:
        metrics = "metrics " + ", ".join(metric_text(m) for m in change.metrics)
        text = f"{metrics}; {text}" if text else metrics
    return text


def alias_text(change: Change) -> str:
    """``alias champion 1.0.0 → 1.1.0``, ``alias champion set to 1.1.0``, ``alias champion removed (was 1.0.0)``."""
    if change.from_version is None:
        return f"alias {change.alias} set to {change.to_version}"
    if change.to_version is None:
        return f"alias {change.alias} removed (was {change.from_version})"
    return f"alias {change.alias} {change.from_version} {ARROW} {change.to_version}"


def sentence(change: Change) -> str:
    return f"{subject(change)}: {what(change)}"


@dataclass
class Line:
    """One line of a summary: a change, with the moves it caused beside it."""

    change: Change
    beside: list[Change] = field(default_factory=list)

    def text(self, *, model: bool = True) -> str:
        """The line; without the model's name with ``model=False`` (``1.1.0: staging → production``)."""
        out = sentence(self.change)
        if not model and self.change.kind is ChangeKind.POLICY_CHANGED:
            out = what(self.change)  # the policy file is the row's subject
        elif not model:
            out = out[len(self.change.model):].lstrip(" :")  # "1.1.0: ...", or a model-level "new model"
        if self.beside:
            out += " (" + "; ".join(f"{c.version}: {what(c)}" for c in self.beside) + ")"
        return out


def summary_lines(changes: list[Change], unique: Iterable[str] = ("production",)) -> list[Line]:
    """Changes as lines, a version entering a unique stage (production) carrying the move out
    of that stage it caused in the same model:
    ``faq-bot 1.1.0: staging → production (1.0.0: production → staging)``."""
    stages = set(unique)
    beside: dict[int, list[Change]] = {}
    taken: set[int] = set()
    for i, change in enumerate(changes):
        stage = change.to_stage
        if stage is None or stage not in stages or not change.enters(stage):
            continue
        for j, other in enumerate(changes):
            if j not in taken and other.model == change.model and other.kind is ChangeKind.STAGE_CHANGED \
                    and other.leaves(stage):
                beside.setdefault(i, []).append(other)
                taken.add(j)
    return [Line(c, beside.get(i, [])) for i, c in enumerate(changes) if i not in taken]
