"""File discovery on the corpus: patchgate's own walker (`discover`) against `rignore` (Rust's ignore
crate, as ripgrep and ruff use it) configured to the same rules, and `git ls-files` as a floor.

Usage: python bench/walk_bench.py [PATH] [--repeat N]   (PATH defaults to the Django corpus)
Decides whether patchgate should walk with rignore: only if it is faster and finds the same files.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import django_corpus  # noqa: E402

from patchgate.diagnostics.config import load_config  # noqa: E402
from patchgate.diagnostics.discovery import ALWAYS_EXCLUDE, discover  # noqa: E402
from patchgate.diagnostics.source import language_for  # noqa: E402

BENCH = Path(__file__).resolve().parent


def ours(root: Path) -> set[str]:
    """The files `patchgate check ROOT` reads."""
    return {path.relative_to(root).as_posix() for path in discover([root], load_config(root)).files}


def theirs(root: Path) -> set[str]:
    """The same walk through rignore: .gitignore, .git/info/exclude, config excludes, known languages only."""
    import rignore

    config = load_config(root)
    excluded = [*ALWAYS_EXCLUDE, *config.exclude, *config.extend_exclude]
    found = set()
    for path in rignore.walk(str(root), ignore_hidden=False, read_git_ignore=True, read_git_exclude=True,
                             read_global_git_ignore=False, require_git=False, additional_ignores=excluded,
                             follow_links=False):
        if language_for(path.name) and path.is_file():
            found.add(path.relative_to(root).as_posix())
    return found


def median_time(walk, root: Path, repeat: int) -> tuple[float, set[str]]:
    """Median seconds of a walk and its result."""
    times, result = [], set()
    for _ in range(repeat):
        start = time.perf_counter()
        result = walk(root)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    """Time both walkers and git ls-files; print and save the comparison."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    root = (args.path or django_corpus()).resolve()
    our_s, our_files = median_time(ours, root, args.repeat)
    rig_s, rig_files = median_time(theirs, root, args.repeat)
    start = time.perf_counter()
    git = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True)
    git_s = time.perf_counter() - start
    result = {"corpus": root.name, "files": len(our_files), "patchgate_walk_s": round(our_s, 4),
              "rignore_walk_s": round(rig_s, 4), "ratio_rignore_over_ours": round(rig_s / our_s, 2),
              "same_files": our_files == rig_files, "only_ours": sorted(our_files - rig_files)[:5],
              "only_rignore": sorted(rig_files - our_files)[:5],
              "git_ls_files_s": round(git_s, 4) if git.returncode == 0 else None}
    print(json.dumps(result, indent=2))
    out = BENCH / "results" / f"walk-{root.name}-{datetime.now(timezone.utc):%Y%m%d}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
