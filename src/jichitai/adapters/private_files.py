"""Files and folders that can hold personal data: owner-only (0600 and 0700), whatever the umask.

Everything jichitai writes to disk about residents — the SQLite database, layout exports (個人番号
and 支援措置 included), import reports and id maps, certificate PDFs, the key directory's
issuer data and seals — goes through this module, so a new writer has one thing to call.

Why not rely on the umask: the usual 022 makes every new file readable by every local account,
and a service started with 000 would make it writable too. A file is therefore created with mode
0600 by ``os.open`` (the umask can only take bits away) and then set to exactly 0600 with
``fchmod`` on the open descriptor: that also covers a file that already existed (``O_TRUNC``
keeps its old mode) and an umask that takes the owner's own bits away. A folder made here gets
0700 the same way, each missing parent included; a folder that already exists is left as its
owner made it (the current directory, ``/tmp``, a directory the operator prepared), since the
files written into it are owner-only anyway.

A file owned by another account cannot be tightened by us (``chmod`` needs the owner); such a
file is left as it is — its owner chose to share it — rather than failing the run.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO, Final, Literal, TextIO, overload

__all__ = [
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "open_private",
    "private_database_file",
    "private_dir",
    "replace_private",
    "write_private",
]

PRIVATE_FILE_MODE: Final = 0o600
PRIVATE_DIR_MODE: Final = 0o700
SQLITE_COMPANIONS: Final = ("-wal", "-shm", "-journal")
"""Files SQLite keeps beside a database. It creates them with the database file's own mode,
but one left by an earlier run keeps whatever mode it had then."""
_NOT_BLOCKING: Final = os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
"""Creating a database file must not hang on a FIFO planted in its place."""


def private_dir(path: str | os.PathLike[str]) -> Path:
    """``path`` as a folder, made (with each missing parent) owner-only: 0700.

    A folder that already exists is left as it is (see the module's docstring).
    """
    folder = Path(path)
    missing: list[Path] = []
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        try:
            os.mkdir(candidate, PRIVATE_DIR_MODE)
        except FileExistsError:  # made meanwhile by someone else: theirs, left alone
            continue
        os.chmod(candidate, PRIVATE_DIR_MODE)  # the umask may have taken the owner's bits
    return folder


@overload
def open_private(
    path: str | os.PathLike[str], mode: Literal["wb"] = "wb", *, exclusive: bool = False
) -> BinaryIO: ...
@overload
def open_private(
    path: str | os.PathLike[str],
    mode: Literal["w"],
    *,
    exclusive: bool = False,
    encoding: str = "utf-8",
    newline: str | None = None,
) -> TextIO: ...
def open_private(
    path: str | os.PathLike[str],
    mode: Literal["wb", "w"] = "wb",
    *,
    exclusive: bool = False,
    encoding: str = "utf-8",
    newline: str | None = None,
) -> BinaryIO | TextIO:
    """Open ``path`` for writing (truncated), created or made owner-only: 0600.

    ``mode`` is ``"wb"`` (bytes) or ``"w"`` (text, with ``encoding`` and ``newline`` as
    :func:`open` takes them). ``exclusive`` refuses a file that exists (``FileExistsError``).
    The folder must exist (make it with :func:`private_dir`).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
    if exclusive:
        flags |= os.O_EXCL
    descriptor = os.open(path, flags, PRIVATE_FILE_MODE)
    try:
        _tighten_descriptor(descriptor)
        if mode == "w":
            return os.fdopen(descriptor, "w", encoding=encoding, newline=newline)
        return os.fdopen(descriptor, "wb")
    except BaseException:
        os.close(descriptor)
        raise


def write_private(path: str | os.PathLike[str], data: bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` owner-only (0600), replacing what was there."""
    with open_private(path, exclusive=exclusive) as out:
        out.write(data)


def replace_private(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``path`` whole: written beside it (``<name>.new``, owner-only) and renamed over it,
    so a reader sees the old file or the new one, never half of one."""
    target = Path(path)
    partial = target.with_name(target.name + ".new")
    write_private(partial, data)
    os.replace(partial, target)


def private_database_file(path: str | os.PathLike[str]) -> None:
    """Before SQLite opens ``path``: create it empty and owner-only if it is missing, tighten it
    (and any ``-wal``, ``-shm`` or ``-journal`` beside it) to 0600 if it is not.

    SQLite creates a new database with 0644 less the umask, but its WAL, shared-memory and
    journal files with the database file's own mode (and it sets that mode exactly, whatever
    the umask): so making the database 0600 first makes them 0600 too. An empty file is what
    SQLite itself would create. A missing folder is left for SQLite to report when it opens.

    An existing file is changed by its path and never opened: this runs before every new
    connection, and the process may hold SQLite's locks on these files already — closing any
    descriptor of a file drops all of the process's POSIX locks on it (SQLite's own warning), and
    another process would then reset the shared memory under this one's feet.
    """
    database = Path(path)
    try:
        descriptor = os.open(
            database, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOT_BLOCKING, PRIVATE_FILE_MODE
        )
    except FileExistsError:
        pass  # tightened below, by its path
    except OSError:
        return  # a missing folder, no right to write there…: SQLite says why when it opens it
    else:  # new, so nobody holds a lock on it
        try:
            _tighten_descriptor(descriptor)
        finally:
            os.close(descriptor)
    for suffix in ("", *SQLITE_COMPANIONS):
        _tighten_path(database.with_name(database.name + suffix))


def _tighten_path(path: Path) -> None:
    """``path`` made 0600 if it exists, is a regular file and is ours; by path, never opened."""
    try:
        found = os.stat(path)
        if stat.S_ISREG(found.st_mode) and stat.S_IMODE(found.st_mode) != PRIVATE_FILE_MODE:
            os.chmod(path, PRIVATE_FILE_MODE)
    except (FileNotFoundError, PermissionError):  # absent (as companions usually are), or not ours
        return


def _tighten_descriptor(descriptor: int) -> None:
    if os.fstat(descriptor).st_mode & 0o7777 == PRIVATE_FILE_MODE:
        return
    try:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)
    except PermissionError:  # not ours: left as its owner set it (see the module's docstring)
        return
