"""What history says about the unique stages (production) before a change's base, handed
to the change rules.

Validation sits below history: it never walks Git history itself. The caller (the CLI, the
editing commands) that knows the base commit gives a :class:`ProductionPast` a lookup:
for a model and a stage, the versions that were in that stage on the base's first-parent
history, the most recently there first (:func:`registry_tool.history.rollback.production_past`
builds one). The rules ask it two questions about a unique stage (production by default):

* was this version in it before? (returning it is a rollback; the metric values of a
  version that has been in production are a record and never change)
* which version was in it last? (``no_regression`` compares with it when the base has
  none there: demoting first does not lower the bar)

Without a lookup it knows only what it is told. A ``--range`` tells it what each step's
head holds in its unique stages (:meth:`observe`), so the lookup is made once per model
and stage, at the range's start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from registry_tool.core.model import Stage

Lookup = Callable[[str, Stage], Sequence[str]]  # (model, stage) -> version labels, most recently there first


class ProductionPast:
    """Versions that were in a unique stage before a change, per model and stage, most recent first."""

    def __init__(self, lookup: Lookup | None = None) -> None:
        self._lookup = lookup
        self._looked_up: dict[tuple[str, Stage], list[str]] = {}
        self._observed: dict[tuple[str, Stage], list[str]] = {}  # newer than the lookup's commit, most recent first

    def labels(self, model: str, stage: Stage = Stage.PRODUCTION) -> list[str]:
        """The model's versions that were in ``stage``, the most recently there first."""
        key = (model, Stage(stage))
        if key not in self._looked_up:
            self._looked_up[key] = list(self._lookup(model, key[1])) if self._lookup is not None else []
        return list(dict.fromkeys(self._observed.get(key, []) + self._looked_up[key]))

    def was_in(self, model: str, label: str, stage: Stage = Stage.PRODUCTION) -> bool:
        if label in self._observed.get((model, Stage(stage)), ()):
            return True
        return label in self.labels(model, stage)

    def last(self, model: str, stage: Stage = Stage.PRODUCTION) -> str | None:
        """The version that was in ``stage`` most recently (None: none ever was, as far as known)."""
        found = self.labels(model, stage)
        return found[0] if found else None

    def observe(self, model: str, stage: Stage, label: str) -> None:
        """A newer state (the next step's base) has this version in ``stage``."""
        seen = self._observed.setdefault((model, Stage(stage)), [])
        if seen[:1] != [label]:
            if label in seen:
                seen.remove(label)
            seen.insert(0, label)
