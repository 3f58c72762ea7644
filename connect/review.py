"""Reviews: approvals and rejections of require_review decisions, each bound to one plan digest.

An approval counts only for the digest it names (the plan a reviewer saw), and only when no
rejection of that digest came after it. A decision is approved when enough distinct
reviewers (the review packet's required_approvals, at least one) approved after the last
rejection. Only require_review decisions can be reviewed: a permit needs no approval, a
deny or rewrite cannot be approved into an apply.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from patchgate.connect.audit.log import AuditEvent, append_event, now_iso, read_events
from patchgate.connect.journal import apply_lock
from patchgate.connect.models import Approval
from patchgate.connect.store import StoredDecision, list_decision_ids, load_decision, resolve_id, write_approval
from patchgate.diagnostics.errors import InputError

Status = Literal["not-reviewable", "pending", "approved", "rejected", "applied"]


@dataclass(frozen=True)
class ReviewState:
    """Where a decision stands in review."""

    status: Status
    approvers: tuple[str, ...]
    rejected_by: str | None
    needed: int


def review_state(stored: StoredDecision, counted: tuple[Approval, ...] | None = None) -> ReviewState:
    """Count the approvals (those that count, when given) for the decided plan digest since its last rejection."""
    needed = max(1, stored.review.required_approvals) if stored.review else 1
    approvals = stored.approvals if counted is None else counted
    relevant = [item for item in approvals if item.plan_digest == stored.verdict.plan_digest]
    last_reject = max((i for i, item in enumerate(relevant) if item.decision == "reject"), default=-1)
    approvers = tuple(dict.fromkeys(item.reviewer for item in relevant[last_reject + 1 :] if item.decision == "approve"))
    rejected_by = relevant[last_reject].reviewer if last_reject >= 0 else None
    if stored.receipt is not None:
        status: Status = "applied"
    elif stored.verdict.verdict != "require_review":
        status = "not-reviewable"
    elif len(approvers) >= needed:
        status = "approved"
    elif rejected_by is not None and not approvers:
        status = "rejected"
    else:
        status = "pending"
    return ReviewState(status, approvers, rejected_by, needed)


def _reviewable(stored: StoredDecision) -> None:
    """Refuse a review that could mean nothing: not require_review, or already applied."""
    verdict = stored.verdict.verdict
    if verdict != "require_review":
        why = "needs no review" if verdict == "permit" else "cannot be approved into an apply"
        raise InputError(f"decision {stored.decision_id} is {verdict}: it {why}; only require_review decisions are reviewed")
    if stored.receipt is not None:
        raise InputError(f"decision {stored.decision_id} was already applied at {stored.receipt.created_at}")


def default_reviewer() -> str:
    """The login name, when --reviewer is not given."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def record_review(workspace: Path, reference: str, decision: Literal["approve", "reject"], reviewer: str,
                  note: str, key: str | None = None) -> tuple[Approval, ReviewState]:
    """Store an approval or rejection of the decided plan digest (signed when signers are set) and log it."""
    from patchgate.connect.signers import signers_in_force
    from patchgate.connect.trust import approval_digest

    if not reviewer.strip():
        raise InputError("--reviewer must not be empty")
    decision_id = resolve_id(workspace, reference)
    allowed = signers_in_force(workspace)
    signing = _signing_key(key) if allowed is not None else None
    with apply_lock(workspace):
        stored = load_decision(workspace, decision_id)
        _reviewable(stored)
        approval = Approval(decision_id=stored.decision_id, reviewer=reviewer, decision=decision, note=note,
                            created_at=now_iso(), plan_digest=stored.verdict.plan_digest)
        if signing is not None and allowed is not None:
            approval = _signed(stored, approval, signing, allowed)
        write_approval(stored, approval)
        event = "approval" if decision == "approve" else "rejection"
        append_event(workspace, event, stored.decision_id, {"reviewer": reviewer, "plan_digest": approval.plan_digest,
                                                             "note": note, "approval_digest": approval_digest(approval)})
        if signing is not None and allowed is not None:
            from patchgate.connect.checkpoints import write_checkpoint

            write_checkpoint(workspace, stored.context.workspace_id or "", signing, reviewer, allowed)
        return approval, trusted_state(workspace, load_decision(workspace, stored.decision_id))


def _signing_key(key: str | None) -> Path:
    """The reviewer's SSH key, when approvals must be signed."""
    from patchgate.connect.signing import signing_key

    return signing_key(key)


def _signed(stored: StoredDecision, approval: Approval, key: Path, allowed: Path) -> Approval:
    """The approval with the reviewer's signature; a key the allowed signers do not list for them records nothing."""
    from patchgate.connect.signing import require_signer, sign
    from patchgate.connect.trust import approval_payload

    payload = approval_payload(stored.context.workspace_id, approval)
    signature = sign(payload, key)
    require_signer(payload, signature, allowed, approval.reviewer, key)
    return approval.model_copy(update={"signature": signature})


def trusted_state(workspace: Path, stored: StoredDecision, events: list[AuditEvent] | None = None) -> ReviewState:
    """Where a decision stands, counting only approvals the audit log (and signatures) vouch for."""
    from patchgate.connect.trust import trusted_approvals

    logged = read_events(workspace) if events is None else events
    return review_state(stored, trusted_approvals(workspace, stored, logged))


def list_reviews(workspace: Path, include_all: bool) -> tuple[list[tuple[StoredDecision, ReviewState]], list[str]]:
    """Decisions waiting for review (or every one, with --all), oldest first; and why any could not be read."""
    rows, damaged = [], []
    events = read_events(workspace)
    for decision_id in list_decision_ids(workspace):
        try:
            stored = load_decision(workspace, decision_id)
        except InputError as error:
            damaged.append(error.message)
            continue
        state = trusted_state(workspace, stored, events)
        if include_all or state.status == "pending":
            rows.append((stored, state))
    return rows, damaged
