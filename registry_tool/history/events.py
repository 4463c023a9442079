"""Audit events: a semantic change plus the commit that made it (who proposed it, who
landed it, who approved it, when, which PR and why).

Pure values; :mod:`registry_tool.history` fills them from Git. ``to_dict`` gives every
key on every event (null or empty when it does not apply), so JSON consumers see one
stable shape.

Everything here is what the commits *say*: author and committer names, trailers and
messages are written by whoever made the commit and are not verified (``signed`` only
says a signature header is there). What a Git host vouches for (who clicked merge, who
approved under branch protection) lives in the host, not in these fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from registry_tool.core.changes import Change

TRUNCATED = "history_truncated"

# "Merge pull request #12 from org/branch" (GitHub merge commits)
_MERGE_PR = re.compile(r"^Merge pull request #(\d+) from \S")
# "Promote faq-bot 1.1.0 (#34)" (GitHub squash and rebase merges put the number last)
_SQUASH_PR = re.compile(r"\(#(\d+)\)\s*$")


def summary_line(message: str) -> str:
    """A commit message's first line, without trailing whitespace."""
    return message.strip().split("\n", 1)[0].rstrip() if message.strip() else ""


def pull_request_number(message: str) -> int | None:
    """The pull request a commit message names, as GitHub writes merge and squash commits."""
    summary = summary_line(message)
    found = _MERGE_PR.match(summary) or _SQUASH_PR.search(summary)
    return int(found.group(1)) if found else None


# Trailers naming who approved the change, as merge bots and ``git interpret-trailers`` write them.
APPROVAL_TRAILERS = ("approved-by", "reviewed-by")
_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s*(.*)$")
_PERSON = re.compile(r"^(.*?)\s*<([^<>]*)>\s*$")


def _paragraphs(message: str) -> list[str]:
    return [p.strip("\n") for p in re.split(r"\n[ \t]*\n", message.strip()) if p.strip()]


def trailers(message: str) -> list[tuple[str, str]]:
    """The (key, value) trailers of a commit message: its last paragraph, when every line
    of it is ``Key: value`` (a line starting with whitespace continues the one before)."""
    paragraphs = _paragraphs(message)
    if len(paragraphs) < 2:
        return []
    found: list[tuple[str, str]] = []
    for line in paragraphs[-1].splitlines():
        match = _TRAILER.match(line)
        if match:
            found.append((match.group(1), match.group(2).strip()))
        elif line[:1].isspace() and found:
            found[-1] = (found[-1][0], f"{found[-1][1]} {line.strip()}")
        else:
            return []
    return found


def person(value: str) -> Person:
    """``Name <email>`` as a person (a value without an address keeps it all as the name)."""
    match = _PERSON.match(value)
    return Person(match.group(1), match.group(2)) if match else Person(value.strip(), "")


def approvers(message: str) -> tuple[Person, ...]:
    """Who the message's trailers say approved it (Approved-by, Reviewed-by), each once, in order."""
    seen: dict[tuple[str, str], Person] = {}
    for key, value in trailers(message):
        if key.lower() in APPROVAL_TRAILERS and value:
            found = person(value)
            seen.setdefault((found.name, found.email), found)
    return tuple(seen.values())


def reason(message: str) -> str:
    """Why the change was made: for a GitHub merge commit, the pull request's title and body
    GitHub writes after the summary (trailers left out); otherwise the summary line."""
    summary = summary_line(message)
    if not _MERGE_PR.match(summary):
        return summary
    body = _paragraphs(message)[1:]
    if body and trailers(message):
        body = body[:-1]
    return "\n\n".join(body) or summary


UNKNOWN = "?"  # what a commit's field shows when Git holds it in a form we cannot read


def iso_utc(timestamp: int) -> str:
    """Seconds since the epoch as ISO 8601 in UTC: ``2024-11-01T10:00:00Z``; ``?`` for a date
    Git stores but a calendar cannot show (after the year 9999, before the year 1). The year
    always has four digits (``0001-01-01T00:00:00Z``): strftime's ``%Y`` drops the zeros on
    some platforms."""
    try:
        moment = datetime.fromtimestamp(timestamp, timezone.utc)
    except (ValueError, OverflowError, OSError):
        return UNKNOWN
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}Z"


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email}

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


@dataclass(frozen=True)
class CommitInfo:
    """What the audit log says about one commit of the first-parent chain (claims of the
    commit, not verified: see the module's doc)."""

    id: str  # full sha
    time: str  # the committer date, ISO 8601 UTC: when the change landed
    author: Person
    committer: Person
    pull_request: int | None
    comment: str  # the summary line
    signed: bool  # the commit has a signature header (gpgsig: GPG, SSH or X.509); not verified here
    merged_by: Person | None = None  # who landed it: a merge commit's author, else the committer (None: the committer)
    approved_by: tuple[Person, ...] = ()  # Approved-by / Reviewed-by trailers
    reason: str = ""  # a GitHub merge commit's PR title and body, else the summary line
    merge: bool = False  # more than one parent
    verified: str | None = None  # git's verdict on the signature (history --verify-signatures), None: not asked

    @property
    def lander(self) -> Person:
        return self.merged_by or self.committer

    def to_dict(self) -> dict[str, Any]:
        return {
            "commit": self.id,
            "time": self.time,
            "author": self.author.to_dict(),
            "committer": self.committer.to_dict(),
            "merged_by": self.lander.to_dict(),
            "approved_by": [p.to_dict() for p in self.approved_by],
            "pull_request": self.pull_request,
            "comment": self.comment,
            "reason": self.reason or self.comment,
            "signed": self.signed,
            "signature": self.signature,
        }

    @property
    def signature(self) -> str:
        """``none``, ``unverified`` (a signature header nobody checked), or git's verdict."""
        return self.verified or ("unverified" if self.signed else "none")


@dataclass(frozen=True)
class Event:
    """One semantic change as Git recorded it. ``proposed_by``: who made the change (for a
    merge commit, the author of the branch commit that changed the file; None: the
    commit's author). ``rollback``: the version enters production again, having been in
    production before on the first-parent history."""

    change: Change
    commit: CommitInfo
    proposed_by: Person | None = None
    rollback: bool = False

    @property
    def kind(self) -> str:
        return self.change.kind.value

    @property
    def proposer(self) -> Person:
        return self.proposed_by or self.commit.author

    def to_dict(self) -> dict[str, Any]:
        return {**self.change.to_dict(), **self.commit.to_dict(), "proposed_by": self.proposer.to_dict(),
                "rollback": self.rollback}


@dataclass(frozen=True)
class Truncated:
    """The walk reached a shallow clone's boundary: nothing older is available.

    Not a change: it marks where the audit log stops, with the boundary commit's facts.
    """

    commit: CommitInfo

    kind = TRUNCATED

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": TRUNCATED, "model": None, "version": None, "from_stage": None, "to_stage": None,
            "fields": [], "metrics": [], "alias": None, "from_version": None, "to_version": None,
            **self.commit.to_dict(), "proposed_by": self.commit.author.to_dict(), "rollback": False, "policy": [],
        }


Item = Event | Truncated  # what a walk yields: events, newest first, and the marker last


EVENT_KEYS = ("alias", "approved_by", "author", "comment", "commit", "committer", "event", "fields", "from_stage",
              "from_version", "merged_by", "metrics", "model", "policy", "proposed_by", "pull_request", "reason",
              "rollback", "signature", "signed", "time", "to_stage", "to_version", "version")
