"""Running one smoke check in a scratch copy: its own process group, a hard timeout, a short reason."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from patchgate.connect.policy import SmokeCheck

TAIL_CHARS = 300
"""How much of a failing check's output its reason quotes."""


def _tail(output: bytes) -> str:
    """The last non-empty line of a check's output, shortened."""
    lines = [line for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
    last = lines[-1].strip() if lines else ""
    return last if len(last) <= TAIL_CHARS else "..." + last[-TAIL_CHARS:]


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Stop the check and everything it started."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def run_smoke(check: SmokeCheck, scratch: Path) -> str | None:
    """None when the check passes; else why it failed, naming it (exit code and last output line, or timeout)."""
    process = subprocess.Popen(check.command, shell=True, cwd=scratch, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=check.timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        return f"smoke check {check.name!r} timed out after {check.timeout:g}s"
    if process.returncode == 0:
        return None
    tail = _tail(output)
    return f"smoke check {check.name!r} failed (exit {process.returncode})" + (f": {tail}" if tail else "")
