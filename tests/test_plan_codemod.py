"""`patchgate plan codemod`: a user's CodemodCommand and LibCST's built-ins, planned over processes."""

from __future__ import annotations

from pathlib import Path

from conftest import run_patchgate
from test_plan_harness import apply_plan, git_repo, one_error_line, plan_cli, tree_digest

RENAME_CALLS = '''\
import argparse

import libcst as cst
from libcst.codemod import CodemodCommand, SkipFile, VisitorBasedCodemodCommand


class RenameCalls(VisitorBasedCodemodCommand):
    DESCRIPTION = "Rename calls of one function."

    @staticmethod
    def add_args(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--old", required=True)
        parser.add_argument("--new", required=True)

    def __init__(self, context, old: str, new: str) -> None:
        super().__init__(context)
        self.old, self.new = old, new

    def visit_Module(self, node: cst.Module) -> None:
        if "codemod: skip" in node.code:
            raise SkipFile("asked to skip")
        if "codemod: explode" in node.code:
            raise RuntimeError("boom in " + self.context.full_module_name)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if isinstance(updated.func, cst.Name) and updated.func.value == self.old:
            return updated.with_changes(func=cst.Name(self.new))
        return updated


class NotACommand:
    pass
'''


def project(root: Path, extra: dict[str, str] | None = None) -> Path:
    files = {"tools/my_codemods.py": RENAME_CALLS, "src/pkg/__init__.py": "", "src/pkg/a.py": "x = old(1)\ny = other(old)\n"}
    return git_repo(root, {**files, **(extra or {})})


def test_user_codemod_with_its_own_arguments(tmp_path: Path) -> None:
    root = project(tmp_path, {"src/pkg/b.py": "# codemod: skip\nold()\n", "src/pkg/c.py": "# codemod: explode\nold()\n",
                              "src/pkg/broken.py": "def (:\n", "src/pkg/deep.py": "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n"})
    env = {"PYTHONPATH": str(root / "tools")}
    run, plan = plan_cli(root, "codemod", "my_codemods.RenameCalls", "--old", "old", "--new", "new", "src", env=env)
    assert run.code == 0, run.stderr
    assert plan is not None and plan["planner"] == "codemod"
    assert plan["description"] == "codemod my_codemods:RenameCalls (new='new' old='old')"
    assert [f["path"] for f in plan["files"]] == ["src/pkg/a.py"]
    assert plan["files"][0]["diff"].endswith("-x = old(1)\n+x = new(1)\n y = other(old)\n")
    failed = {s["path"]: s["reason"] for s in plan["skipped"]}
    assert failed["src/pkg/c.py"] == "not planned: the codemod failed: RuntimeError: boom in pkg.c", "module names reach the codemod"
    assert failed["src/pkg/broken.py"].startswith("not planned: the codemod failed: ParserSyntaxError")
    assert failed["src/pkg/deep.py"] == "not planned: code nested too deeply for libcst to parse safely"
    assert "note: src/pkg/b.py: skipped by the codemod: asked to skip" in run.stderr
    assert "failed: src/pkg/c.py: the codemod failed: RuntimeError: boom in pkg.c" in run.stderr
    apply_plan(root, plan, tmp_path)


def test_module_is_found_from_the_current_directory_and_runs_in_processes(tmp_path: Path) -> None:
    many = {f"src/pkg/m{i:02}.py": f"value = old({i})\n" for i in range(40)}
    root = project(tmp_path, many)
    (root / "my_codemods.py").write_text(RENAME_CALLS, encoding="utf-8")
    args = ["codemod", "my_codemods.RenameCalls", "--old", "old", "--new", "new"]
    _, serial = plan_cli(root, *args, "--jobs", "1")
    _, parallel = plan_cli(root, *args, "--jobs", "2")
    assert serial is not None and serial == parallel and serial["stats"]["files"] == 41


def test_libcst_builtin_command(tmp_path: Path) -> None:
    root = git_repo(tmp_path, {"a.py": 'name = "{} and {}".format(a, b)\nplain = "text"\n'})
    for spec in ("libcst.codemod.commands.convert_format_to_fstring.ConvertFormatStringCommand",
                 "convert_format_to_fstring.ConvertFormatStringCommand"):
        run, plan = plan_cli(root, "codemod", spec, "--diff")
        assert plan is not None, run.stderr
        assert '+name = f"{a} and {b}"\n' in run.stdout
    apply_plan(root, plan, tmp_path)


def test_bad_codemods_are_one_line(tmp_path: Path) -> None:
    root = project(tmp_path)
    env = {"PYTHONPATH": str(root / "tools")}
    before = tree_digest(root)
    cases = {
        ("no_such_module.Command",): "no module `no_such_module`",
        ("my_codemods.Missing",): "has no `Missing`",
        ("my_codemods.NotACommand",): "not a libcst CodemodCommand",
        ("libcst.codemod.CodemodCommand",): "is abstract",
        ("NoDots",): "expected `package.module.CommandClass`",
        ("my_codemods.RenameCalls", "--old", "x"): "the following arguments are required: --new",
        ("my_codemods.RenameCalls", "--old", "x", "--new", "y", "--unknown"): "unrecognized arguments: --unknown",
    }
    for args, expected in cases.items():
        line = one_error_line(run_patchgate("plan", "codemod", *args, cwd=root, env=env))
        assert expected in line, line
    assert tree_digest(root) == before and not (root / ".patchgate").exists()
