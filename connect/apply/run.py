"""`patchgate apply`: the only code path that writes project files (SPEC 7).

Under the workspace's apply lock: load the decision, check it may be applied and that no file
changed since (apply/gate.py), write the journal (every file's before bytes, fsynced), write
every file atomically through directory descriptors that follow no symlink (apply/files.py), each
only while it still holds its before bytes, write the receipt (the commit point), log the
`apply` audit event, then drop the journal. A crash before the receipt is rolled back to
all-before on the next start; a crash after it is completed (recover/settle.py). An error while
writing (a folder where a file goes, a symlink swapped in, a full disk, a read-only folder)
is undone at once, before the one-line error (exit 40) is reported; so is a conflict, a file
someone changed while apply ran (exit 40, naming it: like a stale plan, plan again), which
is left as it is. If the undo fails too, the journal is kept for `patchgate connect recover`
and the error says so. A refused apply of a known decision is logged as `apply-refused`; an
unknown or damaged decision writes nothing at all.

Test-only: PATCHGATE_TEST_APPLY_DELAY (seconds) sleeps after each file written, so crash
tests can kill an apply mid-way. Nothing else reads it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from patchgate.connect.apply.gate import ApplyRefused, FileWork, check_allowed, prepare
from patchgate.connect.apply.files import Conflict, UnsafePath, delete_file, replace_file
from patchgate.connect.audit.log import append_event, has_event, now_iso
from patchgate.connect.journal import (
    Journal, JournalFile, apply_lock, encode, journal_path, remove_journal_entry, write_journal,
)
from patchgate.connect.models import ApplyReceipt, FileReceipt
from patchgate.connect.interrupted import pending_entries, recover_if_needed
from patchgate.connect.recover.settle import Recovered, os_reason, settle_interrupted
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
        plan, work = checked_work(workspace, stored)
        return _write_all(workspace, stored, plan, work)


def checked_work(workspace: Path, stored: StoredDecision) -> tuple[RewritePlan, list[FileWork]]:
    """Every check before the first byte is written, cheapest first; a refusal is logged as `apply-refused`."""
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
    return plan, work


def _journal(stored: StoredDecision, plan: RewritePlan, work: list[FileWork]) -> Journal:
    """What recovery needs to undo this apply."""
    files = [
        JournalFile(path=item.path, before_sha256=item.before_sha256, after_sha256=item.after_sha256,
                    before_b64=encode(item.before), mode=item.mode, created_dirs=list(item.missing_dirs))
        for item in work
    ]
    return Journal(decision_id=stored.decision_id, plan_digest=plan.id, created_at=now_iso(), files=files)


class WriteFailed(Exception):
    """One file of the plan could not be written: which, and the OS error."""

    def __init__(self, path: str, error: OSError) -> None:
        super().__init__(f"cannot write {path}: {os_reason(error)}")


def _write_all(workspace: Path, stored: StoredDecision, plan: RewritePlan, work: list[FileWork]) -> ApplyReceipt:
    """Journal first; if anything fails after it, undo at once (never over a user's edit) and say so in one line."""
    if pending_entries(workspace):
        raise ApplyRefused("interrupted", "an earlier apply was cut short and could not be undone yet: "
                           "run `patchgate connect recover` and fix what it reports", 40)
    journal = _journal(stored, plan, work)
    _start_journal(workspace, journal)
    written: list[ApplyReceipt] = []
    touched: list[str] = []
    try:
        written.append(_write_files(workspace, stored, plan, work, touched))
        append_event(workspace, "apply", stored.decision_id, {"plan_digest": plan.id, "files": len(work)})
    except Conflict as conflict:
        outcome = settle_interrupted(workspace, journal, touched)
        raise ApplyRefused("conflict", _conflict_message(conflict, outcome), 40) from None
    except (WriteFailed, OSError) as error:
        outcome = settle_interrupted(workspace, journal, touched)
        if outcome.outcome == "completed" and written:
            return written[0]  # only the audit event failed, and recovery has just added it
        reason = str(error) if isinstance(error, WriteFailed) else f"cannot finish the apply: {os_reason(error)}"
        raise InputError(f"{reason}; {_undone(outcome)}") from None
    except BaseException:
        settle_interrupted(workspace, journal)
        raise
    try:
        remove_journal_entry(workspace, journal_path(workspace, stored.decision_id).name)
    except OSError:
        pass  # the receipt is written: the next recovery completes it and removes the journal
    return written[0]


def _start_journal(workspace: Path, journal: Journal) -> None:
    """Write the journal durably, or refuse before any project file is touched."""
    try:
        write_journal(workspace, journal)
    except OSError as error:
        try:
            remove_journal_entry(workspace, journal_path(workspace, journal.decision_id).name)
        except OSError:
            pass
        raise InputError(f"cannot write the apply journal: {os_reason(error)}; nothing was written") from None


def _conflict_message(conflict: Conflict, outcome: Recovered) -> str:
    """A user's edit met during apply: name the file, say it was kept and what became of the rest."""
    message = f"conflict: {conflict.path} {conflict.found} while apply was writing; it was left as it is"
    others = [path for path in outcome.conflicts if path != conflict.path]
    if outcome.outcome == "failed":
        return f"{message}; {_undone(outcome)}"
    also = f" (also left as changed by someone else: {', '.join(others)})" if others else ""
    return f"{message} and every file apply had written was put back{also}; plan again"


def _undone(outcome: Recovered) -> str:
    """What the rollback after a failed apply did, for the end of its one-line error."""
    if outcome.outcome == "failed":
        return (f"recovering from that failed too ({outcome.detail}): the journal is kept, "
                "fix the cause and run `patchgate connect recover`")
    if outcome.outcome == "completed":
        return "the files and the receipt were already written, so the apply stands"
    if outcome.conflicts:
        return (f"every other file was put back as it was; left as changed by someone else: "
                f"{', '.join(outcome.conflicts)}")
    return "every file was put back as it was"


def _write_files(workspace: Path, stored: StoredDecision, plan: RewritePlan, work: list[FileWork],
                 touched: list[str]) -> ApplyReceipt:
    """Every file (each only while it still holds its before bytes), then the receipt: the commit point.

    `touched` collects the files a rollback must look at: every file whose write began, except one
    refused before anything changed (a conflict, a symlink or non-folder on the way).
    """
    delay = float(os.environ.get(DELAY_ENV, "0") or 0)
    for item in work:
        touched.append(item.path)
        try:
            if item.after is None:
                delete_file(workspace, item.path, item.before_sha256)
            else:
                replace_file(workspace, item.path, item.after, item.mode, stored.decision_id, item.before_sha256,
                             item.missing_dirs)
        except Conflict:
            touched.pop()
            raise
        except UnsafePath as error:
            touched.pop()
            raise WriteFailed(item.path, error) from None
        except OSError as error:
            raise WriteFailed(item.path, error) from None
        if delay:
            time.sleep(delay)
    receipt = ApplyReceipt(decision_id=stored.decision_id, plan_digest=plan.id, created_at=now_iso(), files=[
        FileReceipt(path=item.path, before_sha256=item.before_sha256, after_sha256=item.after_sha256) for item in work
    ])
    write_receipt(stored, receipt)
    return receipt
