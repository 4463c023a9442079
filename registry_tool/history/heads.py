"""Was the branch rewritten since history last read it?

``validate --range`` catches a force-push when it happens (``history-rewritten``); after the
fact, ``history`` would show the rewritten history as if nothing happened. Where it can
know, it says so. Two witnesses, both local to one repository:

* the head ``history`` last read a branch at, kept beside the history index
  (``registry-tool/history-heads`` in the Git folder: one ``<commit> <time> <ref>`` line per
  branch). When that commit is no longer on the branch's first-parent history, the branch
  was rewritten: the old head is not an ancestor at all (a force-push, a reset), or is
  reached only through a merge's second parent (a fast-forward "foxtrot" merge, which
  rewrites the first-parent history that is the audit log without a force-push);
* the branch's reflog, where ``git fetch`` writes ``forced-update`` for a remote branch
  that was force-pushed: the newest such entry after the last read (or ever, on the first
  read) is reported too.

A fresh clone has neither: it cannot know what the branch held before. Only branches and
remote branches are followed (not tags, not ``HEAD~3`` or a commit id), and nothing is kept
where the history index is not (a shallow clone, ``REGISTRY_TOOL_HISTORY_INDEX=0``).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pygit2

from registry_tool.errors import RegistryError
from registry_tool.history.events import iso_utc
from registry_tool.history.index import ENV, git_common_dir, open_regular
from registry_tool.snapshots.git import GitStore

FILE = Path("registry-tool") / "history-heads"
MAX_BYTES = 1024 * 1024
REFLOG_ENTRIES = 1000  # newest reflog entries looked at
_LINE = re.compile(r"([0-9a-f]{40}|[0-9a-f]{64}) ([0-9]+) (refs/(?:heads|remotes)/\S+)")
_FOLLOWED = ("refs/heads/", "refs/remotes/")


@dataclass(frozen=True)
class Rewrite:
    """What a branch's history lost since it was last read: ``old`` was its head then."""

    ref: str
    old: str
    new: str
    how: str  # "rewritten", "second-parent" or "forced-update"
    when: int | None = None  # a reflog entry's time

    @property
    def branch(self) -> str:
        return self.ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")

    def message(self) -> str:
        old, new = self.old[:12], self.new[:12]
        if self.how == "second-parent":
            return (f"{self.branch}'s first-parent history was rewritten since history last read it: its head then, {old}, "
                    f"is reached from {new} only through a merge's second parent (a fast-forward 'foxtrot' merge); "
                    "changes it made may be attributed to other commits now, or be gone")
        if self.how == "forced-update":
            stamp = iso_utc(self.when or 0)
            return (f"{self.branch} was force-updated at {stamp} (its reflog: {old} -> {new}, a force-push): "
                    f"changes only {old} had are not in this history")
        return (f"{self.branch} was rewritten since history last read it: its head then, {old}, is not in the history "
                f"of {new} (a force-push or a reset); changes only {old} had are not in this history")


def followed_ref(store: GitStore, rev: str) -> str | None:
    """The full name of the branch or remote branch ``rev`` names (HEAD: the checked-out
    branch), or None for anything else (a tag, a commit id, ``main~2``, a detached HEAD)."""
    try:
        ref = store.repo.lookup_reference_dwim(rev)
        if ref.type == pygit2.enums.ReferenceType.SYMBOLIC:
            ref = ref.resolve()
    except (KeyError, ValueError, pygit2.GitError):
        return None
    return ref.name if ref.name.startswith(_FOLLOWED) else None


def check_and_record(store: GitStore, ref: str | None, head: pygit2.Commit) -> list[Rewrite]:
    """What ``ref`` lost since history last read it (see the module's doc), and ``head``
    recorded as its head now. Empty when nothing is known to be lost, or nothing is kept."""
    if ref is None or os.environ.get(ENV, "1") == "0" or store.repo.is_shallow:
        return []
    path = git_common_dir(store) / FILE
    heads = _read(path)
    new = str(head.id)
    old, since = heads.get(ref, (None, None))
    found: list[Rewrite] = []
    if old is not None and old != new:
        how = _lost(store, old, head)
        if how is not None:
            found.append(Rewrite(ref, old, new, how))
    forced = _forced_update(store, ref, since)
    if forced is not None and not any(r.old == forced.old for r in found):
        found.append(forced)
    if old != new or forced is not None:
        heads[ref] = (new, int(time.time()))
        _write(path, heads)
    return found


def _lost(store: GitStore, old: str, head: pygit2.Commit) -> str | None:
    """How ``old`` left ``head``'s first-parent history, or None when it is still on it (or a
    missing parent leaves it unknown). The judgement of ``validate --range``
    (:meth:`GitStore.rewrite`), told as one of this module's kinds."""
    try:
        base = store.commit(old)
        if not store.repo.descendant_of(head.id, base.id):
            return "rewritten"
    except (RegistryError, ValueError, pygit2.GitError):
        return "rewritten"  # gone from the repository, or not a commit
    try:
        return None if store.rewrite(base, head, store.range_commits(base, head)) is None else "second-parent"
    except RegistryError:
        return None


def _forced_update(store: GitStore, ref: str, since: int | None) -> Rewrite | None:
    """The newest ``forced-update`` entry of the ref's reflog after ``since`` (any, without)."""
    try:
        reference = store.repo.references.get(ref)
        entries = reference.log() if reference is not None else iter(())
        for count, entry in enumerate(entries):  # newest first
            when = entry.committer.time
            if count >= REFLOG_ENTRIES or (since is not None and when <= since):
                return None
            if "forced-update" in (entry.message or ""):
                return Rewrite(ref, str(entry.oid_old), str(entry.oid_new), "forced-update", when)
    except (KeyError, ValueError, pygit2.GitError):
        return None
    return None


def _read(path: Path) -> dict[str, tuple[str, int]]:
    fd = open_regular(path)
    if fd is None:
        return {}
    try:
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError:
        return {}
    if len(data) > MAX_BYTES:
        return {}
    text = data.decode("utf-8", errors="replace")
    found: dict[str, tuple[str, int]] = {}
    for line in text.splitlines():
        match = _LINE.fullmatch(line)
        if match is not None:
            found[match.group(3)] = (match.group(1), int(match.group(2)))
    return found


def _write(path: Path, heads: dict[str, tuple[str, int]]) -> None:
    """Kept when it can be: a read-only repository or a full disk only means no warning next time."""
    from registry_tool.atomic import atomic_write

    body = "".join(f"{commit} {when} {ref}\n" for ref, (commit, when) in sorted(heads.items()))
    with contextlib.suppress(RegistryError, OSError):
        atomic_write(path, body.encode("utf-8"), display=str(path))
