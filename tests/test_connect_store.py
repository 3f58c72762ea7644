"""The decision store: ids, a whole folder per decision, validated read-back, bad input is exit 40."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run_patchgate, write_files
from test_apply_support import make_plan, record, sha

from patchgate.connect.audit.log import audit_path, read_events
from patchgate.connect.policy import load_policy
from patchgate.connect.store import DECISION_ID, decisions_dir, load_decision, new_decision_id
from patchgate.diagnostics.errors import InputError


def test_ids_sort_by_time_and_do_not_collide() -> None:
    ids = [new_decision_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert all(DECISION_ID.match(i) for i in ids)
    assert re.match(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$", ids[0])
    assert sorted(ids, key=lambda i: i[:16]) == ids


def test_record_then_load_round_trips(project: Path) -> None:
    write_files(project, {"a.py": "x = 1\n"})
    plan = make_plan(project, {"a.py": "x = 2\n"})
    decision_id = record(project, plan, "require_review")
    folder = decisions_dir(project) / decision_id
    assert sorted(p.name for p in folder.iterdir()) == [
        "context.json", "envelope.json", "packet.json", "plan.json", "review.json", "verdict.json"]
    stored = load_decision(project, decision_id)
    assert stored.plan == plan and stored.verdict.verdict == "require_review"
    assert stored.envelope.policy_digest == load_policy(project).digest()
    assert stored.approvals == () and stored.receipt is None
    assert load_decision(project, decision_id[:20]).decision_id == decision_id, "a unique prefix resolves"
    (event,) = read_events(project)
    assert (event.event, event.decision_id, event.data["plan_digest"]) == ("decision", decision_id, plan.id)
    assert event.data["context_id"] == stored.context.id and event.data["packet_id"] == stored.packet.id
    assert not list(decisions_dir(project).glob(".*")), "no staging folder left behind"


@pytest.mark.parametrize("reference", ["20991231T000000Z-00000000", "../../etc", "nope", ""])
def test_unknown_id_is_input_error(project: Path, reference: str) -> None:
    with pytest.raises(InputError) as caught:
        load_decision(project, reference)
    assert caught.value.exit_code == 40


def _corrupt_verdict(folder: Path) -> None:
    data = json.loads((folder / "verdict.json").read_text())
    data["verdict"] = "allow-everything"
    (folder / "verdict.json").write_text(json.dumps(data))


def _corrupt_plan(folder: Path) -> None:
    data = json.loads((folder / "plan.json").read_text())
    data["files"][0]["edits"][0]["new_text"] = "import os; os.system('boom')\n"
    (folder / "plan.json").write_text(json.dumps(data))


def _swap_plan(folder: Path) -> None:
    data = json.loads((folder / "plan.json").read_text())
    data["description"] = "another plan"
    data.pop("id")
    from patchgate.rewrites.models import RewritePlan

    (folder / "plan.json").write_text(RewritePlan.model_validate(data).model_dump_json())


def _truncate_envelope(folder: Path) -> None:
    (folder / "envelope.json").write_text('{"decision_id": ')


CORRUPTIONS = {"verdict": (_corrupt_verdict, "verdict.json"), "plan-bytes": (_corrupt_plan, "plan.json"),
               "plan-swapped": (_swap_plan, "not the plan the verdict covers"),
               "envelope": (_truncate_envelope, "envelope.json")}


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_damaged_decision_is_one_line_exit_40_and_nothing_written(project: Path, case: str) -> None:
    write_files(project, {"a.py": "x = 1\n"})
    decision_id = record(project, make_plan(project, {"a.py": "x = 2\n"}))
    damage, named = CORRUPTIONS[case]
    damage(decisions_dir(project) / decision_id)
    before_audit, before_file = audit_path(project).read_bytes(), sha(project / "a.py")
    for args in (("apply", decision_id), ("connect", "review", "show", decision_id), ("apply", decision_id, "--json")):
        run = run_patchgate(*args, cwd=project)
        assert run.code == 40, (args, run.stdout, run.stderr)
        assert len(run.stderr.strip().splitlines()) == 1 and named in run.stderr and "Traceback" not in run.stderr
    assert audit_path(project).read_bytes() == before_audit and sha(project / "a.py") == before_file
    listing = run_patchgate("connect", "review", "list", "--all", cwd=project)
    assert listing.code == 0 and "warning" in listing.stderr and named in listing.stderr
    assert not (decisions_dir(project) / decision_id / "receipt.json").exists()


def test_unknown_decision_via_cli(project: Path) -> None:
    run = run_patchgate("apply", "20991231T000000Z-00000000", cwd=project)
    assert run.code == 40 and "no such decision" in run.stderr and len(run.stderr.splitlines()) == 1
    assert not (project / ".patchgate").exists(), "bad input writes nothing, not even a lock file"
