"""The apply journal: `.patchgate/journal/<decision>.json`, written (and fsynced) before any project file.

It holds, for every file of the plan, the path, the sha256 before and after, the mode, the
bytes before (base64) and the folders the apply had to create, so recovery can put every
file back exactly as it was. It exists only while an apply runs: a journal found at start-up
means an apply was cut short.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import Field, ValidationError

from patchgate.connect.apply_io import fsync_dir
from patchgate.connect.interrupted import journal_dir
from patchgate.connect.locks import state_lock
from patchgate.connect.store import write_durable
from patchgate.diagnostics.base import Model

APPLY_LOCK_TIMEOUT = 120.0


class JournalFile(Model):
    """One file of an apply in progress: enough to restore it."""

    path: str = Field(description="Workspace-relative POSIX path.")
    before_sha256: str | None = Field(description="sha256 before the apply; null: the file did not exist.")
    after_sha256: str | None = Field(description="sha256 after the apply; null: the apply deletes it.")
    before_b64: str | None = Field(description="The bytes before, base64; null: the file did not exist.")
    mode: int | None = Field(description="Permission bits before, or null for a new file.")
    created_dirs: list[str] = Field(default_factory=list, description="Folders the apply creates for the file.")

    def before_bytes(self) -> bytes | None:
        """The bytes to restore, None when the file must not exist."""
        return None if self.before_b64 is None else base64.b64decode(self.before_b64)


class Journal(Model):
    """Everything recovery needs to undo one apply."""

    decision_id: str = Field(description="The decision being applied.")
    plan_digest: str = Field(description="Id of the plan being applied.")
    created_at: str = Field(description="ISO-8601 UTC time the apply started.")
    files: list[JournalFile] = Field(description="Every file of the plan.")


def journal_path(workspace: Path, decision_id: str) -> Path:
    """The journal of one decision's apply."""
    return journal_dir(workspace) / f"{decision_id}.json"


def encode(data: bytes | None) -> str | None:
    """Bytes as base64 text for the journal."""
    return None if data is None else base64.b64encode(data).decode("ascii")


def write_journal(workspace: Path, journal: Journal) -> Path:
    """Write the journal durably: after this returns, a crash can always be undone."""
    target = journal_path(workspace, journal.decision_id)
    write_durable(target, journal.model_dump_json() + "\n")
    fsync_dir(target.parent.parent)
    return target


def read_journal(path: Path) -> Journal | None:
    """A complete journal, None for anything else (a torn temp file is not a journal)."""
    try:
        return Journal.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None


def remove_journal_entry(workspace: Path, name: str) -> None:
    """Delete a finished journal (or a torn temp one) durably; the folder goes when it is empty."""
    folder = journal_dir(workspace)
    (folder / name).unlink(missing_ok=True)
    fsync_dir(folder)
    try:
        os.rmdir(folder)
    except OSError:
        return
    fsync_dir(folder.parent)


@contextmanager
def apply_lock(workspace: Path) -> Iterator[None]:
    """One apply, recovery or review at a time per workspace; a killed holder releases it."""
    with state_lock(workspace, "apply", APPLY_LOCK_TIMEOUT, "another patchgate apply has held the workspace"):
        yield
