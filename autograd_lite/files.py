"""Writing a file so that it is either the old one or the complete new one.

Checkpoints, graph pictures, demo figures and benchmark tables all go
through :func:`write_atomically`: the new contents go to a temporary file
beside the destination, are flushed to disk, and only then renamed over it.
A crash or an error midway leaves the old file (or no file) and no debris.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from typing import Any, IO, Callable, Union

__all__ = ["write_atomically", "check_destination"]

PathLike = Union[str, "os.PathLike[str]"]


def check_destination(path: PathLike, where: str = "write") -> str:
    """``path`` as a string, or a clear error if no file can be written there.

    Said before writing, or the operating system's error would name the
    temporary file rather than the user's path.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{where}: cannot write {path!r}: the folder {folder!r} "
                                "does not exist; create it first (os.makedirs)")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{where}: cannot write {path!r}: it is a folder; give a "
                                "file name inside it")
    return path


def write_atomically(path: PathLike, write: Callable[[IO[Any]], object], *,
                     binary: bool = False, where: str = "write") -> str:
    """Create or replace ``path`` with what ``write(file)`` writes, atomically.

    Args:
        path: the destination; its folder must exist.
        write: called once with the open temporary file (text, UTF-8, or
            bytes when ``binary``) and writes the whole contents (what it
            returns is ignored, so ``f.write`` itself will do).
        binary: open the temporary file in binary mode.
        where: names the caller in error messages.

    Returns:
        The path written, as a string.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "note.txt")
        >>> write_atomically(path, lambda f: f.write("hello")) == path
        True
        >>> open(path).read()
        'hello'
    """
    path = check_destination(path, where)
    folder = os.path.dirname(os.path.abspath(path))
    # Our own temporary name rather than tempfile.mkstemp, which makes the file
    # private (0600): O_EXCL guarantees the name is new, and mode 0o666 lets the
    # umask apply as it does for any new file.
    for _ in range(100):
        temporary = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 100 collisions of 48 random bits
        raise FileExistsError(f"{where}: could not create a temporary file next to {path!r}")
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8")) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)
    return path


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (best effort: not every system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
