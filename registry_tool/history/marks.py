"""Rollback marks on a stream of events, newest first, without holding the events.

A version entering a unique stage (production) is a rollback when it entered that stage
before: *older* on the first-parent history, so *later* in a newest-first walk. An
entry's mark is known only once the walk has passed everything older. So events go out
as they come until the first such entry; from it on they are held, in order, until the
walk ends and every mark is known: in memory up to :data:`HELD_IN_MEMORY` events, beyond
that in an unnamed temporary file (pickled in batches). Each entry is recorded as its
(model, stage, version) and its position among the held events, in buckets by key, which
go to temporary files too: a registry of 50,000 models has some 180,000 entries over its
history, ~25 MB held in a dict. When the walk ends, the buckets are read back one at a
time: of a key's positions, every one but the oldest is a rollback (an older entry of the
same version follows it), and the oldest is one when the walk was cut short (``--limit``,
``--since``) and the version had entered the stage before the cut. What stays in memory
is a batch of entries per bucket, one bucket at the end, the rollbacks' positions, and,
for a walk cut short, the commit of each (model, stage)'s oldest entry.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import IO

from registry_tool.core.model import Stage
from registry_tool.history.events import Event, Item

HELD_IN_MEMORY = 2000  # events held before they go to the temporary file, a batch at a time
BUCKETS = 16  # the entries' buckets (see _Entries)
ENTRIES_IN_MEMORY = 1024  # a bucket's entries before they go to its temporary file

Group = tuple[str, Stage]  # (model, stage)
# {(model, stage): commit id} -> {(model, stage): the versions in the stage before that commit}
Before = Callable[[dict[Group, str]], dict[Group, set[str]]]


class RollbackMarks:
    """Marks each return to a unique stage (see the module's doc): :meth:`add` each item of
    the walk as it comes and send on what it yields; :meth:`close` yields the rest."""

    def __init__(self, unique: Callable[[Stage], bool], may_cut: bool = False) -> None:
        self.unique = unique
        self.may_cut = may_cut  # keep what a cut walk needs to look up the history before it
        self._held = _Held()
        self._entries = _Entries()  # (_key(model, stage, version), held position) of each entry
        self._group: dict[Group, str] = {}  # (model, stage) -> commit of its oldest entry so far

    def add(self, item: Item) -> tuple[Item, ...]:
        """What can go out now: the item itself, unless events are held (or it starts that)."""
        entry = self._entry(item)
        if entry is None and not len(self._held):
            return (item,)
        position = self._held.append(item)
        if entry is not None:
            self._entries.add(_key(*entry), position)
            if self.may_cut:
                self._group[entry[:2]] = item.commit.id
        return ()

    def close(self, before: Before | None = None) -> Iterator[Item]:
        """The held items, marked. ``before``: the walk was cut short; it tells which versions
        entered each stage before the oldest entry the walk saw."""
        prior = before(self._group) if before is not None and self._group else None
        self._group = {}
        rollbacks: set[int] = set()  # held positions
        for key, positions in self._entries.drain():
            oldest = max(positions)
            rollbacks.update(position for position in positions if position != oldest)  # an older entry follows
            if prior is not None:
                model, stage, version = _unkey(key)
                if version in prior[model, stage]:
                    rollbacks.add(oldest)  # it had entered before the walk's cut
        for position, item in enumerate(self._held.drain()):
            yield replace(item, rollback=True) if position in rollbacks and isinstance(item, Event) else item

    def _entry(self, item: Item) -> tuple[str, Stage, str] | None:
        """(model, stage, version) of an event putting a version in a unique stage, else None."""
        if not isinstance(item, Event):
            return None
        change = item.change
        stage = change.to_stage
        if stage is None or change.version is None or not change.sets_stage or not change.enters(stage) \
                or not self.unique(stage):
            return None
        return change.model, stage, change.version


class _Entries:
    """(key, position) pairs, partitioned by key into :data:`BUCKETS` buckets, each written
    to its own temporary file a batch at a time (:data:`ENTRIES_IN_MEMORY`): what stays in
    memory is a batch per bucket, whatever the history's length. :meth:`drain` gives each
    key's positions, one bucket in memory at a time."""

    def __init__(self) -> None:
        self._batches: list[list[tuple[str, int]]] = [[] for _ in range(BUCKETS)]
        self._files: list[IO[bytes] | None] = [None] * BUCKETS

    def add(self, key: str, position: int) -> None:
        bucket = hash(key) % BUCKETS  # any split by key will do: a key's positions meet in one bucket
        batch = self._batches[bucket]
        batch.append((key, position))
        if len(batch) >= ENTRIES_IN_MEMORY:
            spill = self._files[bucket]
            if spill is None:
                spill = self._files[bucket] = tempfile.TemporaryFile(prefix="registry-tool-marks-")  # noqa: SIM115 - closed by drain
            pickle.dump(batch, spill, protocol=pickle.HIGHEST_PROTOCOL)
            self._batches[bucket] = []

    def drain(self) -> Iterator[tuple[str, list[int]]]:
        """(key, its positions) for every key added, each bucket let go once read."""
        for bucket in range(BUCKETS):
            positions: dict[str, list[int]] = {}
            for key, position in self._bucket(bucket):
                positions.setdefault(key, []).append(position)
            yield from positions.items()

    def _bucket(self, bucket: int) -> Iterator[tuple[str, int]]:
        spilled, self._files[bucket] = self._files[bucket], None
        if spilled is not None:
            with spilled:
                spilled.seek(0)
                while True:
                    try:
                        batch: list[tuple[str, int]] = pickle.load(spilled)  # written by this process just now
                    except EOFError:
                        break
                    yield from batch
        batch, self._batches[bucket] = self._batches[bucket], []
        yield from batch


class _Held:
    """Items in arrival order: the newest in memory, the rest pickled to a temporary file."""

    def __init__(self) -> None:
        self._batch: list[Item] = []
        self._file: IO[bytes] | None = None
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def append(self, item: Item) -> int:
        """Holds the item; its position."""
        self._batch.append(item)
        if len(self._batch) >= HELD_IN_MEMORY:
            if self._file is None:
                self._file = tempfile.TemporaryFile(prefix="registry-tool-history-")  # noqa: SIM115 - closed by drain
            pickle.dump(self._batch, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._batch = []
        self._count += 1
        return self._count - 1

    def drain(self) -> Iterator[Item]:
        """Every item held, in order, each let go once read."""
        spilled, self._file = self._file, None
        if spilled is not None:
            with spilled:
                spilled.seek(0)
                while True:
                    try:
                        batch: list[Item] = pickle.load(spilled)  # written by this process just now
                    except EOFError:
                        break
                    yield from batch
        batch, self._batch, self._count = self._batch, [], 0
        yield from batch


def _key(model: str, stage: Stage, version: str) -> str:
    """One string for (model, stage, version): neither a model name (a file name in a Git
    tree) nor a stage name holds a NUL, so the first two NULs split it back."""
    return f"{model}\0{stage.value}\0{version}"


def _unkey(key: str) -> tuple[str, Stage, str]:
    model, stage, version = key.split("\0", 2)
    return model, Stage(stage), version
