"""Apply trusts only what the gate produced, not files that look like it.

A stored decision is acted on only when it was made in this workspace, its artifacts are the
ones its audit event pinned, the audit log verifies (with signers set, under signed
checkpoints too), and deciding its candidate again under the policy in force gives the stored
verdict. An approval counts only when its audit event records its digest and, with signers
set, its SSH signature is an allowed signer's under the reviewer's name. Everything here reads;
refusals are ApplyRefused with SPEC 3 exit codes (30 for state the gate did not produce).
"""

from __future__ import annotations

import os
from pathlib import Path

from patchgate.connect.apply.gate import ApplyRefused
from patchgate.connect.audit.log import AuditEvent, canonical, read_events
from patchgate.connect.checkpoints import REVIEW_EVENTS
from patchgate.connect.context import workspace_id
from patchgate.connect.models import VERDICT_EXIT, VERDICT_RANK, Approval, content_digest
from patchgate.connect.signers import signers_in_force
from patchgate.connect.store import StoredDecision, decision_digests
from patchgate.diagnostics.errors import InputError

def approval_digest(approval: Approval) -> str:
    """What an approval's audit event records of it."""
    return content_digest(approval.model_dump(mode="json"))


def approval_payload(workspace_key: str | None, approval: Approval) -> bytes:
    """The bytes a reviewer signs: the approval (without its signature) and the workspace it is for."""
    body = approval.model_dump(mode="json", exclude={"signature"})
    return canonical({"kind": "patchgate-approval", "workspace_id": workspace_key, **body}).encode("utf-8")


def trusted_approvals(workspace: Path, stored: StoredDecision, events: list[AuditEvent]) -> tuple[Approval, ...]:
    """The approvals and rejections that count: logged under their digest and, with signers, signed."""
    from patchgate.connect.signing import signer_of

    allowed = signers_in_force(workspace)
    logged = {event.data.get("approval_digest") for event in events
              if event.event in REVIEW_EVENTS and event.decision_id == stored.decision_id}
    counted = []
    for approval in stored.approvals:
        if approval_digest(approval) not in logged:
            continue
        if allowed is not None and (approval.signature is None or signer_of(
                approval_payload(stored.context.workspace_id, approval), approval.signature, allowed) != approval.reviewer):
            continue
        counted.append(approval)
    return tuple(counted)


def binding_problem(workspace: Path, stored: StoredDecision) -> str | None:
    """Why this decision does not belong to this workspace, or None."""
    context = stored.context
    if context.workspace_id is None:
        return "it is not bound to a workspace (made by an older patchgate); decide again"
    if context.workspace_id != workspace_id(workspace) or os.path.realpath(context.repo) != os.path.realpath(workspace):
        return f"it was made in another workspace ({context.repo})"
    return None


def artifact_problem(stored: StoredDecision, events: list[AuditEvent]) -> str | None:
    """Why the stored artifacts are not what the gate recorded, or None."""
    context, packet = stored.context, stored.packet
    if content_digest(context.model_dump(mode="json")) != context.id:
        return "context.json does not match its own id (edited)"
    if content_digest(packet.model_dump(mode="json")) != packet.id:
        return "packet.json does not match its own id (edited)"
    decided_plan = packet.candidate.plan
    if (decided_plan.id if decided_plan else None) != (stored.plan.id if stored.plan else None):
        return "the stored plan is not the change the packet was decided on (plan.json was swapped)"
    logged = [e for e in events if e.event == "decision" and e.decision_id == stored.decision_id]
    if len(logged) != 1:
        return "the audit log has no record of it" if not logged else "the audit log records it more than once"
    expected = {"verdict": stored.verdict.verdict, "plan_digest": stored.verdict.plan_digest,
                **decision_digests(context, packet, stored.verdict)}
    changed = sorted(key for key, value in expected.items() if logged[0].data.get(key) != value)
    if changed:
        return f"it is not what the audit log recorded ({', '.join(changed)} differ)"
    return None


def check_trusted(workspace: Path, stored: StoredDecision) -> tuple[Approval, ...]:
    """Refuse a decision the gate did not produce here; the approvals that count when it did."""
    from patchgate.connect.audit.verify import verify_log

    name = stored.decision_id
    problem = binding_problem(workspace, stored)
    if problem is not None:
        raise ApplyRefused("foreign", f"refusing decision {name}: {problem}", 30)
    result = verify_log(workspace, signers_in_force(workspace))
    if result.problem is not None:
        raise ApplyRefused("audit", f"refusing decision {name}: the audit log does not verify: {result.problem.message}", 30)
    events = read_events(workspace)
    problem = artifact_problem(stored, events)
    if problem is not None:
        raise ApplyRefused("forged", f"refusing decision {name}: {problem}", 30)
    return trusted_approvals(workspace, stored, events)


def produced_here_problem(workspace: Path, stored: StoredDecision, events: list[AuditEvent]) -> str | None:
    """Why this stored decision is not one the gate made in this workspace (recovery's test), or None."""
    return binding_problem(workspace, stored) or artifact_problem(stored, events)


def check_redecided(workspace: Path, stored: StoredDecision) -> None:
    """Decide the stored candidate again under the policy in force; refuse unless it gives the stored verdict.

    Staleness is left out: files changed since the plan are apply's own conflict (exit 40, named).
    """
    from patchgate.connect.checks.plan import most_severe
    from patchgate.connect.replay import replay_stored

    try:
        result = replay_stored(workspace, stored)
    except InputError as error:
        raise ApplyRefused("redecided", f"refusing decision {stored.decision_id}: {error}", 40) from None
    except OSError as error:  # the tree moved while it was judged again: nothing is written
        message = f"refusing decision {stored.decision_id}: the workspace changed while it was decided again ({error})"
        raise ApplyRefused("redecided", message, 40) from None
    judged = [c for c in result.replayed.checks if c.id != "stale-plan"]
    before, after = stored.verdict.verdict, most_severe(c.verdict for c in judged)
    if before == after:
        return
    why = "; ".join(f"{c.id} ({c.verdict}): {c.detail}" for c in judged if c.status == "fail")
    cause = "the policy changed since the decision" if result.policy_changed else "the stored verdict is not what the gate decided"
    message = (f"refusing decision {stored.decision_id}: stored verdict {before}, but deciding it again under the "
               f"policy in force gives {after} ({cause}){': ' + why if why else ''}; decide it again")
    code = VERDICT_EXIT[after] if VERDICT_RANK[after] > VERDICT_RANK[before] else 40
    raise ApplyRefused("redecided", message, code or 40)
