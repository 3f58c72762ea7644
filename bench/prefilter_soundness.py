"""Proves on the corpus that the libcst prefilter never hides a finding: every file checked with and
without it, findings compared. Slow (libcst parses every file): run it after changing a prefilter.

Usage: python bench/prefilter_soundness.py [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import django_corpus, python_files  # noqa: E402

from patchgate.diagnostics.engines.libcst_engine import LibcstEngine  # noqa: E402
from patchgate.diagnostics.rules.libcst_rules import BUILTIN_LIBCST_RULES  # noqa: E402
from patchgate.diagnostics.source import SourceFile  # noqa: E402


class UnfilteredEngine(LibcstEngine):
    """The same engine with every prefilter answering "may match"."""

    def candidates(self, source: SourceFile, selected: frozenset[str]) -> list:
        return [cls for rule_id, (cls, _) in self._by_id.items() if rule_id in selected] if source.language == "python" else []


def compare(args: tuple[str, str]) -> tuple[str, list[str], list[str], bool]:
    """(path, findings only without the prefilter, findings only with it, parsed with the prefilter)."""
    root, relative = args
    text = (Path(root) / relative).read_text(encoding="utf-8")
    source = SourceFile(relative, text, "python")
    filtered, unfiltered = LibcstEngine(BUILTIN_LIBCST_RULES), UnfilteredEngine(BUILTIN_LIBCST_RULES)
    selected = frozenset(rule.id for rule in filtered.rules())
    ours = {d.model_dump_json() for d in filtered.check(source, selected) if d.rule_id != "libcst-skipped"}
    full = {d.model_dump_json() for d in unfiltered.check(source, selected) if d.rule_id != "libcst-skipped"}
    return relative, sorted(full - ours), sorted(ours - full), filtered.stats.parsed == 1


def main() -> int:
    """Compare every corpus file, print misses, exit 1 when the prefilter hid anything."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=multiprocessing.cpu_count())
    corpus = django_corpus()
    files = [(str(corpus), path.relative_to(corpus).as_posix()) for path in python_files(corpus)]
    start = time.perf_counter()
    with multiprocessing.Pool(parser.parse_args().jobs) as pool:
        results = pool.map(compare, files, chunksize=8)
    missed = [(path, only) for path, only, _, _ in results if only]
    extra = [(path, only) for path, _, only, _ in results if only]
    parsed = sum(1 for *_, was_parsed in results if was_parsed)
    print(json.dumps({"files": len(files), "parsed_with_prefilter": parsed, "missed": len(missed), "extra": len(extra),
                      "seconds": round(time.perf_counter() - start, 1)}))
    for path, only in missed + extra:
        print(path, only[:2])
    return 1 if missed or extra else 0


if __name__ == "__main__":
    raise SystemExit(main())
