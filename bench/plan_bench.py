"""Planning vs checking: `patchgate plan rewrite` against `patchgate check` with the same pattern.

Both run on a git-initialised copy of the Django corpus, interleaved, same machine, same run; the
plan's diff must then pass `git apply --check`, and applying it must give every file exactly its
planned after_sha256. Target: plan time <= 1.5 x check time.

Usage: python bench/plan_bench.py [--repeat N] [--keep]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import django_corpus, python_files  # noqa: E402
from run import machine  # noqa: E402

BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PATTERN, FIX = "self.assertEqual($A, $B)", "assert $A == $B"
RULE = f"""\
id: plan-bench-assert-equal
language: python
severity: info
message: unittest assertEqual
rule: {{pattern: "{PATTERN}"}}
fix: "{FIX}"
"""
CONFIG = 'rule-dirs = [".plan-bench-rules"]\nselect = ["plan-bench-assert-equal"]\n'
CHECK = [str(BIN / "patchgate"), "check", "--config", "plan-bench.toml", "--no-cache", "--format", "json", "."]
PLAN = [str(BIN / "patchgate"), "plan", "rewrite", "--config", "plan-bench.toml", "--lang", "python",
        "--pattern", PATTERN, "--fix", FIX, "."]


def git(root: Path, *args: str) -> None:
    """Run git quietly in the copy; failures stop the benchmark."""
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def prepare_copy(corpus: Path, target: Path) -> Path:
    """A committed git repository holding the corpus, the rule and the config."""
    shutil.copytree(corpus, target, ignore=shutil.ignore_patterns(".patchgate", ".ruff_cache", "__pycache__"))
    (target / ".plan-bench-rules").mkdir(exist_ok=True)
    (target / ".plan-bench-rules" / "assert-equal.yml").write_text(RULE, encoding="utf-8")
    (target / "plan-bench.toml").write_text(CONFIG, encoding="utf-8")
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "corpus")
    return target


def run(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    """Wall time of one run and its result; anything but exit 0/1 stops the benchmark."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command[:3])} failed ({result.returncode}): {result.stderr[-2000:]}")
    return elapsed, result


def timings(root: Path, repeat: int) -> dict:
    """Median times over interleaved runs (one untimed warm-up each), plus the last outputs."""
    plans = root / ".patchgate" / "plans"
    run(CHECK, root)
    shutil.rmtree(plans, ignore_errors=True)
    run(PLAN, root)
    checks, planned = [], []
    for _ in range(repeat):
        elapsed, check = run(CHECK, root)
        checks.append(elapsed)
        shutil.rmtree(plans, ignore_errors=True)  # every timed plan run writes its plan
        elapsed, plan = run(PLAN, root)
        planned.append(elapsed)
    check_s, plan_s = statistics.median(checks), statistics.median(planned)
    return {"check_s": round(check_s, 3), "plan_s": round(plan_s, 3), "ratio": round(plan_s / check_s, 2),
            "check_runs_s": [round(t, 3) for t in checks], "plan_runs_s": [round(t, 3) for t in planned],
            "_check_output": check.stdout, "_plan_id": plan.stdout.splitlines()[0]}


def verify(root: Path, plan_id: str, check_output: str, scratch: Path) -> dict:
    """The plan covers every match, `git apply --check` accepts it, and applying it gives the planned bytes."""
    plan = json.loads((root / ".patchgate" / "plans" / f"{plan_id}.json").read_text(encoding="utf-8"))
    matches = len(json.loads(check_output)["diagnostics"])
    patch = scratch / "plan.patch"
    patch.write_bytes("".join(item["diff"] for item in plan["files"]).encode("utf-8"))
    checked = subprocess.run(["git", "apply", "--check", str(patch)], cwd=root, capture_output=True, text=True)
    applied = checked.returncode == 0 and subprocess.run(["git", "apply", str(patch)], cwd=root).returncode == 0
    wrong = [item["path"] for item in plan["files"]
             if hashlib.sha256((root / item["path"]).read_bytes()).hexdigest() != item["after_sha256"]] if applied else []
    return {"plan_id": plan_id, "check_matches": matches, "planned_edits": plan["stats"]["edits"],
            "skipped": len(plan["skipped"]), "every_match_planned": plan["stats"]["edits"] + len(plan["skipped"]) == matches,
            "files": plan["stats"]["files"], "hunks": plan["stats"]["hunks"], "git_apply_check": checked.returncode == 0,
            "git_apply_error": checked.stderr.strip()[:500], "after_sha256_match": applied and not wrong,
            "plan_json_bytes": (root / ".patchgate" / "plans" / f"{plan_id}.json").stat().st_size}


def main() -> int:
    """Run once, print the table, save the JSON next to the check benchmark's."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="Keep the git copy of the corpus (its path is printed).")
    args = parser.parse_args()
    corpus = django_corpus()
    scratch = Path(tempfile.mkdtemp(prefix="patchgate-plan-bench-"))
    try:
        root = prepare_copy(corpus, scratch / "django")
        timing = timings(root, args.repeat)
        verified = verify(root, timing.pop("_plan_id"), timing.pop("_check_output"), scratch)
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    results = {"machine": machine(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "corpus": {"name": "Django 5.1.4 sdist", "python_files": len(python_files(corpus))},
               "pattern": PATTERN, "fix": FIX, "plan_vs_check": timing, "plan": verified}
    out = BENCH / "results" / f"plan-{datetime.now(timezone.utc):%Y%m%d}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    print(f"\nsaved {out.relative_to(BENCH.parent)}")
    return 0 if verified["git_apply_check"] and verified["after_sha256_match"] else 1


def print_table(results: dict) -> None:
    """The ratio and the plan's checks as a rich table."""
    from rich.console import Console
    from rich.table import Table

    timing, plan = results["plan_vs_check"], results["plan"]
    table = Table("benchmark", "plan", "check", "ratio", "target", "note")
    table.add_row("plan rewrite vs check, same pattern", f"{timing['plan_s']} s", f"{timing['check_s']} s",
                  str(timing["ratio"]), "<= 1.5",
                  f"{plan['planned_edits']} edits in {plan['files']} files, {plan['skipped']} skipped, "
                  f"{plan['check_matches']} matches; git apply --check: {plan['git_apply_check']}, "
                  f"after_sha256: {plan['after_sha256_match']}")
    Console().print(table)
    print(json.dumps(results["machine"]))


if __name__ == "__main__":
    raise SystemExit(main())
