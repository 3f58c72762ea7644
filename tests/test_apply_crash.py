"""Crash proof: SIGKILL an apply of 50 files at 30 random moments; recovery leaves all-before or all-after.

Each apply runs in its own process with PATCHGATE_TEST_APPLY_DELAY (a test-only hook that
sleeps after each file), so most kills land between two files; the rest land before the
journal exists or after the receipt. Ten applies are killed at once per batch to keep the
run short. After recovery every file's hash is the before or the after set as a whole,
no temp file or journal is left, the receipt exists exactly when the files are after, and
the audit log verifies. The workspaces live in /dev/shm when there is one: a SIGKILL loses
no page cache, so fsync is beside the point here and tmpfs makes it free (on disk the 100
fsyncs of each apply made the test five times slower).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_patchgate
from test_apply_support import make_plan, record, sha, temp_files, write_policy

from patchgate.connect.audit.verify import verify_log
from patchgate.connect.recover.settle import recover
from patchgate.connect.review import record_review
from patchgate.connect.store import decisions_dir

FILES = 50
DELAY = 0.008
BATCHES = 3
PER_BATCH = 10
RUNNER = "import sys; from pathlib import Path; from patchgate.connect.apply.run import apply_decision; " \
         "apply_decision(Path(sys.argv[1]), sys.argv[2])"


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """A folder on tmpfs if the machine has one, else pytest's tmp_path."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="patchgate-crash-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def prepare(root: Path) -> tuple[str, dict[str, str | None], dict[str, str | None]]:
    """50 files: most modified, a few created in a new folder, a few deleted; the decision and both hash sets."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".git").mkdir(exist_ok=True)
    changes: dict[str, str | None] = {}
    for index in range(FILES):
        path = f"pkg{index % 4}/m{index:02d}.py"
        if index % 10 == 7:
            changes[f"fresh/n{index:02d}.py"] = f"created = {index}\n"
            continue
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(f"value = {index}\n" * 20, encoding="utf-8")
        changes[path] = None if index % 10 == 3 else f"value = {index + 1000}\n" * 20
    plan = make_plan(root, changes)
    before = {item.path: item.base_sha256 for item in plan.files}
    after = {item.path: item.after_sha256 for item in plan.files}
    return record(root, plan), before, after


def kill_at_random(process: subprocess.Popen, root: Path, rng: random.Random) -> None:
    """Kill early now and then; otherwise wait for the journal and kill somewhere in the file loop."""
    if rng.random() < 0.15:
        time.sleep(rng.uniform(0.0, 0.4))
    else:
        deadline = time.monotonic() + 20
        while not (root / ".patchgate" / "journal").exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, FILES * DELAY * 1.3))
    process.send_signal(signal.SIGKILL)
    process.wait()


def state(root: Path, hashes: dict[str, str | None]) -> bool:
    """Whether every file of the plan hashes as given."""
    return all(sha(root / path) == digest for path, digest in hashes.items())


@pytest.mark.parametrize("batch", range(BATCHES))
def test_sigkill_mid_apply_then_recover_is_all_or_nothing(scratch: Path, batch: int) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    runs = [(scratch / f"run{i}", *prepare(scratch / f"run{i}")) for i in range(PER_BATCH)]
    env = {**os.environ, "PATCHGATE_TEST_APPLY_DELAY": str(DELAY)}
    processes = [subprocess.Popen([sys.executable, "-c", RUNNER, str(root), decision_id], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for root, decision_id, _, _ in runs]
    killers = [threading.Thread(target=kill_at_random, args=(proc, run[0], random.Random(rng.random())))
               for proc, run in zip(processes, runs)]
    for thread in killers:
        thread.start()
    for thread in killers:
        thread.join()
    mid_apply = 0
    for root, decision_id, before, after in runs:
        outcomes = recover(root)
        mid_apply += any(o.outcome == "rolled-back" and o.restored for o in outcomes)
        whole = "before" if state(root, before) else "after" if state(root, after) else "MIXED"
        assert whole != "MIXED", f"seed {seed}: {root.name} is neither all-before nor all-after"
        assert not temp_files(root), f"seed {seed}: temp files left: {temp_files(root)}"
        assert not (root / ".patchgate" / "journal").exists()
        assert (decisions_dir(root) / decision_id / "receipt.json").exists() == (whole == "after"), f"seed {seed}"
        assert (root / "fresh").exists() == (whole == "after"), "folders made for new files go with them"
        assert verify_log(root).ok, f"seed {seed}: {verify_log(root).problem}"
    assert mid_apply >= 1, f"seed {seed}: no kill landed mid-apply; the timing hook is not working"


def test_the_next_command_recovers_automatically(scratch: Path) -> None:
    root = scratch / "ws"
    decision_id, before, _ = prepare(root)
    assert (root / "patchgate.toml").is_file(), "the workspace root is marked by its config"
    process = subprocess.Popen([sys.executable, "-c", RUNNER, str(root), decision_id],
                               env={**os.environ, "PATCHGATE_TEST_APPLY_DELAY": "0.05"})
    while not (root / ".patchgate" / "journal").exists():
        time.sleep(0.005)
    time.sleep(0.3)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not state(root, before), "the kill should land mid-apply"
    run = run_patchgate("connect", "review", "list", cwd=root)
    assert run.code == 0 and f"recovered an interrupted apply of {decision_id}: rolled-back" in run.stderr
    assert state(root, before) and not temp_files(root)
    again = run_patchgate("apply", decision_id, cwd=root)
    assert again.code == 0, again.stderr
    assert run_patchgate("connect", "audit", "verify", cwd=root).code == 0


class Killed(BaseException):
    """Stands in for a kill at one exact point of an apply."""


def test_a_crash_after_the_receipt_is_completed_not_rolled_back(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import patchgate.connect.apply.run as apply_module
    from patchgate.connect.audit.log import read_events

    root = scratch / "ws"
    decision_id, _, after = prepare(root)

    def killed_before_the_event(*args: object, **kwargs: object) -> None:
        raise Killed()

    monkeypatch.setattr(apply_module, "append_event", killed_before_the_event)
    monkeypatch.setattr(apply_module, "settle_interrupted", lambda *args: None)  # the process is gone
    with pytest.raises(Killed):
        apply_module.apply_decision(root, decision_id)
    assert (root / ".patchgate" / "journal").exists() and state(root, after)
    (outcome,) = recover(root)
    assert outcome.outcome == "completed" and state(root, after)
    assert [e.event for e in read_events(root)] == ["decision", "apply", "recover"]
    assert not (root / ".patchgate" / "journal").exists() and verify_log(root).ok


def test_check_recovers_before_it_reads_anything(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import patchgate.connect.apply.run as apply_module

    root = scratch / "ws"
    (root / ".git").mkdir(parents=True)
    modules = {f"z{index}.py": "x = 1\nok = x == None\n" for index in range(6)}
    for name, text in modules.items():
        (root / name).write_text(text, encoding="utf-8")
    write_policy(root, sorted(["patchgate.toml", *modules]), "require_review", 1, None)  # what record() writes
    plan = make_plan(root, {"patchgate.toml": 'ignore = ["compare-to-none"]\n',
                            **{name: "x = 1\nok = x is None\n" for name in modules}})
    before = {item.path: item.base_sha256 for item in plan.files}
    decision_id = record(root, plan, "require_review")  # a config change is reviewed
    record_review(root, decision_id, "approve", "maintainer", "config and fixes belong together")
    written = []

    def killed_after_two(*args: object, **kwargs: object) -> None:
        if len(written) == 2:
            raise Killed()
        written.append(args[1])
        original(*args, **kwargs)

    original = apply_module.replace_file
    monkeypatch.setattr(apply_module, "replace_file", killed_after_two)
    monkeypatch.setattr(apply_module, "settle_interrupted", lambda *args: None)  # the process is gone
    with pytest.raises(Killed):
        apply_module.apply_decision(root, decision_id)
    assert [Path(p).name for p in written] == ["patchgate.toml", "z0.py"], "the config is applied, z1..z5 are not"

    run = run_patchgate("check", "--format", "json", cwd=root)
    assert f"recovered an interrupted apply of {decision_id}: rolled-back (2 file(s) restored" in run.stderr
    found = sorted(d["path"] for d in json.loads(run.stdout)["diagnostics"] if d["rule_id"] == "compare-to-none")
    assert found == sorted(modules), "check read the restored config and files, not the half-applied ones"
    assert state(root, before) and not temp_files(root) and not (root / ".patchgate" / "journal").exists()


def test_a_kill_between_making_the_journal_folder_and_writing_it_leaves_nothing(scratch: Path) -> None:
    root = scratch / "ws"
    decision_id, before, _ = prepare(root)
    (root / ".patchgate" / "journal").mkdir()
    run = run_patchgate("connect", "recover", cwd=root)
    assert run.code == 0 and not (root / ".patchgate" / "journal").exists(), run.stderr
    assert state(root, before) and run_patchgate("apply", decision_id, cwd=root).code == 0
