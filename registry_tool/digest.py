"""The sha256 and size of an artifact file, read in chunks: a model is never loaded."""

from __future__ import annotations

import hashlib
from pathlib import Path

from registry_tool.errors import RegistryError

CHUNK = 1024 * 1024


def file_digest(path: Path) -> tuple[str, int]:
    """(lower-case hex sha256, size in bytes) of a file, streamed in 1 MiB chunks."""
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read: {exc.strerror}") from None
    return digest.hexdigest(), size
