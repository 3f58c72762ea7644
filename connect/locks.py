"""Exclusive cross-process locks on a file (flock on POSIX, msvcrt on Windows), for the audit log and apply.

Small on purpose: importing filelock cost every decision ~9 ms. The lock belongs to an
open file description, so two holders in one process exclude each other too, and the
operating system releases it when its holder dies (a killed apply never leaves the workspace
locked). The lock file is never deleted: unlinking a lock file lets a waiter lock a new inode
at the same path while the old holder still runs.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

POLL_SECONDS = 0.05

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        """One non-blocking attempt at the file's first byte."""
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        """Release the first byte."""
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import errno
    import fcntl

    BUSY = frozenset({errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK})

    def _try_lock(fd: int) -> bool:
        """One non-blocking attempt; another holder is False, any other failure is raised."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno in BUSY:
                return False
            raise
        return True

    def _unlock(fd: int) -> None:
        """Release the lock (closing the file would too)."""
        fcntl.flock(fd, fcntl.LOCK_UN)


class LockTimeout(Exception):
    """The lock was still held by another process when the timeout ran out."""


@contextmanager
def exclusive(path: Path, timeout: float) -> Iterator[None]:
    """Hold the lock on `path` (created if missing) for the block; LockTimeout after `timeout` seconds."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise LockTimeout(str(path))
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)



@contextmanager
def state_lock(workspace: Path, name: str, timeout: float, busy: str) -> Iterator[None]:
    """Hold `.patchgate/<name>.lock` for the block; waiting too long is one line naming `busy`, not a crash."""
    from patchgate.diagnostics.errors import InputError
    from patchgate.connect.state import state_root

    state = state_root(workspace)
    state.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        try:
            stack.enter_context(exclusive(state / f"{name}.lock", timeout))
        except LockTimeout:
            raise InputError(f"{busy} for over {timeout:.0f}s") from None
        yield
