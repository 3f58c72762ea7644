"""ast-grep rule tests (`valid:` / `invalid:` YAML, optional snapshots) run like `sg test` does.

The fixture project in tests/data/astgrep/project has an sgconfig.yml with testConfigs and
snapshots that `ast-grep test -U` generated; the real CLI and patchgate must agree on it, and on
a copy where a test expectation is wrong.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from patchgate.diagnostics.engines.astgrep.engine import AstGrepEngine
from patchgate.diagnostics.engines.astgrep.project import load_sgconfig
from patchgate.diagnostics.engines.astgrep.rule_files import load_rule_file
from patchgate.diagnostics.errors import RuleLoadError
from patchgate.diagnostics.rule_tests import RuleTestResult, discover_rule_tests, load_rule_tests, run_rule_tests

PROJECT = Path(__file__).resolve().parent / "data" / "astgrep" / "project"
AST_GREP = Path(sys.executable).parent / "ast-grep"
AST_GREP_CLI = str(AST_GREP) if AST_GREP.is_file() else shutil.which("ast-grep")


def project_engine(root: Path = PROJECT) -> AstGrepEngine:
    """An engine with every rule of a project's sgconfig ruleDirs."""
    project = load_sgconfig(root / "sgconfig.yml")
    return AstGrepEngine([rule for path in project.rule_files() for rule in load_rule_file(path)])


def failures(results: list[RuleTestResult]) -> dict[str, str]:
    """Failed case name -> reason."""
    return {r.name: r.reason for r in results if not r.passed}


def write(path: Path, text: str) -> Path:
    """Write dedented text, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_cases_and_snapshots_are_loaded() -> None:
    cases = load_rule_tests(discover_rule_tests(PROJECT / "sgconfig.yml"))
    assert sorted((c.rule_id, c.kind, c.index) for c in cases) == [
        ("no-print-in-function", "invalid", 0), ("no-print-in-function", "invalid", 1),
        ("no-print-in-function", "valid", 0), ("no-print-in-function", "valid", 1),
        ("src_only.eq-none", "invalid", 0), ("src_only.eq-none", "valid", 0),
    ]
    snapshots = {c.code: c.snapshot for c in cases if c.kind == "invalid"}
    assert snapshots["def f():\n    print(1)\n"]["fixed"] == "def f():\n    log(1)\n"


def test_project_rule_tests_pass() -> None:
    results = run_rule_tests(load_rule_tests(discover_rule_tests(PROJECT / "sgconfig.yml")), project_engine())
    assert len(results) == 6 and failures(results) == {}


def test_paths_and_engine_lists_are_accepted_like_the_cli_passes_them() -> None:
    paths = sorted((PROJECT / "rule-tests").glob("*.yml"))
    results = run_rule_tests(paths, [project_engine()])
    assert {r.name for r in results} >= {"src_only.eq-none/valid[0]", "no-print-in-function/invalid[1]"}
    assert failures(results) == {}


def test_discover_reads_the_config_sgconfig_attribute() -> None:
    class Config:
        sgconfig = PROJECT / "sgconfig.yml"

    assert discover_rule_tests(Config()) == discover_rule_tests(PROJECT / "sgconfig.yml")
    assert discover_rule_tests(object()) == []


def test_wrong_expectations_fail_with_reasons(tmp_path: Path) -> None:
    path = write(tmp_path / "tests" / "wrong-test.yml", """\
        id: no-print-in-function
        valid:
          - "def f():\\n    print(1)\\n"
        invalid:
          - "print('top level')\\n"
        """)
    results = run_rule_tests([path], project_engine())
    assert failures(results) == {
        "no-print-in-function/valid[0]": "reported at line 2: print(1) inside a function",
        "no-print-in-function/invalid[0]": "not reported",
    }


def test_snapshot_mismatches_fail(tmp_path: Path) -> None:
    code = "def f():\n    print(1)\n"
    path = write(tmp_path / "tests" / "t.yml", 'id: no-print-in-function\ninvalid:\n  - "def f():\\n    print(1)\\n"\n')
    snapshot_dir = tmp_path / "tests" / "__snapshots__"
    snapshot = {"fixed": "def f():\n    logging.info(1)\n", "labels": [{"source": "print(1)", "style": "primary", "start": 13, "end": 21}]}
    import yaml

    write(snapshot_dir / "no-print-in-function-snapshot.yml", yaml.safe_dump({"id": "x", "snapshots": {code: snapshot}}))
    (result,) = run_rule_tests([path], project_engine())
    assert not result.passed and result.reason.startswith("snapshot fix differs")
    snapshot["labels"][0]["start"] = 12
    write(snapshot_dir / "no-print-in-function-snapshot.yml", yaml.safe_dump({"id": "x", "snapshots": {code: snapshot}}))
    (result,) = run_rule_tests([path], project_engine())
    assert not result.passed and result.reason.startswith("snapshot label differs")


def test_cases_without_a_snapshot_only_need_a_match(tmp_path: Path) -> None:
    path = write(tmp_path / "t.yml", 'id: no-print-in-function\ninvalid:\n  - "def g():\\n    print(2)\\n"\n')
    (case,) = load_rule_tests([path])
    assert case.snapshot is None and run_rule_tests([case], project_engine())[0].passed


def test_files_globs_and_severity_off_do_not_hide_a_rule_from_its_tests(tmp_path: Path) -> None:
    rule = write(tmp_path / "rules" / "off.yml", """\
        id: off-rule
        language: python
        severity: off
        files: ["nowhere/**"]
        rule: {pattern: "print($A)"}
        """)
    test = write(tmp_path / "t.yml", 'id: off-rule\nvalid: ["x = 1"]\ninvalid: ["print(1)"]\n')
    results = run_rule_tests([test], AstGrepEngine(load_rule_file(rule)))
    assert failures(results) == {}


def test_unknown_rule_id_fails(tmp_path: Path) -> None:
    path = write(tmp_path / "t.yml", 'id: no-such-rule\nvalid: ["x = 1"]\n')
    (result,) = run_rule_tests([path], project_engine())
    assert not result.passed and result.reason == "no loaded rule has id `no-such-rule`"


@pytest.mark.parametrize(
    ("text", "reason"),
    [("valid: [x]\n", "a rule test is a mapping with an `id`"), ("id: a\nvalid: x\n", "`valid` must be a list of code strings"),
     ("id: a\nexpected: []\n", "unknown key `expected`"), ("id: [unclosed\n", "cannot read rule test")],
)
def test_malformed_test_files_raise(text: str, reason: str, tmp_path: Path) -> None:
    path = write(tmp_path / "t.yml", text)
    with pytest.raises(RuleLoadError, match=re.escape(reason)):
        load_rule_tests([path])


def _cli_test(root: Path) -> tuple[int, dict[str, bool]]:
    """`ast-grep test` in a project: exit code and PASS/FAIL per rule id."""
    done = subprocess.run([str(AST_GREP_CLI), "test", "--skip-snapshot-tests"], cwd=root, capture_output=True, text=True, timeout=120)
    verdicts = {m.group(2): m.group(1) == "PASS" for m in re.finditer(r"^(PASS|FAIL) (\S+)", done.stdout, re.M)}
    return done.returncode, verdicts


@pytest.mark.skipif(AST_GREP_CLI is None, reason="the ast-grep CLI is not installed")
def test_ast_grep_test_agrees_on_the_project(tmp_path: Path) -> None:
    done = subprocess.run([str(AST_GREP_CLI), "test"], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    write(root / "rule-tests" / "wrong-test.yml", 'id: no-alert\nvalid: ["alert(1)"]\ninvalid: ["confirm(1)"]\n')
    code, verdicts = _cli_test(root)
    results = run_rule_tests(discover_rule_tests(root / "sgconfig.yml"), project_engine(root))
    ours = {rule_id: all(r.passed for r in results if r.rule_id == rule_id) for rule_id in {r.rule_id for r in results}}
    assert code != 0 and verdicts == ours == {"no-alert": False, "no-print-in-function": True, "src_only.eq-none": True}
