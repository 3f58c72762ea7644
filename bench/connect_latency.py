"""Decision latency of `patchgate connect plan --command ...` from process start, beside reference processes.

Runs each command N times (default 50) in a small temporary git repository with a connect
policy, interleaved so machine load hits every command alike, and prints p50/p95 per command.
One warm-up round comes first, with PYTHONDONTWRITEBYTECODE unset, so bytecode caches exist
as they do for an installed wheel (pip compiles them at install time).
The target (issue 4) is p50 <= 150 ms for the command decision. Results are saved as JSON
under bench/results/.

Usage: python bench/connect_latency.py [--runs N] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PATCHGATE = shutil.which("patchgate", path=str(Path(sys.executable).parent)) or "patchgate"
POLICY = """\
[tool.patchgate.connect]
protected-paths = ["protected/**"]
commands = { allow = ["git status", "ls", "echo"], deny = ["curl"] }
"""
TARGET_P50 = 0.150
FLOOR = "import click\nfrom pydantic import BaseModel\nclass M(BaseModel):\n    x: int = 1\n"
"""What any click command that builds one pydantic model costs before doing anything."""


def commands() -> dict[str, list[str]]:
    """The measured commands: the decision, and what a process costs anyway."""
    plan = [PATCHGATE, "connect", "plan", "--task", "bench", "--command"]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "git status": ["git", "status", "--short"],
        "floor: import click + pydantic, one model": [sys.executable, "-c", FLOOR],
        "patchgate --version": [PATCHGATE, "--version"],
        "connect plan: allowed command": [*plan, "git status -s"],
        "connect plan: destructive command": [*plan, "bash -c 'rm -rf / --no-preserve-root'"],
        "connect plan: write to protected (echo >)": [*plan, "echo hi > protected/core.py"],
    }


def make_repo(root: Path) -> None:
    """A small git repository with a policy."""
    (root / "protected").mkdir()
    (root / "protected" / "core.py").write_text("CORE = 1\n", encoding="utf-8")
    (root / "pyproject.toml").write_text(POLICY, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)


def measure(runs: int, root: Path) -> dict[str, list[float]]:
    """Wall times per command; rounds interleave the commands."""
    table = commands()
    times: dict[str, list[float]] = {name: [] for name in table}
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["NO_COLOR"] = "1"
    for argv in table.values():  # warm-up: bytecode caches written, as an installed wheel has them
        subprocess.run(argv, cwd=root, capture_output=True, env=env)
    for _ in range(runs):
        for name, argv in table.items():
            start = time.perf_counter()
            done = subprocess.run(argv, cwd=root, capture_output=True, env=env)
            times[name].append(time.perf_counter() - start)
            if done.returncode not in (0, 20, 30):
                raise SystemExit(f"{name} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return times


def summary(values: list[float]) -> dict[str, float]:
    """p50, p95, min and max in milliseconds."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1),
            "min_ms": round(ordered[0] * 1000, 1), "max_ms": round(ordered[-1] * 1000, 1)}


def main() -> None:
    """Measure, print a table, save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="patchgate-latency-") as folder:
        make_repo(Path(folder))
        times = measure(args.runs, Path(folder))
    results = {name: summary(values) for name, values in times.items()}
    width = max(map(len, results))
    for name, row in results.items():
        print(f"{name:<{width}}  p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms")
    decision = results["connect plan: allowed command"]["p50_ms"]
    verdict = "meets" if decision <= TARGET_P50 * 1000 else "misses"
    print(f"decision p50 {decision:.1f} ms {verdict} the {TARGET_P50 * 1000:.0f} ms target")
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    report = {"created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "runs": args.runs,
              "python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
              "load_average": load, "target_p50_ms": TARGET_P50 * 1000, "results": results}
    out = args.out or BENCH / "results" / f"connect-latency-{datetime.now(timezone.utc):%Y%m%d}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"saved {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")


if __name__ == "__main__":
    main()
