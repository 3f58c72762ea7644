"""Review through the CLI: list, show, approve, reject; approvals bind to one plan digest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_patchgate, write_files
from test_apply_support import make_plan, record, sha

from patchgate.connect.audit.log import read_events
from patchgate.connect.models import Approval
from patchgate.connect.store import load_decision, write_approval


@pytest.fixture
def pending(project: Path) -> tuple[Path, str]:
    """A workspace with one require_review decision changing a.py."""
    write_files(project, {"a.py": "x = 1\n"})
    return project, record(project, make_plan(project, {"a.py": "x = 2\n"}), "require_review")


def test_list_show_approve_apply(pending: tuple[Path, str]) -> None:
    root, decision_id = pending
    listing = json.loads(run_patchgate("connect", "review", "list", "--json", cwd=root).stdout)
    assert [(row["decision_id"], row["status"]) for row in listing] == [(decision_id, "pending")]
    shown = run_patchgate("connect", "review", "show", decision_id, cwd=root)
    assert shown.code == 0 and "require_review" in shown.stdout and "writes protected paths: a.py" in shown.stdout
    assert "-x = 1" in shown.stdout and "+x = 2" in shown.stdout
    refused = run_patchgate("apply", decision_id, cwd=root)
    assert refused.code == 20 and "review approve" in refused.stderr
    approved = run_patchgate("connect", "review", "approve", decision_id, "--reviewer", "ana", "--note", "ok", cwd=root)
    assert approved.code == 0 and "now approved" in approved.stdout, approved.stderr
    assert run_patchgate("connect", "review", "list", cwd=root).stdout.strip() == "nothing awaiting review"
    applied = run_patchgate("apply", decision_id, cwd=root)
    assert applied.code == 0, applied.stderr
    assert (root / "a.py").read_text() == "x = 2\n"
    events = [(e.event, e.decision_id) for e in read_events(root)]
    assert events == [("decision", decision_id), ("apply-refused", decision_id), ("approval", decision_id),
                      ("apply", decision_id)]
    after = run_patchgate("connect", "review", "approve", decision_id, cwd=root)
    assert after.code == 40 and "already applied" in after.stderr


def test_reject_after_approve_blocks_and_a_later_approve_counts(pending: tuple[Path, str]) -> None:
    root, decision_id = pending
    before = sha(root / "a.py")
    assert run_patchgate("connect", "review", "approve", decision_id, "--reviewer", "ana", cwd=root).code == 0
    rejected = run_patchgate("connect", "review", "reject", decision_id, "--reviewer", "bo", "--note", "no", cwd=root)
    assert rejected.code == 0 and "now rejected" in rejected.stdout
    refused = run_patchgate("apply", decision_id, cwd=root)
    assert refused.code == 30 and "rejected by bo" in refused.stderr
    assert sha(root / "a.py") == before
    assert run_patchgate("connect", "review", "approve", decision_id, "--reviewer", "cy", cwd=root).code == 0
    assert run_patchgate("apply", decision_id, cwd=root).code == 0


def test_an_approval_for_another_digest_counts_for_nothing(pending: tuple[Path, str]) -> None:
    root, decision_id = pending
    stored = load_decision(root, decision_id)
    write_approval(stored, Approval(decision_id=decision_id, reviewer="mallory", decision="approve",
                                    created_at="2026-01-01T00:00:00Z", plan_digest="f" * 64))
    shown = run_patchgate("connect", "review", "show", decision_id, cwd=root)
    assert "does not count" in shown.stdout
    refused = run_patchgate("apply", decision_id, "--json", cwd=root)
    assert refused.code == 20 and json.loads(refused.stdout)["reason"] == "awaiting-review"
    assert (root / "a.py").read_text() == "x = 1\n"


def test_two_required_approvals_need_two_reviewers(project: Path) -> None:
    write_files(project, {"a.py": "x = 1\n"})
    decision_id = record(project, make_plan(project, {"a.py": "x = 2\n"}), "require_review", required_approvals=2)
    for reviewer in ("ana", "ana"):
        run_patchgate("connect", "review", "approve", decision_id, "--reviewer", reviewer, cwd=project)
    assert run_patchgate("apply", decision_id, cwd=project).code == 20
    run_patchgate("connect", "review", "approve", decision_id, "--reviewer", "bo", cwd=project)
    assert run_patchgate("apply", decision_id, cwd=project).code == 0


@pytest.mark.parametrize("verdict", ["permit", "deny", "rewrite"])
def test_only_require_review_decisions_are_reviewed(project: Path, verdict: str) -> None:
    write_files(project, {"a.py": "x = 1\n"})
    decision_id = record(project, make_plan(project, {"a.py": "x = 2\n"}), verdict)
    for action in ("approve", "reject"):
        run = run_patchgate("connect", "review", action, decision_id, cwd=project)
        assert run.code == 40 and verdict in run.stderr and len(run.stderr.splitlines()) == 1
    assert not (project / ".patchgate" / "decisions" / decision_id / "approvals").exists()
    listing = json.loads(run_patchgate("connect", "review", "list", "--all", "--json", cwd=project).stdout)
    assert [row["status"] for row in listing] == ["not-reviewable"]


def test_show_json_and_unknown_id(pending: tuple[Path, str]) -> None:
    root, decision_id = pending
    shown = json.loads(run_patchgate("connect", "review", "show", decision_id, "--json", cwd=root).stdout)
    assert shown["verdict"]["verdict"] == "require_review" and "writes protected paths: a.py" in shown["review"]["reason"]
    unknown = run_patchgate("connect", "review", "approve", "20990101T000000Z-deadbeef", cwd=root)
    assert unknown.code == 40 and "no such decision" in unknown.stderr
