"""Durable file primitives for apply and recovery: the only functions that write project files.

Every write goes to a temp file in the target's own directory (so the rename never crosses a
file system), is fsynced, takes the mode of the file it replaces, is renamed over the target,
and the directory is fsynced so the rename itself survives a power cut. Temp names carry a tag
(the decision id) so recovery can find and delete the leftovers of one interrupted apply.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

TEMP_MARK = ".pgtmp-"


def temp_prefix(target: Path, tag: str) -> str:
    """The name prefix of every temp file an apply tagged `tag` creates beside `target`."""
    return f".{target.name}{TEMP_MARK}{tag}-"


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


def current_mode(target: Path) -> int | None:
    """Permission bits of an existing regular file, None when it does not exist."""
    try:
        return stat.S_IMODE(os.lstat(target).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return None


def make_parents(target: Path, root: Path) -> list[str]:
    """Create the missing parent folders of `target` (below `root`); returns them, outermost first."""
    missing: list[Path] = []
    parent = target.parent
    while parent != root and not parent.exists():
        missing.append(parent)
        parent = parent.parent
    created = []
    for folder in reversed(missing):
        os.mkdir(folder)
        fsync_dir(folder.parent)
        created.append(folder.relative_to(root).as_posix())
    return created


def replace_file(target: Path, data: bytes, mode: int | None, tag: str) -> None:
    """Write `data` to `target` atomically and durably, keeping `mode` (or the umask default)."""
    name = target.parent / f"{temp_prefix(target, tag)}{secrets.token_hex(4)}"
    handle = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fchmod(stream.fileno(), _default_mode() if mode is None else mode)
            os.fsync(stream.fileno())
        os.replace(name, target)
    except BaseException:
        name.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def delete_file(target: Path) -> None:
    """Remove `target` durably; a file already gone is fine (recovery may run twice)."""
    try:
        os.unlink(target)
    except (FileNotFoundError, NotADirectoryError):
        return
    fsync_dir(target.parent)


def remove_empty_dirs(root: Path, folders: list[str]) -> None:
    """Remove folders an apply created, innermost first, if they are empty again."""
    for relative in sorted(folders, key=len, reverse=True):
        folder = root / relative
        try:
            os.rmdir(folder)
        except OSError:
            continue
        fsync_dir(folder.parent)


def remove_temps(target: Path, tag: str) -> list[str]:
    """Delete the temp files an apply tagged `tag` left beside `target`; returns their names."""
    prefix = temp_prefix(target, tag)
    removed = []
    try:
        names = [name for name in os.listdir(target.parent) if name.startswith(prefix)]
    except (FileNotFoundError, NotADirectoryError):
        return []
    for name in names:
        os.unlink(target.parent / name)
        removed.append(name)
    if removed:
        fsync_dir(target.parent)
    return removed
