"""Fetches and unpacks the benchmark corpus: the Django 5.1.4 sdist (2,788 Python files)."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

DJANGO = "django==5.1.4"
CACHE = Path(os.environ.get("PATCHGATE_BENCH_DIR", Path.home() / ".cache" / "patchgate-bench"))


def django_corpus() -> Path:
    """The unpacked Django source tree, downloaded once with pip and kept in the cache dir."""
    target = CACHE / "Django-5.1.4"
    if (target / "django").is_dir():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps", DJANGO, "-d", str(CACHE), "-q"],
        check=True,
    )
    (archive,) = CACHE.glob("[Dd]jango-5.1.4.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(CACHE, filter="data")
    return target


def python_files(root: Path) -> list[Path]:
    """Every .py file of the corpus, for counts and in-process passes."""
    return sorted(root.rglob("*.py"))
