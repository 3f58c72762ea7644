"""The hand-judged sample: drawn per rule with a fixed seed, found again after patchgate changes,
and turned into a false-positive rate per rule (a vanished FP is a fix, a vanished TP a regression).
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from precision_compare import line_of  # noqa: E402
from precision_corpus import PROJECTS  # noqa: E402

SAMPLE = Path(__file__).resolve().parent / "precision_sample.json"
SEED = 10
PER_RULE = 8
LIMIT = 0.10  # the target: no rule above 10 % false positives on the sample


def line_hash(project: str, path: str, line: int) -> str:
    """sha256 (12 hex) of the line's stripped text, so a finding is recognised if lines shift."""
    root = next(p.root for p in PROJECTS if p.name == project)
    try:
        lines = (root / path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def entry(project: str, item: dict) -> dict:
    """What the sample keeps of one finding: enough to find it again, and room for a verdict."""
    line = line_of(item)
    return {"rule": item["rule_id"], "project": project, "path": item["path"], "line": line,
            "column": int(item["span"]["start_column"]), "line_sha": line_hash(project, item["path"], line),
            "message": item["message"], "verdict": None, "reason": ""}


def locate(sampled: dict, fresh: dict[str, list[dict]]) -> dict | None:
    """The fresh finding a sampled one is: same rule, path and line (column preferred), else the
    same rule and path on a line with the same text hash."""
    same = [d for d in fresh.get(sampled["project"], []) if d["rule_id"] == sampled["rule"]
            and d["path"] == sampled["path"]]
    exact = [d for d in same if line_of(d) == sampled["line"]]
    if exact:
        return next((d for d in exact if d["span"]["start_column"] == sampled["column"]), exact[0])
    moved = [d for d in same if line_hash(sampled["project"], d["path"], line_of(d)) == sampled["line_sha"]]
    return min(moved, key=lambda d: abs(line_of(d) - sampled["line"])) if moved else None


def draw(fresh: dict[str, list[dict]]) -> None:
    """Top the sample up to PER_RULE present findings per rule, round-robin over the projects,
    seeded per rule; entries already in the file (and their verdicts) are kept."""
    data = json.loads(SAMPLE.read_text(encoding="utf-8")) if SAMPLE.exists() else {"seed": SEED, "findings": []}
    kept: list[dict] = data["findings"]
    rules = sorted({d["rule_id"] for items in fresh.values() for d in items})
    for rule in rules:
        present = sum(1 for s in kept if s["rule"] == rule and locate(s, fresh))
        rng = random.Random(f"{data['seed']}:{rule}")
        pools = []
        for project in PROJECTS:
            pool = sorted((d for d in fresh.get(project.name, []) if d["rule_id"] == rule),
                          key=lambda d: (d["path"], line_of(d), d["span"]["start_column"], d["message"]))
            rng.shuffle(pool)
            pools.append([(project.name, d) for d in pool])
        order = [pool[i] for i in range(max(map(len, pools), default=0)) for pool in pools if i < len(pool)]
        taken = {(s["project"], s["path"], s["line"], s["column"]) for s in kept if s["rule"] == rule}
        for project, item in order:
            if present >= PER_RULE:
                break
            new = entry(project, item)
            if (project, new["path"], new["line"], new["column"]) not in taken:
                kept.append(new)
                present += 1
    kept.sort(key=lambda s: (s["rule"], s["project"], s["path"], s["line"], s["column"]))
    data.update(findings=kept, per_rule=PER_RULE,
                drawn=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    SAMPLE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    unjudged = sum(1 for s in kept if s["verdict"] is None)
    print(f"{SAMPLE.name}: {len(kept)} findings, {unjudged} still to judge (verdict 'tp' or 'fp', and a reason)")


def rate(fp: int, judged: int) -> str:
    """A percentage, or '-' when nothing was judged."""
    return f"{100 * fp / judged:.0f}%" if judged else "-"


def judge(fresh: dict[str, list[dict]], key: str) -> dict:
    """FP rate per rule: as judged (the sample as drawn) and now (the sampled findings that still
    fire); vanished findings are listed, and rules over the limit or without a sample are flagged."""
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    rows: dict[str, dict] = {}
    for sampled in data["findings"]:
        if sampled["verdict"] not in ("tp", "fp"):
            continue
        row = rows.setdefault(sampled["rule"], {"judged": 0, "fp": 0, "present": 0, "present_fp": 0,
                                                 "fixed_fp": [], "lost_tp": []})
        found = locate(sampled, fresh) is not None
        row["judged"] += 1
        row["fp"] += sampled["verdict"] == "fp"
        row["present"] += found
        row["present_fp"] += found and sampled["verdict"] == "fp"
        if not found:
            where = f"{sampled['project']}:{sampled['path']}:{sampled['line']}"
            row["fixed_fp" if sampled["verdict"] == "fp" else "lost_tp"].append(where)
    counts: dict[str, int] = {}
    for items in fresh.values():
        for d in items:
            counts[d["rule_id"]] = counts.get(d["rule_id"], 0) + 1
    print(f"{'rule':34} {'findings':>8} {'judged':>6} {'FP then':>7} {'still':>5} {'FP now':>6}  notes")
    for rule in sorted(set(rows) | set(counts)):
        row = rows.get(rule)
        if row is None:
            print(f"{rule:34} {counts[rule]:>8} {'-':>6} {'-':>7} {'-':>5} {'-':>6}  no judged sample: --sample, judge")
            continue
        row.update(findings=counts.get(rule, 0), fp_rate_judged=rate(row["fp"], row["judged"]),
                   fp_rate_now=rate(row["present_fp"], row["present"]))
        notes = []
        if row["present"] and row["present_fp"] / row["present"] > LIMIT:
            notes.append(f"OVER {LIMIT:.0%}")
        if row["fixed_fp"]:
            notes.append(f"{len(row['fixed_fp'])} FP gone (fixed)")
        if row["lost_tp"]:
            notes.append(f"{len(row['lost_tp'])} TP gone (REGRESSION: {', '.join(row['lost_tp'][:3])})")
        print(f"{rule:34} {row['findings']:>8} {row['judged']:>6} {row['fp_rate_judged']:>7} {row['present']:>5} "
              f"{row['fp_rate_now']:>6}  {'; '.join(notes)}")
    judged = sum(r["judged"] for r in rows.values())
    fps = sum(r["fp"] for r in rows.values())
    present = sum(r["present"] for r in rows.values())
    present_fp = sum(r["present_fp"] for r in rows.values())
    print(f"{'total':34} {sum(counts.values()):>8} {judged:>6} {rate(fps, judged):>7} {present:>5} "
          f"{rate(present_fp, present):>6}")
    over = sorted(r for r, row in rows.items() if row["present"] and row["present_fp"] / row["present"] > LIMIT)
    print(f"rules over {LIMIT:.0%} FP now: {', '.join(over) or 'none'}")
    unjudged = sum(1 for s in data["findings"] if s["verdict"] not in ("tp", "fp"))
    if unjudged:
        print(f"{unjudged} sample entries have no verdict yet (left out above): --show, then judge them")
    return {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "patchgate": key,
            "sample_drawn": data.get("drawn"), "limit": LIMIT, "rules": rows, "over_limit": over,
            "total": {"judged": judged, "fp": fps, "present": present, "present_fp": present_fp}}


def show(context: int = 3) -> None:
    """Print every unjudged sample entry with the code around it, to judge by reading."""
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    for index, sampled in enumerate(data["findings"]):
        if sampled["verdict"] is not None:
            continue
        root = next(p.root for p in PROJECTS if p.name == sampled["project"])
        lines = (root / sampled["path"]).read_text(encoding="utf-8", errors="replace").splitlines()
        print(f"\n#{index} {sampled['rule']} {sampled['project']}:{sampled['path']}:{sampled['line']}  "
              f"{sampled['message']}")
        for number in range(max(1, sampled["line"] - context), min(len(lines), sampled["line"] + context) + 1):
            print(f"{'>' if number == sampled['line'] else ' '}{number:5} {lines[number - 1][:150]}")
