"""Paths that govern patchgate itself, judged in code apart from the policy's globs so no config can lift them.

Git's folders (`.git` at any depth, a submodule's `.git` file too) and patchgate's state
(`.patchgate` at any depth, and a configured `state-dir`) are never written. Files that
configure patchgate, feed it rules, run code in CI or hooks, or steer a coding agent need
review at least: a change to them could widen the very policy that judges it. Names are
compared folded the way case-insensitive file systems see them (case, NFKC, trailing dots
and spaces, NTFS streams and 8.3 names, HFS+ ignorable characters), so `.GIT/config` and
`.git./config` are `.git/config`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from patchgate.rewrites.models import FileRewrite

IMMUTABLE_NAMES = frozenset({".git", "git~1", ".patchgate", "patchg~1"})
"""A path with a component of one of these names (folded) is never written."""
GOVERNING_FOLDERS = frozenset({
    ".claude", ".codex", ".cursor", ".gemini", ".windsurf", ".clinerules", ".husky", ".devcontainer",
})
"""Agent settings, hooks, rules and commands; git hook managers; dev containers (they run commands)."""
GOVERNING_FILES = frozenset({
    "patchgate.toml", "pyproject.toml", "sgconfig.yml", "sgconfig.yaml",
    ".pre-commit-config.yaml", ".pre-commit-config.yml", "lefthook.yml", ".lefthook.yml", ".envrc",
    ".mcp.json", ".cursorrules", ".windsurfrules", "agents.md", "claude.md", "claude.local.md", "gemini.md",
    ".gitlab-ci.yml",
})
"""patchgate's config and ast-grep's; hook runners; MCP servers and agent instruction files; CI."""
GOVERNING_PAIRS = frozenset({
    (".github", "workflows"), (".github", "actions"), (".github", "copilot-instructions.md"),
    (".vscode", "settings.json"), (".vscode", "tasks.json"),
})
"""A folder and the entry in it that runs code (CI, editor tasks) or instructs an agent."""
PYPROJECT = "pyproject.toml"
_HFS_IGNORABLE = dict.fromkeys([*range(0x200C, 0x2010), *range(0x202A, 0x202F), *range(0x206A, 0x2070), 0xFEFF])
_SEPARATORS = re.compile(r"[/\\]")


def fold(component: str) -> str:
    """One path component as a case-insensitive file system (NTFS, APFS/HFS+) would name it."""
    name = unicodedata.normalize("NFKC", component.translate(_HFS_IGNORABLE)).casefold()
    name = name.split(":", 1)[0]
    return name.rstrip(" .") or name


def folded_parts(path: str) -> list[str]:
    """A workspace path's components, folded (a trailing / marks a folder and is dropped)."""
    return [fold(part) for part in _SEPARATORS.split(path.rstrip("/")) if part]


def _under(parts: list[str], prefix: list[str]) -> bool:
    """Whether a folded path is prefix itself or lies below it."""
    return bool(prefix) and parts[:len(prefix)] == prefix


@dataclass(frozen=True)
class BuiltinPaths:
    """The built-in immutable and governing paths of one workspace, plus those its config names."""

    immutable_extra: tuple[tuple[str, ...], ...] = ()
    governing_extra: tuple[tuple[str, ...], ...] = ()

    def immutable(self, path: str) -> bool:
        """Git's folders, patchgate's state, at any depth and in any spelling the file system folds."""
        parts = folded_parts(path)
        return any(part in IMMUTABLE_NAMES for part in parts) or any(_under(parts, list(p)) for p in self.immutable_extra)

    def governs(self, path: str) -> bool:
        """Whether writing path could change how patchgate, CI, hooks or an agent behave."""
        parts = folded_parts(path)
        if not parts:
            return False
        if parts[-1] in GOVERNING_FILES or any(part in GOVERNING_FOLDERS for part in parts):
            return True
        if any(pair in GOVERNING_PAIRS for pair in zip(parts, parts[1:])):
            return True
        return any(_under(parts, list(p)) for p in self.governing_extra)


def _relative(workspace: Path, target: str | Path) -> tuple[str, ...] | None:
    """A config path (absolute, or relative to the root) as folded workspace components; None when outside."""
    root = os.path.abspath(workspace)
    absolute = os.path.normpath(os.path.join(root, target))
    for base, path in ((root, absolute), (os.path.realpath(root), os.path.realpath(absolute))):
        relative = os.path.relpath(path, base)
        if relative != "." and not relative.startswith(".." + os.sep) and relative != "..":
            return tuple(folded_parts(Path(relative).as_posix()))
    return None


def _module_files(spec: str) -> list[str]:
    """The files a `pkg.mod:Rule` rule module is imported from, in a flat or a src layout."""
    parts = spec.split(":", 1)[0].split(".")
    found = []
    for base in ("", "src/"):
        found += [f"{base}{'/'.join(parts)}.py", f"{base}{'/'.join(parts)}"]
        found += [f"{base}{'/'.join(parts[:i])}/__init__.py" for i in range(1, len(parts))]
    return found


def _sgconfig_dirs(sgconfig: Path) -> list[Path]:
    """The rule and utility folders an sgconfig.yml names; none when it cannot be read."""
    from patchgate.diagnostics.engines.astgrep.project import load_sgconfig
    from patchgate.diagnostics.errors import ConfigError

    try:
        project = load_sgconfig(sgconfig)
    except (ConfigError, RecursionError):
        return []
    return [*project.rule_dirs, *project.util_dirs]


def builtin_paths(workspace: Path) -> BuiltinPaths:
    """The built-ins plus what the config in force names: rule dirs and modules, sgconfig, signers, state-dir."""
    from patchgate.diagnostics.config import load_config

    config = load_config(workspace)
    governing: list[str | Path] = [*config.rule_dirs, *_module_files_all(config.rule_modules)]
    if config.sgconfig is not None:
        governing += [config.sgconfig, *_sgconfig_dirs(config.sgconfig)]
    immutable: list[str | Path] = []
    for key, into in (("signers", governing), ("state-dir", immutable)):
        value = config.connect.get(key)
        if isinstance(value, str) and value.strip():
            into.append(Path(config.root) / value)
    return BuiltinPaths(
        immutable_extra=tuple(p for p in (_relative(workspace, t) for t in immutable) if p),
        governing_extra=tuple(p for p in (_relative(workspace, t) for t in governing) if p),
    )


def _module_files_all(specs: list[str]) -> list[str]:
    """Every file the configured rule modules may be imported from."""
    return [path for spec in specs for path in _module_files(spec)]


def is_pyproject(path: str) -> bool:
    """Whether a workspace path names a pyproject.toml (folded)."""
    parts = folded_parts(path)
    return bool(parts) and parts[-1] == PYPROJECT


def _patchgate_table(text: str | None) -> object:
    """The [tool.patchgate] table of a pyproject text (None when absent); unreadable text raises ValueError."""
    if text is None:
        return None
    from patchgate.diagnostics.config import tomllib

    try:
        tool = tomllib.loads(text).get("tool")
    except (tomllib.TOMLDecodeError, RecursionError) as error:
        raise ValueError(str(error)) from None
    return tool.get("patchgate") if isinstance(tool, dict) else None


def touches_patchgate_table(workspace: Path, item: FileRewrite) -> bool:
    """Whether a planned pyproject.toml change creates the file or changes its [tool.patchgate] table.

    Anything that cannot be shown to leave the table alone (the file is not what the plan was
    made on, the edits do not give the planned bytes, either side is not TOML) counts as a change.
    """
    import hashlib

    from patchgate.diagnostics.span import apply_edits

    if item.base_sha256 is None:
        return True
    try:
        data = (workspace / item.path).read_bytes()
        if hashlib.sha256(data).hexdigest() != item.base_sha256:
            return True
        before = data.decode("utf-8")
        after = None if item.after_sha256 is None else apply_edits(before, item.edits)
        if after is not None and hashlib.sha256(after.encode("utf-8")).hexdigest() != item.after_sha256:
            return True
        return _patchgate_table(before) != _patchgate_table(after)
    except (OSError, UnicodeError, ValueError):
        return True
