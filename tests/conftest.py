"""Shared fixtures: run the real `patchgate` entry point on projects in temporary directories."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATCHGATE = shutil.which("patchgate", path=str(Path(sys.executable).parent)) or "patchgate"


@dataclass
class Run:
    """The outcome of one CLI invocation."""

    code: int
    stdout: str
    stderr: str


def run_patchgate(*args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None) -> Run:
    """Run the installed console script exactly as a user would."""
    merged = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", **(env or {})}
    done = subprocess.run([PATCHGATE, *args], cwd=cwd, input=stdin, capture_output=True, text=True, env=merged, timeout=300)
    return Run(done.returncode, done.stdout, done.stderr)


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Create files (dedented) under root; returns root."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project directory with a git marker and an empty patchgate.toml."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "patchgate.toml").write_text("", encoding="utf-8")
    return tmp_path
