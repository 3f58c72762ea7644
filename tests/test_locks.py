"""The audit and apply locks: holders exclude each other (even in one process), time out, and die with their holder."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from patchgate.connect.locks import LockTimeout, exclusive

HOLDER = ("import sys, time; from pathlib import Path; from patchgate.connect.locks import exclusive\n"
          "with exclusive(Path(sys.argv[1]), 5):\n    print('held', flush=True)\n    time.sleep(60)\n")


def test_a_second_holder_waits_then_times_out(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    with exclusive(lock, 1):
        started = time.monotonic()
        with pytest.raises(LockTimeout), exclusive(lock, 0.2):
            pass
        assert time.monotonic() - started >= 0.2
    with exclusive(lock, 0.2):
        pass
    assert lock.exists(), "the lock file is kept: unlinking it would let two holders lock different inodes"


def test_a_killed_holder_releases_the_lock(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockTimeout), exclusive(lock, 0.1):
            pass
    finally:
        holder.kill()
        holder.wait()
    with exclusive(lock, 2):
        pass


def test_the_body_raising_releases_the_lock(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    with pytest.raises(RuntimeError), exclusive(lock, 1):
        raise RuntimeError("boom")
    with exclusive(lock, 0.1):
        pass
