"""``history``'s formats: a text line per event, or a JSON list of event objects (the
shallow clone's ``history_truncated`` marker last)."""

from __future__ import annotations

from collections.abc import Callable

from registry_tool.history.events import Event
from registry_tool.history.walk import History
from registry_tool.output.escape import printable
from registry_tool.output.sentences import sentence
from registry_tool.output.values import dump

Render = Callable[[History], str]


def attribution(event: Event) -> str:
    """``by Ada, merged by Grace, approved by Linus, PR #12, signed, rollback``: who proposed
    the change, who landed it (when someone else did), who approved it, and its marks."""
    c = event.commit
    who = [f"by {event.proposer.name}"]
    if c.lander != event.proposer:
        who.append(f"merged by {c.lander.name}")
    if c.approved_by:
        who.append("approved by " + ", ".join(p.name or p.email for p in c.approved_by))
    if c.pull_request is not None:
        who.append(f"message claims PR #{c.pull_request}")
    if c.signed or c.verified:
        who.append("signed, unverified" if c.verified is None else f"signature {c.verified}")
    if event.rollback:
        who.append("rollback")
    return ", ".join(who)


def text_line(event: Event) -> str:
    c = event.commit
    why = (c.reason or c.comment).split("\n", 1)[0]
    return printable(f"{c.time}  {c.id[:12]}  {sentence(event.change)}  ({attribution(event)})  {why}")


def render_text(found: History) -> str:
    return "".join(text_line(e) + "\n" for e in found.events)


def render_json(found: History) -> str:
    items = [e.to_dict() for e in found.events]
    if found.truncated is not None:
        items.append(found.truncated.to_dict())
    return dump(items)


HISTORY_REPORTERS: dict[str, Render] = {
    "text": render_text,
    "json": render_json,
}
