"""The apply journal: `.patchgate/journal/<decision>.json`, written (and fsynced) before any project file.

It holds, for every file of the plan, the path, the sha256 before and after, the mode, the
bytes before (base64) and the folders the apply had to create, so recovery can put every
file back exactly as it was. It exists only while an apply runs: a journal found at start-up
means an apply was cut short. A journal recovery will not act on (recover/trust.py) is moved
to the quarantine folder beside it, never deleted and never executed.
"""

from __future__ import annotations

import base64
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from pydantic import Field, ValidationError

from patchgate.connect.apply.files import fsync_dir, read_all
from patchgate.connect.interrupted import journal_dir, quarantine_dir
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
    """A complete journal in a regular file, None for anything else (never blocks on a FIFO, never follows a symlink)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        data = read_all(handle) if stat.S_ISREG(os.fstat(handle).st_mode) else None
    except OSError:
        return None
    finally:
        os.close(handle)
    try:
        return None if data is None else Journal.model_validate_json(data)
    except (ValidationError, ValueError, RecursionError):
        return None


def quarantine_entry(workspace: Path, name: str) -> Path:
    """Move a journal entry recovery will not act on aside (kept for a human to read); returns where it went."""
    folder = quarantine_dir(workspace)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
    target = folder / f"{stamp}-{name.encode('utf-8', 'surrogateescape')[:180].decode('utf-8', 'surrogateescape')}"
    os.rename(journal_dir(workspace) / name, target)
    fsync_dir(folder)
    remove_journal_entry(workspace, None)
    return target


def remove_journal_entry(workspace: Path, name: str | None) -> None:
    """Delete a finished journal (or a torn temp one; None: none) durably; the folder goes when it is empty."""
    folder = journal_dir(workspace)
    if name is not None:
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
