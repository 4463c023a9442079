"""Git history as the audit log: the first-parent walk, its events, the provenance of
each version's stage, and the caches that keep the walk at Git's speed.

The public functions (``walk``, ``read_history``, ``stage_provenance``,
``registry_provenance``) are importable from here; they are loaded on first use, so
importing :mod:`registry_tool.history.events` alone stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from registry_tool.history.provenance import registry_provenance, stage_provenance
    from registry_tool.history.walk import History, read_history, walk

__all__ = ["History", "read_history", "registry_provenance", "stage_provenance", "walk"]

_LAZY = {"History": "walk", "read_history": "walk", "walk": "walk",
         "registry_provenance": "provenance", "stage_provenance": "provenance"}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'registry_tool.history' has no attribute '{name}'")
    from importlib import import_module

    value = getattr(import_module(f"registry_tool.history.{module}"), name)
    globals()[name] = value
    return value
