"""Shared helpers (no tests here): build plans from real files and store decisions the way Connect does.

`record` stores a decision with record_decision and the verdict the test asks for, so the store,
review and apply tests do not depend on the policy engine; the end-to-end tests use the CLI.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from patchgate.connect.models import (
    Actor, Candidate, Check, CommandLists, ContextPack, PatchVerdict, PlanPacket, ReviewPacket, content_digest,
)
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


def _context(root: Path) -> ContextPack:
    body = {"task_id": "task-1", "repo": str(root), "branch": None, "actor": Actor(id="agent-7", type="agent"),
            "write_scope": [], "protected_paths": [], "immutable_paths": [], "generated_paths": [],
            "commands": CommandLists(), "acceptance_checks": []}
    return ContextPack(id=content_digest({k: v.model_dump() if hasattr(v, "model_dump") else v for k, v in body.items()}), **body)


def record(root: Path, plan: RewritePlan | None, verdict: str = "permit", command: str | None = None,
           required_approvals: int = 1) -> str:
    """Store a decision with the given verdict (and a review packet when it is not permit); its id."""
    decision_id = new_decision_id()
    candidate = Candidate(kind="command", command=command) if command else Candidate(kind="plan", plan=plan)
    packet = PlanPacket(id="packet-" + decision_id, task_id="task-1", objective="tidy the module", candidate=candidate,
                        risk_score=0.2)
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
    record_decision(root, _context(root), packet, plan, result, review, "policy-digest")
    return decision_id


def temp_files(root: Path) -> list[Path]:
    """Leftover apply temp files anywhere in the workspace."""
    return sorted(p for p in root.rglob("*") if ".pgtmp-" in p.name)
