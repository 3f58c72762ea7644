"""Finding applies a crash cut short, at the start of every command: a few stats and one failed listdir.

A journal in the workspace's journal folder (journal.py) means an apply there was cut short.
Commands look only in the workspace root of each folder they start from, never in a folder
above it: the root is found as load_config finds it (the nearest patchgate.toml, or
pyproject.toml with a [tool.patchgate] table, at or above the start; else the git toplevel;
else the start's folder), and a `*.toml` file start is a config file named with --config,
rooted at its own folder. They look before they read any file (the config included: a plan
may change pyproject.toml), so that every file is all-before or all-after when they do.
Recovery itself (connect/recover/, with pydantic models and locks) is imported only when a journal
is found; this module needs nothing but the standard library (tomllib only for a
pyproject.toml that mentions patchgate), so `--version` and `--help` stay as fast as they were.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from patchgate.connect.recover.settle import Recovered

JOURNAL_FOLDER = (".patchgate", "journal")
"""rewrites.store.STATE_DIR / "journal" (a test keeps the two in step)."""
CONFIG_FILE = "patchgate.toml"
PYPROJECT = "pyproject.toml"
MARKER = b"patchgate"


def journal_dir(workspace: Path) -> Path:
    """Where journals of running applies live."""
    from patchgate.connect.state import state_root

    return state_root(workspace) / "journal"


def quarantine_dir(workspace: Path) -> Path:
    """Where journals recovery will not act on are moved, beside the journal folder in patchgate's state."""
    return journal_dir(workspace).parent / "quarantine"


def pending_entries(workspace: Path) -> list[str]:
    """Names in the journal folder: one failed listdir when there is none, which is the usual case."""
    try:
        return sorted(os.listdir(journal_dir(workspace)))
    except (FileNotFoundError, NotADirectoryError):
        return []


def _has_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml has a [tool.patchgate] table (or is a broken one that load_config would stop at)."""
    try:
        data = pyproject.read_bytes() if os.path.isfile(pyproject) else b""
    except OSError:
        return False
    if MARKER not in data:
        return False
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        tool = tomllib.loads(data.decode("utf-8")).get("tool")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True
    return isinstance(tool, dict) and "patchgate" in tool


def root_of(start: Path) -> Path:
    """The folder load_config roots `start` at: its config file's folder, else the git toplevel, else its folder."""
    start = Path(start).resolve()
    directory = start if start.is_dir() else start.parent
    if start.suffix == ".toml" and start.is_file():
        return directory
    folders = (directory, *directory.parents)
    for folder in folders:
        if os.path.isfile(folder / CONFIG_FILE) or _has_table(folder / PYPROJECT):
            return folder
    return next((folder for folder in folders if os.path.exists(folder / ".git")), directory)


def interrupted_workspaces(starts: Iterable[Path]) -> list[Path]:
    """The workspace roots of the starts that hold a journal, each once (never a folder above a root)."""
    roots = dict.fromkeys(root_of(start) for start in starts)
    return [root for root in roots if pending_entries(root)]


def recover_if_needed(workspace: Path) -> list[Recovered]:
    """Finish or undo an interrupted apply of this workspace, if there is one (quarantining forged journals)."""
    if not pending_entries(workspace):
        return []
    from patchgate.connect.recover.settle import recover

    return recover(workspace)


def recover_around(starts: Iterable[Path]) -> list[Recovered]:
    """Finish or undo every interrupted apply in the workspaces of the starts (a file start counts as its folder's)."""
    outcomes: list[Recovered] = []
    for workspace in interrupted_workspaces(starts):
        outcomes.extend(recover_if_needed(workspace))
    return outcomes
