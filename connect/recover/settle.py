"""Crash recovery: a journal left in the journal folder means an apply was cut short.

Only a journal apply wrote for a stored decision of this workspace is acted on
(recover/trust.py); anything else is moved to the quarantine folder, never executed, and
reported. Before its receipt was written, the apply did not happen: every file apply wrote
goes back to its before bytes (new files and the folders made for them are removed), its temp
files are deleted, and a `recover` event is logged. A file is put back only while it still
holds exactly what apply wrote; one changed since (a user's edit) is left as it is and
reported as a conflict, and a file apply never reached is never touched. After the receipt,
the apply did happen: only the missing audit event is added. An OS error while recovering
(a full disk, a read-only folder) never escapes: the journal is kept for `patchgate connect
recover` and the outcome says `failed`. Recovery runs under the apply lock, so it never
touches an apply that is still running; it can itself be interrupted and run again.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from patchgate.connect.apply.files import (
    Conflict, UnsafePath, delete_file, read_current, remove_empty_dirs, remove_temps, replace_file,
)
from patchgate.connect.audit.log import append_event, has_event, repair
from patchgate.connect.interrupted import journal_dir, pending_entries
from patchgate.connect.journal import (
    Journal, JournalFile, apply_lock, quarantine_entry, read_journal, remove_journal_entry,
)
from patchgate.connect.models import ApplyReceipt
from patchgate.connect.recover.trust import journal_problem
from patchgate.connect.store import decisions_dir

Outcome = Literal["rolled-back", "completed", "quarantined", "failed"]
TORN_TEMP = re.compile(r"^\.(\d{8}T\d{6}Z-[0-9a-f]{8})\.json\.[A-Za-z0-9_]+\.tmp$")
"""A journal's own temp file (rewrites.store.write_state_file) from an apply killed while writing it."""


@dataclass(frozen=True)
class Recovered:
    """What recovery did with one journal entry: rolled back, completed, quarantined, or failed (journal kept)."""

    decision_id: str
    outcome: Outcome
    restored: tuple[str, ...] = ()
    temps_removed: int = 0
    conflicts: tuple[str, ...] = ()
    entry: str = ""
    detail: str = ""


def recover(workspace: Path) -> list[Recovered]:
    """Finish or undo every interrupted apply of this workspace and quarantine forged journals; OS errors are outcomes."""
    try:
        with apply_lock(workspace):
            repair(workspace)
            outcomes = [_settle_entry(workspace, name) for name in pending_entries(workspace)]
            if journal_dir(workspace).is_dir() and not pending_entries(workspace):
                _drop(workspace, None)  # an apply killed between making the folder and writing its journal
    except OSError as error:
        return [Recovered("", "failed", detail=f"cannot recover: {os_reason(error)}")]
    return [outcome for outcome in outcomes if outcome is not None]


def settle_interrupted(workspace: Path, journal: Journal, touched: Collection[str] | None = None) -> Recovered:
    """Undo (or finish) an apply that failed in this process, putting back only the files it `touched` (all: None).

    The caller holds the apply lock. Never raises OSError: a failure is the `failed` outcome.
    """
    outcome = _recover_one(workspace, journal, touched)
    if outcome.outcome != "failed":
        _drop(workspace, f"{journal.decision_id}.json")
    return outcome


def os_reason(error: OSError) -> str:
    """An OS error as a short phrase naming the path when it has one."""
    reason = error.strerror or str(error)
    return f"{error.filename} {reason}" if isinstance(error, UnsafePath) else reason


def _drop(workspace: Path, name: str | None) -> None:
    """Remove a settled journal; if that fails the next recovery finds it settled and removes it then."""
    try:
        remove_journal_entry(workspace, name)
    except OSError:
        pass


def _settle_entry(workspace: Path, name: str) -> Recovered | None:
    """Act on one journal folder entry: recover a trusted journal, drop a torn temp, quarantine anything else."""
    path = journal_dir(workspace) / name
    torn = TORN_TEMP.match(name)
    if torn and _is_plain_file(path) and (decisions_dir(workspace) / torn.group(1)).is_dir():
        _drop(workspace, name)  # an apply of a stored decision killed while writing its journal: nothing written yet
        return None
    journal = read_journal(path) if name.endswith(".json") else None
    problem = journal_problem(workspace, name, journal)
    if problem is not None or journal is None:
        return _quarantine(workspace, name, journal, problem or "not a journal")
    outcome = _recover_one(workspace, journal)
    if outcome.outcome != "failed":
        _drop(workspace, name)
    return replace(outcome, entry=name)


def _is_plain_file(path: Path) -> bool:
    """Whether a path is a regular file itself (not a symlink, FIFO or folder)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _quarantine(workspace: Path, name: str, journal: Journal | None, problem: str) -> Recovered:
    """Move an untrusted journal aside, unexecuted, and log that it was."""
    decision_id = journal.decision_id if journal is not None else ""
    try:
        moved = quarantine_entry(workspace, name)
    except OSError as error:
        return Recovered(decision_id, "failed", entry=name, detail=f"not trusted ({problem}) and cannot be moved "
                         f"aside: {os_reason(error)}; nothing was written")
    try:
        append_event(workspace, "recover", None, {"outcome": "quarantined", "journal": name, "moved_to": str(moved),
                                                  "reason": problem})
    except OSError:
        pass
    return Recovered(decision_id, "quarantined", entry=name, detail=f"{problem}; moved to {moved}")


def _committed(workspace: Path, journal: Journal) -> bool:
    """Whether the apply reached its receipt (the commit point) for this plan."""
    path = decisions_dir(workspace) / journal.decision_id / "receipt.json"
    try:
        receipt = ApplyReceipt.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return False
    return receipt.plan_digest == journal.plan_digest


def _recover_one(workspace: Path, journal: Journal, touched: Collection[str] | None = None) -> Recovered:
    """Roll one apply back, or complete it, and log what was done; an OS error is a `failed` outcome."""
    try:
        outcome = _roll(workspace, journal, touched)
        append_event(workspace, "recover", journal.decision_id, {
            "outcome": outcome.outcome, "plan_digest": journal.plan_digest, "restored": list(outcome.restored),
            "temps_removed": outcome.temps_removed, "conflicts": list(outcome.conflicts),
        })
    except OSError as error:
        return Recovered(journal.decision_id, "failed", detail=os_reason(error))
    return outcome


def _roll(workspace: Path, journal: Journal, touched: Collection[str] | None) -> Recovered:
    """Complete a committed apply, or put back every file (of those it touched) that still holds what apply wrote."""
    folders = {item.path.rpartition("/")[0]: item.path for item in journal.files}
    temps = sum(len(remove_temps(workspace, path, journal.decision_id)) for path in folders.values())
    if _committed(workspace, journal):
        if not has_event(workspace, "apply", journal.decision_id):
            append_event(workspace, "apply", journal.decision_id, {"plan_digest": journal.plan_digest,
                                                                    "files": len(journal.files)})
        return Recovered(journal.decision_id, "completed", temps_removed=temps)
    items = [item for item in journal.files if touched is None or item.path in touched]
    results = {item.path: _restore(workspace, item, journal.decision_id) for item in items}
    remove_empty_dirs(workspace, {folder for item in items for folder in item.created_dirs})
    return Recovered(journal.decision_id, "rolled-back", tuple(p for p, r in results.items() if r == "restored"),
                     temps, tuple(p for p, r in results.items() if r == "conflict"))


def _restore(workspace: Path, item: JournalFile, tag: str) -> Literal["restored", "unchanged", "conflict"]:
    """Put one file back, only if it still holds what apply wrote; a file changed since is left (a conflict).

    A symlink swapped in on the way is an UnsafePath (an OSError): recovery fails and keeps the
    journal rather than declare the file settled, so it can run again once the folder is back.
    """
    try:
        current = read_current(workspace, item.path)
        if current.holds(item.before_sha256):
            return "unchanged"
        if not current.holds(item.after_sha256):
            return "conflict"
        before = item.before_bytes()
        if before is None:
            delete_file(workspace, item.path, item.after_sha256)
        else:
            replace_file(workspace, item.path, before, item.mode, tag, item.after_sha256)
    except Conflict:
        return "conflict"
    return "restored"
