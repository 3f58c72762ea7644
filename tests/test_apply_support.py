"""Shared helpers (no tests here): build plans from real files and store decisions the way Connect does.

`record` decides a plan for real, under a patchgate.toml that makes the policy reach the verdict the
test asks for, and stores it as `connect plan` does: apply re-decides, so a hand-made verdict would
be refused (tests/test_redteam_forgery.py shows that).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from patchgate.connect.candidates.submission import Submission, build_packet
from patchgate.connect.context import build_context
from patchgate.connect.decide import decide, scored_packet
from patchgate.connect.models import Candidate, Check, PatchVerdict, ReviewPacket
from patchgate.connect.policy import load_policy
from patchgate.connect.store import new_decision_id, record_decision
from patchgate.rewrites.edits import _stats, file_rewrite_for_text
from patchgate.rewrites.models import RewritePlan


def sha(path: Path) -> str | None:
    """sha256 of a file's bytes, None when it does not exist."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def make_plan(root: Path, changes: dict[str, str | None]) -> RewritePlan:
    """A plan turning each file (as it is on disk now) into the text given (None deletes it)."""
    files = []
    for path, after in sorted(changes.items()):
        target = root / path
        before = target.read_bytes().decode("utf-8") if os.path.lexists(target) else None
        files.append(file_rewrite_for_text(path, before, after))
    return RewritePlan.model_validate({"planner": "write", "description": "test change", "files": files,
                                       "stats": _stats(files)})


VERDICT_POLICY = {"require_review": "protected-paths", "deny": "immutable-paths", "rewrite": "generated-paths"}
"""The policy key that makes Connect reach each verdict for the files a plan writes."""


def write_policy(root: Path, paths: list[str], verdict: str, required_approvals: int, command: str | None) -> None:
    """A patchgate.toml under which deciding the plan really gives `verdict`."""
    lines = ["[connect]", f"required-approvals = {required_approvals}",
             "thresholds = { large-change = { max-files = 10000, max-lines = 1000000 } }"]
    if verdict in VERDICT_POLICY:
        lines.append(f"{VERDICT_POLICY[verdict]} = {json.dumps(paths)}")
    if command is not None:
        lines.append(f"commands = {{ {'allow' if verdict == 'permit' else 'review'} = {json.dumps([command])} }}")
    (root / "patchgate.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def record(root: Path, plan: RewritePlan | None, verdict: str = "permit", command: str | None = None,
           required_approvals: int = 1) -> str:
    """Decide a plan (or command) the way `connect plan` does, under a policy that gives `verdict`; its id."""
    paths = [item.path for item in plan.files] if plan else []
    write_policy(root, paths or ["**"], verdict, required_approvals, command)
    policy = load_policy(root)
    context = build_context(root, policy, "task-1", "agent-7", "agent")
    candidate = Candidate(kind="command", command=command) if command else Candidate(kind="plan", plan=plan)
    packet = build_packet("task-1", "tidy the module", Submission(candidate, paths, "tidy the module"))
    decided = decide(root, policy, context, packet, new_decision_id())
    assert decided.verdict.verdict == verdict, decided.verdict.checks
    packet = scored_packet(packet, decided.verdict)
    record_decision(root, context, packet, plan, decided.verdict, decided.review, policy.digest())
    return decided.verdict.decision_id


def forge(root: Path, plan: RewritePlan | None, verdict: str = "permit", command: str | None = None,
          required_approvals: int = 1) -> str:
    """An attacker's decision: stored with record_decision and any verdict, never decided by the policy; its id."""
    decision_id = new_decision_id()
    candidate = Candidate(kind="command", command=command) if command else Candidate(kind="plan", plan=plan)
    packet = build_packet("task-1", "tidy the module", Submission(candidate, [], "tidy the module"))
    checks = [Check(id="protected-path", status="warn" if verdict != "permit" else "pass", detail="a.py is protected",
                    verdict=verdict)]  # type: ignore[arg-type]
    review = None
    if verdict in ("require_review", "deny"):
        diff = "".join(item.diff for item in plan.files) if plan else command or ""
        review = ReviewPacket(id="review-" + decision_id, decision_id=decision_id, objective=packet.objective,
                              reason="a.py is protected", diff=diff,
                              required_approvals=0 if verdict == "deny" else required_approvals)
    result = PatchVerdict(decision_id=decision_id, verdict=verdict, plan_digest=plan.id if plan else None,  # type: ignore[arg-type]
                          checks=checks, impacted_paths=[f.path for f in plan.files] if plan else [], remediation=[],
                          review_packet_ref=review.id if review else None)
    context = build_context(root, load_policy(root), "task-1", "agent-7", "agent")
    record_decision(root, context, packet, plan, result, review, load_policy(root).digest())
    return decision_id


def temp_files(root: Path) -> list[Path]:
    """Leftover apply temp files anywhere in the workspace."""
    return sorted(p for p in root.rglob("*") if ".pgtmp-" in p.name)
