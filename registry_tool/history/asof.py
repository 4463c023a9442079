"""Times: what ``--since`` and ``--at`` take, and the commit a branch had as of a time.

``registry-tool get/show/export --at TIME`` read the registry as of the last first-parent
commit of ``--ref`` committed at or before TIME ("what was in production at 10:30 on
Tuesday?"); ``history --since`` keeps the changes committed at or after a time. Both parse
TIME here, once.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pygit2

from registry_tool.errors import NotFound, RegistryError
from registry_tool.history.events import iso_utc
from registry_tool.snapshots.git import SHALLOW_HINT, GitStore

When = str | datetime | int  # ISO 8601 text, a datetime (naive: UTC), or seconds since the epoch


def parse_time(text: str, option: str = "--since") -> int:
    """A date or date-time (ISO 8601; UTC unless it says otherwise) as epoch seconds:
    ``2024-11-01``, ``2024-11-01T10:30:00Z``, ``2024-11-01 11:30+01:00``."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise RegistryError(f"{option}: '{text}' is not a date; use 2024-11-01 or 2024-11-01T10:00:00Z") from None
    return _epoch(when)


def _epoch(when: datetime) -> int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp())


def to_epoch(when: When, option: str = "--at") -> int:
    """Any of the forms :data:`When` allows, as epoch seconds."""
    if isinstance(when, datetime):
        return _epoch(when)
    if isinstance(when, int) and not isinstance(when, bool):
        return when
    if isinstance(when, str):
        return parse_time(when, option)
    raise RegistryError(f"{option}: {when!r} is not a time")


def commit_at(store: GitStore, head: pygit2.Commit, when: int, ref: str = "HEAD") -> pygit2.Commit:
    """The last commit on ``head``'s first-parent chain committed at or before ``when``
    (the committer date: when the change landed on the branch).

    :class:`NotFound` (exit code 1) when the chain's first commit is younger; RegistryError
    (exit code 2) when the chain stops earlier (a shallow clone's boundary, a missing parent)."""
    oldest: pygit2.Commit | None = None
    for commit in store.first_parents(head):
        if commit.commit_time <= when:
            return commit
        oldest = commit
    assert oldest is not None  # the walk yields head at least
    shallow = str(oldest.id) in store.shallow_commits  # a shallow clone's boundary shows no parents
    if shallow or oldest.parent_ids:
        why = SHALLOW_HINT if shallow else "a parent commit is missing from the repository"
        raise RegistryError(f"{ref} has no commit at or before {iso_utc(when)} in the history available, which stops at "
                            f"commit {str(oldest.id)[:12]} ({iso_utc(oldest.commit_time)}): {why}")
    raise NotFound(f"{ref} has no commit at or before {iso_utc(when)}: its first commit, {str(oldest.id)[:12]}, "
                   f"was committed {iso_utc(oldest.commit_time)}")
