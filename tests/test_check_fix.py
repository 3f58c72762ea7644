"""`patchgate check --fix [--unsafe-fixes] [--diff]`: one command for the user, Connect still the only writer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_patchgate, write_files

from patchgate.connect.audit.log import read_events

UNUSED = "import os\nimport sys\n\nprint(sys.argv)\n"
FIXED = "import sys\n\nprint(sys.argv)\n"
UNSAFE = "def f():\n    raise NotImplemented\n"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    write_files(tmp_path, {"patchgate.toml": '[connect]\nprotected-paths = ["core/**"]\n', "a.py": UNUSED})
    return tmp_path


def test_diff_prints_the_fixes_and_writes_nothing(ws: Path) -> None:
    result = run_patchgate("check", "--diff", cwd=ws)
    assert result.code == 1, result.stderr
    assert "-import os\n" in result.stdout and "would fix 1 problem(s) in 1 file(s)" in result.stderr
    assert (ws / "a.py").read_text() == UNUSED and not (ws / ".patchgate" / "decisions").exists()


def test_diff_with_nothing_to_fix_exits_0(ws: Path) -> None:
    (ws / "a.py").write_text(FIXED)
    result = run_patchgate("check", "--diff", cwd=ws)
    assert result.code == 0 and result.stdout == "", result.stderr


def test_fix_applies_through_the_gate_and_reports_what_is_left(ws: Path) -> None:
    write_files(ws, {"b.py": "x = 1\nok = not x in (1, 2)\n"})
    result = run_patchgate("check", "--fix", "--format", "json", cwd=ws)
    assert result.code == 0, result.stderr
    assert (ws / "a.py").read_text() == FIXED and (ws / "b.py").read_text() == "x = 1\nok = x not in (1, 2)\n"
    assert json.loads(result.stdout)["diagnostics"] == [] and "fixed 2 problem(s) in 2 file(s)" in result.stderr
    events = read_events(ws)
    assert [e.event for e in events] == ["decision", "apply"] and events[0].data["verdict"] == "permit"
    assert run_patchgate("connect", "audit", "verify", cwd=ws).code == 0


def test_a_protected_file_is_left_for_review_and_the_rest_is_fixed(ws: Path) -> None:
    write_files(ws, {"core/b.py": UNUSED})
    result = run_patchgate("check", "--fix", cwd=ws)
    assert result.code == 20, result.stderr
    assert (ws / "a.py").read_text() == FIXED and (ws / "core/b.py").read_text() == UNUSED
    assert "fixes left for a human (core/b.py)" in result.stderr and "core/b.py:1:8: unused-import" in result.stdout
    decision_id = result.stderr.split("once approved: patchgate apply ")[1].split()[0]
    assert run_patchgate("connect", "review", "approve", decision_id, "--reviewer", "dana", cwd=ws).code == 0
    assert run_patchgate("apply", decision_id, cwd=ws).code == 0
    assert (ws / "core/b.py").read_text() == FIXED
    assert run_patchgate("check", cwd=ws).code == 0


def test_unsafe_fixes_wait_for_the_flag(ws: Path) -> None:
    write_files(ws, {"c.py": UNSAFE})
    result = run_patchgate("check", "--fix", cwd=ws)
    assert result.code == 1 and "1 more with --unsafe-fixes" in result.stderr, result.stderr
    assert (ws / "c.py").read_text() == UNSAFE and (ws / "a.py").read_text() == FIXED
    again = run_patchgate("check", "--fix", "--unsafe-fixes", cwd=ws)
    assert again.code == 0, again.stderr
    assert "raise NotImplementedError" in (ws / "c.py").read_text()


def test_compare_to_none_on_an_orm_column_is_fixed_only_when_asked(ws: Path) -> None:
    """`Model.deleted_at == None` builds `IS NULL` in SQLAlchemy: `is None` would be a plain False."""
    query = "from app.models import Session, Task\n\nopen_tasks = Session().query(Task).filter(Task.deleted_at == None)\n"
    write_files(ws, {"queries.py": query})
    result = run_patchgate("check", "--fix", cwd=ws)
    assert "1 more with --unsafe-fixes" in result.stderr and "compare-to-none" in result.stdout, result.stderr
    assert (ws / "queries.py").read_text() == query and (ws / "a.py").read_text() == FIXED
    assert run_patchgate("check", "--fix", "--unsafe-fixes", cwd=ws).code == 0
    assert "filter(Task.deleted_at is None)" in (ws / "queries.py").read_text()


@pytest.mark.parametrize("args", [["--unsafe-fixes"], ["--fix", "--stdin-filename", "x.py"]])
def test_flags_that_do_not_go_together_are_bad_input(ws: Path, args: list[str]) -> None:
    result = run_patchgate("check", *args, cwd=ws, stdin="import os\n")
    assert result.code == 40 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert (ws / "a.py").read_text() == UNUSED
