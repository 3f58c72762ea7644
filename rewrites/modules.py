"""Python module names for workspace files, as `import` would spell them.

A file's import root is, by default, the nearest folder above it that is not a package: walk up
from the file's folder while it holds an `__init__.py` (never above the workspace root). So
`src/pkg/mod.py` with `src/pkg/__init__.py` is `pkg.mod` (src layout), `pkg/mod.py` is `pkg.mod`,
and a loose script `tools/run.py` is `run`. Namespace packages (no `__init__.py`) need explicit
source roots: with `--source-root src`, `src/ns/mod.py` is `ns.mod`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PY_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True)
class ModuleName:
    """A module's dotted name and the package its relative imports start from."""

    name: str
    package: str


@lru_cache(maxsize=4096)
def _is_package(folder: str) -> bool:
    """Whether a folder is a regular package (has `__init__.py`)."""
    return os.path.isfile(os.path.join(folder, "__init__.py"))


def _package_parts(folders: list[str], root: Path, source_roots: tuple[str, ...]) -> list[str]:
    """The folders of a file's path that belong to its dotted name."""
    for source_root in sorted(source_roots, key=len, reverse=True):
        prefix = [part for part in source_root.strip("/").split("/") if part and part != "."]
        if folders[: len(prefix)] == prefix:
            return folders[len(prefix) :]
    keep = len(folders)
    while keep > 0 and _is_package(os.path.join(root, *folders[:keep])):
        keep -= 1
    return folders[keep:]


def module_name(relative: str, root: Path, source_roots: tuple[str, ...] = ()) -> ModuleName | None:
    """The module a workspace-relative .py/.pyi path defines, or None when it has no importable name."""
    if not relative.endswith(PY_SUFFIXES) or relative.startswith("/"):
        return None
    *folders, filename = relative.split("/")
    stem = filename.rsplit(".", 1)[0]
    package = _package_parts(folders, root, source_roots)
    parts = package if stem == "__init__" else [*package, stem]
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    name = ".".join(parts)
    return ModuleName(name, name if stem == "__init__" else ".".join(package))


def resolve_relative(module: str | None, level: int, package: str) -> str | None:
    """The absolute module of `from <dots><module> import ...` written in `package`, or None if it escapes."""
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 >= len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, module] if module else base) or None
