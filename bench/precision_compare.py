"""Per-rule agreement with ruff: our findings and ruff's alias codes matched by file and line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from precision_corpus import BIN  # noqa: E402

Key = tuple[str, int]  # (posix path relative to the project root, 1-based line)


def our_rules() -> list[dict]:
    """Every rule the installed patchgate knows, with its aliases (`rules list --json`)."""
    result = subprocess.run([str(BIN / "patchgate"), "rules", "list", "--json"], capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout)


def ruff_codes() -> dict[str, bool]:
    """Every code the installed ruff has, mapped to whether it is a preview rule."""
    result = subprocess.run([str(BIN / "ruff"), "rule", "--all", "--output-format", "json"], capture_output=True,
                            text=True, check=True)
    return {rule["code"]: bool(rule.get("preview")) for rule in json.loads(result.stdout)}


def alias_map(rules: list[dict], known: dict[str, bool]) -> tuple[dict[str, str], list[str]]:
    """ruff code -> our rule id for every alias ruff has; aliases ruff lacks (pylint's W4901...) apart."""
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for rule in rules:
        for alias in rule.get("aliases") or []:
            (mapping.__setitem__(alias, rule["id"]) if alias in known else unknown.append(f"{rule['id']}:{alias}"))
    return mapping, sorted(unknown)


def line_of(diagnostic: dict) -> int:
    """patchgate's spans are 0-based; ruff's rows and editors' lines are 1-based."""
    return int(diagnostic["span"]["start_line"]) + 1


def ours_by_rule(diagnostics: list[dict]) -> dict[str, Counter[Key]]:
    """Our findings per rule as a multiset of (path, line)."""
    found: dict[str, Counter[Key]] = {}
    for item in diagnostics:
        found.setdefault(item["rule_id"], Counter())[(item["path"], line_of(item))] += 1
    return found


def ruff_by_rule(findings: list[dict], mapping: dict[str, str]) -> dict[str, Counter[Key]]:
    """ruff's findings per our rule (through the alias map) as a multiset of (path, line)."""
    found: dict[str, Counter[Key]] = {}
    for item in findings:
        rule = mapping.get(item.get("code") or "")
        if rule:
            path = Path(item["filename"]).as_posix()
            found.setdefault(rule, Counter())[(path, int(item["location"]["row"]))] += 1
    return found


def compare(ours: dict[str, Counter[Key]], ruff: dict[str, Counter[Key]], aliased: set[str]) -> dict[str, dict]:
    """ours / ruff / both / only ours / only ruff per rule; ruff's columns are None without an alias."""
    table: dict[str, dict] = {}
    for rule in sorted(set(ours) | set(ruff) | aliased):
        mine, theirs = ours.get(rule, Counter()), ruff.get(rule, Counter())
        both = sum((mine & theirs).values())
        row = {"ours": sum(mine.values()), "ruff": None, "both": None, "only_ours": None, "only_ruff": None}
        if rule in aliased:
            row.update(ruff=sum(theirs.values()), both=both, only_ours=row["ours"] - both,
                       only_ruff=sum(theirs.values()) - both)
        table[rule] = row
    return table


def add_tables(tables: list[dict[str, dict]]) -> dict[str, dict]:
    """The per-rule sum over projects (None stays None: a rule without a ruff alias)."""
    total: dict[str, dict] = {}
    for table in tables:
        for rule, row in table.items():
            into = total.setdefault(rule, dict.fromkeys(row, 0))
            for column, value in row.items():
                into[column] = None if value is None or into[column] is None else into[column] + value
    return dict(sorted(total.items()))


def agreement(row: dict) -> str:
    """both / (ours + ruff - both): 100 % when the two tools flag exactly the same lines."""
    if row["ruff"] is None:
        return "-"
    union = row["ours"] + row["ruff"] - row["both"]
    return f"{100 * row['both'] / union:.0f}%" if union else "n/a"


def render(table: dict[str, dict], aliases: dict[str, list[str]], title: str) -> str:
    """A fixed-width text table, one line per rule and a total line."""
    cell = lambda v: "-" if v is None else str(v)  # noqa: E731
    lines = [title, f"{'rule':34} {'ruff codes':14} {'ours':>6} {'ruff':>6} {'both':>6} {'only us':>7} "
                    f"{'only ruff':>9} {'agree':>6}"]
    for rule, row in table.items():
        codes = ",".join(aliases.get(rule, [])) or "-"
        lines.append(f"{rule:34} {codes:14} {row['ours']:>6} {cell(row['ruff']):>6} {cell(row['both']):>6} "
                     f"{cell(row['only_ours']):>7} {cell(row['only_ruff']):>9} {agreement(row):>6}")
    compared = [r for r in table.values() if r["ruff"] is not None]
    total = {k: sum(r[k] for r in compared) for k in ("ours", "ruff", "both", "only_ours", "only_ruff")}
    lines.append(f"{'total (rules with a ruff alias)':34} {'':14} {total['ours']:>6} {total['ruff']:>6} "
                 f"{total['both']:>6} {total['only_ours']:>7} {total['only_ruff']:>9} {agreement(total):>6}")
    lines.append(f"{'total (all our findings)':34} {'':14} {sum(r['ours'] for r in table.values()):>6}")
    return "\n".join(lines)
