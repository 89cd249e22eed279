"""Durable file writes shared by the table commits, the raw store and the WARC writer.

A crash (SIGKILL, power loss) at any moment must leave either the old file or the new one,
never half of it: write beside the target, fsync, rename over it, fsync the folder.
"""
from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


class Busy(Exception):
    """Another process holds the lock."""


def os_reason(exc: BaseException) -> str:
    """The part of an OS error a person reads ("No space left on device"), without errno noise."""
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def fsync_path(path: Path) -> None:
    """fsync a file or a folder by name (a folder's fsync makes a rename in it durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write `path` through `write(handle)` so that readers see the old file or the whole new one.

    The temporary name starts with a dot and ends in `.tmp`, so leftovers of a crash are easy
    to recognise and remove. OSError propagates (the caller names the file in its own terms).
    """
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_path(path.parent)


_HELD_LOCKS: set[int] = set()  # descriptors of the locks this process holds


def _drop_inherited_locks() -> None:
    """In a forked child (a worker): let go of the parent's locks. A flock belongs to the open
    file, which a fork shares: a worker left behind by a killed run would keep the output folder
    locked. The descriptor is pointed at /dev/null rather than closed, so that the child's copy
    of the file object never closes a number that something else reuses."""
    if not _HELD_LOCKS:
        return
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        for fd in _HELD_LOCKS:
            os.dup2(null, fd)
    finally:
        os.close(null)
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_drop_inherited_locks)


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an advisory lock on `path` (created if needed) for one writer; Busy if another has it.
    Worker processes forked while it is held do not hold it."""
    handle = open(path, "w")
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(str(path)) from None
        _HELD_LOCKS.add(handle.fileno())
        try:
            yield
        finally:
            _HELD_LOCKS.discard(handle.fileno())
            fcntl.flock(handle, fcntl.LOCK_UN)
