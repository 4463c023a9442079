"""The policy of a snapshot: its registry.yaml read strictly and checked against the
policy schema, or the defaults when there is none."""

from __future__ import annotations

from typing import Any

from registry_tool.core.findings import Violation
from registry_tool.core.policy import POLICY_FILE, POLICY_MAX_BYTES, Policy
from registry_tool.schema import check as schema
from registry_tool.snapshots.base import EntryKind, Snapshot
from registry_tool.yamlfile import loader


def load_policy(raw: bytes | None) -> tuple[Policy, list[Violation]]:
    """The policy from registry.yaml's bytes (None: no file, the defaults)."""
    data, problems = load_policy_data(raw)
    if problems:
        return Policy(), problems
    return (Policy.from_data(data), []) if data is not None else (Policy(), [])


def load_policy_data(raw: bytes | None) -> tuple[dict[str, Any] | None, list[Violation]]:
    """registry.yaml's bytes as checked data (None: no file, or only comments: all defaults),
    or what is wrong with them."""
    if raw is None:
        return None, []
    doc = loader.load(raw, POLICY_FILE, max_bytes=POLICY_MAX_BYTES)
    if doc.problems:
        return None, doc.problems
    if doc.data is None:  # an empty registry.yaml means "all defaults"
        return None, []
    problems = schema.check(doc, schema.POLICY_SCHEMA)
    if problems:
        return None, problems
    return dict(doc.data), []


def policy_data_of(snapshot: Snapshot) -> tuple[dict[str, Any] | None, list[Violation]]:
    """The snapshot's registry.yaml as checked data (see :func:`load_policy_data`)."""
    entry = snapshot.policy_entry()
    if entry is None or entry.kind is not EntryKind.FILE or snapshot.size(entry) > POLICY_MAX_BYTES:
        return None, policy_of(snapshot)[1]
    return load_policy_data(snapshot.read(entry))


def policy_of(snapshot: Snapshot) -> tuple[Policy, list[Violation]]:
    """The snapshot's policy (registry.yaml, or the defaults) and what is wrong with it."""
    entry = snapshot.policy_entry()
    if entry is None:
        return load_policy(None)
    if entry.kind is not EntryKind.FILE:
        kind = "special file (FIFO, socket or device)" if entry.kind is EntryKind.OTHER else entry.kind.value
        return Policy(), [Violation(POLICY_FILE, 1, 1, "unexpected-file", f"{POLICY_FILE} is a {kind}, not a regular file")]
    size = snapshot.size(entry)
    if size > POLICY_MAX_BYTES:
        return Policy(), [loader.too_large(POLICY_FILE, size, POLICY_MAX_BYTES)]
    return load_policy(snapshot.read(entry))


def policy_id(snapshot: Snapshot) -> str | None:
    entry = snapshot.policy_entry()
    return snapshot.blob_id(entry) if entry is not None and entry.kind is EntryKind.FILE else None
