"""Crash recovery: a journal left in `.patchgate/journal/` means an apply was cut short.

Before its receipt was written, the apply did not happen: every file goes back to its
before bytes (new files and the folders made for them are removed), its temp files are
deleted, and a `recover` event is logged. After the receipt, the apply did happen: only
the missing audit event is added. Either way the workspace ends all-before or all-after,
never a mix, with no temp file left. Recovery runs under the apply lock, so it never
touches an apply that is still running; it can itself be interrupted and run again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from patchgate.connect.apply_io import delete_file, make_parents, remove_empty_dirs, remove_temps, replace_file
from patchgate.connect.audit import append_event, has_event, repair
from patchgate.connect.interrupted import journal_dir, pending_entries
from patchgate.connect.journal import Journal, JournalFile, apply_lock, read_journal, remove_journal_entry
from patchgate.connect.models import ApplyReceipt
from patchgate.connect.store import decisions_dir


@dataclass(frozen=True)
class Recovered:
    """What recovery did with one interrupted apply."""

    decision_id: str
    outcome: Literal["rolled-back", "completed"]
    restored: tuple[str, ...]
    temps_removed: int


def recover(workspace: Path) -> list[Recovered]:
    """Finish or undo every interrupted apply, and settle the audit log."""
    with apply_lock(workspace):
        repair(workspace)
        outcomes = []
        for name in pending_entries(workspace):
            journal = read_journal(journal_dir(workspace) / name) if name.endswith(".json") else None
            if journal is not None:
                outcomes.append(_recover_one(workspace, journal))
            remove_journal_entry(workspace, name)
        return outcomes


def settle_interrupted(workspace: Path, journal: Journal) -> Recovered:
    """Undo (or finish) an apply that failed in this process; the caller holds the apply lock."""
    outcome = _recover_one(workspace, journal)
    remove_journal_entry(workspace, f"{journal.decision_id}.json")
    return outcome


def _committed(workspace: Path, journal: Journal) -> bool:
    """Whether the apply reached its receipt (the commit point) for this plan."""
    path = decisions_dir(workspace) / journal.decision_id / "receipt.json"
    try:
        receipt = ApplyReceipt.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return False
    return receipt.plan_digest == journal.plan_digest


def _recover_one(workspace: Path, journal: Journal) -> Recovered:
    """Roll one apply back, or complete it, and log what was done."""
    temps = sum(len(remove_temps(workspace / item.path, journal.decision_id)) for item in journal.files)
    if _committed(workspace, journal):
        if not has_event(workspace, "apply", journal.decision_id):
            append_event(workspace, "apply", journal.decision_id, {"plan_digest": journal.plan_digest,
                                                                    "files": len(journal.files)})
        outcome = Recovered(journal.decision_id, "completed", (), temps)
    else:
        restored = tuple(item.path for item in journal.files if _restore(workspace, item, journal.decision_id))
        remove_empty_dirs(workspace, sorted({d for item in journal.files for d in item.created_dirs}))
        outcome = Recovered(journal.decision_id, "rolled-back", restored, temps)
    append_event(workspace, "recover", journal.decision_id, {
        "outcome": outcome.outcome, "plan_digest": journal.plan_digest, "restored": list(outcome.restored),
        "temps_removed": temps,
    })
    return outcome


def _sha(target: Path) -> str | None:
    """sha256 of a file's bytes now, None when it does not exist."""
    try:
        return hashlib.sha256(target.read_bytes()).hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _restore(workspace: Path, item: JournalFile, tag: str) -> bool:
    """Put one file back as it was before; False when it already is."""
    target = workspace / item.path
    if _sha(target) == item.before_sha256 and not (item.before_sha256 is None and target.is_symlink()):
        return False
    before = item.before_bytes()
    if before is None:
        delete_file(target)
    else:
        make_parents(target, workspace)
        replace_file(target, before, item.mode, tag)
    return True
