"""What history says about production before a change's base, handed to the change rules.

Validation sits below history: it never walks Git history itself. The caller (the CLI, the
editing commands) that knows the base commit gives a :class:`ProductionPast` a lookup:
for a model, the versions that were in production on the base's first-parent history,
the most recently in production first (:func:`registry_tool.history.rollback.production_past`
builds one). The rules ask it two questions:

* was this version in production before? (returning it is a rollback; its metric values
  are a record and never change)
* which version was in production last? (``no_regression`` compares with it when the
  base has no production version: demoting first does not lower the bar)

Without a lookup it knows only what the change's base shows. A ``--range`` tells it what
each step's head put in production (:meth:`observe`), so the lookup is made once, at the
range's start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Lookup = Callable[[str], Sequence[str]]  # model name -> version labels, most recently in production first


class ProductionPast:
    """Versions that were in production before a change, per model, most recent first."""

    def __init__(self, lookup: Lookup | None = None) -> None:
        self._lookup = lookup
        self._looked_up: dict[str, list[str]] = {}
        self._observed: dict[str, list[str]] = {}  # newer than the lookup's commit, most recent first

    def labels(self, model: str) -> list[str]:
        """The model's versions that were in production, the most recently in production first."""
        if model not in self._looked_up:
            self._looked_up[model] = list(self._lookup(model)) if self._lookup is not None else []
        return list(dict.fromkeys(self._observed.get(model, []) + self._looked_up[model]))

    def was_in_production(self, model: str, label: str) -> bool:
        if label in self._observed.get(model, ()):
            return True
        return label in self.labels(model)

    def last(self, model: str) -> str | None:
        """The version that was in production most recently (None: none ever was, as far as known)."""
        found = self.labels(model)
        return found[0] if found else None

    def observe(self, model: str, label: str) -> None:
        """A newer state (the next step's base) has this version in production."""
        seen = self._observed.setdefault(model, [])
        if seen[:1] != [label]:
            if label in seen:
                seen.remove(label)
            seen.insert(0, label)
