"""`patchgate plan rewrite`: an ad-hoc ast-grep pattern and fix, planned on a real git repository."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_patchgate
from test_plan_harness import apply_plan, git_repo, one_error_line, plan_cli, tree_digest

AST_GREP = shutil.which("ast-grep", path=str(Path(sys.executable).parent)) or "ast-grep"
ASSERT_EQUAL = ["--lang", "python", "--pattern", "self.assertEqual($A, $B)", "--fix", "assert $A == $B"]
TESTS = """\
import unittest


class T(unittest.TestCase):
    def test_one(self):
        self.assertEqual(total([1, 2]), 3)
        self.assertEqual(
            name,
            "😀 wide",
        )

    def test_two(self):
        self.assertEqual("😀", "😀")
"""


def test_plans_every_match_without_touching_the_tree(tmp_path: Path) -> None:
    root = git_repo(tmp_path, {"tests/test_x.py": TESTS, "src/app.py": "print('no match here')\n"})
    run, plan = plan_cli(root, "rewrite", *ASSERT_EQUAL)
    assert run.code == 0, run.stderr
    assert plan is not None and plan["planner"] == "rewrite"
    assert run.stdout.splitlines()[1].startswith("rewrite: 1 files, 3 edits")
    assert [item["path"] for item in plan["files"]] == ["tests/test_x.py"]
    assert "+        assert total([1, 2]) == 3\n" in plan["files"][0]["diff"]
    assert "+        assert name == \"😀 wide\"\n" in plan["files"][0]["diff"]
    assert "+        assert \"😀\" == \"😀\"\n" in plan["files"][0]["diff"]
    apply_plan(root, plan, tmp_path)


def test_overlapping_matches_are_skipped_with_a_reason_then_taken_on_a_second_run(tmp_path: Path) -> None:
    root = git_repo(tmp_path, {"m.py": "x = 1\ny = wrap(wrap(x), wrap(2))\n"})
    rewrite = ["--lang", "python", "--pattern", "wrap($$$A)", "--fix", "box($$$A)"]
    first, plan = plan_cli(root, "rewrite", *rewrite)
    _, same = plan_cli(root, "rewrite", *rewrite)
    assert plan is not None and same == plan, "the same tree gives the same plan"
    assert [(s["span"]["start_column"], s["reason"]) for s in plan["skipped"]] == [
        (9, "overlaps a change kept at line 2; run the planner again to take it"),
        (18, "overlaps a change kept at line 2; run the planner again to take it"),
    ]
    assert "skipped: m.py:2:10: wrap($$$A): overlaps a change kept at line 2" in first.stderr
    assert "+y = box(wrap(x), wrap(2))\n" in plan["files"][0]["diff"]
    apply_plan(root, plan, tmp_path)
    _, follow_up = plan_cli(root, "rewrite", *rewrite)
    assert follow_up is not None and follow_up["skipped"] == []
    assert "+y = box(box(x), box(2))\n" in follow_up["files"][0]["diff"]
    apply_plan(root, follow_up, tmp_path)
    done, nothing = plan_cli(root, "rewrite", *rewrite)
    assert nothing is None and done.code == 0 and "no changes found" in done.stdout


def test_json_is_the_stored_plan_and_diff_is_printed(tmp_path: Path) -> None:
    root = git_repo(tmp_path, {"t.py": "self.assertEqual(1, 2)\n"})
    as_json = run_patchgate("plan", "rewrite", *ASSERT_EQUAL, "--json", cwd=root)
    printed = json.loads(as_json.stdout)
    stored = json.loads((root / ".patchgate/plans" / f"{printed['id']}.json").read_text())
    assert printed == stored
    with_diff = run_patchgate("plan", "rewrite", *ASSERT_EQUAL, "--diff", cwd=root)
    assert with_diff.stdout.splitlines()[0] == printed["id"]
    assert "-self.assertEqual(1, 2)\n+assert 1 == 2\n" in with_diff.stdout
    both = run_patchgate("plan", "rewrite", *ASSERT_EQUAL, "--diff", "--json", cwd=root)
    assert "cannot be combined" in one_error_line(both)


def test_no_match_writes_no_plan(tmp_path: Path) -> None:
    root = git_repo(tmp_path, {"a.py": "x = 1\n"})
    run, plan = plan_cli(root, "rewrite", *ASSERT_EQUAL)
    assert run.code == 0 and plan is None
    assert run.stdout.strip() == "rewrite: no changes found (1 files searched); no plan written"
    assert not (root / ".patchgate" / "plans").exists()


def test_multiline_metavariables_and_other_languages(tmp_path: Path) -> None:
    root = git_repo(tmp_path, {
        "app.py": "def f():\n    print(\n        a,\n        b,\n    )\n",
        "web/app.js": "function f() {\n  console.log(a, b);\n}\n",
    })
    _, python = plan_cli(root, "rewrite", "--lang", "python", "--pattern", "print($$$ARGS)", "--fix", "log.info($$$ARGS)")
    assert python is not None and [f["path"] for f in python["files"]] == ["app.py"]
    assert "+    log.info(a,\n+    b,)\n" in python["files"][0]["diff"], "as `ast-grep run --rewrite` does"
    _, js = plan_cli(root, "rewrite", "--lang", "js", "--pattern", "console.log($$$A)", "--fix", "logger.debug($$$A)")
    assert js is not None and [f["path"] for f in js["files"]] == ["web/app.js"]
    apply_plan(root, python, tmp_path)
    apply_plan(root, js, tmp_path)


@pytest.mark.parametrize(("pattern", "fix"), [
    ("self.assertEqual($A, $B)", "assert $A == $B"),
    ("print($$$ARGS)", "log.info($$$ARGS)"),
    ("if $C: $$$BODY", "if not ($C):\n    pass\nelse:\n    $$$BODY"),
])
def test_result_agrees_with_ast_grep_run_rewrite(tmp_path: Path, pattern: str, fix: str) -> None:
    code = TESTS + "\n\ndef g(x):\n    if x:\n        print(x,\n              1)\n        return 2\n"
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "t.py").write_text(code, encoding="utf-8")
    sg = subprocess.run([AST_GREP, "run", "-l", "python", "-p", pattern, "-r", fix, "-U", "."], cwd=theirs,
                        capture_output=True, text=True)
    assert sg.returncode == 0, sg.stderr
    root = git_repo(tmp_path / "ours", {"t.py": code})
    _, plan = plan_cli(root, "rewrite", "--lang", "python", "--pattern", pattern, "--fix", fix)
    assert plan is not None
    apply_plan(root, plan, tmp_path)
    assert (root / "t.py").read_text(encoding="utf-8") == (theirs / "t.py").read_text(encoding="utf-8")


def test_worker_processes_give_the_same_plan(tmp_path: Path) -> None:
    files = {f"pkg/t{i:02}.py": f"def test(self):\n    self.assertEqual(f({i}), {i})\n" for i in range(40)}
    root = git_repo(tmp_path, files)
    _, serial = plan_cli(root, "rewrite", *ASSERT_EQUAL, "--jobs", "1")
    _, parallel = plan_cli(root, "rewrite", *ASSERT_EQUAL, "--jobs", "2")
    assert serial is not None and serial == parallel and serial["stats"]["files"] == 40
    apply_plan(root, parallel, tmp_path)


def test_paths_narrow_the_search(tmp_path: Path) -> None:
    root = git_repo(tmp_path, {"a/t.py": "self.assertEqual(1, 2)\n", "b/t.py": "self.assertEqual(1, 2)\n"})
    _, plan = plan_cli(root, "rewrite", *ASSERT_EQUAL, "b")
    assert plan is not None and [f["path"] for f in plan["files"]] == ["b/t.py"]


def test_bad_input_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    root = git_repo(tmp_path, {"a.py": "self.assertEqual(1, 2)\n"})
    before = tree_digest(root)
    cases = {
        ("--lang", "python", "--pattern", "self.assertEqual($A,", "--fix", "x"): "invalid pattern",
        ("--lang", "cobol", "--pattern", "x", "--fix", "y"): "unknown language 'cobol'",
        ("--lang", "python", "--pattern", "f($A)", "--fix", "g($B)"): "Undefined meta var `B`",
        ("--lang", "python", "--pattern", "", "--fix", "g()"): "pattern is empty",
        ("--lang", "python", "--pattern", "$A", "--fix", "g()"): "no syntax of its own",
        ("--lang", "python", "--pattern", "f()", "--fix", "g()", "missing/"): "path does not exist",
    }
    for args, expected in cases.items():
        line = one_error_line(run_patchgate("plan", "rewrite", *args, cwd=root))
        assert expected in line, line
    assert tree_digest(root) == before
    assert not (root / ".patchgate").exists()
