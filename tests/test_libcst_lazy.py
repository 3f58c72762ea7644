"""libcst is imported only when a selected libcst rule meets a Python file; its catalog is never stale."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from patchgate.diagnostics.engines.libcst_lazy import CATALOG, render_catalog

from conftest import run_patchgate, write_files

PROBE = """
import sys
from patchgate.cli.main import main
sys.argv = ["patchgate", "check", "--no-cache", "--format", "json", "--select", sys.argv[1], "."]
try:
    main()
except SystemExit:
    pass
print("LIBCST", "libcst" in sys.modules, file=sys.stderr)
"""


def test_catalog_matches_the_rule_classes() -> None:
    assert CATALOG.read_text(encoding="utf-8") == render_catalog(), (
        "stale catalog: run `python -m patchgate.diagnostics.engines.libcst_lazy`"
    )


def _imports_libcst(project: Path, select: str) -> tuple[bool, list[str]]:
    run = subprocess.run([sys.executable, "-c", PROBE, select], cwd=project, capture_output=True, text=True, timeout=120)
    report = json.loads(run.stdout)
    return "LIBCST True" in run.stderr, sorted(d["rule_id"] for d in report["diagnostics"])


def test_libcst_is_imported_only_for_a_selected_libcst_rule(project: Path) -> None:
    write_files(project, {"app.py": "import os\nx = None\nif x == None:\n    pass\n"})
    assert _imports_libcst(project, "compare-to-none") == (False, ["compare-to-none"])
    assert _imports_libcst(project, "unused-import") == (False, ["unused-import"])  # answered from CPython's tree
    write_files(project, {
        "patchgate.toml": 'rule-modules = ["needles:Needle"]\n',
        "needles.py": (
            "import libcst as cst\nfrom patchgate.diagnostics.libcst_rule import LibcstRule\n\n"
            "class Needle(LibcstRule):\n    id = 'needle'\n    PREFILTER = ('needle',)\n\n"
            "    def visit_Name(self, node: cst.Name) -> None:\n        if node.value == 'needle':\n            self.report(node)\n"
        ),
        "app.py": "needle = 1\n",
    })
    assert _imports_libcst(project, "needle") == (True, ["needle"])


def test_rules_list_shows_libcst_rules_from_the_catalog(project: Path) -> None:
    listed = run_patchgate("rules", "list", cwd=project)
    assert listed.code == 0
    assert "unused-import" in listed.stdout and "os-system-call" in listed.stdout
