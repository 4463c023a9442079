"""``history --verify-signatures``: git's verdict on each signed commit's signature.

A signature header alone proves nothing (anyone can write one, garbage included); git
knows the keys (gpg's keyring, ``gpg.ssh.allowedSignersFile``) and checks them, so the
verdicts come from ``git log --format=%G?``, one process for every signed commit.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from collections.abc import Iterable, Iterator

from registry_tool.errors import RegistryError
from registry_tool.history.events import Event, Item
from registry_tool.snapshots.git import GitStore

VERDICTS = {
    "G": "good", "U": "good, key not trusted", "X": "good, but expired", "Y": "good, key expired",
    "R": "good, key revoked", "B": "BAD", "E": "cannot be checked (key missing)",
    "N": "unreadable (not a signature)",
}


BATCH = 1000  # events whose signed commits one git process checks


def verified(store: GitStore, items: Iterable[Item]) -> Iterator[Item]:
    """The items (a walk's, as they come) with each signed commit's ``verified`` set to
    git's verdict: read a batch of events at a time, one git process per batch with a
    signed commit in it."""
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH:
            yield from _verified_batch(store, batch)
            batch = []
    yield from _verified_batch(store, batch)


def _verified_batch(store: GitStore, batch: list[Item]) -> list[Item]:
    signed = sorted({e.commit.id for e in batch if isinstance(e, Event) and e.commit.signed})
    if not signed:
        return batch
    verdicts = _verdicts(store, signed)
    return [dataclasses.replace(e, commit=dataclasses.replace(e.commit, verified=verdicts.get(e.commit.id, "none")))
            if isinstance(e, Event) and e.commit.signed else e for e in batch]


def _verdicts(store: GitStore, signed: list[str]) -> dict[str, str]:
    git = shutil.which("git")
    if git is None:
        raise RegistryError("--verify-signatures needs git (it knows the keys); install git")
    done = subprocess.run([git, "--git-dir", str(store.repo.path), "log", "--no-walk", "--format=%H %G?", *signed],
                          capture_output=True, check=False)
    if done.returncode != 0:
        last = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise RegistryError(f"git could not check the signatures: {last[0]}")
    verdicts = {}
    for line in done.stdout.decode("ascii", "replace").splitlines():
        sha, _, code = line.partition(" ")
        verdicts[sha] = VERDICTS.get(code.strip(), f"unknown ({code.strip()})")
    return verdicts
