"""Audit events: a semantic change plus the commit that made it (who, when, which PR).

Pure values; :mod:`registry_tool.history` fills them from Git. ``to_dict`` gives every
key on every event (null or empty when it does not apply), so JSON consumers see one
stable shape.
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


def iso_utc(timestamp: int) -> str:
    """Seconds since the epoch as ISO 8601 in UTC: ``2024-11-01T10:00:00Z``."""
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    """What the audit log says about one commit."""

    id: str  # full sha
    time: str  # the committer date, ISO 8601 UTC: when the change landed
    author: Person
    committer: Person
    pull_request: int | None
    comment: str  # the summary line
    signed: bool  # the commit carries a signature (gpgsig); not verified here

    def to_dict(self) -> dict[str, Any]:
        return {
            "commit": self.id,
            "time": self.time,
            "author": self.author.to_dict(),
            "committer": self.committer.to_dict(),
            "pull_request": self.pull_request,
            "comment": self.comment,
            "signed": self.signed,
        }


@dataclass(frozen=True)
class Event:
    """One semantic change as Git recorded it."""

    change: Change
    commit: CommitInfo

    @property
    def kind(self) -> str:
        return self.change.kind.value

    def to_dict(self) -> dict[str, Any]:
        return {**self.change.to_dict(), **self.commit.to_dict()}


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
            **self.commit.to_dict(),
        }


EVENT_KEYS = ("alias", "author", "comment", "commit", "committer", "event", "fields", "from_stage", "from_version",
              "metrics", "model", "pull_request", "signed", "time", "to_stage", "to_version", "version")
