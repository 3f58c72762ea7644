"""Each default rule's share of a cold check, in one process: the same files checked with every rule,
with each rule alone (parse included, as a user selecting only it would pay), and, for a rule whose
alone time is over 10 % of the whole, with every rule but that one. The share of a run is the
marginal cost (all - all but the rule): parsing and the shared traversals are paid once for every
rule, so they are no single rule's cost. A rule whose marginal cost is above 10 % is flagged.

Usage: python bench/rule_share.py [PATH] [--top N] [--repeat N]   (PATH defaults to the Django corpus)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
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


def shares(root: Path, repeat: int = 3) -> tuple[int, float, dict[str, float], dict[str, float]]:
    """(files, seconds with every default rule, seconds per rule alone slowest first, marginal share of
    each rule whose alone time is over the limit); each figure the fastest of `repeat` passes."""
    default = default_rules(root)
    files = sources(root)
    timed_pass(files, default, root)  # warm imports (libcst, grammars) outside the measured passes

    def best(selected: frozenset[str]) -> float:
        """The fastest of a few passes: a loaded machine only ever adds time."""
        return min(timed_pass(files, selected, root) for _ in range(repeat))

    total = best(default)
    alone = {rule: best(frozenset({rule})) for rule in sorted(default)}
    marginal = {rule: paired_marginal(best, default, rule) for rule, seconds in alone.items() if seconds > LIMIT * total}
    return len(files), total, dict(sorted(alone.items(), key=lambda item: -item[1])), marginal


def paired_marginal(best: Callable[[frozenset[str]], float], default: frozenset[str], rule: str) -> float:
    """A rule's marginal cost, the two passes measured back to back so that a load change between them
    does not read as a cost (or a saving); returned as a share of the all-rules pass."""
    with_rule, without = best(default), best(default - {rule})
    return max(0.0, with_rule - without) / with_rule


def report(root: Path, top: int, repeat: int = 3) -> tuple[dict, list[str]]:
    """Print each rule's share of a run on root; the JSON record and the rules over the limit."""
    count, total, alone, marginal = shares(root, repeat)
    ranked = sorted(alone.items(), key=lambda item: (-marginal.get(item[0], 0.0), -item[1]))
    print(f"{count} files, all {len(ranked)} default rules: {total:.3f} s (in-process, no cache, one core)")
    print(f"  {'rule':32} {'alone':>9} {'marginal':>10}")
    for rule, seconds in ranked[:top]:
        extra = marginal.get(rule)
        flag = "  OVER 10 %" if extra is not None and extra > LIMIT else ""
        extra_text = f"{100 * extra:8.1f} %" if extra is not None else f"{'<= alone':>10}"
        print(f"  {rule:32} {100 * seconds / total:7.1f} % {extra_text}{flag}")
    over = [rule for rule, extra in marginal.items() if extra > LIMIT]
    record = {"corpus": root.name, "files": count, "all_rules_s": round(total, 3),
              "alone_s": {rule: round(seconds, 4) for rule, seconds in ranked},
              "marginal_share": {rule: round(extra, 4) for rule, extra in marginal.items()}, "over_10_percent": over}
    return record, over


def main() -> int:
    """Time every default rule alone and all together; print shares, save JSON, exit 1 over the limit."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", type=Path)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=3, help="passes per measurement; the fastest counts")
    args = parser.parse_args()
    root = (args.path or django_corpus()).resolve()
    record, over = report(root, args.top, args.repeat)
    out = BENCH / "results" / f"rule-share-{root.name}-{datetime.now(timezone.utc):%Y%m%d}.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"saved {out.relative_to(BENCH.parent)}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
