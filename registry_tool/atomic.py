"""Atomic file writes: a crash leaves the old file or the new one, never half of one.

The new bytes go to a temporary file in the same folder (so the rename cannot cross a
file system), are flushed to disk, and the temporary file is renamed over the target;
then the folder itself is flushed so the rename survives a power cut. A crash before
the rename leaves the original untouched (and a ``.<name>.*.tmp`` file beside it).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from registry_tool.errors import ChangedMeanwhile, RegistryError


def atomic_write(target: Path, data: bytes | Iterable[bytes], *, display: str,
                 expect: bytes | bool | None = False, durable: bool = True) -> None:
    """Write ``data`` (bytes, or its pieces in order: a file bigger than what should be held
    in memory) to ``target`` atomically; an exception from the pieces leaves the target as
    it was. ``expect`` (when not False) is what the file must still hold just before the
    rename (None: it must not exist); otherwise nothing is written and
    :class:`ChangedMeanwhile` is raised. ``durable=False`` skips the flushes to disk, for
    files that are made again from the repository (a site's thousands of pages): a reader
    still never sees half a file."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise RegistryError(f"{display}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in [data] if isinstance(data, bytes) else data:
                handle.write(piece)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, _mode_for(target))
        if expect is not False and _current(target) != expect:
            raise ChangedMeanwhile(f"{display} changed on disk while it was being edited; nothing was written, "
                                   "run the command again")
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        raise RegistryError(f"{display}: cannot write: {exc.strerror}") from None
    except BaseException:
        _remove(tmp)
        raise
    if durable:
        _sync_folder(folder)


def _current(target: Path) -> bytes | None:
    try:
        return target.read_bytes()
    except FileNotFoundError:
        return None


def _mode_for(target: Path) -> int:
    """The target's permission bits, or what a new file gets under the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _sync_folder(folder: Path) -> None:
    if os.name != "posix":  # pragma: no cover - folders cannot be opened on Windows
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse; the rename is done anyway
        pass
    finally:
        os.close(fd)
