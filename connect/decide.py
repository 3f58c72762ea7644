"""Connect's decision (SPEC 7): run every check in order, the most severe verdict wins.

Pure: it reads the workspace but writes nothing there or under `.patchgate` (the store
records the decision). Scratch verification runs only for a file change that is not already
denied and whose plan still matches the workspace.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from patchgate.connect.checks.plan import (
    PathJudge, escape_check, large_change_check, locate_all, most_severe, passed, stale_check,
)
from patchgate.connect.checks.commands import command_checks, not_a_command
from patchgate.connect.governance import BuiltinPaths, builtin_paths, is_pyproject, touches_patchgate_table
from patchgate.connect.models import VERDICT_RANK, Check, ContextPack, PatchVerdict, PlanPacket, ReviewPacket, content_digest
from patchgate.connect.paths import is_runtime_path
from patchgate.connect.policy import ConnectPolicy
from patchgate.rewrites.models import RewritePlan

CHECK_ORDER = (
    "path-escape", "immutable-path", "denied-command", "write-scope", "destructive-command", "protected-path",
    "governance-path", "unknown-command", "review-command", "generated-path", "stale-plan", "new-error-diagnostics",
    "python-modules", "smoke-checks", "large-change",
)
REMEDIATION = {
    "path-escape": "Keep every write inside the workspace: no '..', no absolute paths elsewhere, no symlinks that lead out.",
    "immutable-path": "Leave immutable paths alone; they are never written through Connect.",
    "denied-command": "Do not run commands on the deny list; find an allowed way to do the task.",
    "write-scope": "Limit the change to the task's write scope, or start a task whose scope covers these paths.",
    "destructive-command": "Use a non-destructive alternative (no --force, no recursive delete), or ask a person to run it.",
    "protected-path": "A reviewer must approve writes to protected paths: patchgate connect review approve <decision-id>.",
    "governance-path": ("A reviewer must approve changes to files that govern patchgate, CI, hooks or agents (config, "
                        "rule sources, workflows, agent settings): patchgate connect review approve <decision-id>."),
    "unknown-command": "Ask for the command to be added to [tool.patchgate.connect] commands.allow, or get it reviewed.",
    "review-command": "A reviewer must approve this command before it runs.",
    "generated-path": "Change the generator's input and regenerate, instead of editing generated files.",
    "stale-plan": "The files changed since the plan was made: run the planner again on the current files.",
    "new-error-diagnostics": "Fix the new errors named above (patchgate check) and submit the change again.",
    "python-modules": "Make every touched Python module compile and import again (see the errors named), then submit the change again.",
    "smoke-checks": "Make the failing smoke checks pass, then submit the change again.",
    "large-change": "Split the change into smaller ones within the large-change limits, or get it reviewed.",
}
RISK = {"permit": 0.0, "rewrite": 0.3, "require_review": 0.6, "deny": 1.0}
WARN_RISK = 0.1


class Decided(NamedTuple):
    """The verdict, and the review packet written for require_review and deny."""

    verdict: PatchVerdict
    review: ReviewPacket | None


def _path_checks(workspace: Path, context: ContextPack, policy: ConnectPolicy, requested: list[str],
                 runtime: list[str], plan: RewritePlan | None) -> dict[str, Check]:
    """Containment first, then immutable, scope, protected, governing and generated paths over every write.

    Only a command's paths can be known at run time alone ($VAR, after cd); a plan's or a
    write's path is literal, `$` and all, and is judged like any other.
    """
    targets = locate_all(workspace, requested, set(runtime))
    judge = PathJudge(workspace, context, targets)
    threshold = policy.thresholds.protected_path_write
    builtins = builtin_paths(workspace) if judge.everything else BuiltinPaths()
    checks = [escape_check(targets, runtime), judge.immutable(builtins), judge.scope(), judge.protected(threshold),
              judge.governance(builtins, threshold, _table_untouched(workspace, plan)), judge.generated()]
    return {check.id: check for check in checks}


def _table_untouched(workspace: Path, plan: RewritePlan | None) -> Callable[[str], bool]:
    """Whether a written path is a pyproject.toml the plan edits without touching [tool.patchgate] (no review)."""
    items = {item.path: item for item in plan.files} if plan else {}

    def untouched(path: str) -> bool:
        item = items.get(path)
        return item is not None and is_pyproject(path) and not touches_patchgate_table(workspace, item)
    return untouched


def _verification(workspace: Path, policy: ConnectPolicy, context: ContextPack, packet: PlanPacket,
                  so_far: dict[str, Check]) -> dict[str, Check]:
    """Diagnostics, Python modules and smoke checks on a scratch copy, unless there is nothing to verify or no point."""
    plan = packet.candidate.plan
    reason = ("not applicable: no file change" if plan is None or not plan.files
              else "skipped: the change is already denied" if most_severe(c.verdict for c in so_far.values()) == "deny"
              else "skipped: the plan does not match the workspace" if so_far["stale-plan"].status == "fail"
              else None)
    if reason is not None:
        return {check_id: passed(check_id, reason) for check_id in ("new-error-diagnostics", "python-modules", "smoke-checks")}
    from patchgate.connect.verify.plan import verify_plan

    return {check.id: check for check in verify_plan(workspace, policy, context, plan)}  # type: ignore[arg-type]


def run_checks(workspace: Path, policy: ConnectPolicy, context: ContextPack,
               packet: PlanPacket) -> tuple[list[Check], list[str]]:
    """Every check of SPEC 7 for one packet in the spec's order, and every path the change writes."""
    candidate = packet.candidate
    plan = candidate.plan
    requested = [p for step in packet.steps for p in step.paths]
    requested += [item.path for item in plan.files] if plan else []
    checks, floating, runtime = not_a_command(), [], []
    if candidate.command is not None:
        judged = command_checks(candidate.command, context, policy)
        checks, requested, floating = judged.checks, requested + judged.writes, judged.floating
        runtime = list(dict.fromkeys([*(p for p in judged.writes if is_runtime_path(p)), *floating]))
    checks.update(_path_checks(workspace, context, policy, requested, runtime, plan))
    checks["stale-plan"] = stale_check(workspace, plan)
    checks.update(_verification(workspace, policy, context, packet, checks))
    checks["large-change"] = large_change_check(plan, policy)
    return [checks[check_id] for check_id in CHECK_ORDER], sorted(dict.fromkeys([*requested, *floating]))


def review_packet(decision_id: str, verdict: str, packet: PlanPacket, checks: list[Check],
                  approvals_needed: int = 1) -> ReviewPacket:
    """What a reviewer (or the denied actor) reads: the reasons, most severe first, and the change itself."""
    failing = sorted((c for c in checks if c.status != "pass"), key=lambda c: -VERDICT_RANK[c.verdict])
    reason = "; ".join(f"{c.id} ({c.verdict}): {c.detail}" for c in failing)
    candidate = packet.candidate
    diff = f"$ {candidate.command}\n" if candidate.command is not None else "".join(
        item.diff for item in candidate.plan.files) if candidate.plan else ""  # type: ignore[union-attr]
    body = {"decision_id": decision_id, "objective": packet.objective, "reason": reason, "diff": diff,
            "evidence_refs": packet.evidence_refs, "required_approvals": approvals_needed if verdict == "require_review" else 0}
    data = ReviewPacket.model_validate({**body, "id": ""}).model_dump(mode="json")
    return ReviewPacket.model_validate({**data, "id": content_digest(data)})


def decide(workspace: Path, policy: ConnectPolicy, context: ContextPack, packet: PlanPacket, decision_id: str) -> Decided:
    """Judge one plan packet in its context under the policy; writes nothing."""
    checks, touched = run_checks(workspace, policy, context, packet)
    verdict = most_severe(c.verdict for c in checks)
    failing = [c for c in checks if c.status == "fail"]
    remediation = [REMEDIATION[c.id] for c in sorted(failing, key=lambda c: -VERDICT_RANK[c.verdict])]
    review = review_packet(decision_id, verdict, packet, checks, policy.required_approvals) if verdict in ("require_review", "deny") else None
    plan = packet.candidate.plan
    result = PatchVerdict(
        decision_id=decision_id, verdict=verdict, plan_digest=plan.id if plan else None, checks=checks,
        impacted_paths=touched, remediation=remediation,
        review_packet_ref=review.id if review else None)
    return Decided(result, review)


def risk_score(verdict: PatchVerdict) -> float:
    """0 harmless .. 1 destructive: the weight of the most severe failing check (a warning counts a little)."""
    scores = [RISK[c.verdict] if c.status == "fail" else WARN_RISK for c in verdict.checks if c.status != "pass"]
    return max(scores, default=0.0)


def scored_packet(packet: PlanPacket, verdict: PatchVerdict) -> PlanPacket:
    """The packet with the risk score its checks earned, and its id recomputed over that."""
    data = {**packet.model_dump(mode="json"), "risk_score": risk_score(verdict)}
    return PlanPacket.model_validate({**data, "id": content_digest(data)})
