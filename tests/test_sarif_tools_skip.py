"""Without npm the SARIF validation tests skip and say why, instead of failing or passing silently."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_sarif_validation_skips_saying_it_needs_npm(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"  # a PATH with bash and nothing else: no npm
    bin_dir.mkdir()
    (bin_dir / "bash").symlink_to("/bin/bash")
    env = {**os.environ, "PATH": str(bin_dir), "PATCHGATE_SARIF_TOOLS": str(tmp_path / "tools")}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-p", "no:xdist",
                           str(ROOT / "tests" / "test_output.py"), "-k", "sarif_matches or microsoft"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 skipped" in done.stdout and "failed" not in done.stdout
    assert "the SARIF validator and schema need npm" in done.stdout and "npm is not on PATH" in done.stdout
    assert not (tmp_path / "tools" / "node_modules").exists()
