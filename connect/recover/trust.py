"""Which journals recovery may act on: only one that apply wrote for a stored decision of this workspace.

A journal is trusted when its file name is `<decision id>.json` for the decision it names; that
decision loads from this workspace's store (validated and consistent), is bound to this
workspace and is what its audit event pinned (trust.py), its verdict is one apply acts on,
and its state agrees with an apply in progress (no receipt while the log records the apply); and the journal's files are exactly the
plan's files: the same paths with the same before/after sha256, before bytes that hash to
before_sha256, a mode only for a file that existed, created folders that are parents of their
file (and only for a new file), every path still plain, outside `.git` and `.patchgate` at
any depth and with no symlink on the way. Anything else is quarantined, never executed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from pathlib import Path

from patchgate.connect.apply.gate import containment_problem
from patchgate.connect.audit.log import has_event, read_events
from patchgate.connect.journal import Journal, JournalFile
from patchgate.connect.store import DECISION_ID, StoredDecision, load_decision
from patchgate.connect.trust import produced_here_problem
from patchgate.diagnostics.errors import PatchgateError
from patchgate.rewrites.models import FileRewrite, RewritePlan

APPLIABLE = ("permit", "require_review")
"""Verdicts apply ever writes (require_review once approved); a journal for any other is forged."""
MAX_MODE = 0o7777


def journal_problem(workspace: Path, name: str, journal: Journal | None) -> str | None:
    """Why recovery must not act on this journal entry, or None when apply wrote it for a decision of this workspace."""
    if journal is None:
        return "not a complete apply journal"
    decision_id = journal.decision_id
    if not DECISION_ID.match(decision_id) or name != f"{decision_id}.json":
        return "its file name does not match the decision it names"
    try:
        stored = load_decision(workspace, decision_id)
    except (PatchgateError, OSError) as error:
        reason = str(getattr(error, "message", error)).split(" (see ")[0]
        return f"no stored decision of this workspace backs it: {reason}"
    problem = _decision_problem(workspace, stored, journal)
    if problem is None and stored.plan is not None:
        problem = _files_problem(workspace, stored.plan, journal)
    return problem


def _decision_problem(workspace: Path, stored: StoredDecision, journal: Journal) -> str | None:
    """Why the stored decision is not one an apply of this journal could have come from."""
    name = stored.decision_id
    if stored.plan is None or stored.plan.id != journal.plan_digest:
        return f"it is not about the plan decision {name} covers"
    if stored.verdict.verdict not in APPLIABLE:
        return f"decision {name} is {stored.verdict.verdict}: apply never writes it"
    problem = produced_here_problem(workspace, stored, read_events(workspace))
    if problem is not None:
        return f"decision {name} is not one the gate made here: {problem}"
    if stored.receipt is None and has_event(workspace, "apply", name):
        return f"the audit log records decision {name} as applied, yet it has no receipt"
    return None


def _files_problem(workspace: Path, plan: RewritePlan, journal: Journal) -> str | None:
    """Why the journal's files are not exactly the plan's files, or None."""
    planned = {item.path: item for item in plan.files}
    if sorted(entry.path for entry in journal.files) != sorted(planned):
        return "its files are not the files of the decision's plan"
    for entry in journal.files:
        problem = _entry_problem(workspace, entry, planned[entry.path])
        if problem:
            return problem
    return None


def _entry_problem(workspace: Path, entry: JournalFile, planned: FileRewrite) -> str | None:
    """Why one journal entry does not describe the plan's change to its file, or None."""
    path = entry.path
    if (entry.before_sha256, entry.after_sha256) != (planned.base_sha256, planned.after_sha256):
        return f"{path}: its digests are not the plan's"
    place = containment_problem(workspace, path)
    if place:
        return place
    try:
        before = None if entry.before_b64 is None else base64.b64decode(entry.before_b64, validate=True)
    except (binascii.Error, ValueError):
        return f"{path}: its before bytes are not base64"
    if (None if before is None else hashlib.sha256(before).hexdigest()) != entry.before_sha256:
        return f"{path}: its before bytes do not hash to before_sha256"
    if (entry.mode is None) != (before is None) or not 0 <= (entry.mode or 0) <= MAX_MODE:
        return f"{path}: its mode is not one apply records"
    parents = {"/".join(path.split("/")[:index]) for index in range(1, path.count("/") + 1)}
    if not set(entry.created_dirs) <= parents or (entry.created_dirs and before is not None):
        return f"{path}: its created folders are not parents of a new file"
    return None
