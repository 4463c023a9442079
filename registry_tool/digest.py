"""The sha256 and size of an artifact file, read in chunks: a model is never loaded.

Only a regular file is read: a device (``/dev/zero``) never ends and a FIFO blocks until
someone writes to it, so either would hang the command. The file is opened without
blocking and its type checked on the open file, so a path swapped in between is caught.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from registry_tool.errors import RegistryError, shown_path

CHUNK = 1024 * 1024

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"))


def file_digest(path: Path) -> tuple[str, int]:
    """(lower-case hex sha256, size in bytes) of a regular file, streamed in 1 MiB chunks."""
    digest, size = _stream(path, None)
    assert digest is not None
    return digest, size


def file_digest_up_to(path: Path, limit: int) -> tuple[str | None, int]:
    """As :func:`file_digest`, reading no more than ``limit + 1`` bytes: a file longer than
    ``limit`` gives (None, limit + 1), "more than ``limit`` bytes", and its sha256 unread."""
    return _stream(path, limit)


def _stream(path: Path, limit: int | None) -> tuple[str | None, int]:
    digest = hashlib.sha256()
    size = 0
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as handle:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                kind = next((name for test, name in _KINDS if test(mode)), "a special file")
                raise RegistryError(f"{shown_path(path)}: not a regular file ({kind}); give the artifact file itself")
            while chunk := handle.read(CHUNK if limit is None else min(CHUNK, limit + 1 - size)):
                digest.update(chunk)
                size += len(chunk)
            if limit is not None and size > limit and os.fstat(fd).st_size != size:
                return None, size
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read: {exc.strerror}") from None
    return digest.hexdigest(), size
