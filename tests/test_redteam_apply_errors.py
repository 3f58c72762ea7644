"""Red team, a failing file system: every OS error during apply or its rollback is one line and exit 40.

Faults are injected into the dir-fd calls apply makes (os.replace, os.open creating the temp
file, os.mkdir, os.unlink, the read just before a write): no space, read-only file system,
access denied, I/O error. Running as root, chmod cannot make a folder read-only, so that case
is emulated this way (and run for real only when not root). Each failure leaves every file as
it was, the state readable and the journal settled. When the rollback fails too, the journal
is kept: other commands say so in one line and carry on, `apply` refuses until `connect
recover` has run, and once the cause is gone `connect recover` puts every file back.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_files
from test_apply_support import make_plan, record, temp_files

import patchgate.connect.apply.run as apply_module
import patchgate.connect.journal as journal_module
from patchgate.cli.main import cli
from patchgate.connect.audit.log import read_events
from patchgate.connect.audit.verify import verify_log
from patchgate.connect.interrupted import journal_dir
from patchgate.connect.store import decisions_dir

BEFORE = {"a.py": "a = 0\n", "b.py": "b = 0\n", "old.py": "old = 0\n"}
AFTER = {"a.py": "a = 1\n", "b.py": "b = 1\n", "new/n.py": "n = 1\n", "old.py": None}


def invoke(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """A patchgate command in this process (so faults apply): exit code, stdout, stderr."""
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def is_create(args: tuple, kwargs: dict) -> bool:
    return "dir_fd" in kwargs and bool(args[1] & os.O_CREAT)


def is_read(args: tuple, kwargs: dict) -> bool:
    return "dir_fd" in kwargs and bool(args[1] & os.O_NONBLOCK) and not args[1] & os.O_DIRECTORY


FAULTS: dict[str, tuple[str, int, Callable[[tuple, dict], bool], int]] = {
    # name: (os function, errno, which calls, how many calls succeed first)
    "replace: no space": ("replace", errno.ENOSPC, lambda a, k: "src_dir_fd" in k, 1),
    "replace: read-only": ("replace", errno.EROFS, lambda a, k: "src_dir_fd" in k, 1),
    "replace: I/O error": ("replace", errno.EIO, lambda a, k: "src_dir_fd" in k, 0),
    "temp file: access denied": ("open", errno.EACCES, is_create, 1),
    "temp file: no space": ("open", errno.ENOSPC, is_create, 0),
    "temp file: quota": ("open", errno.EDQUOT, is_create, 2),
    "mkdir: read-only": ("mkdir", errno.EROFS, lambda a, k: "dir_fd" in k, 0),
    "delete: access denied": ("unlink", errno.EACCES, lambda a, k: "dir_fd" in k, 0),
    "check before replace: access denied": ("open", errno.EACCES, is_read, 4),
}


class Fault:
    """Make some calls of one os function fail: after `ok` successes, `times` failures (None: for ever)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str, code: int, which: Callable[[tuple, dict], bool],
                 ok: int, times: int | None = 1) -> None:
        self.original, self.seen, self.active = getattr(os, name), 0, True
        self.code, self.which, self.ok, self.times = code, which, ok, times
        monkeypatch.setattr(os, name, self.call)

    def call(self, *args: object, **kwargs: object) -> object:
        if self.active and self.which(args, kwargs):
            self.seen += 1
            failing = self.seen > self.ok and (self.times is None or self.seen <= self.ok + self.times)
            if failing:
                raise OSError(self.code, os.strerror(self.code), args[0])
        return self.original(*args, **kwargs)


def files(root: Path) -> dict[str, str | None]:
    return {name: (root / name).read_text() if (root / name).exists() else None for name in {*BEFORE, *AFTER}}


@pytest.fixture
def decided(project: Path) -> str:
    write_files(project, BEFORE)
    return record(project, make_plan(project, AFTER))


def before_state() -> dict[str, str | None]:
    return {name: BEFORE.get(name) for name in {*BEFORE, *AFTER}}


def settled(root: Path) -> bool:
    return not journal_dir(root).exists() and not temp_files(root) and verify_log(root).ok


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_an_os_error_mid_apply_is_one_line_and_every_file_is_put_back(project: Path, decided: str,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      fault: str) -> None:
    name, code, which, ok = FAULTS[fault]
    Fault(monkeypatch, name, code, which, ok)
    exit_code, _, stderr = invoke(project, monkeypatch, "apply", decided)
    assert exit_code == 40 and len(stderr.splitlines()) == 1, (exit_code, stderr)
    assert os.strerror(code) in stderr and ("put back" in stderr or "nothing" in stderr or "cannot read" in stderr)
    assert files(project) == before_state() and settled(project)
    assert not (project / "new").exists(), "the folder apply made is gone again"
    again, _, stderr = invoke(project, monkeypatch, "apply", decided)
    assert again == 0, stderr
    assert files(project) == AFTER


def test_a_real_read_only_folder(project: Path, decided: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod does not stop writes (the fault-injected cases above cover this)")
    (project / "new").mkdir()
    (project / "new").chmod(0o555)
    try:
        exit_code, _, stderr = invoke(project, monkeypatch, "apply", decided)
    finally:
        (project / "new").chmod(0o755)
    assert exit_code == 40 and "Permission denied" in stderr and len(stderr.splitlines()) == 1
    assert {k: v for k, v in files(project).items() if k != "new/n.py"} == \
        {k: v for k, v in before_state().items() if k != "new/n.py"} and settled(project)


def test_when_the_rollback_fails_too_the_journal_waits_and_nothing_crashes(project: Path, decided: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    fault = Fault(monkeypatch, "replace", errno.ENOSPC, lambda a, k: "src_dir_fd" in k, 1, times=None)
    exit_code, _, stderr = invoke(project, monkeypatch, "apply", decided)
    assert exit_code == 40 and len(stderr.splitlines()) == 1, stderr
    assert "cannot write b.py: No space left" in stderr and "failed too" in stderr and "connect recover" in stderr
    assert journal_dir(project).is_dir() and (project / "a.py").read_text() == "a = 1\n"

    listing_code, _, listing_err = invoke(project, monkeypatch, "connect", "review", "list")
    assert listing_code == 0 and len(listing_err.splitlines()) == 1 and "could not recover" in listing_err
    verify_code, _, _ = invoke(project, monkeypatch, "connect", "audit", "verify")
    assert verify_code == 0, "the state stays readable"
    recover_code, _, recover_err = invoke(project, monkeypatch, "connect", "recover")
    assert recover_code == 40 and len(recover_err.splitlines()) == 1 and "No space left" in recover_err
    other = record(project, make_plan(project, {"c.py": "c = 1\n"}))
    blocked, _, blocked_err = invoke(project, monkeypatch, "apply", other)
    assert blocked == 40 and "connect recover" in blocked_err and not (project / "c.py").exists()

    fault.active = False  # the disk has room again
    recover_code, recover_out, recover_err = invoke(project, monkeypatch, "connect", "recover")
    assert recover_code == 0 and f"{decided}: rolled-back" in recover_out, recover_err
    assert files(project) == before_state() and settled(project)
    assert invoke(project, monkeypatch, "apply", decided)[0] == 0 and files(project) == AFTER


def test_a_journal_that_cannot_be_written_means_nothing_is_written(project: Path, decided: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(journal_module, "write_durable", no_space)
    exit_code, _, stderr = invoke(project, monkeypatch, "apply", decided)
    assert exit_code == 40 and "cannot write the apply journal: No space left" in stderr and "nothing was written" in stderr
    assert files(project) == before_state() and settled(project)


def test_a_receipt_that_cannot_be_written_undoes_the_apply(project: Path, decided: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(*args: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(apply_module, "write_receipt", read_only)
    exit_code, _, stderr = invoke(project, monkeypatch, "apply", decided)
    assert exit_code == 40 and "Read-only file system" in stderr and "put back" in stderr
    assert files(project) == before_state() and settled(project)
    assert not (decisions_dir(project) / decided / "receipt.json").exists()


def test_an_audit_log_that_fails_after_the_receipt_still_leaves_a_complete_apply(
        project: Path, decided: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(apply_module, "append_event", full)
    exit_code, stdout, stderr = invoke(project, monkeypatch, "apply", decided)
    assert exit_code == 0 and f"applied {decided}" in stdout, stderr
    assert files(project) == AFTER and settled(project)
    assert [e.event for e in read_events(project)] == ["decision", "apply", "recover"], "recovery logged the apply"
