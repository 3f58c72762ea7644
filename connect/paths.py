"""Where a write lands: workspace containment (`..`, absolute, symlinks) and the policy's path globs.

A path is judged twice: as written (lexically normalised) and as the file system would resolve
it, so a symlink cannot carry a write out of the workspace or into an immutable path. Relative
paths are relative to the workspace root. An absolute path that lies inside the workspace is
taken as the workspace path it names; any other absolute path leaves the workspace. A path no
file system could hold (a name over NAME_MAX bytes, the whole over PATH_MAX) is bad input.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patchgate.diagnostics.errors import InputError

MAX_DIRECTORY_ENTRIES = 20_000
"""A directory target (rm -r dir) is judged by its files; past this many the walk stops."""


@dataclass(frozen=True)
class Target:
    """One path a candidate writes: where it lands, or why it leaves the workspace."""

    given: str
    path: str | None
    real: str | None = None
    escape: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The workspace paths to judge: as written, and where symlinks lead when that differs."""
        return tuple(dict.fromkeys(p for p in (self.path, self.real) if p))


def _inside(path: str, base: str) -> bool:
    """Whether an absolute, normalised path lies at or below base."""
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


def _posix(path: str) -> str:
    """An OS path relative to the workspace as POSIX text."""
    return Path(path).as_posix()


def _symlink_escape(root: str, real_root: str, relative: str) -> str | None:
    """The first symlink on the way to relative (the file or any parent) that leads outside."""
    current = root
    for part in relative.split(os.sep):
        current = os.path.join(current, part)
        if os.path.islink(current):
            target = os.path.realpath(current)
            if not _inside(target, real_root):
                shown = _posix(os.path.relpath(current, root))
                return f"symlink {shown} leads outside the workspace (to {target})"
    return None


def _limit(root: str, name: str, default: int) -> int:
    """A file system limit (os.pathconf) at the workspace, or the usual default where it is not known."""
    try:
        return os.pathconf(root, name)
    except (OSError, ValueError, AttributeError):
        return default


def _encoded(text: str) -> bytes:
    """A path as the file system gets it (a lone surrogate, which no file name can hold, counted as UTF-8)."""
    try:
        return os.fsencode(text)
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def length_problem(root: str, absolute: str) -> str | None:
    """Why no file could be at this path: a name over NAME_MAX bytes or the whole over PATH_MAX; else None."""
    name_max = _limit(root, "PC_NAME_MAX", 255)
    for part in absolute.split(os.sep):
        size = len(_encoded(part))
        if size > name_max:
            return f"a path component is {size} bytes long, over the file system's limit of {name_max}"
    size, path_max = len(_encoded(absolute)), _limit(root, "PC_PATH_MAX", 4096)
    return f"the path is {size} bytes long, over the file system's limit of {path_max}" if size >= path_max else None


def locate(workspace: Path, given: str, cwd: Path | None = None) -> Target:
    """Judge one path as written (relative to cwd, default the root): lexically, then through symlinks."""
    try:
        return _locate(workspace, given, cwd)
    except OSError as error:  # a link removed between lstat and readlink: the tree moved under us
        shown = _posix(given)
        return Target(given, None, escape=f"{shown} changed while it was being checked ({error.strerror})")


def _locate(workspace: Path, given: str, cwd: Path | None) -> Target:
    """locate's work; a racing file system may make realpath raise, which locate turns into an escape."""
    root = os.path.abspath(workspace)
    real_root = os.path.realpath(root)
    if given.startswith("~"):
        return Target(given, None, escape=f"{given} is in a home directory, outside the workspace")
    if "\0" in given or not given:
        return Target(given, None, escape="not a usable path")
    absolute = os.path.normpath(os.path.join(cwd or root, given))
    too_long = length_problem(root, absolute)
    if too_long:
        raise InputError(f"{given[:60]}{'...' if len(given) > 60 else ''}: {too_long}")
    if not _inside(absolute, root):
        absolute_real = os.path.realpath(absolute)
        if not (os.path.isabs(given) and _inside(absolute_real, real_root)):
            kind = "an absolute path" if os.path.isabs(given) else "a path"
            return Target(given, None, escape=f"{given} is {kind} outside the workspace")
        absolute = os.path.join(root, os.path.relpath(absolute_real, real_root))
    relative = os.path.relpath(absolute, root)
    if relative == ".":
        return Target(given, ".")
    escape = _symlink_escape(root, real_root, relative)
    if escape:
        return Target(given, _posix(relative), escape=escape)
    real = _posix(os.path.relpath(os.path.realpath(absolute), real_root))
    return Target(given, _posix(relative), real if real != _posix(relative) else None)


def is_runtime_path(given: str) -> bool:
    """A path whose value the shell only knows at run time ($VAR, $(...), backticks)."""
    return "$" in given or "`" in given


def expand(workspace: Path, relative: str) -> list[str]:
    """A file target as itself; a directory as itself plus every file and folder below it."""
    top = os.path.join(workspace, relative)
    if not os.path.isdir(top) or os.path.islink(top):
        return [relative]
    found = [relative if relative == "." else relative + "/"]
    for directory, dirs, files in os.walk(top):
        base = _posix(os.path.relpath(directory, workspace))
        prefix = "" if base == "." else base + "/"
        found.extend(f"{prefix}{name}/" for name in dirs)
        found.extend(f"{prefix}{name}" for name in files)
        if len(found) > MAX_DIRECTORY_ENTRIES:
            break
    return found


class Globs:
    """One list of gitignore-style globs, compiled once, on the first match (most commands write nothing)."""

    def __init__(self, patterns: list[str]) -> None:
        self.patterns = patterns
        self._spec: Any = None

    def match(self, path: str) -> bool:
        """Whether a workspace-relative path is matched (a trailing / marks a folder)."""
        if not self.patterns:
            return False
        if self._spec is None:
            import pathspec

            self._spec = pathspec.GitIgnoreSpec.from_lines(self.patterns)
        return bool(self._spec.match_file(path))

    def matched(self, paths: list[str]) -> list[str]:
        """The paths the globs match, in order."""
        return [p for p in paths if self.match(p)] if self.patterns else []


def in_scope(scope: Globs, paths: list[str]) -> bool:
    """A target is in scope when it matches, or when it is a folder whose every file does."""
    if not scope.patterns or scope.match(paths[0]):
        return True
    files = [p for p in paths[1:] if not p.endswith("/")]
    return bool(files) and all(scope.match(p) for p in files)
