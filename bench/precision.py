"""Precision bench: the default pack on six real projects beside ruff's alias codes, a hand-judged
sample's false-positive rate per rule, and whether every safe fix still compiles and imports.

Usage:
  python bench/precision.py                  # per-rule table, ours / ruff / both, per project and total
  python bench/precision.py --judge          # FP rate per rule from bench/precision_sample.json
  python bench/precision.py --fix-check      # apply every safe fix to a copy; compile and import
  python bench/precision.py --sample         # (re)draw the sample, keeping verdicts already given
  python bench/precision.py --show           # print unjudged sample entries with their code
Options: --fresh (ignore cached runs), --jobs N (patchgate workers, default 1), --project NAME.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from precision_compare import (add_tables, alias_map, compare, our_rules, ours_by_rule, render,  # noqa: E402
                               ruff_by_rule, ruff_codes)
from precision_corpus import PROJECTS, Project, patchgate_findings, patchgate_key, ruff_findings, ruff_version  # noqa: E402
from run import machine  # noqa: E402

BENCH = Path(__file__).resolve().parent


def save(name: str, result: dict) -> Path:
    """Write a result as bench/results/<name>-<date>.json."""
    out = BENCH / "results" / f"{name}-{datetime.now(timezone.utc):%Y%m%d}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return out


def findings(projects: list[Project], key: str, jobs: int, fresh: bool) -> dict[str, list[dict]]:
    """Our diagnostics per project, from the run cache when this commit already ran."""
    return {p.name: patchgate_findings(p, key, jobs, fresh) for p in projects}


def table(projects: list[Project], key: str, jobs: int, fresh: bool) -> dict:
    """Print and save the per-rule table, per project and in total."""
    rules = our_rules()
    known = ruff_codes()
    mapping, unknown = alias_map(rules, known)
    stable = sorted(c for c in mapping if not known[c])
    preview = sorted(c for c in mapping if known[c])
    aliases: dict[str, list[str]] = {}
    for code, rule in sorted(mapping.items()):
        aliases.setdefault(rule, []).append(code)
    ours = findings(projects, key, jobs, fresh)
    per_project: dict[str, dict] = {}
    for project in projects:
        theirs = ruff_findings(project, stable, preview, fresh)
        per_project[project.name] = compare(ours_by_rule(ours[project.name]), ruff_by_rule(theirs, mapping),
                                            set(aliases))
        print(render(per_project[project.name], aliases, f"\n== {project.name} {project.version}"))
    total = add_tables(list(per_project.values()))
    print(render(total, aliases, "\n== all six projects"))
    if unknown:
        print(f"\naliases ruff does not have (no comparison): {', '.join(unknown)}")
    print(f"ruff {ruff_version()} run --isolated with the project's requires-python as --target-version; "
          f"preview codes ({', '.join(preview) or 'none'}) with --preview")
    result = {"machine": machine(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "patchgate": key, "ruff": ruff_version(), "projects": {p.name: p.version for p in projects},
              "aliases": aliases, "ruff_preview_codes": preview, "aliases_ruff_lacks": unknown,
              "per_project": per_project, "total": total}
    print(f"saved {save('precision', result).relative_to(BENCH.parent)}")
    return result


def main() -> int:
    """Parse the mode and run it."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--judge", action="store_true", help="FP rate per rule from the judged sample")
    parser.add_argument("--sample", action="store_true", help="(re)draw the sample, keeping given verdicts")
    parser.add_argument("--show", action="store_true", help="print unjudged sample entries with their code")
    parser.add_argument("--fix-check", action="store_true", help="apply safe fixes to copies; compile, import")
    parser.add_argument("--fresh", action="store_true", help="re-run the tools even if a cached run exists")
    parser.add_argument("--jobs", type=int, default=1, help="patchgate worker processes (shared machine: 1)")
    parser.add_argument("--project", action="append", help="only this project (repeatable)")
    args = parser.parse_args()
    projects = [p for p in PROJECTS if not args.project or p.name in args.project]
    key = patchgate_key()
    if args.show:
        from precision_judge import show
        show()
    elif args.sample:
        from precision_judge import draw
        draw(findings(projects, key, args.jobs, args.fresh))
    elif args.judge:
        from precision_judge import judge
        save("precision-judge", judge(findings(projects, key, args.jobs, args.fresh), key))
    elif args.fix_check:
        from precision_fixcheck import fix_check
        save("precision-fixcheck", {"machine": machine(), "patchgate": key,
                                    "projects": fix_check(projects, findings(projects, key, args.jobs, args.fresh),
                                                                  args.jobs)})
    else:
        table(projects, key, args.jobs, args.fresh)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
