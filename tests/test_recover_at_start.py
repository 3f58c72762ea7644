"""Every command that reads or writes workspace files settles an interrupted apply first; --version and --help do not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_patchgate
from test_apply_support import make_plan, record, sha

import patchgate.connect.apply.run as apply_module
from patchgate.connect.interrupted import interrupted_workspaces, journal_dir
from patchgate.rewrites.store import STATE_DIR


class Killed(BaseException):
    """Stands in for a kill between two files of an apply."""


def interrupted_apply(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, dict[str, str | None]]:
    """A workspace whose apply of three files stopped after the first: the decision and the before hashes."""
    (root / ".git").mkdir(parents=True)
    (root / "patchgate.toml").write_text("", encoding="utf-8")
    for index in range(3):
        (root / f"m{index}.py").write_text(f"value = {index}\n", encoding="utf-8")
    plan = make_plan(root, {f"m{index}.py": f"value = {index + 10}\n" for index in range(3)})
    decision_id = record(root, plan)
    written: list[object] = []
    original = apply_module.replace_file

    def killed_after_one(*args: object, **kwargs: object) -> None:
        if written:
            raise Killed()
        written.append(args[1])
        original(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(apply_module, "replace_file", killed_after_one)
        patch.setattr(apply_module, "settle_interrupted", lambda *args: None)  # the process is gone
        with pytest.raises(Killed):
            apply_module.apply_decision(root, decision_id)
    assert journal_dir(root).is_dir()
    return decision_id, {item.path: item.base_sha256 for item in plan.files}


def all_before(root: Path, before: dict[str, str | None]) -> bool:
    """Every file of the plan is back as it was, and no journal is left."""
    return all(sha(root / path) == digest for path, digest in before.items()) and not journal_dir(root).exists()


@pytest.mark.parametrize("args", [
    ["check"], ["check", "m1.py"], ["plan", "fix"], ["rules", "list"], ["rules", "show", "compare-to-none"],
    ["doctor"], ["init"], ["connect", "review", "list"], ["connect", "audit", "verify"],
    ["connect", "plan", "--task", "T", "--command", "ls"],
], ids=" ".join)
def test_the_next_command_restores_every_file_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    args: list[str]) -> None:
    decision_id, before = interrupted_apply(tmp_path, monkeypatch)
    run = run_patchgate(*args, cwd=tmp_path)
    assert f"recovered an interrupted apply of {decision_id}: rolled-back (1 file(s) restored" in run.stderr, run.stderr
    assert all_before(tmp_path, before)


def test_a_command_in_a_subfolder_recovers_the_workspace_above(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    decision_id, before = interrupted_apply(tmp_path, monkeypatch)
    (tmp_path / "sub").mkdir()
    run = run_patchgate("check", cwd=tmp_path / "sub")
    assert f"recovered an interrupted apply of {decision_id}" in run.stderr and all_before(tmp_path, before)


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["check", "--help"], ["connect", "--help"]], ids=" ".join)
def test_version_and_help_leave_the_journal_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 args: list[str]) -> None:
    interrupted_apply(tmp_path, monkeypatch)
    run = run_patchgate(*args, cwd=tmp_path)
    assert run.code == 0 and "recovered" not in run.stderr and journal_dir(tmp_path).is_dir()


def test_the_start_up_check_imports_nothing_heavy(tmp_path: Path) -> None:
    code = ("import sys\nfrom pathlib import Path\nfrom patchgate.connect.interrupted import recover_around\n"
            "assert recover_around([Path.cwd()]) == []\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'click', 'patchgate')))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['patchgate', 'patchgate.connect', 'patchgate.connect.interrupted', 'patchgate.connect.state']"


def test_journals_are_looked_for_only_at_each_workspace_root(tmp_path: Path) -> None:
    tmp_path = tmp_path.resolve()
    outer, inner = tmp_path / "outer", tmp_path / "outer" / "a" / "inner"
    for folder in (tmp_path, outer, inner):
        journal_dir(folder).mkdir(parents=True)
        (journal_dir(folder) / "x.json").write_text("{}", encoding="utf-8")
    (outer / ".git").mkdir()
    (inner / "patchgate.toml").write_text("", encoding="utf-8")
    (outer / "a" / "pyproject.toml").write_text("[project]\nname = 'a'\n", encoding="utf-8")  # no table: skipped
    assert interrupted_workspaces([inner / "file.py", inner, outer / "a", outer]) == [inner, outer]
    assert tmp_path not in interrupted_workspaces([outer, inner, outer / "a" / "b"]), "never a folder above a root"
    (outer / "a" / "pyproject.toml").write_text("[tool.patchgate]\n", encoding="utf-8")
    journal_dir(outer / "a").mkdir(parents=True)
    (journal_dir(outer / "a") / "y.json").write_text("{}", encoding="utf-8")
    assert interrupted_workspaces([outer / "a" / "b"]) == [outer / "a"], "a [tool.patchgate] table makes a root"
    assert journal_dir(outer) == outer / STATE_DIR / "journal"


LAYOUTS = {
    "git only": ({"r/.git/HEAD": ""}, "r/a/b"),
    "config below git": ({"r/.git/HEAD": "", "r/sub/patchgate.toml": ""}, "r/sub/x"),
    "config above git": ({"patchgate.toml": "", "r/.git/HEAD": ""}, "r/x"),
    "pyproject with table": ({"r/.git/HEAD": "", "r/p/pyproject.toml": "[tool.patchgate]\n"}, "r/p/q"),
    "pyproject without table": ({"r/.git/HEAD": "", "r/p/pyproject.toml": "[project]\nname = 'patchgate-x'\n"}, "r/p"),
    "pyproject with a nested table": ({"r/.git/HEAD": "", "r/p/pyproject.toml": "[tool.patchgate.connect]\n"}, "r/p"),
    "a file as start": ({"r/.git/HEAD": "", "r/m.py": ""}, "r/m.py"),
    "no marker": ({"r/m.py": ""}, "r"),
    "git file (worktree)": ({"r/.git": "gitdir: elsewhere\n"}, "r/d"),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_start_up_root_is_the_root_load_config_finds(tmp_path: Path, layout: str) -> None:
    from patchgate.connect.interrupted import root_of
    from patchgate.diagnostics.config import load_config

    files, start = LAYOUTS[layout]
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / start).parent.mkdir(parents=True, exist_ok=True)
    if not (tmp_path / start).exists():
        (tmp_path / start).mkdir()
    assert root_of(tmp_path / start) == load_config(tmp_path / start).root
