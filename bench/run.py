"""patchgate's benchmark: one run, peers measured beside it, ratios printed and saved as JSON.

Usage: python bench/run.py [--repeat N] [--skip-install]
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
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import django_corpus, python_files  # noqa: E402

BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
RULE_IDS = sorted(p.stem for p in (BENCH / "rules").glob("*.yml"))


def timed(command: list[str], cwd: Path, repeat: int) -> tuple[float, subprocess.CompletedProcess]:
    """Median wall time of a command over `repeat` runs, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if result.returncode not in (0, 1):
            raise SystemExit(f"{command[0]} failed ({result.returncode}): {result.stderr[-2000:]}")
    return statistics.median(times), result


def prepare(corpus: Path) -> None:
    """Copy the bench rules next to the corpus and write both tools' configs there."""
    rules = corpus / ".bench-rules"
    shutil.rmtree(rules, ignore_errors=True)
    shutil.copytree(BENCH / "rules", rules)
    (corpus / "sgconfig.yml").write_text("ruleDirs:\n  - .bench-rules\n", encoding="utf-8")
    select = ", ".join(f'"{rule}"' for rule in RULE_IDS)
    (corpus / "patchgate-bench.toml").write_text(f'rule-dirs = [".bench-rules"]\nselect = [{select}]\n', encoding="utf-8")
    (corpus / "patchgate.toml").write_text("# default rules\n", encoding="utf-8")


def astgrep_matches(output: str) -> set[tuple]:
    """(rule, path, start, end) of every ast-grep match in --json=stream output."""
    found = set()
    for line in output.splitlines():
        item = json.loads(line)
        start, end = item["range"]["start"], item["range"]["end"]
        found.add((item["ruleId"], item["file"].removeprefix("./"), start["line"], start["column"], end["line"], end["column"]))
    return found


def patchgate_matches(output: str) -> set[tuple]:
    """The same tuples from patchgate's JSON report."""
    found = set()
    for item in json.loads(output)["diagnostics"]:
        span = item["span"]
        found.add((item["rule_id"], item["path"], span["start_line"], span["start_column"], span["end_line"], span["end_column"]))
    return found


def cold_vs_astgrep(corpus: Path, repeat: int) -> dict:
    """Cold patchgate check with the ten bench rules against `ast-grep scan` with the same rules."""
    sg_time, sg = timed([str(BIN / "ast-grep"), "scan", "--json=stream", "."], corpus, repeat)
    pg_cmd = [str(BIN / "patchgate"), "check", "--config", "patchgate-bench.toml", "--no-cache", "--format", "json", "."]
    pg_time, pg = timed(pg_cmd, corpus, repeat)
    theirs, ours = astgrep_matches(sg.stdout), patchgate_matches(pg.stdout)
    return {
        "ast_grep_s": round(sg_time, 3), "patchgate_s": round(pg_time, 3), "ratio": round(pg_time / sg_time, 2),
        "matches": len(ours), "identical_match_set": theirs == ours,
        "only_ast_grep": sorted(theirs - ours)[:5], "only_patchgate": sorted(ours - theirs)[:5],
    }


def warm_vs_ruff(corpus: Path, repeat: int) -> dict:
    """A re-run on the unchanged corpus (all built-in rules, cache warm) against ruff's warm run."""
    pg_cmd = [str(BIN / "patchgate"), "check", "--format", "json", "--output-file", os.devnull, "."]
    ruff_cmd = [str(BIN / "ruff"), "check", "--exit-zero", "--quiet", "."]
    shutil.rmtree(corpus / ".patchgate" / "cache", ignore_errors=True)
    cold_time, _ = timed(pg_cmd, corpus, 1)
    timed(ruff_cmd, corpus, 1)
    pg_time, _ = timed(pg_cmd, corpus, repeat)
    ruff_time, _ = timed(ruff_cmd, corpus, repeat)
    return {"patchgate_cold_s": round(cold_time, 3), "patchgate_warm_s": round(pg_time, 3),
            "ruff_warm_s": round(ruff_time, 3), "ratio": round(pg_time / ruff_time, 2)}


def libcst_rules(corpus: Path, repeat: int) -> dict:
    """The built-in libcst rules over the corpus: wall time and how many files libcst parsed."""
    from patchgate.diagnostics.engines.libcst_engine import LibcstEngine
    from patchgate.diagnostics.rules.libcst_rules import BUILTIN_LIBCST_RULES
    from patchgate.diagnostics.source import SourceFile

    ids = sorted(rule.id for rule in LibcstEngine(BUILTIN_LIBCST_RULES).rules())
    command = [str(BIN / "patchgate"), "check", "--no-cache", "--select", ",".join(ids), "--format", "json", "."]
    wall, _ = timed(command, corpus, repeat)
    engine = LibcstEngine(BUILTIN_LIBCST_RULES)
    files = python_files(corpus)
    for path in files:
        text = path.read_text(encoding="utf-8")
        engine.check(SourceFile(path.relative_to(corpus).as_posix(), text, "python"), frozenset(ids))
    return {"rules": ids, "wall_s": round(wall, 3), "python_files": len(files), "libcst_parsed": engine.stats.parsed,
            "fixit_reference_s": 300}


def machine() -> dict:
    """What the figures were measured on."""
    return {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine()}


def main() -> int:
    """Run every benchmark once, print the table and save the JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-install", action="store_true")
    args = parser.parse_args()
    if not args.skip_install:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", str(BENCH / "requirements.txt")], check=True)
    corpus = django_corpus()
    prepare(corpus)
    results = {"machine": machine(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "corpus": {"name": "Django 5.1.4 sdist", "python_files": len(python_files(corpus))},
               "cold_vs_ast_grep": cold_vs_astgrep(corpus, args.repeat),
               "warm_vs_ruff": warm_vs_ruff(corpus, args.repeat),
               "libcst_rules": libcst_rules(corpus, args.repeat)}
    out = BENCH / "results" / f"check-{datetime.now(timezone.utc):%Y%m%d}.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    print(f"\nsaved {out.relative_to(BENCH.parent)}")
    return 0


def print_table(results: dict) -> None:
    """The ratios as a rich table."""
    from rich.console import Console
    from rich.table import Table

    cold, warm, cst = results["cold_vs_ast_grep"], results["warm_vs_ruff"], results["libcst_rules"]
    table = Table("benchmark", "patchgate", "peer", "ratio", "target", "note")
    table.add_row("cold check, 10 ast-grep rules", f"{cold['patchgate_s']} s", f"ast-grep scan {cold['ast_grep_s']} s",
                  str(cold["ratio"]), "<= 1.0", f"{cold['matches']} matches, identical: {cold['identical_match_set']}")
    table.add_row("warm re-run, built-in rules", f"{warm['patchgate_warm_s']} s", f"ruff warm {warm['ruff_warm_s']} s",
                  str(warm["ratio"]), "<= 2.0", f"cold {warm['patchgate_cold_s']} s")
    table.add_row("libcst rules", f"{cst['wall_s']} s", f"Fixit ~{cst['fixit_reference_s']} s", "", "far below",
                  f"libcst parsed {cst['libcst_parsed']} of {cst['python_files']} files")
    Console().print(table)
    print(json.dumps(results["machine"]))


if __name__ == "__main__":
    raise SystemExit(main())
