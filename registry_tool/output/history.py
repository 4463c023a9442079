"""``history``'s formats: a text line per event, or a JSON list of event objects (the
shallow clone's ``history_truncated`` marker last).

Each reporter takes the walk's items as they come (newest first, the marker last) and
yields its text a piece at a time, so nothing is held: the JSON list is written item by
item, the same bytes :func:`~registry_tool.output.values.dump` writes for the whole list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from registry_tool.history.events import Event, Item
from registry_tool.output.escape import printable
from registry_tool.output.sentences import sentence
from registry_tool.output.values import dump

Render = Callable[[Iterable[Item]], Iterator[str]]


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


def render_text(items: Iterable[Item]) -> Iterator[str]:
    for item in items:
        if isinstance(item, Event):
            yield text_line(item) + "\n"


def render_json(items: Iterable[Item]) -> Iterator[str]:
    """``dump(list)`` an item at a time: each item as ``dump`` writes it, indented one level
    (no JSON string holds a raw line break, so indenting each line of an item is indenting
    the item)."""
    opening = "[\n  "
    for item in items:
        yield opening + dump(item.to_dict()).rstrip("\n").replace("\n", "\n  ")
        opening = ",\n  "
    yield "[]\n" if opening == "[\n  " else "\n]\n"


HISTORY_REPORTERS: dict[str, Render] = {
    "text": render_text,
    "json": render_json,
}


def render_index_fill(path: str, commits: int, added: int, fmt: str) -> str:
    """What ``history --index-only`` did: the index written, the commits of the
    first-parent history it covers, and how many of their records this run added."""
    if fmt == "json":
        return dump({"index": path, "commits": commits, "added": added})
    return printable(f"history index {path}: {commits} first-parent commits recorded, {added} of them added now") + "\n"
