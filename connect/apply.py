"""`patchgate apply`: the only code path that writes project files (SPEC 7).

Under the workspace's apply lock: load the decision, check it may be applied and that no file
changed since (apply_gate), write the journal (every file's before bytes, fsynced), write
every file atomically, write the receipt (the commit point), log the `apply` audit event,
then drop the journal. A crash before the receipt is rolled back to all-before on the next
start; a crash after it is completed (recover.py); an error while writing (a folder where a
file goes, a full disk) is undone at once, before the error is reported. A refused apply of a known decision is
logged as `apply-refused`; an unknown or damaged decision writes nothing at all.

Test-only: PATCHGATE_TEST_APPLY_DELAY (seconds) sleeps after each file written, so crash
tests can kill an apply mid-way. Nothing else reads it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from patchgate.connect.apply_gate import ApplyRefused, FileWork, check_allowed, prepare
from patchgate.connect.apply_io import current_mode, delete_file, make_parents, replace_file
from patchgate.connect.audit import append_event, has_event, now_iso
from patchgate.connect.journal import (
    Journal, JournalFile, apply_lock, encode, journal_path, remove_journal_entry, write_journal,
)
from patchgate.connect.models import ApplyReceipt, FileReceipt
from patchgate.connect.interrupted import recover_if_needed
from patchgate.connect.recover import settle_interrupted
from patchgate.connect.trust import check_redecided, check_trusted
from patchgate.connect.store import StoredDecision, load_decision, resolve_id, write_receipt
from patchgate.diagnostics.errors import InputError
from patchgate.rewrites.models import RewritePlan

DELAY_ENV = "PATCHGATE_TEST_APPLY_DELAY"


def apply_decision(workspace: Path, reference: str) -> ApplyReceipt:
    """Apply one decision's plan, all files or none; returns the receipt."""
    recover_if_needed(workspace)
    decision_id = resolve_id(workspace, reference)
    with apply_lock(workspace):
        stored = load_decision(workspace, decision_id)
        try:
            if stored.receipt is None and has_event(workspace, "apply", stored.decision_id):
                raise ApplyRefused("already-applied", f"decision {stored.decision_id} was already applied "
                                   "(the audit log records it; its receipt.json is missing)", 40)
            counted = check_trusted(workspace, stored)
            plan = check_allowed(stored, counted)
            work = prepare(workspace, plan)
            check_redecided(workspace, stored)
        except ApplyRefused as refusal:
            append_event(workspace, "apply-refused", stored.decision_id, {"reason": refusal.kind, "detail": refusal.message})
            raise
        return _write_all(workspace, stored, plan, work)


def _journal(stored: StoredDecision, plan: RewritePlan, work: list[FileWork]) -> Journal:
    """What recovery needs to undo this apply."""
    files = [
        JournalFile(path=item.path, before_sha256=item.before_sha256, after_sha256=item.after_sha256,
                    before_b64=encode(item.before), mode=current_mode(item.target), created_dirs=list(item.missing_dirs))
        for item in work
    ]
    return Journal(decision_id=stored.decision_id, plan_digest=plan.id, created_at=now_iso(), files=files)


def _write_all(workspace: Path, stored: StoredDecision, plan: RewritePlan, work: list[FileWork]) -> ApplyReceipt:
    """Journal first; if anything fails after it, undo (or finish) at once and say so."""
    journal = _journal(stored, plan, work)
    write_journal(workspace, journal)
    try:
        receipt = _write_and_commit(workspace, stored, plan, work, journal)
    except OSError as error:
        settle_interrupted(workspace, journal)
        name = getattr(error, "filename", None) or "a file"
        raise InputError(f"cannot write {name}: {error.strerror or error}; every file was put back as it was") from None
    except BaseException:
        settle_interrupted(workspace, journal)
        raise
    remove_journal_entry(workspace, journal_path(workspace, stored.decision_id).name)
    return receipt


def _write_and_commit(workspace: Path, stored: StoredDecision, plan: RewritePlan, work: list[FileWork],
                      journal: Journal) -> ApplyReceipt:
    """Every file, then the receipt (the commit point), then the audit event."""
    delay = float(os.environ.get(DELAY_ENV, "0") or 0)
    for item, entry in zip(work, journal.files):
        if item.after is None:
            delete_file(item.target)
        else:
            make_parents(item.target, workspace)
            replace_file(item.target, item.after, entry.mode, stored.decision_id)
        if delay:
            time.sleep(delay)
    receipt = ApplyReceipt(decision_id=stored.decision_id, plan_digest=plan.id, created_at=now_iso(), files=[
        FileReceipt(path=item.path, before_sha256=item.before_sha256, after_sha256=item.after_sha256) for item in work
    ])
    write_receipt(stored, receipt)
    append_event(workspace, "apply", stored.decision_id, {"plan_digest": plan.id, "files": len(work)})
    return receipt
