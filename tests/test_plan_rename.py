"""`patchgate plan rename`: a module-level name renamed by qualified name across a workspace."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import run_patchgate
from test_plan_harness import apply_plan, git_repo, one_error_line, plan_cli, tree_digest

WORKSPACE = {
    "src/pkg/__init__.py": 'from .mod import func\n\n__all__ = ["func"]\n',
    "src/pkg/mod.py": '''\
__all__ = ["func", "other"]


def func(x):
    return x + 1


def other():
    return func(2)


def unrelated():
    compute = 5  # the new name as a local that never meets func: no clash
    return compute
''',
    "src/pkg/user.py": '''\
from pkg.mod import func
from pkg.mod import func as f
from .mod import func as g
import pkg.mod
import pkg.mod as m
from pkg import mod


class Box:
    def func(self):
        return 10

    def call(self):
        return self.func()


def local():
    func = 3
    return func


def annotated(x: "func") -> int:
    return func(x)


obj = Box()
RESULT = [obj.func(), pkg.mod.func(1), m.func(1), mod.func(1), f(1), g(1), func(1), local()]
''',
    "src/pkg/via_package.py": "import pkg\nfrom pkg import func\n\nBOTH = (pkg.func(1), func(2))\n",
    "src/other/__init__.py": "",
    "src/other/helpers.py": "def func():\n    return 0\n\n\nVALUE = func()\n",
    "tests/test_use.py": "from pkg.mod import func\n\n\ndef test_it():\n    assert func(1) == 2\n",
}


def run_python(root: Path, code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                          env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_renames_definition_imports_aliases_and_attribute_uses(tmp_path: Path) -> None:
    root = git_repo(tmp_path, WORKSPACE)
    before = run_python(root, "import pkg.user, pkg.via_package; print(pkg.user.RESULT, pkg.via_package.BOTH)")
    run, plan = plan_cli(root, "rename", "pkg.mod.func", "compute")
    assert run.code == 0, run.stderr
    assert plan is not None and plan["description"] == "rename pkg.mod.func to compute"
    diffs = {item["path"]: item["diff"] for item in plan["files"]}
    assert sorted(diffs) == ["src/pkg/__init__.py", "src/pkg/mod.py", "src/pkg/user.py", "src/pkg/via_package.py",
                             "tests/test_use.py"], "another module's `func` is untouched"
    assert "+def compute(x):\n" in diffs["src/pkg/mod.py"] and "+    return compute(2)\n" in diffs["src/pkg/mod.py"]
    assert '+__all__ = ["compute", "other"]\n' in diffs["src/pkg/mod.py"]
    user = diffs["src/pkg/user.py"]
    assert "+from pkg.mod import compute as f\n" in user and "+from .mod import compute as g\n" in user
    assert "+RESULT = [obj.func(), pkg.mod.compute(1), m.compute(1), mod.compute(1), f(1), g(1), compute(1), local()]\n" in user
    assert "def func(self)" not in user and "    func = 3" not in user, "a method and a local of the same name stay"
    assert '+from .mod import compute\n \n-__all__ = ["func"]\n+__all__ = ["compute"]\n' in diffs["src/pkg/__init__.py"]
    assert "+BOTH = (pkg.compute(1), compute(2))\n" in diffs["src/pkg/via_package.py"], "re-exports are followed"
    (skipped,) = plan["skipped"]
    assert skipped["path"] == "src/pkg/user.py" and skipped["span"]["start_line"] == 21
    assert skipped["reason"] == "a reference inside a string (annotation); edit it by hand"
    apply_plan(root, plan, tmp_path)
    after = run_python(root, "import pkg.user, pkg.via_package; print(pkg.user.RESULT, pkg.via_package.BOTH)")
    assert after == before


def test_a_class_and_a_module_level_assignment(tmp_path: Path) -> None:
    root = git_repo(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": "class Widget:\n    pass\n\n\nLIMIT = 3\n\n\ndef make():\n    return Widget()\n",
        "app/views.py": "from app import models\nfrom app.models import LIMIT\n\n\ndef view(x):\n    return isinstance(x, models.Widget), LIMIT\n",
    })
    _, widget = plan_cli(root, "rename", "app.models.Widget", "Gadget")
    assert widget is not None and widget["stats"]["edits"] == 3
    apply_plan(root, widget, tmp_path)
    _, limit = plan_cli(root, "rename", "app.models.LIMIT", "MAX_ITEMS")
    assert limit is not None and "+from app.models import MAX_ITEMS\n" in "".join(f["diff"] for f in limit["files"])
    apply_plan(root, limit, tmp_path)
    assert run_python(root, "import sys; sys.path.insert(0, '.'); import app.views as v, app.models as m; print(v.view(m.make()))") == "(True, 3)"


def test_global_statements_and_nested_functions_follow_the_module_binding(tmp_path: Path) -> None:
    code = "counter = 0\n\n\ndef bump():\n    global counter\n    counter += 1\n\n    def read():\n        return counter\n    return read()\n"
    root = git_repo(tmp_path, {"state.py": code, "use.py": "import state\n\nstate.bump()\nprint(state.counter)\n"})
    _, plan = plan_cli(root, "rename", "state.counter", "total")
    assert plan is not None
    diffs = "".join(item["diff"] for item in plan["files"])
    for line in ("+total = 0\n", "+    global total\n", "+    total += 1\n", "+        return total\n", "+print(state.total)\n"):
        assert line in diffs, line
    apply_plan(root, plan, tmp_path)
    assert subprocess.run([sys.executable, "use.py"], cwd=root, capture_output=True, text=True, check=True).stdout == "1\n"


def test_a_clash_with_an_existing_name_is_refused_with_its_place(tmp_path: Path) -> None:
    in_definer = {**WORKSPACE, "src/pkg/mod.py": WORKSPACE["src/pkg/mod.py"] + "\n\ncompute = None\n"}
    root = git_repo(tmp_path / "a", in_definer)
    line = one_error_line(run_patchgate("plan", "rename", "pkg.mod.func", "compute", cwd=root))
    assert line == "patchgate: error: `compute` already exists where `pkg.mod.func` would be renamed: src/pkg/mod.py:17"
    importer = {**WORKSPACE, "tests/test_use.py": "from pkg.mod import func\n\n\ndef test_it():\n    compute = 1\n    assert func(compute) == 2\n"}
    root = git_repo(tmp_path / "b", importer)
    line = one_error_line(run_patchgate("plan", "rename", "pkg.mod.func", "compute", cwd=root))
    assert line.endswith("would be renamed: tests/test_use.py:5")
    assert not (root / ".patchgate").exists()


def test_files_libcst_cannot_read_are_listed_not_fatal(tmp_path: Path) -> None:
    broken = {"src/pkg/broken.py": "from pkg.mod import func\ndef (:\n", "src/pkg/deep.py": "func = " + "[" * 3000 + "]" * 3000 + "\n"}
    root = git_repo(tmp_path, {**WORKSPACE, **broken})
    run, plan = plan_cli(root, "rename", "pkg.mod.func", "compute")
    assert plan is not None and run.code == 0
    assert {s["path"]: s["reason"] for s in plan["skipped"] if s["reason"].startswith("not planned")} == {
        "src/pkg/broken.py": "not planned: libcst cannot parse it: syntax error at line 2",
        "src/pkg/deep.py": "not planned: code nested too deeply for libcst",
    }
    assert "failed: src/pkg/broken.py: libcst cannot parse it" in run.stderr


def test_star_import_use_is_refused(tmp_path: Path) -> None:
    root = git_repo(tmp_path, {**WORKSPACE, "src/pkg/star.py": "from pkg.mod import *\n\nVALUE = func(1)\n"})
    line = one_error_line(run_patchgate("plan", "rename", "pkg.mod.func", "compute", cwd=root))
    assert "src/pkg/star.py:3: uses `func` through `from pkg.mod import *`" in line


def test_bad_names_are_one_line(tmp_path: Path) -> None:
    root = git_repo(tmp_path, WORKSPACE)
    before = tree_digest(root)
    cases = {
        ("func", "compute"): "is not a qualified name",
        ("pkg.mod.func", "a.b"): "is not a valid Python identifier",
        ("pkg.mod.func", "class"): "is not a valid Python identifier",
        ("pkg.mod.func", "func"): "is already called `func`",
        ("pkg.nowhere.func", "compute"): "no module `pkg.nowhere` among the files planned",
        ("pkg.mod.missing", "compute"): "src/pkg/mod.py defines no module-level `missing`",
        ("pkg.func", "compute"): "`pkg.func` is imported from `pkg.mod.func` in src/pkg/__init__.py",
        ("pkg.mod", "renamed"): "`pkg.mod` is a module",
    }
    for args, expected in cases.items():
        line = one_error_line(run_patchgate("plan", "rename", *args, cwd=root))
        assert expected in line, line
    assert "--source-root nowhere: not a folder" in one_error_line(
        run_patchgate("plan", "rename", "pkg.mod.func", "x", "--source-root", "nowhere", cwd=root))
    assert tree_digest(root) == before and not (root / ".patchgate").exists()


def test_namespace_packages_need_a_source_root(tmp_path: Path) -> None:
    root = git_repo(tmp_path, {"src/ns/tool.py": "def run():\n    return 1\n", "src/ns/cli.py": "from ns.tool import run\n\nrun()\n"})
    assert "no module `ns.tool`" in one_error_line(run_patchgate("plan", "rename", "ns.tool.run", "start", cwd=root))
    _, plan = plan_cli(root, "rename", "ns.tool.run", "start", "--source-root", "src")
    assert plan is not None and plan["stats"]["files"] == 2
