"""Red team, crash then edit then recover: recovery never overwrites what someone changed after the crash.

An apply is killed mid-way (SIGKILL, with the test-only PATCHGATE_TEST_APPLY_DELAY so the kill
lands between two files), then the user edits a file the apply had written, or one it never
reached. Recovery puts back only the files that still hold exactly what apply wrote; an edited
file is kept as it is and named as a conflict (`connect recover` exits 40, other commands say
so in one line and carry on). A file the apply did not write is never touched.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run_patchgate
from test_apply_support import make_plan, record, sha, temp_files

import patchgate.connect.apply.run as apply_module
from patchgate.connect.audit.log import read_events
from patchgate.connect.audit.verify import verify_log
from patchgate.connect.interrupted import journal_dir
from patchgate.connect.store import decisions_dir

FILES = 10
RUNNER = "import sys; from pathlib import Path; from patchgate.connect.apply.run import apply_decision; " \
         "apply_decision(Path(sys.argv[1]), sys.argv[2])"
MINE = "mine = 'edited after the crash'\n"


def workspace(root: Path) -> tuple[str, dict[str, str | None], dict[str, str | None]]:
    """Ten modules to change; the decision and the before and after hashes."""
    (root / ".git").mkdir(parents=True)
    (root / "patchgate.toml").write_text("", encoding="utf-8")
    for index in range(FILES):
        (root / f"m{index}.py").write_text(f"value = {index}\n", encoding="utf-8")
    plan = make_plan(root, {f"m{index}.py": f"value = {index + 100}\n" for index in range(FILES)})
    return record(root, plan), {i.path: i.base_sha256 for i in plan.files}, {i.path: i.after_sha256 for i in plan.files}


def kill_after_the_first_file(root: Path, decision_id: str, after: dict[str, str | None]) -> list[str]:
    """Run an apply slowed down between files and SIGKILL it once a file holds its new bytes; the files written."""
    process = subprocess.Popen([sys.executable, "-c", RUNNER, str(root), decision_id],
                               env={**os.environ, "PATCHGATE_TEST_APPLY_DELAY": "0.5"})
    deadline = time.monotonic() + 60
    while not any(sha(root / p) == d for p, d in after.items()) and time.monotonic() < deadline:
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    written = [p for p, d in after.items() if sha(root / p) == d]
    assert written and len(written) < FILES and journal_dir(root).is_dir(), "the kill should land mid-apply"
    assert not (decisions_dir(root) / decision_id / "receipt.json").exists()
    return written


@pytest.mark.parametrize("which", ["a file apply wrote", "a file apply never reached"])
def test_crash_then_edit_then_recover_keeps_the_edit(tmp_path: Path, which: str) -> None:
    root = tmp_path / "ws"
    decision_id, before, after = workspace(root)
    written = kill_after_the_first_file(root, decision_id, after)
    edited = written[0] if which == "a file apply wrote" else "m9.py"
    (root / edited).write_text(MINE, encoding="utf-8")
    run = run_patchgate("connect", "recover", cwd=root)
    assert run.code == 40, (run.stdout, run.stderr)
    assert len(run.stderr.strip().splitlines()) == 1 and "conflict" in run.stderr and edited in run.stderr
    assert f"{decision_id}: rolled-back" in run.stdout
    assert (root / edited).read_text() == MINE, "the user's edit is kept"
    assert all(sha(root / p) == d for p, d in before.items() if p != edited), "every other file is put back"
    assert not journal_dir(root).exists() and not temp_files(root) and verify_log(root).ok
    assert read_events(root)[-1].data["conflicts"] == [edited]


def test_the_next_command_reports_the_conflict_in_one_line_and_carries_on(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    decision_id, before, after = workspace(root)
    written = kill_after_the_first_file(root, decision_id, after)
    (root / written[0]).unlink()  # the user deleted a file the apply had rewritten
    run = run_patchgate("check", "--format", "json", cwd=root)
    assert run.code in (0, 1)
    (line,) = [ln for ln in run.stderr.splitlines() if "recovered" in ln]
    assert f"{decision_id}: rolled-back" in line and f"conflict): {written[0]}" in line
    assert not (root / written[0]).exists(), "recovery does not bring back a file the user removed since"
    assert all(sha(root / p) == d for p, d in before.items() if p != written[0])


class Killed(BaseException):
    """Stands in for a kill at one exact point of an apply."""


def test_every_written_file_edited_since_the_kill_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kill at an exact point, then every file the apply wrote is edited: recovery restores none of them."""
    root = tmp_path / "ws"
    decision_id, before, _ = workspace(root)
    original = apply_module.replace_file
    calls: list[str] = []

    def killed_after_two(root_: Path, relative: str, *args: object, **kwargs: object) -> None:
        if len(calls) == 2:
            raise Killed()
        calls.append(relative)
        original(root_, relative, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(apply_module, "replace_file", killed_after_two)
    monkeypatch.setattr(apply_module, "settle_interrupted", lambda *args: None)  # the process is gone
    with pytest.raises(Killed):
        apply_module.apply_decision(root, decision_id)
    for name in calls:
        (root / name).write_text(MINE, encoding="utf-8")
    run = run_patchgate("connect", "recover", "--json", cwd=root)
    assert run.code == 40 and len(run.stderr.strip().splitlines()) == 1
    (outcome,) = json.loads(run.stdout)
    assert outcome["outcome"] == "rolled-back" and outcome["restored"] == [] and outcome["conflicts"] == calls
    assert all((root / name).read_text() == MINE for name in calls)
    assert all(sha(root / p) == d for p, d in before.items() if p not in calls)
