"""Rollback marks on a stream of events, newest first, without holding the events.

A version entering a unique stage (production) is a rollback when it entered that stage
before: *older* on the first-parent history, so *later* in a newest-first walk. An
entry's mark is known only once the walk has passed everything older. So events go out
as they come until the first such entry; from it on they are held, in order, until the
walk ends and every mark is known: in memory up to :data:`HELD_IN_MEMORY` events, beyond
that in an unnamed temporary file (pickled in batches). What stays in memory is one
record per (model, stage, version) that entered a unique stage in the walk (the position
of its oldest entry so far), the positions of the rollbacks found, and, when the walk was
cut short (``--limit``, ``--since``), the commit of each (model, stage)'s oldest entry:
bounded by the registry's production entries, never by the number of events or commits.
A record is one string and one number (~150 bytes, not ~260 as a tuple of three strings):
a registry of 50,000 models has some 180,000 such entries over its history.
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
        self._oldest: dict[str, int] = {}  # _key(model, stage, version) -> held position
        self._group: dict[Group, str] = {}  # (model, stage) -> commit of its oldest entry so far
        self._rollbacks: set[int] = set()  # held positions

    def add(self, item: Item) -> tuple[Item, ...]:
        """What can go out now: the item itself, unless events are held (or it starts that)."""
        entry = self._entry(item)
        if entry is None and not len(self._held):
            return (item,)
        position = self._held.append(item)
        if entry is not None:
            key = _key(*entry)
            earlier = self._oldest.get(key)
            if earlier is not None:
                self._rollbacks.add(earlier)  # an older entry of the same version follows: that one returned
            self._oldest[key] = position
            if self.may_cut:
                self._group[entry[:2]] = item.commit.id
        return ()

    def close(self, before: Before | None = None) -> Iterator[Item]:
        """The held items, marked. ``before``: the walk was cut short; it tells which versions
        entered each stage before the oldest entry the walk saw."""
        if before is not None:
            prior = before(self._group) if self._group else {}
            for key, position in self._oldest.items():
                model, stage, version = _unkey(key)
                if version in prior[model, stage]:
                    self._rollbacks.add(position)
        self._oldest, self._group = {}, {}
        for position, item in enumerate(self._held.drain()):
            yield replace(item, rollback=True) if position in self._rollbacks and isinstance(item, Event) else item

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
