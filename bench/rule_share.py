"""Each default rule's share of a cold check: the same files checked once per rule (that rule alone,
parse included, as a user selecting it would pay) and once with every rule, in one process.

Usage: python bench/rule_share.py [PATH] [--top N]   (PATH defaults to the Django corpus)
A rule above 10 % of the all-rules time is flagged: no single rule should dominate a run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import django_corpus  # noqa: E402

from patchgate.diagnostics.config import load_config  # noqa: E402
from patchgate.diagnostics.discovery import discover, read_source, relative_path  # noqa: E402
from patchgate.diagnostics.python_parse import forget  # noqa: E402
from patchgate.diagnostics.ruleset import load_ruleset  # noqa: E402
from patchgate.diagnostics.runner import check_source  # noqa: E402
from patchgate.diagnostics.selection import RuleSelector  # noqa: E402
from patchgate.diagnostics.source import SourceFile  # noqa: E402

BENCH = Path(__file__).resolve().parent
LIMIT = 0.10


def sources(root: Path) -> list[SourceFile]:
    """Every file `check` would read under root, decoded once up front (reading is not a rule's cost)."""
    config = load_config(root)
    found = discover([root], config)
    files = []
    for path in found.files:
        read = read_source(path, config.root, config.max_file_size, relative=relative_path(path, config.root))
        if read is not None and isinstance(read.source, SourceFile):
            files.append(read.source)
    return files


def timed_pass(files: list[SourceFile], selected: frozenset[str], root: Path) -> float:
    """Seconds to check every file with a fresh ruleset (fresh engines: nothing cached between passes)."""
    ruleset = load_ruleset(load_config(root))
    forget()  # the parses memoised for the last files of the previous pass
    start = time.perf_counter()
    for source in files:
        fresh = SourceFile(source.path, source.text, source.language)  # no line index carried over
        check_source(fresh, selected, ruleset.engines, ruleset.by_id)
    return time.perf_counter() - start


def default_rules(root: Path) -> frozenset[str]:
    """The rules a plain `patchgate check` runs on a Python file under root."""
    config = load_config(root)
    ruleset = load_ruleset(config)
    return RuleSelector(ruleset.rules, config, None, (), ()).selected_for("x.py")


def shares(root: Path) -> tuple[int, float, dict[str, float]]:
    """(files, seconds with every default rule, seconds per rule alone, slowest first) on a tree."""
    default = default_rules(root)
    files = sources(root)
    timed_pass(files, default, root)  # warm imports (libcst, grammars) outside the measured passes
    total = timed_pass(files, default, root)
    alone = {rule: timed_pass(files, frozenset({rule}), root) for rule in sorted(default)}
    return len(files), total, dict(sorted(alone.items(), key=lambda item: -item[1]))


def report(root: Path, top: int) -> tuple[dict, list[str]]:
    """Print each rule's share of a run on root; the JSON record and the rules over the limit."""
    count, total, ranked = shares(root)
    print(f"{count} files, all {len(ranked)} default rules: {total:.3f} s (in-process, no cache, one core)")
    for rule, seconds in list(ranked.items())[:top]:
        flag = "  OVER 10 %" if seconds > LIMIT * total else ""
        print(f"  {rule:32} {seconds:7.3f} s  {100 * seconds / total:5.1f} %{flag}")
    over = [rule for rule, seconds in ranked.items() if seconds > LIMIT * total]
    record = {"corpus": root.name, "files": count, "all_rules_s": round(total, 3),
              "rules_s": {rule: round(seconds, 4) for rule, seconds in ranked.items()}, "over_10_percent": over}
    return record, over


def main() -> int:
    """Time every default rule alone and all together; print shares, save JSON, exit 1 over the limit."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", type=Path)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    root = (args.path or django_corpus()).resolve()
    record, over = report(root, args.top)
    out = BENCH / "results" / f"rule-share-{root.name}-{datetime.now(timezone.utc):%Y%m%d}.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"saved {out.relative_to(BENCH.parent)}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
