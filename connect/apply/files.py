"""Durable, symlink-proof file primitives for apply and recovery: the only functions that write project files.

A workspace path is reached from the root one folder at a time through directory file
descriptors (openat: `os.open(name, O_DIRECTORY | O_NOFOLLOW, dir_fd=parent)`), so a folder
swapped for a symlink while apply runs is refused, never followed, and `.git` or `.patchgate`
at any depth is refused by name. A write goes to a temp file in the target's own folder, is
fsynced, takes the mode of the file it replaces, and is renamed over the target only when the
target still holds the bytes the caller expects (read again just before, through the same
folder descriptor): a user's edit made meanwhile is a Conflict, never overwritten. The folder
is fsynced so the rename survives a power cut. Temp names carry a tag (the decision id) so
recovery can delete the leftovers of one interrupted apply. Needs POSIX (dir_fd).
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import stat
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

TEMP_MARK = ".pgtmp-"
PROTECTED_NAMES = frozenset({".git", ".patchgate"})
"""Folder names apply never enters or writes, at any depth: git's and patchgate's own state."""
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_NOFOLLOW | CLOEXEC
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | CLOEXEC
"""O_NONBLOCK: opening a FIFO swapped in at the last moment returns at once instead of hanging."""
KINDS = ((stat.S_ISREG, "file"), (stat.S_ISDIR, "directory"), (stat.S_ISLNK, "symlink"), (stat.S_ISFIFO, "FIFO"),
         (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "device"), (stat.S_ISBLK, "device"))


class UnsafePath(OSError):
    """A folder on the way is a symlink or not a folder, or the path enters `.git`/`.patchgate`: nothing is written."""


class MissingFolder(FileNotFoundError):
    """A folder on the way does not exist (and this write may not create it)."""


class Conflict(Exception):
    """The target does not hold the bytes apply expects: someone else changed it, so it is left alone."""

    def __init__(self, path: str, found: str) -> None:
        super().__init__(f"{path} {found}")
        self.path = path
        self.found = found


@dataclass(frozen=True)
class Current:
    """What is at a workspace path now, seen without following symlinks."""

    kind: str
    data: bytes | None = None
    mode: int | None = None

    @property
    def sha256(self) -> str | None:
        """sha256 of a regular file's bytes, None for anything else."""
        return None if self.data is None else hashlib.sha256(self.data).hexdigest()

    def holds(self, expected: str | None) -> bool:
        """Whether this is the expected state: a file with that sha256, or nothing at all for None."""
        return self.kind == "missing" if expected is None else self.kind == "file" and self.sha256 == expected

    def describe(self) -> str:
        """How it differs from what apply expected, for a conflict message."""
        if self.kind == "file":
            return "holds other bytes than expected (changed by someone else)"
        return "does not exist any more" if self.kind == "missing" else f"is now a {self.kind}"


def kind_of(mode: int) -> str:
    """'file', 'directory', 'symlink', 'FIFO', 'socket', 'device' or 'other' for an st_mode."""
    return next((name for test, name in KINDS if test(mode)), "other")


def fsync_dir(directory: Path) -> None:
    """Make a rename, create or delete inside `directory` durable."""
    handle = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _default_mode() -> int:
    """The mode a plain new file gets under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _parts(relative: str) -> list[str]:
    """The names of a plain workspace path; odd parts or git's/patchgate's state are UnsafePath."""
    parts = relative.split("/")
    if relative.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise UnsafePath(errno.EINVAL, "is not a plain workspace-relative path", relative)
    state = next((part for part in parts if part in PROTECTED_NAMES), None)
    if state is not None:
        raise UnsafePath(errno.EPERM, f"leads into {state}/", relative)
    return parts


def _enter(parent: int, name: str, shown: str, create: Collection[str]) -> int:
    """Open the folder `name` inside `parent` without following a symlink, creating it when allowed."""
    try:
        return os.open(name, DIR_FLAGS, dir_fd=parent)
    except FileNotFoundError:
        if shown not in create:
            raise MissingFolder(errno.ENOENT, "does not exist", shown) from None
    except OSError as error:
        if error.errno not in (errno.ENOTDIR, errno.ELOOP, errno.EMLINK):
            raise
        what = kind_of(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode)
        code = errno.ELOOP if what == "symlink" else errno.ENOTDIR
        raise UnsafePath(code, f"is a {what}, not a folder", shown) from None
    os.mkdir(name, 0o777, dir_fd=parent)
    os.fsync(parent)
    return os.open(name, DIR_FLAGS, dir_fd=parent)


def _walk(root: Path, parts: list[str], create: Collection[str]) -> int:
    """An open descriptor of the folder root/parts[:-1], entered one name at a time through no symlink."""
    fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | CLOEXEC)
    for index, name in enumerate(parts[:-1]):
        parent = fd
        try:
            fd = _enter(parent, name, "/".join(parts[:index + 1]), create)
        finally:
            os.close(parent)
    return fd


@contextmanager
def _folder(root: Path, relative: str, create: Collection[str] = (), writing: bool = False) -> Iterator[tuple[int, str]]:
    """The open folder holding `relative` and the file's own name; writing: a vanished folder is a Conflict."""
    parts = _parts(relative)
    try:
        fd = _walk(root, parts, create)
    except MissingFolder as error:
        if not writing:
            raise
        raise Conflict(relative, f"is in a folder that does not exist any more ({error.filename})") from None
    try:
        yield fd, parts[-1]
    finally:
        os.close(fd)


def _read_at(folder: int, name: str) -> Current:
    """The entry `name` of an open folder: a regular file's bytes and mode, or just its kind."""
    try:
        mode = os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
        if not stat.S_ISREG(mode):
            return Current(kind_of(mode), mode=stat.S_IMODE(mode))
        handle = os.open(name, READ_FLAGS, dir_fd=folder)
    except (FileNotFoundError, NotADirectoryError):
        return Current("missing")
    except OSError as error:
        if error.errno not in (errno.ELOOP, errno.EMLINK):
            raise
        return Current("symlink")
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):
            return Current(kind_of(status.st_mode), mode=stat.S_IMODE(status.st_mode))
        return Current("file", read_all(handle), stat.S_IMODE(status.st_mode))
    finally:
        os.close(handle)


def read_all(handle: int) -> bytes:
    """Every byte of an open regular file."""
    chunks = []
    while chunk := os.read(handle, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def read_current(root: Path, relative: str) -> Current:
    """What is at `relative` now; a missing folder, a file where a folder goes or an over-long name is 'missing'."""
    try:
        with _folder(root, relative) as (folder, name):
            return _read_at(folder, name)
    except UnsafePath as error:
        if error.errno != errno.ENOTDIR:
            raise
        return Current("missing")
    except OSError as error:
        if error.errno in (errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG):
            return Current("missing")
        raise


def _expect(folder: int, name: str, relative: str, expected: str | None) -> None:
    """Raise Conflict unless the entry holds exactly the expected bytes (sha256; None: nothing)."""
    current = _read_at(folder, name)
    if not current.holds(expected):
        raise Conflict(relative, current.describe())


def replace_file(root: Path, relative: str, data: bytes, mode: int | None, tag: str, expected: str | None,
                 create: Collection[str] = ()) -> None:
    """Put `data` at `relative` atomically and durably, only if it still holds `expected` (Conflict otherwise)."""
    with _folder(root, relative, create, writing=True) as (folder, name):
        temp = f"{TEMP_MARK}{tag}-{secrets.token_hex(4)}"
        handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | CLOEXEC, 0o600, dir_fd=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fchmod(stream.fileno(), _default_mode() if mode is None else mode)
                os.fsync(stream.fileno())
            _expect(folder, name, relative, expected)
            os.replace(temp, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            _unlink_quietly(folder, temp)
            raise
        os.fsync(folder)


def delete_file(root: Path, relative: str, expected: str | None) -> None:
    """Remove `relative` durably, only if it still holds `expected` (Conflict otherwise)."""
    with _folder(root, relative, writing=True) as (folder, name):
        _expect(folder, name, relative, expected)
        try:
            os.unlink(name, dir_fd=folder)
        except FileNotFoundError:
            return
        os.fsync(folder)


def _unlink_quietly(folder: int, name: str) -> None:
    """Remove a temp file of ours if it is there; a failure here must not hide the first error."""
    try:
        os.unlink(name, dir_fd=folder)
    except OSError:
        pass


def remove_empty_dirs(root: Path, folders: Collection[str]) -> None:
    """Remove folders an apply created, innermost first, if they are empty again (never through a symlink)."""
    for relative in sorted(folders, key=len, reverse=True):
        try:
            with _folder(root, relative) as (folder, name):
                os.rmdir(name, dir_fd=folder)
                os.fsync(folder)
        except OSError:
            continue


def remove_temps(root: Path, relative: str, tag: str) -> list[str]:
    """Delete the temp files an apply tagged `tag` left in the folder of `relative`; returns their names."""
    marker = f"{TEMP_MARK}{tag}-"
    removed = []
    try:
        with _folder(root, relative) as (folder, _name):
            for name in os.listdir(folder):
                if marker in name and stat.S_ISREG(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode):
                    os.unlink(name, dir_fd=folder)
                    removed.append(name)
            if removed:
                os.fsync(folder)
    except (FileNotFoundError, NotADirectoryError, UnsafePath):
        return removed
    return removed
