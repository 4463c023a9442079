"""``history --verify-signatures``: git's verdict on each signed commit's signature.

A signature header alone proves nothing (anyone can write one, garbage included); git
knows the keys (gpg's keyring, ``gpg.ssh.allowedSignersFile``) and checks them, so the
verdicts come from ``git log --format=%G?``, one process for every signed commit.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess

from registry_tool.errors import RegistryError
from registry_tool.history.walk import History
from registry_tool.snapshots.git import GitStore

VERDICTS = {
    "G": "good", "U": "good, key not trusted", "X": "good, but expired", "Y": "good, key expired",
    "R": "good, key revoked", "B": "BAD", "E": "cannot be checked (key missing)",
    "N": "unreadable (not a signature)",
}


def verify_signatures(store: GitStore, found: History) -> History:
    """``found`` with each signed commit's ``verified`` set to git's verdict."""
    signed = sorted({e.commit.id for e in found.events if e.commit.signed})
    if not signed:
        return found
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
    events = [dataclasses.replace(e, commit=dataclasses.replace(e.commit, verified=verdicts.get(e.commit.id, "none")))
              if e.commit.signed else e for e in found.events]
    return dataclasses.replace(found, events=events)
