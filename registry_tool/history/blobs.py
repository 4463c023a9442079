"""Model files read at commits for the history walk: each blob read once, most of them
parsed as an edit of a neighbouring version of the same file.

Keeps the policy of each distinct ``registry.yaml`` blob, and the parsed model of recent
blobs (a rollback to a recent file is not parsed again). A blob is read as an edit of
``near`` (the other side of the change being compared, just read) when
:func:`registry_tool.incremental.derive` can tell; otherwise it is parsed in full with the
validator's strict parser.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import pygit2

from registry_tool.core.model import Model
from registry_tool.core.names import model_name_of_path
from registry_tool.core.policy import POLICY_FILE, Policy, StageSet
from registry_tool.history.incremental import Layout, derive, layout_of
from registry_tool.snapshots.git import GitStore
from registry_tool.validation.model_file import parse_model
from registry_tool.validation.policy import load_policy, load_policy_data

MODEL_CACHE = 512  # parsed blobs kept
FILE_MODES = (pygit2.enums.FileMode.BLOB, pygit2.enums.FileMode.BLOB_EXECUTABLE)  # what a model file may be

Parsed = Layout | Model | None  # None: not a valid model file


class BlobReader:
    """Policies and models by blob id, for one walk."""

    def __init__(self, store: GitStore) -> None:
        self.store = store
        self._policies: dict[str | None, Policy] = {}
        self._policy_data: dict[str | None, tuple[dict[str, Any] | None, bool]] = {}  # data, valid
        # (blob id, the policy's stages) -> parsed (None: invalid); whether a file is valid depends on the stages
        self._models: OrderedDict[tuple[str, StageSet], Parsed] = OrderedDict()
        # the last blob read (path, id, parsed): the ``near`` of the read that follows it, whatever the
        # stages (one entry: a dict by path would keep a parsed model of every file the walk met)
        self._latest: tuple[str, str, Parsed] | None = None

    @staticmethod
    def policy_blob(tree: pygit2.Tree) -> str | None:
        """The id of a commit tree's ``registry.yaml`` blob (None: there is none)."""
        try:
            return str(tree[POLICY_FILE].id)
        except KeyError:
            return None

    def policy(self, oid: str | None) -> Policy:
        """The policy in a ``registry.yaml`` blob (the defaults for None or an invalid one)."""
        found = self._policies.get(oid)
        if found is None:
            raw = self.store.read_blob(oid, POLICY_FILE) if oid is not None else None
            policy, problems = load_policy(raw)
            found = self._policies[oid] = Policy() if problems else policy
        return found

    def policy_data(self, oid: str | None) -> dict[str, Any] | None:
        """The checked data of a ``registry.yaml`` blob (None: no file, all defaults, or invalid)."""
        return self._checked_policy(oid)[0]

    def policy_valid(self, oid: str | None) -> bool:
        """Whether a ``registry.yaml`` blob is a valid policy (no file is: all defaults)."""
        return self._checked_policy(oid)[1]

    def _checked_policy(self, oid: str | None) -> tuple[dict[str, Any] | None, bool]:
        if oid not in self._policy_data:
            raw = self.store.read_blob(oid, POLICY_FILE) if oid is not None else None
            data, problems = load_policy_data(raw)
            self._policy_data[oid] = (data, not problems)
        return self._policy_data[oid]

    def model(self, oid: str, path: str, policy: Policy, near: str | None = None) -> Model | None:
        """The model in a blob, or None when the file is not a valid model file. ``near``:
        a blob of the same file just read (the other side of a change), to read this one
        as an edit of it."""
        key = (oid, policy.stages)
        if key in self._models:
            self._models.move_to_end(key)
            parsed = self._models[key]
        else:
            parsed = self._parse(oid, path, policy, self._cached(near, path, policy.stages))
            self._models[key] = parsed
            if len(self._models) > MODEL_CACHE:
                self._models.popitem(last=False)
        self._latest = (path, oid, parsed)
        return parsed.model if isinstance(parsed, Layout) else parsed

    def _cached(self, oid: str | None, path: str, stages: StageSet) -> Layout | None:
        if oid is None:
            return None
        found = self._models.get((oid, stages))
        if found is None and self._latest is not None and self._latest[:2] == (path, oid):
            found = self._latest[2]
        return found if isinstance(found, Layout) else None

    def _parse(self, oid: str, path: str, policy: Policy, near: Layout | None) -> Parsed:
        if self.store.blob_size(oid, path) > policy.max_file_bytes:
            return None
        raw = self.store.read_blob(oid, path)
        stem = model_name_of_path(path)
        if near is not None:
            derived = derive(near, raw, path, stem, policy.max_file_bytes, policy.stages)
            if derived is not None:
                return derived
        mf, _ = parse_model(raw, path, stem, policy)
        if mf is None:
            return None
        return layout_of(mf) or mf.model
