"""Where Connect keeps a workspace's decisions, journal, audit log and locks, and who may sign for it.

By default that is `<workspace>/.patchgate/`. With `state-dir` set (`[tool.patchgate.connect]
state-dir`, or the environment variable PATCHGATE_STATE_DIR, which wins), it is a folder of
its own under that directory, named after the workspace's real path, so an agent sandboxed to
the workspace cannot forge or delete what the gate recorded. `signers` (an SSH allowed-signers
file; PATCHGATE_SIGNERS wins) works the same way. Standard library only: every command asks
this before it loads anything else.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

STATE_DIR_ENV = "PATCHGATE_STATE_DIR"
SIGNERS_ENV = "PATCHGATE_SIGNERS"
DEFAULT_STATE = ".patchgate"
_cache: dict[tuple[str, int, int], dict[str, Any]] = {}


def _connect_table(workspace: Path) -> dict[str, Any]:
    """The raw connect table of the workspace root's config file ({} when none or unreadable)."""
    for name, nested in (("patchgate.toml", False), ("pyproject.toml", True)):
        path = workspace / name
        try:
            info = path.stat()
        except OSError:
            continue
        key = (str(path), info.st_mtime_ns, info.st_size)
        if key not in _cache:
            _cache[key] = _read_table(path, nested)
        table = _cache[key]
        if table or not nested:
            return table.get("connect", {}) if isinstance(table.get("connect"), dict) else {}
    return {}


def _read_table(path: Path, nested: bool) -> dict[str, Any]:
    """The patchgate table of one TOML file; broken files are reported by the config loader, not here."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    if nested:
        tool = data.get("tool")
        data = tool.get("patchgate") if isinstance(tool, dict) else None
    return data if isinstance(data, dict) else {}


def setting(workspace: Path, key: str, env: str) -> str | None:
    """A connect path setting: the environment first, then the workspace's config."""
    value = os.environ.get(env) or _connect_table(workspace).get(key)
    return value if isinstance(value, str) and value else None


def _resolve(workspace: Path, value: str) -> Path:
    """A configured path: `~` expanded, relative to the workspace root."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else workspace / path


def workspace_key(workspace: Path) -> str:
    """A folder name unique to one workspace path: its name and a digest of its real path."""
    real = os.path.realpath(workspace)
    return f"{Path(real).name or 'root'}-{hashlib.sha256(real.encode('utf-8', 'surrogateescape')).hexdigest()[:16]}"


def state_root(workspace: Path) -> Path:
    """The folder of this workspace's Connect state."""
    configured = setting(workspace, "state-dir", STATE_DIR_ENV)
    if configured is None:
        return workspace / DEFAULT_STATE
    return _resolve(workspace, configured) / workspace_key(workspace)


def signers_file(workspace: Path) -> Path | None:
    """The allowed-signers file in force, or None when approvals are not signed."""
    configured = setting(workspace, "signers", SIGNERS_ENV)
    return None if configured is None else _resolve(workspace, configured)
