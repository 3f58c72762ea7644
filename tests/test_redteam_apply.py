"""Red team, racing apply: a folder or file swapped mid-apply, and a user's edit made while apply runs.

Apply writes through directory descriptors that follow no symlink and checks each target's
bytes right before replacing it. A thread swapping `pkg/` for a symlink to `.git` in a loop
never gets `.git/config` written (50 tries: each apply writes the real folder or refuses and
rolls back); swaps landing at exact moments (after the checks, between two files) are
refused the same way; a file edited while apply runs is never overwritten: apply stops, puts
back only the files that still hold what it wrote, and names the file (exit 40, like a
stale plan). Attacks touch marker files in tmp_path only.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_files
from test_apply_support import make_plan, record, sha, temp_files

import patchgate.connect.apply.run as apply_module
from patchgate.cli.main import cli
from patchgate.connect.apply.gate import ApplyRefused
from patchgate.connect.audit.log import read_events
from patchgate.connect.audit.verify import verify_log
from patchgate.connect.interrupted import journal_dir
from patchgate.connect.recover.settle import recover
from patchgate.connect.store import decisions_dir
from patchgate.diagnostics.errors import InputError

GIT_CONFIG = b"[core]\n\trepositoryformatversion = 0\n"
TRIES = 50
PHASE = 0.0003
"""Seconds each state (symlink, real folder) is held: shapes the race so applies meet both; asserts nothing."""


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry below a folder with its bytes (None for folders and symlinks): to prove nothing changed."""
    found: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        regular = path.is_file() and not path.is_symlink()
        found[path.relative_to(folder).as_posix()] = path.read_bytes() if regular else None
    return found


def apply_cli(root: Path, decision_id: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """`patchgate apply` in this process (so a test can inject a swap at an exact point): exit code and stderr."""
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["apply", decision_id])
    return result.exit_code, result.stderr


@pytest.fixture
def repo(project: Path) -> Path:
    """A project whose .git holds a config marker and whose pkg/config is the apply's target."""
    (project / ".git" / "config").write_bytes(GIT_CONFIG)
    write_files(project, {"pkg/config": "real = 0\n", "a/first.py": "first = 0\n"})
    return project


class Swapper:
    """A thread that swaps `pkg/` for a symlink to `.git` and back, as fast as it can, until stopped."""

    def __init__(self, root: Path) -> None:
        self.root, self.stop, self.swaps = root, threading.Event(), 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        pkg, aside = self.root / "pkg", self.root / "pkg.real"
        while not self.stop.is_set():
            try:
                os.rename(pkg, aside)
                os.symlink(".git", pkg)
                time.sleep(PHASE)  # the symlink stays a moment, then the real folder does
                os.unlink(pkg)
                os.rename(aside, pkg)
                time.sleep(PHASE)
                self.swaps += 1
            except OSError:
                self.restore()

    def restore(self) -> None:
        """Put the real folder back whatever state the loop stopped in."""
        pkg, aside = self.root / "pkg", self.root / "pkg.real"
        if pkg.is_symlink():
            pkg.unlink()
        if aside.exists() and not pkg.exists():
            os.rename(aside, pkg)

    def __enter__(self) -> Swapper:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.restore()


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Let the swapping thread run between almost any two steps of the apply."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


@pytest.mark.usefixtures("fast_switching")
def test_a_thread_swapping_a_folder_for_a_symlink_to_git_never_gets_git_written(repo: Path) -> None:
    git_before = snapshot(repo / ".git")
    outcomes: Counter[str] = Counter()
    for attempt in range(TRIES):
        before = (repo / "pkg" / "config").read_bytes()
        after = f"real = {attempt + 1}\n"
        decision_id = record(repo, make_plan(repo, {"pkg/config": after}))
        with Swapper(repo):
            try:
                apply_module.apply_decision(repo, decision_id)
                outcomes["applied"] += 1
            except (ApplyRefused, InputError) as refusal:
                outcomes[getattr(refusal, "kind", "write-error")] += 1
        if journal_dir(repo).exists():  # the rollback met the symlink too: the journal waits for recovery
            outcomes["recovered-later"] += 1
            assert all(o.outcome == "rolled-back" for o in recover(repo))
        assert snapshot(repo / ".git") == git_before, f"try {attempt}: .git was written ({outcomes})"
        now = (repo / "pkg" / "config").read_bytes()
        applied = (decisions_dir(repo) / decision_id / "receipt.json").exists()
        assert now == (after.encode() if applied else before), f"try {attempt}: neither applied nor rolled back"
        assert not temp_files(repo) and not journal_dir(repo).exists()
    assert sum(outcomes.values()) >= TRIES and verify_log(repo).ok, outcomes


def swap_folder_for_symlink(target: str) -> Callable[[Path], None]:
    """An attack that replaces pkg/ by a symlink (to .git, or to a folder outside)."""
    def attack(root: Path) -> None:
        shutil.rmtree(root / "pkg")
        os.symlink(target if target == ".git" else root.parent / "outside", root / "pkg")
    return attack


def swap_file_for_symlink_to_git_config(root: Path) -> None:
    (root / "pkg" / "config").unlink()
    os.symlink("../.git/config", root / "pkg" / "config")


def swap_file_for_fifo(root: Path) -> None:
    (root / "pkg" / "config").unlink()
    os.mkfifo(root / "pkg" / "config")


def swap_folder_for_file(root: Path) -> None:
    shutil.rmtree(root / "pkg")
    (root / "pkg").write_text("a file now\n")


def swap_file_for_folder(root: Path) -> None:
    (root / "pkg" / "config").unlink()
    (root / "pkg" / "config").mkdir()


def remove_the_folder(root: Path) -> None:
    shutil.rmtree(root / "pkg")


ATTACKS = {"folder->symlink to .git": swap_folder_for_symlink(".git"),
           "folder->symlink outside": swap_folder_for_symlink("outside"),
           "file->symlink to .git/config": swap_file_for_symlink_to_git_config,
           "file->FIFO": swap_file_for_fifo, "folder->file": swap_folder_for_file,
           "file->folder": swap_file_for_folder, "folder removed": remove_the_folder}


@pytest.mark.parametrize("moment", ["after the checks", "between two files"])
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_swap_at_an_exact_moment_is_refused_and_rolled_back(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                              attack: str, moment: str) -> None:
    outside = repo.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "config").write_bytes(b"outside = 1\n")
    decision_id = record(repo, make_plan(repo, {"a/first.py": "first = 1\n", "pkg/config": "real = 1\n"}))
    git_before, outside_before = snapshot(repo / ".git"), snapshot(outside)
    if moment == "after the checks":
        real_checks = apply_module.checked_work

        def checks_then_swap(*args: object) -> object:
            work = real_checks(*args)  # type: ignore[arg-type]
            ATTACKS[attack](repo)
            return work
        monkeypatch.setattr(apply_module, "checked_work", checks_then_swap)
    else:
        real_replace = apply_module.replace_file

        def swap_after_the_first(root: Path, relative: str, *args: object, **kwargs: object) -> None:
            if relative == "pkg/config":
                ATTACKS[attack](repo)
            real_replace(root, relative, *args, **kwargs)  # type: ignore[arg-type]
        monkeypatch.setattr(apply_module, "replace_file", swap_after_the_first)
    code, stderr = apply_cli(repo, decision_id, monkeypatch)
    assert code == 40 and len(stderr.splitlines()) == 1 and "pkg" in stderr, (code, stderr)
    assert snapshot(repo / ".git") == git_before and snapshot(outside) == outside_before
    assert (repo / "a" / "first.py").read_text() == "first = 0\n", "the file written first is put back"
    assert not journal_dir(repo).exists() and not temp_files(repo)
    assert not (decisions_dir(repo) / decision_id / "receipt.json").exists()


def test_a_new_folder_swapped_for_a_symlink_before_apply_creates_it(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    decision_id = record(repo, make_plan(repo, {"new/deep/hook.py": "x = 1\n"}))
    git_before = snapshot(repo / ".git")
    real_checks = apply_module.checked_work

    def checks_then_plant(*args: object) -> object:
        work = real_checks(*args)  # type: ignore[arg-type]
        os.symlink(".git", repo / "new")
        return work
    monkeypatch.setattr(apply_module, "checked_work", checks_then_plant)
    code, stderr = apply_cli(repo, decision_id, monkeypatch)
    assert code == 40 and "new is a symlink" in stderr and len(stderr.splitlines()) == 1, stderr
    assert snapshot(repo / ".git") == git_before and not journal_dir(repo).exists()


def edit_during_apply(repo: Path, monkeypatch: pytest.MonkeyPatch, edit_before: str,
                      edited: str, fail_on: str | None = None) -> tuple[int, str, str]:
    """Apply a.py, b.py, c.py; just before `edit_before` is written the user edits `edited`; returns code, stderr, id."""
    write_files(repo, {name: f"{name[0]} = 0\n" for name in ("a.py", "b.py", "c.py")})
    decision_id = record(repo, make_plan(repo, {name: f"{name[0]} = 1\n" for name in ("a.py", "b.py", "c.py")}))
    real_replace = apply_module.replace_file

    def user_edits_meanwhile(root: Path, relative: str, *args: object, **kwargs: object) -> None:
        if relative == edit_before:
            (repo / edited).write_text("mine = 42\n")
        if relative == fail_on:
            raise OSError(28, "No space left on device")
        real_replace(root, relative, *args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(apply_module, "replace_file", user_edits_meanwhile)
    code, stderr = apply_cli(repo, decision_id, monkeypatch)
    return code, stderr, decision_id


@pytest.mark.parametrize("edited", ["b.py", "c.py"])
def test_an_edit_during_apply_is_never_overwritten(repo: Path, monkeypatch: pytest.MonkeyPatch, edited: str) -> None:
    code, stderr, decision_id = edit_during_apply(repo, monkeypatch, "b.py", edited)
    assert code == 40 and len(stderr.splitlines()) == 1 and f"conflict: {edited}" in stderr, stderr
    assert "left as it is" in stderr and "put back" in stderr
    assert (repo / edited).read_text() == "mine = 42\n", "the user's edit survives"
    assert {name: (repo / name).read_text() for name in ("a.py", "b.py", "c.py") if name != edited} == \
        {name: f"{name[0]} = 0\n" for name in ("a.py", "b.py", "c.py") if name != edited}
    assert not journal_dir(repo).exists() and not temp_files(repo) and verify_log(repo).ok
    (recovered,) = [e for e in read_events(repo) if e.event == "recover"]
    written_first = ["a.py"] if edited == "b.py" else ["a.py", "b.py"]
    assert recovered.data["restored"] == written_first and recovered.data["conflicts"] == [], \
        "the rollback looks only at files apply wrote, never at the edited one"


def test_an_edit_to_a_file_apply_wrote_survives_the_rollback(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, stderr, _ = edit_during_apply(repo, monkeypatch, "c.py", "a.py", fail_on="c.py")
    assert code == 40 and len(stderr.splitlines()) == 1 and "cannot write c.py: No space left" in stderr, stderr
    assert "left as changed by someone else: a.py" in stderr
    assert (repo / "a.py").read_text() == "mine = 42\n" and (repo / "b.py").read_text() == "b = 0\n"
    assert not journal_dir(repo).exists()


def test_an_edit_after_the_checks_stops_apply_before_it_writes(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(repo, {"a.py": "a = 0\n"})
    decision_id = record(repo, make_plan(repo, {"a.py": "a = 1\n", "z.py": "z = 1\n"}))
    real_checks = apply_module.checked_work

    def checks_then_edit(*args: object) -> object:
        work = real_checks(*args)  # type: ignore[arg-type]
        (repo / "z.py").write_text("created by the user meanwhile\n")
        return work
    monkeypatch.setattr(apply_module, "checked_work", checks_then_edit)
    code, stderr = apply_cli(repo, decision_id, monkeypatch)
    assert code == 40 and "conflict: z.py" in stderr and len(stderr.splitlines()) == 1, stderr
    assert (repo / "z.py").read_text() == "created by the user meanwhile\n" and (repo / "a.py").read_text() == "a = 0\n"
    assert sha(repo / "a.py") is not None and not journal_dir(repo).exists()


def test_a_symlink_swapped_in_before_the_rollback_keeps_the_journal_for_later(repo: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    decision_id = record(repo, make_plan(repo, {"a/first.py": "first = 1\n", "pkg/config": "real = 1\n"}))
    git_before = snapshot(repo / ".git")

    def swap_then_fail(*args: object) -> None:
        os.rename(repo / "pkg", repo / "pkg.real")
        os.symlink(".git", repo / "pkg")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(apply_module, "write_receipt", swap_then_fail)
    code, stderr = apply_cli(repo, decision_id, monkeypatch)
    assert code == 40 and len(stderr.splitlines()) == 1 and "pkg is a symlink" in stderr and "kept" in stderr, stderr
    assert snapshot(repo / ".git") == git_before and journal_dir(repo).is_dir()
    (repo / "pkg").unlink()
    os.rename(repo / "pkg.real", repo / "pkg")
    (outcome,) = recover(repo)
    assert outcome.outcome == "rolled-back" and not outcome.conflicts
    assert (repo / "pkg" / "config").read_text() == "real = 0\n" and (repo / "a" / "first.py").read_text() == "first = 0\n"
    assert not journal_dir(repo).exists() and not temp_files(repo) and verify_log(repo).ok
