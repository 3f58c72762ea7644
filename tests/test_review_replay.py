"""`patchgate connect replay`: the stored packet decided again under today's policy, read-only."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_patchgate, write_files

from patchgate.connect.audit.log import audit_path
from patchgate.connect.store import list_decision_ids


def decide_write(root: Path, path: str, text: str) -> str:
    """Decide on writing a file through the real CLI; the decision id."""
    content = root.parent / "content.txt"
    content.write_text(text, encoding="utf-8")
    run = run_patchgate("connect", "plan", "--task", "t-1", "--actor", "agent-3", "--actor-type", "agent",
                        "--write", path, "--content-file", str(content), "--json", cwd=root)
    assert run.code in (0, 20), run.stderr
    return json.loads(run.stdout)["decision_id"]


def test_replay_same_policy_then_a_stricter_one(project: Path) -> None:
    write_files(project, {"app.py": "x = 1\n"})
    decision_id = decide_write(project, "app.py", "x = 2\n")
    same = run_patchgate("connect", "replay", decision_id, cwd=project)
    assert same.code == 0 and "stored permit, today permit" in same.stdout and "policy unchanged" in same.stdout
    write_files(project, {"patchgate.toml": '[connect]\nprotected-paths = ["app.py"]\n'})
    audit_before, decisions_before = audit_path(project).read_bytes(), list_decision_ids(project)
    changed = run_patchgate("connect", "replay", decision_id, "--json", cwd=project)
    assert changed.code == 1, changed.stderr
    report = json.loads(changed.stdout)
    assert (report["same"], report["policy_changed"]) == (False, True)
    assert (report["stored"]["verdict"], report["replayed"]["verdict"]) == ("permit", "require_review")
    (change,) = report["changes"]
    assert change["id"] == "protected-path" and change["before"]["status"] == "pass"
    assert change["after"]["status"] == "fail" and "app.py" in change["after"]["detail"]
    assert audit_path(project).read_bytes() == audit_before and list_decision_ids(project) == decisions_before
    text = run_patchgate("connect", "replay", decision_id, cwd=project)
    assert "protected-path: pass/permit -> fail/require_review" in text.stdout


def test_replay_after_apply_reports_the_stale_plan(project: Path) -> None:
    write_files(project, {"app.py": "x = 1\n"})
    decision_id = decide_write(project, "app.py", "x = 2\n")
    assert run_patchgate("apply", decision_id, cwd=project).code == 0
    report = json.loads(run_patchgate("connect", "replay", decision_id, "--json", cwd=project).stdout)
    assert "stale-plan" in [change["id"] for change in report["changes"]]


def test_replay_unknown_id_is_exit_40(project: Path) -> None:
    run = run_patchgate("connect", "replay", "20990101T000000Z-00000000", cwd=project)
    assert run.code == 40 and "no such decision" in run.stderr
