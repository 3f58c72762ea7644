"""`check` with the default rules on a small project, requests 2.32.3 (35 files), beside ruff and
the start-up floors: cold (no cache) against `ruff check --no-cache`, warm against ruff warm, text
output against JSON, and `python -c pass` and a bare `import patchgate.cli.main` for scale.

Usage: python bench/requests_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import CACHE  # noqa: E402
from run import BIN, machine, timed  # noqa: E402

BENCH = Path(__file__).resolve().parent
REQUESTS = "requests==2.32.3"


def requests_corpus() -> Path:
    """The unpacked requests sdist, downloaded once with pip into the bench cache."""
    target = CACHE / "requests-2.32.3"
    if not (target / "src").is_dir():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps", REQUESTS,
                        "-d", str(CACHE), "-q"], check=True)
        with tarfile.open(CACHE / "requests-2.32.3.tar.gz") as tar:
            tar.extractall(CACHE, filter="data")
    (target / "patchgate.toml").write_text("# default rules\n", encoding="utf-8")
    return target


def main() -> int:
    """Time every variant in one run; print and save the figures with their ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    corpus = requests_corpus()
    pg = [str(BIN / "patchgate"), "check", "--format", "json", "--output-file", os.devnull, "."]
    ruff = [str(BIN / "ruff"), "check", "--exit-zero", "--quiet", "."]
    cold, _ = timed([*pg, "--no-cache"], corpus, repeat)
    ruff_cold, _ = timed([*ruff, "--no-cache"], corpus, repeat)
    shutil.rmtree(corpus / ".patchgate" / "cache", ignore_errors=True)
    timed(pg, corpus, 1)
    timed(ruff, corpus, 1)
    warm, _ = timed(pg, corpus, repeat)
    text, _ = timed([str(BIN / "patchgate"), "check", "--output-file", os.devnull, "."], corpus, repeat)
    ruff_warm, _ = timed(ruff, corpus, repeat)
    floor, _ = timed([sys.executable, "-c", "pass"], corpus, repeat)
    bare, _ = timed([sys.executable, "-c", "import patchgate.cli.main"], corpus, repeat)
    result = {"machine": machine(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "corpus": "requests 2.32.3 sdist", "cold_s": round(cold, 3), "ruff_cold_s": round(ruff_cold, 3),
              "cold_ratio": round(cold / ruff_cold, 1), "warm_s": round(warm, 3), "ruff_warm_s": round(ruff_warm, 3),
              "warm_ratio": round(warm / ruff_warm, 1), "warm_text_s": round(text, 3),
              "python_pass_s": round(floor, 3), "bare_import_s": round(bare, 3)}
    print(json.dumps(result, indent=2))
    out = BENCH / "results" / f"requests-{datetime.now(timezone.utc):%Y%m%d}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
