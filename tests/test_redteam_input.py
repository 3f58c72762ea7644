"""Red team, issue 8, bad input: deeply nested JSON and TOML, and diffs whose file names git reads differently.

Bad input is exit 40 with one line and nothing written; a diff writes the file `git apply`
would write, or is refused with one line. Nothing here is run: patches are only decided on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from conftest import run_patchgate, write_files
from test_connect_plan_cli import assert_bad_input, tree_digest
from patchgate.connect.candidates.patch import patch_rewrites
from patchgate.connect.models import ContextPack
from patchgate.diagnostics.errors import InputError
from patchgate.rewrites.models import RewritePlan
from patchgate.rewrites.store import parse_plan

DEPTH = 100_000


def deep(opening: str, closing: str, inner: str = "1") -> str:
    return opening * DEPTH + inner + closing * DEPTH


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / ".git").mkdir(parents=True)
    return write_files(root, {"pyproject.toml": "[tool.patchgate.connect]\nprotected-paths = []\n",
                              "x": "old\n", "src/a.py": "A = 1\n", "README.md": "hello\n"})


# --- deeply nested input ---------------------------------------------------------------------------------

DEEP_PLANS = {
    "array": deep("[", "]", ""),
    "object": deep('{"a":', "}"),
    "in-files": '{"id": "x", "files": ' + deep("[", "]", "") + "}",
    "in-a-path": '{"id": "x", "files": [{"path": ' + deep('{"a":', "}") + "}]}",
}


@pytest.mark.parametrize("shape", list(DEEP_PLANS))
def test_a_deep_plan_file_is_one_line_exit_40(ws: Path, shape: str) -> None:
    plan = ws.parent / "deep.json"
    plan.write_text(DEEP_PLANS[shape], encoding="utf-8")
    before = tree_digest(ws)
    run = run_patchgate("connect", "plan", "--task", "T", "--plan", str(plan), cwd=ws)
    assert_bad_input(run, "nested too deeply")
    assert tree_digest(ws) == before


def test_a_deep_plan_in_the_plan_store_is_one_line_exit_40(ws: Path) -> None:
    store = ws / ".patchgate" / "plans"
    store.mkdir(parents=True)
    (store / ("ab" * 32 + ".json")).write_text(DEEP_PLANS["in-files"], encoding="utf-8")
    run = run_patchgate("connect", "plan", "--task", "T", "--plan", "abab", cwd=ws)
    assert_bad_input(run, "nested too deeply")


def test_parse_plan_turns_recursion_into_input_error() -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        parse_plan(DEEP_PLANS["object"], "p.json")


@pytest.mark.parametrize("model", [ContextPack, RewritePlan])
def test_pydantic_json_parsing_refuses_deep_input_without_recursion(model: type) -> None:
    with pytest.raises(ValidationError, match="recursion limit"):
        model.model_validate_json('{"id": ' + deep("[", "]", "") + "}")


def test_a_deep_stored_decision_file_is_one_line_exit_40(ws: Path) -> None:
    (ws / "content.txt").write_text("A = 2\n", encoding="utf-8")
    run = run_patchgate("connect", "plan", "--task", "T", "--json", "--write", "src/a.py", "--content-file",
                        str(ws / "content.txt"), cwd=ws)
    decision = json.loads(run.stdout)["decision_id"]
    (ws / ".patchgate" / "decisions" / decision / "context.json").write_text(deep("[", "]", ""), encoding="utf-8")
    assert_bad_input(run_patchgate("connect", "review", "show", decision, cwd=ws), "context.json")


@pytest.mark.parametrize("value", [deep("[", "]", ""), deep("{a=", "}")], ids=["array", "inline-table"])
def test_a_deep_config_is_one_line_exit_40(ws: Path, value: str) -> None:
    (ws / "patchgate.toml").write_text(f"select = {value}\n", encoding="utf-8")
    assert_bad_input(run_patchgate("connect", "context", "--task", "T", cwd=ws), "nested too deeply")


# --- diffs: the file git apply would write ---------------------------------------------------------------

def rewrites(ws: Path, text: str) -> dict[str, tuple[bool, bool]]:
    """path -> (exists before, exists after) for every file the patch changes."""
    files, _ = patch_rewrites(text, "p.diff", ws)
    return {f.path: (f.base_sha256 is not None, f.after_sha256 is not None) for f in files}


@pytest.mark.parametrize(("text", "expected"), [
    ("--- /dev/null\n+++ b/new.py\n@@ -0,0 +1 @@\n+N = 1\n", {"new.py": (False, True)}),
    ("--- /dev/null\n+++ b/src/new.py\n@@ -0,0 +1 @@\n+N = 1\n", {"src/new.py": (False, True)}),
    ("--- a/x\n+++ /dev/null\n@@ -1 +0,0 @@\n-old\n", {"x": (True, False)}),
    ("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n", {"x": (True, True)}),
    ("--- x\n+++ x\n@@ -1 +1 @@\n-old\n+new\n", {"x": (True, True)}),
    ("--- x.orig\n+++ x\n@@ -1 +1 @@\n-old\n+new\n", {"x": (True, True)}),
    ("--- x\n+++ x.new\n@@ -1 +1 @@\n-old\n+new\n", {"x": (True, True)}),
    ("--- /dev/null\n+++ fresh\n@@ -0,0 +1 @@\n+f\n", {"fresh": (False, True)}),
    ("--- fresh\t1970-01-01 00:00:00.000000000 +0000\n+++ fresh\t2024-05-01 10:00:00.0 +0000\n"
     "@@ -0,0 +1 @@\n+f\n", {"fresh": (False, True)}),
    ("--- x\t2024-05-01 10:00:00.0 +0000\n+++ x\t1969-12-31 19:00:00.000000000 -0500\n@@ -1 +0,0 @@\n-old\n",
     {"x": (True, False)}),
    ("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n", {"x": (True, True)}),
    ("diff --git a/n.py b/n.py\nnew file mode 100644\n--- /dev/null\n+++ b/n.py\n@@ -0,0 +1 @@\n+n\n",
     {"n.py": (False, True)}),
    ("diff --git a/x b/x\ndeleted file mode 100644\n--- a/x\n+++ /dev/null\n@@ -1 +0,0 @@\n-old\n", {"x": (True, False)}),
    ("diff --git a/empty b/empty\nnew file mode 100644\nindex 0000000..e69de29\n", {"empty": (False, True)}),
    ('diff --git "a/\\303\\244 b.txt" "b/\\303\\244 b.txt"\nnew file mode 100755\n--- /dev/null\n'
     '+++ "b/\\303\\244 b.txt"\n@@ -0,0 +1 @@\n+x\n', {"\u00e4 b.txt": (False, True)}),
    ("diff --git i/x w/x\n--- i/x\n+++ w/x\n@@ -1 +1 @@\n-old\n+new\n", {"x": (True, True)}),
], ids=["devnull-b", "devnull-b-nested", "a-devnull", "a-b", "p0", "orig", "new-suffix", "p0-create",
        "epoch-create", "epoch-delete", "git", "git-create", "git-delete", "git-empty", "git-quoted", "mnemonic"])
def test_a_diff_writes_the_file_git_apply_would(ws: Path, text: str, expected: dict[str, tuple[bool, bool]]) -> None:
    assert rewrites(ws, text) == expected
    assert not (ws / "b").exists()


def test_cli_devnull_diff_creates_x_not_b_x(ws: Path) -> None:
    (ws.parent / "c.diff").write_text("--- /dev/null\n+++ b/made.py\n@@ -0,0 +1 @@\n+M = 1\n", encoding="utf-8")
    run = run_patchgate("connect", "plan", "--task", "T", "--json", "--patch", str(ws.parent / "c.diff"), cwd=ws)
    verdict = json.loads(run.stdout)
    assert run.code == 0 and verdict["impacted_paths"] == ["made.py"], run
    plan = json.loads((ws / ".patchgate" / "decisions" / verdict["decision_id"] / "plan.json").read_text())
    assert [f["path"] for f in plan["files"]] == ["made.py"] and not (ws / "made.py").exists()


def test_cli_devnull_diff_into_git_is_denied_where_git_would_write(ws: Path) -> None:
    (ws.parent / "g.diff").write_text("--- /dev/null\n+++ b/.git/hooks/post-checkout\n@@ -0,0 +1 @@\n+#!/bin/sh\n",
                                      encoding="utf-8")
    run = run_patchgate("connect", "plan", "--task", "T", "--json", "--patch", str(ws.parent / "g.diff"), cwd=ws)
    verdict = json.loads(run.stdout)
    assert run.code == 30 and verdict["impacted_paths"] == [".git/hooks/post-checkout"], run


@pytest.mark.parametrize(("text", "needle"), [
    ("diff --git a/x b/y\nsimilarity index 100%\nrename from x\nrename to y\n", "renames and copies"),
    ("diff --git a/x b/y\nsimilarity index 90%\ncopy from x\ncopy to y\n--- a/x\n+++ b/y\n@@ -1 +1 @@\n-old\n+new\n",
     "renames and copies"),
    ("diff --git a/img.png b/img.png\nindex 1111111..2222222 100644\nGIT binary patch\nliteral 1\nIcmZo*0ssIB\n\n",
     "binary"),
    ("diff --git a/img.png b/img.png\nBinary files a/img.png and b/img.png differ\n", "binary"),
    ("diff --git a/l b/l\nnew file mode 120000\n--- /dev/null\n+++ b/l\n@@ -0,0 +1 @@\n+/etc/passwd\n", "120000"),
    ("diff --git a/m b/m\nnew file mode 160000\n--- /dev/null\n+++ b/m\n@@ -0,0 +1 @@\n+Subproject commit 1\n",
     "160000"),
    ("diff --git a/x b/x\nold mode 100644\nnew mode 100755\n", "mode changes"),
    ("diff --git a/x b/x\n--- a/x\n+++ b/y\n@@ -1 +1 @@\n-old\n+new\n", "+++ b/y"),
    ("diff --git a/x b/x\n--- a/src/a.py\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n", "without a rename"),
    ("diff --git a/README.md b/x\n--- a/README.md\n+++ b/x\n@@ -1 +1 @@\n-hello\n+bye\n", "(README.md, x)"),
    ("--- /dev/null\n+++ /abs/evil\n@@ -0,0 +1 @@\n+x\n", "cannot find a file name"),
    ("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+y\n", "x is changed twice"),
    ("--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+y\n", "x already exists"),
    ('diff --git "a/\\377" "b/\\377"\nnew file mode 100644\n--- /dev/null\n+++ "b/\\377"\n@@ -0,0 +1 @@\n+x\n',
     "not valid UTF-8"),
], ids=["rename", "copy", "git-binary", "binary-differ", "symlink", "submodule", "mode-change", "git-target-mismatch",
        "git-two-files", "git-header-mismatch", "absolute", "twice", "create-existing",
        "bad-utf8-name"])
def test_patches_git_would_read_otherwise_are_refused_with_one_line(ws: Path, text: str, needle: str) -> None:
    patch = ws.parent / "bad.diff"
    patch.write_text(text, encoding="utf-8")
    before = tree_digest(ws)
    run = run_patchgate("connect", "plan", "--task", "T", "--patch", str(patch), cwd=ws)
    assert_bad_input(run, needle)
    assert tree_digest(ws) == before and not (ws / ".patchgate").exists()


def test_the_cli_boundary_turns_any_unguarded_recursion_into_exit_40(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader added later without its own guard (a hook payload, say) still gives one line and exit 40."""
    from click.testing import CliRunner

    import patchgate.connect.candidates.submission as candidates
    from patchgate.cli.main import cli

    def too_deep(command: str) -> None:
        raise RecursionError("maximum recursion depth exceeded while decoding a JSON array")

    monkeypatch.setattr(candidates, "from_command", too_deep)
    monkeypatch.chdir(ws)
    result = CliRunner().invoke(cli, ["connect", "plan", "--task", "T", "--command", "ls"])
    assert result.exit_code == 40, result.output
    assert "nested too deeply" in result.output and "Traceback" not in result.output
