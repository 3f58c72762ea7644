"""Decide a submission and record the decision: what `connect plan` and `check --fix` both do.

One path from candidate to stored decision, so every front end's change is judged and recorded
the same way (the signers file pinned first, the packet scored by its verdict, the audit event
written by the store). Judging writes nothing, so a front end can try parts of a change before it
records the decision it acts on; applying stays apply's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from patchgate.connect.candidates.submission import Submission, build_packet
from patchgate.connect.context import build_context
from patchgate.connect.decide import Decided, decide, scored_packet
from patchgate.connect.models import ContextPack, PatchVerdict, PlanPacket
from patchgate.connect.policy import load_policy
from patchgate.connect.signers import signers_in_force
from patchgate.connect.store import new_decision_id, record_decision


@dataclass(frozen=True)
class Judged:
    """A decision made but not yet stored, with what storing it needs."""

    decided: Decided
    context: ContextPack
    packet: PlanPacket
    submission: Submission
    policy_digest: str

    @property
    def verdict(self) -> PatchVerdict:
        """The verdict reached."""
        return self.decided.verdict


def judge(workspace: Path, task_id: str, actor_id: str | None, actor_type: str, submission: Submission,
          objective: str | None = None, write_scope: list[str] | None = None) -> Judged:
    """Judge one submission in a fresh context under the policy in force; writes nothing but the signers pin."""
    signers_in_force(workspace)  # pins the signers file the first time, refuses a config that dropped it
    policy = load_policy(workspace)
    context = build_context(workspace, policy, task_id, actor_id, actor_type, write_scope or [])
    packet = build_packet(task_id, objective, submission)
    decided = decide(workspace, policy, context, packet, new_decision_id())
    return Judged(decided, context, scored_packet(packet, decided.verdict), submission, policy.digest())


def record(workspace: Path, judged: Judged) -> PatchVerdict:
    """Store a judged decision (and its audit event) so review and apply can act on it."""
    decided = judged.decided
    record_decision(workspace, judged.context, judged.packet, judged.submission.candidate.plan, decided.verdict,
                    decided.review, judged.policy_digest)
    return decided.verdict


def decide_and_record(workspace: Path, task_id: str, actor_id: str | None, actor_type: str, submission: Submission,
                      objective: str | None = None, write_scope: list[str] | None = None) -> Decided:
    """Judge one submission and store the decision."""
    judged = judge(workspace, task_id, actor_id, actor_type, submission, objective, write_scope)
    record(workspace, judged)
    return judged.decided
