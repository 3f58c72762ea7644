"""Concurrency proof: eight processes decide and apply at once; two race to apply one decision.

Afterwards the audit log verifies, every decision and every apply is in it exactly once, and
exactly one of the racing applies won (the other is refused as already applied).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import PATCHGATE, run_patchgate, write_files
from test_apply_support import make_plan, record

from patchgate.connect.audit.log import read_events
from patchgate.connect.audit.verify import verify_log

WORKERS = 8
RACE = """
import sys, time
from pathlib import Path
from patchgate.connect.apply.run import apply_decision
from patchgate.connect.apply.gate import ApplyRefused
root, decision_id, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
while not go.exists():
    time.sleep(0.001)
try:
    apply_decision(root, decision_id)
except ApplyRefused as refusal:
    print(refusal.kind)
    sys.exit(refusal.exit_code)
print("applied")
"""


def decide_and_apply(root: Path, worker: int) -> tuple[str, int]:
    """One process's work through the real CLI: decide on writing its own file, then apply it."""
    content = root.parent / f"content{worker}.txt"
    content.write_text(f"worker = {worker}\n", encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1"}
    decided = subprocess.run([PATCHGATE, "connect", "plan", "--task", f"task-{worker}", "--write",
                              f"w{worker}/mod.py", "--content-file", str(content), "--json"],
                             cwd=root, capture_output=True, text=True, env=env, timeout=120)
    assert decided.returncode == 0, decided.stderr
    decision_id = json.loads(decided.stdout)["decision_id"]
    applied = subprocess.run([PATCHGATE, "apply", decision_id], cwd=root, capture_output=True, text=True, env=env,
                             timeout=120)
    return decision_id, applied.returncode


def test_eight_processes_decide_and_apply_while_two_race_for_one_decision(project: Path) -> None:
    write_files(project, {"shared.py": "x = 1\n"})
    raced = record(project, make_plan(project, {"shared.py": "x = 2\n"}))
    go = project.parent / "go"
    env = {**os.environ, "PATCHGATE_TEST_APPLY_DELAY": "0.2"}
    racers = [subprocess.Popen([sys.executable, "-c", RACE, str(project), raced, str(go)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(decide_and_apply, project, worker) for worker in range(WORKERS)]
        time.sleep(0.3)
        go.write_text("go")
        results = [future.result() for future in futures]
    race = sorted((proc.wait(timeout=120), proc.stdout.read().strip()) for proc in racers)  # type: ignore[union-attr]
    assert race == [(0, "applied"), (40, "already-applied")], [proc.stderr.read() for proc in racers]  # type: ignore[union-attr]
    assert all(code == 0 for _, code in results), results
    for worker in range(WORKERS):
        assert (project / f"w{worker}/mod.py").read_text() == f"worker = {worker}\n"
    assert (project / "shared.py").read_text() == "x = 2\n"
    result = verify_log(project)
    assert result.ok, result.problem
    counts = Counter((event.event, event.decision_id) for event in read_events(project))
    for decision_id in [raced, *(d for d, _ in results)]:
        assert counts[("decision", decision_id)] == 1 and counts[("apply", decision_id)] == 1, decision_id
    assert counts[("apply-refused", raced)] == 1
    assert sum(counts.values()) == 2 * (WORKERS + 1) + 1 == result.events
    assert run_patchgate("connect", "audit", "verify", cwd=project).code == 0
