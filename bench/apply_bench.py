"""How fast `patchgate apply` writes: a 500-file plan against plain Python loops writing the same bytes.

Three ways to write the same after-bytes into the same 500 files, each from a fresh copy:
- plain: `Path.write_bytes` in a loop, no fsync (fast, not crash-safe);
- durable: the same loop with temp file, fsync, rename and directory fsync per file;
- patchgate: `apply_decision` (lock, load and validate the decision, verify the audit log,
  decide the plan again under the policy in force (scratch copy and diagnostics included),
  stale check, journal with every file's before bytes, atomic writes, receipt, audit event).
Prints files per second and the ratios, and saves JSON to bench/results/apply-YYYYMMDD.json.

Usage: python bench/apply_bench.py [--files 500] [--repeat 3] [--dir PARENT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from patchgate.connect.apply.run import apply_decision
from patchgate.connect.candidates.submission import Submission, build_packet
from patchgate.connect.context import build_context
from patchgate.connect.decide import decide, scored_packet
from patchgate.connect.models import Candidate
from patchgate.connect.policy import load_policy
from patchgate.connect.store import new_decision_id, record_decision
from patchgate.rewrites.edits import FileChange, build_plan
from patchgate.rewrites.models import RewritePlan

BENCH = Path(__file__).resolve().parent


def machine() -> dict:
    """Where the numbers come from (same fields as bench/run.py)."""
    return {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine()}


def source(index: int, version: int) -> str:
    """About 1.5 KB of Python for file `index`; version 1 renames a variable throughout."""
    name = "total" if version == 0 else "running_total"
    body = "".join(f"    {name} += item * {line}  # step {line}\n" for line in range(30))
    return f'"""Module {index}."""\n\n\ndef compute(items):\n    {name} = 0\n    for item in items:\n{body}    return {name}\n'


def make_workspace(parent: Path, files: int) -> tuple[Path, str, dict[str, bytes]]:
    """A workspace of `files` files and a stored permit decision rewriting all of them."""
    root = Path(tempfile.mkdtemp(prefix="apply-bench-", dir=parent))
    (root / ".git").mkdir()
    changes = []
    for index in range(files):
        path = f"pkg{index % 20:02d}/mod{index:04d}.py"
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(source(index, 0), encoding="utf-8")
        changes.append(FileChange(path, source(index, 0), after_text=source(index, 1)))
    plan = build_plan("rename", "rename total to running_total", changes)
    return root, decide_for_real(root, plan), {change.path: change.after_text.encode() for change in changes}  # type: ignore[union-attr]


def decide_for_real(root: Path, plan: RewritePlan) -> str:
    """Decide and store the plan as `connect plan` does (apply re-decides it, so a made-up verdict is refused)."""
    (root / "patchgate.toml").write_text("[connect]\nthresholds = { large-change = { max-files = 100000, "
                                         "max-lines = 10000000 } }\n", encoding="utf-8")
    policy = load_policy(root)
    context = build_context(root, policy, "bench", "bench", "tool")
    packet = build_packet("bench", "bench", Submission(Candidate(kind="plan", plan=plan), [], "bench"))
    decided = decide(root, policy, context, packet, new_decision_id())
    assert decided.verdict.verdict == "permit", decided.verdict.checks
    record_decision(root, context, scored_packet(packet, decided.verdict), plan, decided.verdict, None, policy.digest())
    return decided.verdict.decision_id


def plain_loop(root: Path, after: dict[str, bytes]) -> None:
    """What a careless tool does: overwrite in place, no fsync."""
    for path, data in after.items():
        (root / path).write_bytes(data)


def durable_loop(root: Path, after: dict[str, bytes]) -> None:
    """Only the durable-write cost: temp file, fsync, rename, directory fsync."""
    for path, data in after.items():
        target = root / path
        temp = target.with_name(f".{target.name}.tmp")
        with open(temp, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
        handle = os.open(target.parent, os.O_RDONLY)
        os.fsync(handle)
        os.close(handle)


def timed_run(parent: Path, files: int, how: str) -> float:
    """Seconds for one way of writing, on a fresh workspace (setup not timed)."""
    root, decision_id, after = make_workspace(parent, files)
    try:
        start = time.perf_counter()
        if how == "patchgate":
            receipt = apply_decision(root, decision_id)
            assert len(receipt.files) == files
        else:
            (plain_loop if how == "plain" else durable_loop)(root, after)
        elapsed = time.perf_counter() - start
        assert all((root / path).read_bytes() == data for path, data in after.items())
        return elapsed
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    """Run every way `repeat` times; print and save the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()), help="Where the workspaces go.")
    args = parser.parse_args()
    seconds = {how: statistics.median(timed_run(args.dir, args.files, how) for _ in range(args.repeat))
               for how in ("plain", "durable", "patchgate")}
    rates = {how: round(args.files / value, 1) for how, value in seconds.items()}
    results = {"machine": machine(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "files": args.files, "repeat": args.repeat, "dir": str(args.dir),
               "seconds": {how: round(value, 4) for how, value in seconds.items()}, "files_per_second": rates,
               "ratio_vs_plain": round(seconds["patchgate"] / seconds["plain"], 1),
               "ratio_vs_durable_loop": round(seconds["patchgate"] / seconds["durable"], 2)}
    out = BENCH / "results" / f"apply-{datetime.now(timezone.utc):%Y%m%d}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for how in ("plain", "durable", "patchgate"):
        print(f"{how:<10} {seconds[how]:8.3f} s  {rates[how]:9.1f} files/s")
    print(f"patchgate / plain loop: {results['ratio_vs_plain']}x   patchgate / durable loop: {results['ratio_vs_durable_loop']}x")
    print(json.dumps(results["machine"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
