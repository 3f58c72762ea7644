"""`patchgate plan fix`: the fixes of a normal check run (config, selection, suppressions, cache) as a plan."""

from __future__ import annotations

from pathlib import Path

from conftest import run_patchgate
from test_plan_harness import apply_plan, git_repo, one_error_line, plan_cli

EQ_ZERO = """\
id: eq-zero
language: python
severity: warning
message: compare with 0
rule: {pattern: $X == 0}
fix: not $X
metadata: {safe_fix: true}
"""
LEN_CALL = """\
id: len-call
language: python
severity: warning
message: len() call
rule: {pattern: len($A)}
fix: size($A)
"""
EVAL_CALL = """\
id: eval-call
language: python
severity: error
message: eval is dangerous
rule: {pattern: eval($A)}
fix: ast.literal_eval($A)
metadata: {aliases: [S307], safe_fix: false}
"""
NO_EXIT = '''\
import libcst as cst

from patchgate.diagnostics.libcst_rule import Invalid, LibcstRule


class NoExit(LibcstRule):
    """exit() is for the REPL."""

    id = "no-exit"
    message = "use sys.exit()"
    SAFE_FIX = False
    INVALID = [Invalid("exit(1)\\n", "sys.exit(1)\\n")]

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "exit":
            self.report(node, fix=node.with_changes(func=cst.parse_expression("sys.exit")))
'''
CONFIG = 'rule-dirs = ["rules"]\nrule-modules = ["exitrule:NoExit"]\nselect = ["eq-zero", "len-call", "eval-call", "no-exit"]\n'
CODE = """\
def f(x, items):
    if len(items) == 0:
        return eval(x)
    if x == 0:  # patchgate: ignore[eq-zero]
        exit(1)
    return x == 0
"""


def project(root: Path) -> Path:
    """A repository with two safe ast-grep fixes that overlap, an unsafe one, and an unsafe libcst fix."""
    files = {"rules/eq-zero.yml": EQ_ZERO, "rules/len-call.yml": LEN_CALL, "rules/eval-call.yml": EVAL_CALL,
             "exitrule.py": NO_EXIT, "src/app.py": CODE}
    return git_repo(root, files, CONFIG)


def env(root: Path) -> dict[str, str]:
    return {"PYTHONPATH": str(root)}


def test_safe_fixes_only_overlaps_and_unsafe_listed(tmp_path: Path) -> None:
    root = project(tmp_path)
    run, plan = plan_cli(root, "fix", env=env(root))
    assert run.code == 0, run.stderr
    assert plan is not None and plan["planner"] == "fix" and plan["description"] == "safe fixes of the selected rules"
    diff = plan["files"][0]["diff"]
    assert "+    if size(items) == 0:\n" in diff, "the shorter of two fixes starting together is kept"
    assert "+    return not x\n" in diff
    assert "    if x == 0:  # patchgate: ignore[eq-zero]\n" in diff, "a suppressed finding is not fixed"
    reasons = {(s["source"], s["span"]["start_line"]): s["reason"] for s in plan["skipped"]}
    assert reasons == {
        ("eq-zero", 1): "overlaps a change kept at line 2; run the planner again to take it",
        ("eval-call", 2): "the rule marks this fix unsafe; pass --unsafe to take it",
        ("no-exit", 4): "the rule marks this fix unsafe; pass --unsafe to take it",
    }
    _, again = plan_cli(root, "fix", env=env(root))
    assert again == plan, "a warm (cached) run plans the same thing"
    apply_plan(root, plan, tmp_path)
    _, second = plan_cli(root, "fix", env=env(root))
    assert second is not None and "+    if not size(items):\n" in second["files"][0]["diff"]
    assert {s["source"] for s in second["skipped"]} == {"eval-call", "no-exit"}


def test_unsafe_takes_every_fix(tmp_path: Path) -> None:
    root = project(tmp_path)
    _, plan = plan_cli(root, "fix", "--unsafe", env=env(root))
    assert plan is not None and plan["description"] == "all fixes of the selected rules"
    diff = plan["files"][0]["diff"]
    assert "+        return ast.literal_eval(x)\n" in diff and "+        sys.exit(1)\n" in diff
    assert [s["source"] for s in plan["skipped"]] == ["eq-zero"]
    apply_plan(root, plan, tmp_path)


def test_rule_option_narrows_to_one_rule_by_id_or_alias(tmp_path: Path) -> None:
    root = project(tmp_path)
    _, plan = plan_cli(root, "fix", "--rule", "S307", "--unsafe", env=env(root))
    assert plan is not None and plan["description"] == "all fixes of S307"
    assert plan["stats"]["edits"] == 1 and plan["skipped"] == []
    run, nothing = plan_cli(root, "fix", "--rule", "eval-call", env=env(root))
    assert nothing is None and "no changes found" in run.stdout and "1 skipped" in run.stdout
    assert "pass --unsafe to take it" in run.stderr


def test_bad_input(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert "unknown rule selector 'no-such-rule'" in one_error_line(run_patchgate("plan", "fix", "--rule", "no-such-rule", cwd=root, env=env(root)))
    assert "does not exist" in one_error_line(run_patchgate("plan", "fix", "nowhere", cwd=root, env=env(root)))
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    assert "outside the workspace" in one_error_line(run_patchgate("plan", "fix", "src", str(outside), cwd=root, env=env(root)))
    assert not (root / ".patchgate" / "plans").exists()
