"""A re-run answered from the cache builds no rule engine; any change to a rule source rebuilds them."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_patchgate, write_files

MARKING_RULES = '''\
from pathlib import Path

import libcst as cst

from patchgate.diagnostics.libcst_rule import LibcstRule

with open(Path(__file__).parent / "imports.log", "a", encoding="utf-8") as log:  # a line per load
    log.write("loaded\\n")


class NoShout(LibcstRule):
    """Reports every call of `shout`."""

    id = "no-shout"
    message = "shout() is noisy"
    PREFILTER = ("shout",)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "shout":
            self.report(node)
'''


def findings(root: Path) -> list[tuple[str, str]]:
    run = run_patchgate("check", "--format", "json", cwd=root, env={"PYTHONPATH": str(root)})
    assert run.code in (0, 1), run.stderr
    return sorted((d["rule_id"], d["path"]) for d in json.loads(run.stdout)["diagnostics"])


def test_a_warm_rerun_loads_no_rule_source_and_finds_the_same(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "patchgate.toml": 'rule-modules = ["marking:NoShout"]\nextend-select = ["no-shout"]\n',
        "marking.py": MARKING_RULES,
        "app.py": "import os\nshout()\n",
    })
    first = findings(tmp_path)
    assert ("no-shout", "app.py") in first and ("unused-import", "app.py") in first
    assert findings(tmp_path) == first
    assert (tmp_path / "imports.log").read_text().count("loaded") == 1  # the re-run never imported the rules
    (tmp_path / "app.py").write_text("from loud import shout\n\nshout()\n")  # a changed file must be checked: the engines are built
    assert findings(tmp_path) == [("no-shout", "app.py")]
    assert (tmp_path / "imports.log").read_text().count("loaded") == 2


def test_a_rule_source_broken_after_a_warm_run_still_fails_with_exit_40(tmp_path: Path) -> None:
    write_files(tmp_path, {"patchgate.toml": 'rule-dirs = ["rules"]\n', "rules/.keep": "", "app.py": "x = 1\n"})
    assert run_patchgate("check", cwd=tmp_path).code == 0
    (tmp_path / "rules" / "broken.yml").write_text("id: broken\nlanguage: python\nrule: {pattern: }\n")
    run = run_patchgate("check", cwd=tmp_path)
    assert run.code == 40 and "broken" in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
