"""Git history as the audit log: the first-parent history of a revision as events.

Walks what the branch saw, merge by merge (first parents only), newest first. Each commit
whose models changed is compared with its first parent, and each changed model file
turned into :class:`~registry_tool.changes.Change` events attributed to that commit.

Cost follows the changes, not the history: the walk goes by :class:`Step` (a commit, its
first parent, its time, its policy blob and the model files that differ from the
parent's), taken from the history index (:mod:`registry_tool.history.index`) where it has
them, otherwise from one streamed ``git log`` (:mod:`registry_tool.history.gitlog`) or,
where that cannot tell exactly, from Git objects, then added to it. Read from Git, a commit whose
models tree (or, for one model without an index to fill, whose file) has the same id as
its parent's is skipped without reading anything else; only the changed entries of a
changed tree are looked at (libgit2's tree diff). Each distinct blob is read once, and
most are parsed as an edit of their successor (:mod:`registry_tool.history.blobs`). A
shallow clone's boundary ends the walk with a :class:`~registry_tool.events.Truncated`
marker, never with invented "creations".
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pygit2

from registry_tool.core.changes import Change, model_changes, policy_change
from registry_tool.core.model import Model, Stage
from registry_tool.core.names import is_model_file_name, model_name
from registry_tool.core.policy import POLICY_FILE, Policy
from registry_tool.errors import RegistryError
from registry_tool.history import gitlog
from registry_tool.history.blobs import FILE_MODES, BlobReader
from registry_tool.history.events import (
    UNKNOWN,
    CommitInfo,
    Event,
    Person,
    Truncated,
    approvers,
    iso_utc,
    pull_request_number,
    reason,
    summary_line,
)
from registry_tool.history.index import ENV, Changed, HistoryIndex, Step
from registry_tool.history.marks import Group, RollbackMarks
from registry_tool.snapshots.git import GitStore, tree_changes

SINCE_SLOP = 5  # like git log --since: stop after this many commits in a row older than the date
PROGRESS_EVERY = 1000  # commits between progress reports
_UNKNOWN = object()  # no valid earlier version could be found (a shallow boundary in the way)
_UNREAD = object()

Progress = Callable[[int], None]


@dataclass
class History:
    """The events found, newest first, and where the walk stopped."""

    events: list[Event] = field(default_factory=list)
    truncated: Truncated | None = None  # the walk reached a shallow clone's boundary
    commits_walked: int = 0

    @property
    def complete(self) -> bool:
        return self.truncated is None


def decoded(commit: pygit2.Commit, raw: bytes) -> str:
    """Text of a commit in the encoding its ``encoding`` header names (UTF-8 without one);
    ``?`` when Python knows no such encoding (Git stores any name there, fsck-clean)."""
    try:
        return raw.decode(commit.message_encoding or "utf-8", "replace")
    except LookupError:
        return UNKNOWN


def person(commit: pygit2.Commit, who: pygit2.Signature) -> Person:
    """An author or committer, read with the commit's encoding (see :func:`decoded`)."""
    return Person(decoded(commit, who.raw_name), decoded(commit, who.raw_email))


def commit_info(commit: pygit2.Commit) -> CommitInfo:
    """The audit log's facts about a commit of the first-parent chain. ``merged_by``: who
    landed it: the author of a merge commit (GitHub's web UI writes the user who merged as
    author, itself as committer), the committer of any other commit."""
    message = decoded(commit, commit.raw_message)
    signature, _ = commit.gpg_signature
    author = person(commit, commit.author)
    committer = person(commit, commit.committer)
    merge = len(commit.parent_ids) > 1
    return CommitInfo(
        id=str(commit.id),
        time=iso_utc(commit.commit_time),
        author=author,
        committer=committer,
        pull_request=pull_request_number(message),
        comment=summary_line(message),
        signed=signature is not None,
        merged_by=author if merge else committer,
        approved_by=approvers(message),
        reason=reason(message),
        merge=merge,
    )


BRANCH_WALK_LIMIT = 1000  # branch commits looked at to find who changed a file in a merge


def proposer(store: GitStore, merge: pygit2.Commit, path: str) -> Person:
    """Who proposed what a merge commit changed in ``path``: the author of the newest commit
    on the merged side (second parent, not on the first parent's history) whose tree
    differs from its first parent's at ``path``; the second parent's author when none does
    (the change came from resolving the merge) or the branch is not in the clone."""
    try:
        side = store.commit(merge.parent_ids[1])
        walker = store.repo.walk(side.id, pygit2.enums.SortMode.TOPOLOGICAL)
        walker.hide(merge.parent_ids[0])
        for count, commit in enumerate(walker):
            if count >= BRANCH_WALK_LIMIT:
                break
            before = _blob_at(commit.parents[0], path) if commit.parent_ids else None
            if _blob_at(commit, path) != before:
                return person(commit, commit.author)
    except (KeyError, ValueError, pygit2.GitError, RegistryError):
        return person(merge, merge.author)
    return person(side, side.author)


def _blob_at(commit: pygit2.Commit, path: str) -> str | None:
    try:
        return str(commit.tree[path].id)
    except KeyError:
        return None


@dataclass(slots=True)
class _State:
    """What one commit's registry looks like, cheaply: ids only, nothing parsed."""

    commit: pygit2.Commit
    tree_id: pygit2.Oid
    policy_blob: str | None
    policy: Policy
    folder: pygit2.Tree | None  # the models directory
    blob: str | object | None = _UNREAD  # a walk for one model: its file's blob id (_UNREAD: not looked up yet)


class _Walk:
    """One history walk: the steps of first-parent commits (from the history index where
    it has them, from ``git log`` or Git objects otherwise), and the events of their changes."""

    def __init__(self, store: GitStore, model: str | None, index: HistoryIndex | None = None,
                 reader: BlobReader | None = None) -> None:
        self.store = store
        self.model = model
        self.file = f"{model}.yaml" if model is not None else None
        self.reader = reader or BlobReader(store)  # a reader shared by several walks keeps what it parsed
        self.index = index
        self.passed = 0  # recorded commits a sparse walk left out
        self.given: list[Step] | None = None  # the steps, when already read (see _entered_before)

    # -- steps -------------------------------------------------------------------------

    def steps(self, head: pygit2.Commit, sparse: bool = False) -> Iterator[Step]:
        """head's step, its first parent's, ... down to a root commit or a boundary.
        ``sparse``: a walk for one model may leave out recorded steps that do not touch its
        file (but never the one after a step that does: its base); ``self.passed`` counts them."""
        if self.given is not None:
            yield from self.given
            return
        index, shallow = self.index, self.store.shallow_commits
        if sparse and self.file is not None and (index is None or len(index) == 0):
            found = gitlog.file_steps(self.store, self.reader, head, self.file)  # a fresh clone: git log's speed
            if found is not None:
                steps, total = found
                self.passed += max(0, total - len(steps))  # the commits git log found unchanged
                yield from steps
                return
        source = _StepSource(self, head)
        commit_id: str | None = str(head.id)
        after_touch = False
        while commit_id is not None:
            if sparse and index is not None and self.file is not None and not after_touch:
                commit_id, passed = index.skip(commit_id, self.file)
                self.passed += passed
            step = source.get(commit_id)
            if step is None:
                return  # missing from the object database: the walk ends at the step before
            yield step
            after_touch = self.touches(step)
            commit_id = step.parent if step.complete and step.commit not in shallow else None

    def _commit(self, commit_id: str) -> pygit2.Commit | None:
        try:
            found = self.store.repo[commit_id]
        except (KeyError, ValueError, pygit2.GitError):
            return None
        return found if isinstance(found, pygit2.Commit) else None

    def unrecorded(self, start: pygit2.Commit) -> Generator[Step, None, None]:
        """Steps from ``start`` down its first parents, of commits the index does not have
        (none, in a fresh clone; the new ones, after a cached index was restored; those
        below a walk cut short): from one streamed ``git log`` of the models folder, read
        as far as the walk goes (:func:`~registry_tool.history.gitlog.registry_steps`),
        and from Git objects from where it hands over."""
        resume = yield from gitlog.registry_steps(self.store, self.reader, start)
        commit = self._commit(resume) if resume is not None else None
        if commit is not None:
            yield from self._cold_steps(commit)

    def _cold_steps(self, start: pygit2.Commit) -> Iterator[Step]:
        newer: _State | None = None
        for commit in self.store.first_parents(start):
            state = self.state(commit, newer)
            if newer is not None:
                yield self._step(newer, state)
            newer = state
        if newer is None:
            return
        if newer.commit.parent_ids or str(newer.commit.id) in self.store.shallow_commits:
            yield self._step(newer, None, complete=False)  # a boundary: its parent is not available
        else:
            yield self._step(newer, None)  # a root commit: everything it holds is new

    def _step(self, head: _State, base: _State | None, complete: bool = True) -> Step:
        commit = head.commit
        return Step(
            commit=str(commit.id),
            parent=str(commit.parent_ids[0]) if commit.parent_ids else None,
            time=commit.commit_time,
            policy=head.policy_blob,
            changed=tuple(self.changed(head, base)) if complete else (),
            complete=complete,
        )

    def state(self, commit: pygit2.Commit, newer: _State | None) -> _State:
        tree_id = commit.tree_id
        if newer is not None and newer.tree_id == tree_id:
            return _State(commit, tree_id, newer.policy_blob, newer.policy, newer.folder, newer.blob)
        tree = commit.tree
        policy_blob = self.reader.policy_blob(tree)
        policy = self.reader.policy(policy_blob)
        folder = _lookup(tree, policy.models_dir)
        if not isinstance(folder, pygit2.Tree):
            folder = None
        elif newer is not None and newer.folder is not None and newer.folder.id == folder.id:
            folder = newer.folder  # read once, even when the folder is large
        blob = newer.blob if newer is not None and folder is newer.folder else _UNREAD
        return _State(commit, tree_id, policy_blob, policy, folder, blob)

    def changed(self, head: _State, base: _State | None) -> list[Changed]:
        """(file name, base blob, head blob) of each model file that differs, by name. Without
        an index to fill, a walk for one model looks at its file alone."""
        new, old = head.folder, base.folder if base is not None else None
        if (new is None and old is None) or (new is not None and old is not None and new.id == old.id):
            return []
        if self.file is not None and self.index is None:
            after = head.blob if head.blob is not _UNREAD else self._file_blob(new)
            before = self._file_blob(old)
            if base is not None:
                base.blob = before  # the next step's head: not looked up twice
            return [(self.file, before, after)] if before != after else []  # type: ignore[list-item]
        found = []
        for name, (a, b) in tree_changes(old, new).items():
            before, after = _file_id(a), _file_id(b)
            if is_model_file_name(name) and before != after:
                found.append((name, before, after))
        return sorted(found)

    def _file_blob(self, folder: pygit2.Tree | None, name: str | None = None) -> str | None:
        """The blob id of a model file (default: this walk's) in a models folder (a symlink
        or a folder by that name is not a model file)."""
        name = name or self.file
        return _file_id(_lookup(folder, name) if folder is not None and name is not None else None)

    # -- events ------------------------------------------------------------------------

    def changes(self, head: Step, base: Step | None) -> Iterator[Event]:
        """The events of one step against its first parent's (None: a root commit): a
        policy change first (a walk for every model), then the model files' changes."""
        landing = _Landing(self.store, head.commit)
        if self._policy_moved(head, base):
            moved = self._policy_change(head, base)
            if moved is not None:
                yield Event(moved, landing.info, landing.proposer(POLICY_FILE))
        for name, before, after in head.changed:
            if self.file is not None and name != self.file:
                continue
            pair = self._compared(head, base, name, before, after)
            if pair is None:
                continue
            path = f"{self.reader.policy(head.policy).models_dir}/{name}"
            for change in model_changes(model_name(name), *pair):
                yield Event(change, landing.info, landing.proposer(path))

    def _compared(self, head: Step, base: Step | None, name: str, before: str | None,
                  after: str | None) -> tuple[Model | None, Model | None] | None:
        """A changed file's model before and after, or None when there is nothing sound to
        compare (the head copy is not a valid model file, nor any earlier copy)."""
        new = self._model_at(head, name, after)
        if new is _UNKNOWN:
            return None
        old = self._model_at(base, name, before, near=after) if base is not None else None
        if old is _UNKNOWN:
            old = self._last_valid(base.commit, name)  # type: ignore[union-attr]
            if old is _UNKNOWN:
                return None
        return old, new  # type: ignore[return-value]

    def touches(self, step: Step, base: Step | None = None, *, root: bool = False) -> bool:
        """Whether the step changes what this walk reports: its model file, or (a walk for
        every model) any model file or, given its ``base`` (or at a ``root`` commit), the policy."""
        if self.file is not None:
            return any(c[0] == self.file for c in step.changed)
        return bool(step.changed) or ((base is not None or root) and self._policy_moved(step, base))

    def _policy_moved(self, head: Step, base: Step | None) -> bool:
        return self.file is None and head.policy != (base.policy if base is not None else None)

    def _policy_change(self, head: Step, base: Step | None) -> Change | None:
        """registry.yaml's change, as ``diff`` tells it: none when the head's copy is not valid
        (nothing sound to compare; its keys were not unset), and a repair compared with the
        newest valid copy before it, not with the defaults an invalid copy falls back to."""
        if not self.reader.policy_valid(head.policy):
            return None
        before = base.policy if base is not None else None
        if base is not None and not self.reader.policy_valid(before):
            found = self._last_valid_policy(base.commit)
            if found is _UNKNOWN:
                return None
            before = found  # type: ignore[assignment]
        return policy_change(self.reader.policy_data(before), self.reader.policy_data(head.policy))

    def _last_valid_policy(self, commit_id: str) -> str | object | None:
        """The newest valid registry.yaml blob at or before a commit (None: no file, or never
        valid since the root commit; _UNKNOWN: what came before is not in a shallow clone)."""
        for commit in self.store.first_parents(self.store.commit(commit_id)):
            blob = self.reader.policy_blob(commit.tree)
            if self.reader.policy_valid(blob):
                return blob
            if str(commit.id) in self.store.shallow_commits:
                return _UNKNOWN
        return None

    def _model_at(self, step: Step, name: str, oid: str | None, near: str | None = None) -> Model | object | None:
        if oid is None:
            return None
        policy = self.reader.policy(step.policy)
        found = self.reader.model(oid, f"{policy.models_dir}/{name}", policy, near)
        return _UNKNOWN if found is None else found

    def _last_valid(self, commit_id: str, name: str) -> Model | object | None:
        """The newest valid copy of a file at or before a commit whose copy is invalid."""
        older: _State | None = None
        for commit in self.store.first_parents(self.store.commit(commit_id)):
            older = self.state(commit, older)
            blob = self._file_blob(older.folder, name)
            policy = older.policy
            found = self.reader.model(blob, f"{policy.models_dir}/{name}", policy) if blob is not None else None
            if blob is None or found is not None:
                return found
            if str(commit.id) in self.store.shallow_commits:
                return _UNKNOWN  # what came before is not available
        return None  # never valid since the root commit: as good as new


class _Landing:
    """The commit a step's events are attributed to: read only when there is an event, and
    once; for a merge commit, who proposed the change to each path (see :func:`proposer`)."""

    def __init__(self, store: GitStore, commit_id: str) -> None:
        self.store = store
        self.commit_id = commit_id
        self._commit: pygit2.Commit | None = None
        self._info: CommitInfo | None = None
        self._proposers: dict[str, Person] = {}

    @property
    def info(self) -> CommitInfo:
        if self._info is None:
            self._commit = self.store.commit(self.commit_id)
            self._info = commit_info(self._commit)
        return self._info

    def proposer(self, path: str) -> Person | None:
        """Who proposed the change to ``path``: None for a commit that is not a merge (its author)."""
        if not self.info.merge or self._commit is None:
            return None
        if path not in self._proposers:
            self._proposers[path] = proposer(self.store, self._commit, path)
        return self._proposers[path]


class _StepSource:
    """Steps by commit id: the history index's record when it has one, else the next step
    of the commits it does not have, from ``git log`` or Git objects (see
    :meth:`_Walk.unrecorded`), added to the index."""

    def __init__(self, run: _Walk, head: pygit2.Commit) -> None:
        self.run = run
        self.head = head
        self.unrecorded: Generator[Step, None, None] | None = None
        self.expected: str | None = None  # the commit whose step self.unrecorded gives next
        self.recorded = 0

    def get(self, commit_id: str) -> Step | None:
        index = self.run.index
        step = index.get(commit_id, self.run.file) if index is not None else None
        if step is not None:
            self._stop()  # the index has it: what the walk of unrecorded commits would read next is known
            self.recorded += 1
            if self.recorded + self.run.passed > len(index):  # type: ignore[arg-type]
                raise RegistryError(f"the history index {index.path} is damaged (its records form a cycle); "  # type: ignore[union-attr]
                                    "delete it and run the command again")
            return step
        if self.unrecorded is None or commit_id != self.expected:
            self._stop()
            start = self.head if commit_id == str(self.head.id) else self.run._commit(commit_id)
            if start is None:
                return None
            self.unrecorded = self.run.unrecorded(start)
        step = next(self.unrecorded, None)
        if step is not None and index is not None:
            index.add(step)
        self.expected = step.parent if step is not None else None
        return step

    def _stop(self) -> None:
        if self.unrecorded is not None:
            self.unrecorded.close()  # stops git log, if it is running
            self.unrecorded = None


def walk(store: GitStore, head: pygit2.Commit, *, model: str | None = None, since: int | None = None,
         progress: Progress | None = None) -> Generator[Event | Truncated, None, None]:
    """Events on head's first-parent history, newest first; a :class:`Truncated` marker
    last when a shallow clone's boundary was reached. ``since``: commit time in seconds
    since the epoch; older commits are neither reported nor walked far."""
    return _walk(_Walk(store, model, HistoryIndex.open(store)), head, since, progress)


def _walk(run: _Walk, head: pygit2.Commit, since: int | None,
          progress: Progress | None) -> Generator[Event | Truncated, None, None]:
    newer: Step | None = None
    walked = old_streak = reported = 0
    try:
        for step in run.steps(head, sparse=since is None):  # --since counts the old commits in a row
            walked += 1
            if progress is not None and walked + run.passed - reported >= PROGRESS_EVERY:
                reported = walked + run.passed
                progress(reported)
            if newer is not None and _recent(newer.time, since) and run.touches(newer, step):
                yield from run.changes(newer, step)
            newer = step
            old_streak = old_streak + 1 if not _recent(step.time, since) else 0
            if old_streak > SINCE_SLOP:
                return
        if newer is not None:
            yield from _oldest(run, newer, since)
    finally:
        if progress is not None:
            progress(walked + run.passed)
        if run.index is not None:
            run.index.save()


def _file_id(item: pygit2.Object | None) -> str | None:
    """The blob id of a tree entry that is a model file (a regular file), else None."""
    return str(item.id) if item is not None and int(item.filemode) in FILE_MODES else None


def _lookup(tree: pygit2.Tree, path: str) -> pygit2.Object | None:
    try:
        return tree[path]
    except KeyError:
        return None



def _oldest(run: _Walk, last: Step, since: int | None) -> Iterator[Event | Truncated]:
    """The end of the walk: a root commit creates what it holds; a boundary (a shallow
    clone's, or a parent missing from the object database) says so."""
    if last.parent is not None or last.commit in run.store.shallow_commits:
        yield Truncated(commit_info(run.store.commit(last.commit)))
    elif _recent(last.time, since) and run.touches(last, root=True):
        yield from run.changes(last, None)


def _recent(time: int, since: int | None) -> bool:
    return since is None or time >= since


def stream_history(store: GitStore, head: pygit2.Commit, *, model: str | None = None, since: int | None = None,
                   limit: int | None = None, progress: Progress | None = None) -> Iterator[Event | Truncated]:
    """The events of :func:`walk`, at most ``limit`` of them, each return to a unique stage
    (production) marked (``rollback``), newest first, the :class:`Truncated` marker last.
    Streamed: events are not held, except from the first entry to a unique stage on, which
    are held (mostly on disk, see :mod:`~registry_tool.history.marks`) until the walk tells
    whether it is a rollback."""
    policy = BlobReader(store).policy(BlobReader.policy_blob(head.tree))
    marks = RollbackMarks(policy.is_unique, may_cut=since is not None or limit is not None)
    index = HistoryIndex.open(store)
    fresh = index is None or len(index) == 0  # what the walk adds to it stops at the cut
    events = _walk(_Walk(store, model, index), head, since, progress)
    cut = since is not None
    count = 0
    try:
        for item in events:
            if isinstance(item, Event):
                if limit is not None and count >= limit:
                    cut = True
                    break
                count += 1
            yield from marks.add(item)
    finally:
        events.close()  # ends the walk (and its progress) now, not when garbage-collected
    yield from marks.close(partial(_entered_before, store, head, index, fresh) if cut else None)


@dataclass
class IndexFill:
    """What :func:`fill_index` did: the first-parent commits walked, the records it added."""

    path: Path
    commits: int
    added: int


def fill_index(store: GitStore, head: pygit2.Commit, progress: Progress | None = None) -> IndexFill:
    """Record every first-parent commit of ``head`` in the history index, reading no model
    file: what a CI cache then keeps (a whole-registry ``history`` writes the same records,
    but parses both sides of every change on the way). Raises when the index is not used
    here (turned off, a shallow clone)."""
    index = HistoryIndex.open(store)
    if index is None:
        why = ("a shallow clone never uses it (clone the whole history, e.g. actions/checkout with fetch-depth: 0)"
               if store.repo.is_shallow else f"{ENV}=0 turns it off")
        raise RegistryError(f"the history index is not used here: {why}")
    before = len(index)
    run = _Walk(store, None, index)
    commits = 0
    try:
        for _ in run.steps(head):  # each step the index lacks is read from git log and added
            commits += 1
            if progress is not None and commits % PROGRESS_EVERY == 0:
                progress(commits)
    finally:
        index.save()  # interrupted, what was read is kept: the next run goes on from there
    if index.unsaved:
        raise RegistryError(f"{index.path}: the history index could not be written (a read-only repository, a full "
                            "disk, or more than its size limit); nothing was recorded")
    return IndexFill(index.path, commits, len(index) - before)


def read_history(store: GitStore, head: pygit2.Commit, *, model: str | None = None, since: int | None = None,
                 limit: int | None = None, progress: Progress | None = None) -> History:
    """The events of :func:`stream_history`, in a list."""
    history = History()

    def counting(walked: int) -> None:
        history.commits_walked = walked
        if progress is not None:
            progress(walked)

    for item in stream_history(store, head, model=model, since=since, limit=limit, progress=counting):
        if isinstance(item, Truncated):
            history.truncated = item
        else:
            history.events.append(item)
    return history


def _entered_before(store: GitStore, head: pygit2.Commit, index: HistoryIndex | None, fresh: bool,
                    groups: dict[Group, str]) -> dict[Group, set[str]]:
    """For each (model, stage): the versions that entered the stage on ``head``'s
    first-parent history before the given commit (one of that history). Where the walk
    found no history index to follow (``fresh``: none, or an empty one it filled only as
    far as the cut), one ``git log`` of the models folder answers them all (a history cut
    short by ``--limit`` asks this of every model it saw enter production: one ``git log``
    each was minutes at 10,000 models, and a walk of Git objects below the cut for each
    tens of minutes at 50,000). Otherwise each model's walk follows ``index``, the one the
    cut walk used, with the records it added (opening the file again read all of it
    again: 0.2 s at 50,000 models)."""
    found = _entered_before_at_once(store, head, groups) if fresh else None
    if found is None:
        found = {group: _before(store, commit, *group, index) for group, commit in groups.items()}
    return found


def _entered_before_at_once(store: GitStore, head: pygit2.Commit, groups: dict[Group, str]) -> dict[Group, set[str]] | None:
    """:func:`_entered_before` from one ``git log`` of the models folder (of the model's
    file, for one), each model's steps taken from below its commit; None where only
    reading Git objects can tell (see :func:`~registry_tool.history.gitlog.files_steps`)."""
    reader = BlobReader(store)
    found = gitlog.files_steps(store, reader, head, sorted({f"{model}.yaml" for model, _ in groups}))
    if found is None:
        return None
    result: dict[Group, set[str]] = {}
    for (model, stage), commit in groups.items():
        steps = found[0][f"{model}.yaml"]
        at = next((i for i, step in enumerate(steps) if step.commit == commit), None)
        if at is None:
            return None  # not a commit that changed the model on this history: ask as before
        run = _Walk(store, model, reader=reader)
        run.given = steps[at + 1:]
        result[model, stage] = set(_record(run, head, stage).labels)
    return result


def _before(store: GitStore, commit_id: str, model: str, stage: Stage, index: HistoryIndex | None) -> set[str]:
    """The versions of ``model`` that entered ``stage`` before a commit (walked with
    ``index``, the repository's history index if it is used)."""
    commit = store.commit(commit_id)
    if not commit.parent_ids or commit_id in store.shallow_commits:
        return set()
    try:
        parent = store.commit(commit.parent_ids[0])
    except RegistryError:
        return set()
    return set(_record(_Walk(store, model, index), parent, stage).labels)


@dataclass
class ProductionRecord:
    """The versions of one model that entered a stage (production) on a first-parent
    history, the most recent entry first, each with the commit that put it there."""

    entries: list[tuple[str, str]] = field(default_factory=list)  # (label, commit), each label once
    boundary: str | None = None  # the walk met a shallow clone's boundary (or a missing parent) here

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.entries]


def production_record(store: GitStore, head: pygit2.Commit | None, model: str,
                      stage: Stage = Stage.PRODUCTION) -> ProductionRecord:
    """Every version of ``model`` that entered ``stage`` on ``head``'s first-parent history
    (``head`` included), the most recently entered first."""
    if head is None:
        return ProductionRecord()
    return _record(_Walk(store, model, HistoryIndex.open(store)), head, stage)


def _record(run: _Walk, head: pygit2.Commit, stage: Stage) -> ProductionRecord:
    record = ProductionRecord()
    events = _walk(run, head, None, None)
    seen: set[str] = set()
    try:
        for item in events:
            if isinstance(item, Truncated):
                record.boundary = item.commit.id
                break
            change = item.change
            if change.sets_stage and change.to_stage == stage and change.version is not None \
                    and change.version not in seen:
                seen.add(change.version)
                record.entries.append((change.version, item.commit.id))
    finally:
        events.close()
    return record
