"""No rule may be superlinear in file size: every default rule timed alone on generated files at N and 4N.

Usage: python bench/rule_scaling.py [--size N] [--repeat R] [--django [PATH]]
Shapes: a huge dict, a long module of functions, a deep if/elif chain, a long class. A linear rule
takes about 4x as long on the 4N file; a rule over 6x is flagged (a quadratic one shows ~16x). The
floor is CPython's and tree-sitter's parse of the same texts, the least any rule pays. `--django`
also prints each rule's share of a run on the Django corpus (rule_share.py's measurement), flagging
any rule over 10 %. Exit 1 when anything is flagged.
"""

from __future__ import annotations

import argparse
import ast
import gc
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import django_corpus  # noqa: E402
from rule_share import LIMIT, default_rules, report, timed_pass  # noqa: E402

from patchgate.diagnostics.engines.grammars import parser_for  # noqa: E402
from patchgate.diagnostics.source import SourceFile  # noqa: E402

BENCH = Path(__file__).resolve().parent
GROWTH_LIMIT = 6.0
NOISE_FLOOR_S = 0.02
"""Below this time at 4N a ratio is timer noise, not growth: never flagged."""


def huge_dict(n: int) -> str:
    """One dict display with 8n literal keys, the shape that made duplicate-dict-key quadratic."""
    return "TABLE = {\n" + "".join(f'    "key{i}": {i},\n' for i in range(8 * n)) + "}\n"


def functions(n: int) -> str:
    """A module of n small functions that import, branch, call and build literals."""
    body = "import os\nfrom typing import Any\n\n"
    for i in range(n):
        body += (f"def f{i}(a, b=None, *args, **kw):\n    x = {{'k': a, 'n': {i}}}\n    if a is None or b == {i}:\n"
                 f"        return os.path.join(str(a), 'p{i}')\n    try:\n        y = [v for v in args if v]\n"
                 f"    except ValueError:\n        y = []\n    return x, y, kw.get('z')\n\n\n")
    return body


def elif_chain(n: int) -> str:
    """One function with an if/elif chain of n/4 branches (CPython nests each elif one level deeper)."""
    branches = "".join(f"    elif x == {i}:\n        y = {i}\n        return f(y, '{i}')\n" for i in range(1, max(2, n // 4)))
    return "def pick(x, f):\n    if x == 0:\n        return None\n" + branches + "    return x\n"


def long_class(n: int) -> str:
    """One class with n attributes and n methods."""
    attributes = "".join(f"    field{i}: int = {i}\n" for i in range(n))
    methods = "".join(f"    def get{i}(self, other=None):\n        return self.field{i} + (other or 0)\n\n" for i in range(n))
    return "class Model:\n" + attributes + "\n" + methods


SHAPES: dict[str, Callable[[int], str]] = {"huge-dict": huge_dict, "functions": functions, "elif-chain": elif_chain, "long-class": long_class}


def best(seconds: Callable[[], float], repeat: int) -> float:
    """The fastest of several runs, the least disturbed by other work on a shared machine; the cyclic
    garbage collector is paused so its pauses (which grow with every object alive) do not pass for a rule's."""
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            times.append(seconds())
        finally:
            gc.enable()
    return min(times)


def floor(text: str) -> float:
    """Both parses of the text, the least any rule costs."""
    start = time.perf_counter()
    ast.parse(text)
    parser = parser_for("python")
    if parser is not None:
        parser.parse(text.encode("utf-8"))
    return time.perf_counter() - start


def scaling(size: int, repeat: int) -> tuple[dict, list[str]]:
    """Per shape, each default rule's time at size and 4x size; the rules that grow too fast."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "patchgate.toml").write_text("", encoding="utf-8")
        rules = sorted(default_rules(root))
        record: dict[str, dict] = {}
        flagged: list[str] = []
        for shape, make in SHAPES.items():
            small, large = make(size), make(4 * size)
            files = {n: [SourceFile("big.py", text, "python")] for n, text in ((1, small), (4, large))}
            timed_pass(files[1], frozenset(rules), root)  # imports, grammars, catalog: outside the timings
            lines = (small.count("\n"), large.count("\n"))
            base = (best(lambda: floor(small), repeat), best(lambda: floor(large), repeat))
            print(f"{shape}: {lines[0]} and {lines[1]} lines; floor (both parses) {base[0]:.4f} -> {base[1]:.4f} s, x{base[1] / base[0]:.1f}")
            rows = {}
            for rule in rules:
                times = [best(lambda: timed_pass(files[n], frozenset({rule}), root), repeat) for n in (1, 4)]
                ratio = times[1] / times[0] if times[0] > 0 else 0.0
                over = ratio > GROWTH_LIMIT and times[1] > NOISE_FLOOR_S
                rows[rule] = {"n_s": round(times[0], 5), "4n_s": round(times[1], 5), "ratio": round(ratio, 2), "flagged": over}
                if over:
                    flagged.append(f"{shape}:{rule}")
            for rule, row in sorted(rows.items(), key=lambda item: -item[1]["4n_s"])[:5]:
                flag = "  SUPERLINEAR" if row["flagged"] else ""
                print(f"  {rule:32} {row['n_s']:8.4f} -> {row['4n_s']:8.4f} s  x{row['ratio']:5.1f}{flag}")
            worst = max(rows.items(), key=lambda item: item[1]["ratio"])
            print(f"  highest ratio: {worst[0]} x{worst[1]['ratio']}")
            record[shape] = {"lines": lines, "floor_s": [round(t, 5) for t in base], "rules": rows}
    return record, flagged


def main() -> int:
    """Time every rule on every shape at two sizes, optionally the Django shares; save JSON, exit 1 if flagged."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1000, help="N: functions, attributes (dict keys: 8N, elif branches: N/4)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--django", nargs="?", const="", type=str, metavar="PATH")
    args = parser.parse_args()
    record, flagged = scaling(args.size, args.repeat)
    result: dict = {"size": args.size, "growth_limit": GROWTH_LIMIT, "shapes": record, "superlinear": flagged}
    if args.django is not None:
        root = (Path(args.django) if args.django else django_corpus()).resolve()
        share, over = report(root, top=10)
        result["share"], result["over_share_limit"] = share, over
        flagged = flagged + [f"share:{rule}" for rule in over]
    print("flagged: " + (", ".join(flagged) if flagged else f"none (growth over x{GROWTH_LIMIT}, share over {LIMIT:.0%})"))
    out = BENCH / "results" / f"rule-scaling-{datetime.now(timezone.utc):%Y%m%d}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"saved {out.relative_to(BENCH.parent)}")
    return 1 if flagged else 0


if __name__ == "__main__":
    raise SystemExit(main())
