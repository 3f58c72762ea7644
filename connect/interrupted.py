"""Finding applies a crash cut short, at the start of every command: one failed listdir per folder.

A journal in `<workspace>/.patchgate/journal/` means an apply there was cut short
(journal.py). Commands look for one in the folder they start from and every folder above it,
before they read any file (the config included: a plan may change pyproject.toml), so that
every file is all-before or all-after when they do. Recovery itself (recover.py, with
pydantic models and locks) is imported only when a journal is found; this module imports
nothing but the standard library, so `--version` and `--help` stay as fast as they were.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from patchgate.connect.recover import Recovered

JOURNAL_FOLDER = (".patchgate", "journal")
"""rewrites.store.STATE_DIR / "journal" (a test keeps the two in step)."""


def journal_dir(workspace: Path) -> Path:
    """Where journals of running applies live."""
    from patchgate.connect.state import state_root

    return state_root(workspace) / "journal"


def pending_entries(workspace: Path) -> list[str]:
    """Names in the journal folder: one failed listdir when there is none, which is the usual case."""
    try:
        return sorted(os.listdir(journal_dir(workspace)))
    except (FileNotFoundError, NotADirectoryError):
        return []


def interrupted_workspaces(starts: Iterable[Path]) -> list[Path]:
    """Folders at or above the starts (as given and with symlinks resolved) that hold a journal, each once."""
    seen: set[Path] = set()
    found: list[Path] = []
    for start in starts:
        for path in dict.fromkeys((Path(os.path.abspath(start)), Path(start).resolve())):
            for folder in (path, *path.parents):
                if folder in seen:
                    break
                seen.add(folder)
                if pending_entries(folder):
                    found.append(folder)
    return found


def recover_if_needed(workspace: Path) -> list[Recovered]:
    """Finish or undo an interrupted apply of this workspace, if there is one."""
    if not pending_entries(workspace):
        return []
    from patchgate.connect.recover import recover

    return recover(workspace)


def recover_around(starts: Iterable[Path]) -> list[Recovered]:
    """Finish or undo every interrupted apply at or above the starts (a file start counts as its folder's)."""
    outcomes: list[Recovered] = []
    for workspace in interrupted_workspaces(starts):
        outcomes.extend(recover_if_needed(workspace))
    return outcomes
