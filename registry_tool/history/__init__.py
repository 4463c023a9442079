"""Git history as the audit log: the first-parent walk, its events, the provenance of
each version's stage, and the caches that keep the walk at Git's speed.

The public functions (``walk``, ``read_history``, ``stage_provenance``,
``registry_provenance``) are importable from here.
"""

from registry_tool.history.provenance import registry_provenance, stage_provenance
from registry_tool.history.walk import History, read_history, walk

__all__ = ["History", "read_history", "registry_provenance", "stage_provenance", "walk"]
