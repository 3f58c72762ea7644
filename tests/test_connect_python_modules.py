"""Check python-modules: a plan after which a touched module no longer compiles or imports is not permitted.

Driven through `patchgate plan ...` and `patchgate connect plan --plan ...` on small packages in git repos.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Run, run_patchgate
from test_plan_harness import git_repo, plan_cli, tree_digest

PACKAGE = {
    "src/pkg/__init__.py": "from .errors import Error\n",
    "src/pkg/shims.py": "from json import JSONDecodeError\n",
    "src/pkg/errors.py": "from .shims import JSONDecodeError\n\nclass Error(JSONDecodeError):\n    pass\n",
}


def decide(root: Path, plan_id: str) -> tuple[Run, dict]:
    run = run_patchgate("connect", "plan", "--task", "T-9", "--json", "--plan", plan_id, cwd=root)
    assert run.code in (0, 10, 20, 30), run
    return run, json.loads(run.stdout)


def check(verdict: dict, check_id: str) -> dict:
    return next(c for c in verdict["checks"] if c["id"] == check_id)


def unsafe_fix_plan(root: Path) -> str:
    run, plan = plan_cli(root, "fix", "--no-cache", "--unsafe")
    assert run.code == 0 and plan is not None and [f["path"] for f in plan["files"]] == ["src/pkg/shims.py"], run
    return plan["id"]


def test_a_fix_that_breaks_an_import_is_sent_back(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo", PACKAGE)
    before = tree_digest(root)
    run, verdict = decide(root, unsafe_fix_plan(root))
    assert run.code == 10 and verdict["verdict"] == "rewrite", verdict
    detail = check(verdict, "python-modules")["detail"]
    assert "src/pkg/shims.py: import pkg.shims fails: ImportError: cannot import name 'JSONDecodeError'" in detail
    assert "patchgate-scratch" not in detail
    assert tree_digest(root) == before and not list(root.rglob("__pycache__"))


def test_the_safe_fix_plan_is_permitted(tmp_path: Path) -> None:
    errors = "import os\n" + PACKAGE["src/pkg/errors.py"]  # shims passes its imports on: its own stay
    root = git_repo(tmp_path / "repo", {**PACKAGE, "src/pkg/errors.py": errors})
    run, plan = plan_cli(root, "fix", "--no-cache")
    assert plan is not None and [f["path"] for f in plan["files"]] == ["src/pkg/errors.py"], run
    assert "removes `JSONDecodeError`, which src/pkg/errors.py imports" in run.stderr, run
    run, verdict = decide(root, plan["id"])
    assert run.code == 0 and check(verdict, "python-modules") == {
        "id": "python-modules", "status": "pass", "detail": "compiled 1 Python file(s), imported 1", "verdict": "permit"}


def test_a_rewrite_that_no_longer_compiles_is_sent_back(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo", {"tool.py": "def main():\n    return 1\n\nprint(main())\n"})
    run, plan = plan_cli(root, "rewrite", "--lang", "python", "--pattern", "print($A)", "--fix", "return $A")
    assert plan is not None, run
    run, verdict = decide(root, plan["id"])
    assert run.code == 10, verdict
    assert check(verdict, "python-modules")["detail"] == "1 broken: tool.py:4: SyntaxError: 'return' outside function"


def test_threshold_and_import_switch_come_from_the_policy(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo", PACKAGE, config="[connect]\nthresholds = { broken-python-module = \"require_review\" }\n")
    plan_id = unsafe_fix_plan(root)
    run, verdict = decide(root, plan_id)
    assert run.code == 20 and check(verdict, "python-modules")["verdict"] == "require_review", verdict
    (root / "patchgate.toml").write_text("[connect]\nimport-check = false\n", encoding="utf-8")
    run, verdict = decide(root, plan_id)
    assert run.code == 0 and check(verdict, "python-modules")["detail"] == "compiled 1 Python file(s)", verdict


def test_imports_run_in_the_scratch_copy_and_old_failures_do_not_count(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/side.py": "import os\nopen('imported.txt', 'w').write(os.getcwd())\n",
        "pkg/needs.py": "import os\nimport no_such_dependency_here\n",
    }
    root = git_repo(tmp_path / "repo", files)
    run, plan = plan_cli(root, "fix", "--no-cache")
    assert plan is not None and {f["path"] for f in plan["files"]} == {"pkg/needs.py"}, run
    run, verdict = decide(root, plan["id"])
    assert run.code == 0 and check(verdict, "python-modules")["status"] == "pass", verdict
    run, plan = plan_cli(root, "rewrite", "--lang", "python", "--pattern", "os.getcwd()", "--fix", "os.getcwd() + '!'")
    assert plan is not None, run
    run, verdict = decide(root, plan["id"])
    assert run.code == 0 and check(verdict, "python-modules")["detail"].endswith("imported 1"), verdict
    assert not (root / "imported.txt").exists() and not (root / "pkg" / "imported.txt").exists()


def test_a_package_init_that_fails_at_import_is_named(tmp_path: Path) -> None:
    files = {"pkg/__init__.py": "from .core import value\nTOTAL = value(1)\n", "pkg/core.py": "def value(x):\n    return x\n"}
    root = git_repo(tmp_path / "repo", files)
    run, plan = plan_cli(root, "rewrite", "--lang", "python", "--pattern", "value($A)", "--fix", "valeu($A)", "pkg/__init__.py")
    assert plan is not None, run
    run, verdict = decide(root, plan["id"])
    detail = check(verdict, "python-modules")["detail"]
    assert run.code == 10 and detail == "1 broken: pkg/__init__.py: import pkg fails: NameError: name 'valeu' is not defined", verdict
