"""Checking a downloaded artifact against the registered facts: what a deploy step runs
after the download and before it serves the file.

The file is streamed (:func:`registry_tool.digest.file_digest`, 1 MiB at a time), never
loaded; its sha256 and size are compared with ``artifact.sha256`` and, when registered,
``artifact.size_bytes``. With a registered size, reading stops one byte past it: a longer
file (or one that never ends) is a mismatch whose sha256 is not computed. A version that registers no sha256 cannot be verified: a size
alone does not tell two files apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry_tool.core.model import ModelVersion
from registry_tool.digest import file_digest, file_digest_up_to
from registry_tool.errors import EXIT_USAGE, RegistryError


@dataclass(frozen=True)
class Fact:
    """One registered fact and what the file shows."""

    name: str  # sha256 | size_bytes
    registered: str | int
    actual: str | int | None  # None: not computed (the file is longer than its registered size)

    @property
    def ok(self) -> bool:
        return self.registered == self.actual

    def to_dict(self) -> dict[str, Any]:
        return {"registered": self.registered, "actual": self.actual, "ok": self.ok}


@dataclass(frozen=True)
class Verification:
    model: str
    version: ModelVersion
    file: Path
    facts: tuple[Fact, ...]

    @property
    def ok(self) -> bool:
        return all(fact.ok for fact in self.facts)

    @property
    def longer(self) -> bool:
        """Whether reading stopped past the registered size (the file holds more than it)."""
        return any(fact.actual is None for fact in self.facts)

    @property
    def mismatched(self) -> list[Fact]:
        return [fact for fact in self.facts if not fact.ok]

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "model": self.model, "version": self.version.version, "file": str(self.file),
                "uri": self.version.artifact.uri, "facts": {fact.name: fact.to_dict() for fact in self.facts}}


def verify_file(model: str, version: ModelVersion, path: Path) -> Verification:
    """Stream ``path`` and compare it with the version's registered sha256 and size.
    RegistryError (exit code 2) when the version registers no sha256 or the file cannot be read."""
    artifact = version.artifact
    if artifact.sha256 is None:
        raise RegistryError(f"{model} {version.version} registers no artifact.sha256: there is nothing to verify {path} "
                            "against (register it with registry-tool set ... --sha256, or --file)", exit_code=EXIT_USAGE)
    if artifact.size_bytes is None:
        digest, size = file_digest(path)
        return Verification(model, version, path, (Fact("sha256", artifact.sha256, digest),))
    found, size = file_digest_up_to(path, artifact.size_bytes)
    facts = (Fact("sha256", artifact.sha256, found), Fact("size_bytes", artifact.size_bytes, size))
    return Verification(model, version, path, facts)
