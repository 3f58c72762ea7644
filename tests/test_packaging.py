"""The wheel must carry every module of the mapped root folders, and nothing of the tests."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPED = ["diagnostics", "rewrites", "connect", "builder", "lsp_server", "cli"]


def test_wheel_contains_every_module(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("patchgate-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"patchgate/{folder}/{path.relative_to(ROOT / folder).as_posix()}"
        for folder in MAPPED
        for path in (ROOT / folder).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    missing = sorted(expected - names)
    assert not missing, f"modules missing from the wheel (list the package in pyproject.toml): {missing}"
    assert not any(name.startswith(("tests/", "patchgate/__init__.py")) for name in names)
    data = {name for name in names if name.endswith(".yml")}
    shipped_rules = {p.name for p in (ROOT / "diagnostics/rules/ast_grep").glob("*.yml")}
    assert {Path(name).name for name in data} >= shipped_rules
    assert "patchgate/diagnostics/rules/libcst_rules/catalog.json" in names
