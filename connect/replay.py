"""Replay: decide a stored plan packet again under today's policy and say what would change.

The context is built fresh from today's policy (its protected, immutable and generated
globs and command lists), keeping the stored task, actor and write scope, so a policy edit
shows up as a verdict or check that differs. Replay is read-only: it stores no decision and
logs no audit event (a replay decides nothing that apply could act on). Checks that look at
the workspace (stale-plan, new diagnostics) see today's files, so an applied decision
replays with a stale plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from patchgate.connect.models import Check, PatchVerdict
from patchgate.connect.store import StoredDecision, load_decision


@dataclass(frozen=True)
class CheckChange:
    """One check whose outcome differs between the stored decision and the replay."""

    id: str
    before: Check | None
    after: Check | None


@dataclass(frozen=True)
class Replay:
    """The stored verdict beside today's, and what differs."""

    decision_id: str
    stored: PatchVerdict
    replayed: PatchVerdict
    policy_changed: bool
    changes: tuple[CheckChange, ...]

    @property
    def same(self) -> bool:
        """True when today's policy reaches the same verdict through the same checks."""
        return self.stored.verdict == self.replayed.verdict and not self.changes


def _differs(before: Check | None, after: Check | None) -> bool:
    """Whether a check's outcome changed: its status or verdict (a reworded detail is not a change)."""
    if before is None or after is None:
        return before is not after
    return (before.status, before.verdict) != (after.status, after.verdict)


def compare_checks(stored: list[Check], replayed: list[Check]) -> tuple[CheckChange, ...]:
    """Checks added, removed or changed, in the replay's order then the stored-only ones."""
    old, new = {c.id: c for c in stored}, {c.id: c for c in replayed}
    order = [*new, *(name for name in old if name not in new)]
    return tuple(CheckChange(name, old.get(name), new.get(name)) for name in order
                 if _differs(old.get(name), new.get(name)))


def replay_stored(workspace: Path, stored: StoredDecision) -> Replay:
    """Decide the stored packet again in a fresh context under today's policy."""
    from patchgate.connect.context import build_context
    from patchgate.connect.decide import decide
    from patchgate.connect.policy import load_policy

    policy = load_policy(workspace)
    actor = stored.context.actor
    context = build_context(workspace, policy, stored.context.task_id, actor.id, actor.type,
                            list(stored.context.write_scope))
    decided = decide(workspace, policy, context, stored.packet, stored.decision_id)
    return Replay(stored.decision_id, stored.verdict, decided.verdict,
                  policy.digest() != stored.envelope.policy_digest,
                  compare_checks(stored.verdict.checks, decided.verdict.checks))


def replay(workspace: Path, reference: str) -> Replay:
    """Replay one stored decision by id (or unique prefix)."""
    return replay_stored(workspace, load_decision(workspace, reference))
