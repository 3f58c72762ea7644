"""Candidates through `patchgate connect plan`: patches, stored plans, and bad input (exit 40, nothing written)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import run_patchgate
from test_connect_plan_cli import assert_bad_input, check, plan, repo, tree_digest  # noqa: F401  (fixture)
from patchgate.rewrites.edits import assemble_plan, file_rewrite_for_text
from patchgate.rewrites.store import save_plan


def git_diff(root: Path, *args: str) -> str:
    """The diff git itself produces for the working tree, after which the tree is restored."""
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    done = subprocess.run(["git", "diff", "--cached", "-M", *args], cwd=root, check=True, capture_output=True, text=True)
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=root, check=True)
    subprocess.run(["git", "clean", "-qfd"], cwd=root, check=True)
    return done.stdout


def patch_file(root: Path, text: str) -> str:
    path = root.parent / "change.diff"
    path.write_text(text, encoding="utf-8")
    return str(path)


def stored_plan(root: Path, decision_id: str) -> dict:
    return json.loads((root / ".patchgate" / "decisions" / decision_id / "plan.json").read_text(encoding="utf-8"))


def test_git_patch_with_new_deleted_and_moved_files(repo: Path) -> None:
    (repo / "src/app.py").write_text("def add(a, b):\n    return b + a\n", encoding="utf-8")
    (repo / "src/new.py").write_text("NEW = 1\n", encoding="utf-8")
    (repo / "README.md").unlink()
    (repo / "gen/out.py").rename(repo / "gen/renamed.py")
    diff = git_diff(repo, "--no-renames")  # a move as a deletion and a creation; rename headers are refused
    before = tree_digest(repo)
    run, verdict = plan(repo, "--patch", patch_file(repo, diff))
    assert verdict["impacted_paths"] == ["README.md", "gen/out.py", "gen/renamed.py", "src/app.py", "src/new.py"]
    assert run.code == 20 and check(verdict, "large-change")["status"] == "fail", verdict  # 5 files > 3
    assert check(verdict, "generated-path")["status"] == "fail"
    files = {f["path"]: f for f in stored_plan(repo, verdict["decision_id"])["files"]}
    assert files["README.md"]["after_sha256"] is None and files["src/new.py"]["base_sha256"] is None
    assert files["gen/out.py"]["after_sha256"] is None and files["gen/renamed.py"]["base_sha256"] is None
    assert tree_digest(repo) != before and (repo / "README.md").exists(), "only .patchgate changed"


def test_patch_without_final_newline_and_plain_diff_u(repo: Path) -> None:
    (repo / "README.md").write_text("hello\nworld", encoding="utf-8")
    run, verdict = plan(repo, "--patch", patch_file(repo, git_diff(repo)))
    assert run.code == 0, verdict
    plain = "--- README.md.orig\n+++ README.md\n@@ -1 +1 @@\n-hello\n+goodbye\n"
    run, verdict = plan(repo, "--patch", patch_file(repo, plain))
    assert run.code == 0 and verdict["impacted_paths"] == ["README.md"], verdict


def test_patch_that_leaves_the_workspace_is_denied(repo: Path) -> None:
    text = "--- a/../evil.py\n+++ b/../evil.py\n@@ -0,0 +1 @@\n+x = 1\n"
    run, verdict = plan(repo, "--patch", patch_file(repo, "diff --git a/../evil.py b/../evil.py\nnew file mode 100644\n"
                                                    + text.replace("--- a/../evil.py", "--- /dev/null")))
    assert run.code == 30 and "../evil.py" in check(verdict, "path-escape")["detail"], verdict
    assert not (repo.parent / "evil.py").exists()


@pytest.mark.parametrize(("text", "needle"), [
    ("--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-not the content\n+x\n", "does not apply to README.md at line 1"),
    ("--- a/missing.py\n+++ b/missing.py\n@@ -1 +1 @@\n-x\n+y\n", "missing.py does not exist"),
    ("diff --git a/img.png b/img.png\nBinary files a/img.png and b/img.png differ\n", "binary"),
    ("this is not a diff\n", "no file changes"),
    ("diff --git a/src/app.py b/src/app.py\nnew file mode 100644\n--- /dev/null\n+++ b/src/app.py\n@@ -0,0 +1 @@\n+x\n",
     "already exists"),
], ids=["wrong-context", "missing-file", "binary", "not-a-diff", "create-existing"])
def test_patch_that_does_not_apply_is_bad_input(repo: Path, text: str, needle: str) -> None:
    before = tree_digest(repo)
    run = run_patchgate("connect", "plan", "--task", "T", "--patch", patch_file(repo, text), cwd=repo)
    assert_bad_input(run, needle)
    assert tree_digest(repo) == before and not (repo / ".patchgate").exists()


def make_plan(root: Path, path: str, after: str) -> dict:
    before = (root / path).read_text(encoding="utf-8")
    return assemble_plan("fix", "test plan", [file_rewrite_for_text(path, before, after)], []).model_dump(mode="json")


def test_plan_by_file_and_by_id(repo: Path) -> None:
    data = make_plan(repo, "src/app.py", "def add(a, b):\n    return a + b  # sum\n")
    plan_path = repo.parent / "plan.json"
    plan_path.write_text(json.dumps(data), encoding="utf-8")
    run, verdict = plan(repo, "--plan", str(plan_path))
    assert run.code == 0 and verdict["plan_digest"] == data["id"], verdict
    from patchgate.rewrites.models import RewritePlan

    save_plan(RewritePlan.model_validate(data), repo)
    run, verdict = plan(repo, "--plan", data["id"][:12])
    assert run.code == 0 and verdict["plan_digest"] == data["id"], verdict


def test_stale_plan_asks_for_a_rewrite_without_verifying(repo: Path) -> None:
    data = make_plan(repo, "src/app.py", "X = 1\n")
    (repo / "src/app.py").write_text("changed = True\n", encoding="utf-8")
    plan_path = repo.parent / "plan.json"
    plan_path.write_text(json.dumps(data), encoding="utf-8")
    run, verdict = plan(repo, "--plan", str(plan_path))
    assert run.code == 10 and "src/app.py" in check(verdict, "stale-plan")["detail"], verdict
    assert check(verdict, "new-error-diagnostics")["detail"].startswith("skipped")


@pytest.mark.parametrize(("mutate", "needle"), [
    (lambda text: text[:-5], "not valid JSON"),
    (lambda text: text.replace('"test plan"', '"edited plan"'), "does not match its content"),
    (lambda text: "[]", "must be a JSON object"),
], ids=["malformed-json", "digest-mismatch", "not-an-object"])
def test_bad_plan_is_bad_input(repo: Path, mutate, needle: str) -> None:
    plan_path = repo.parent / "plan.json"
    plan_path.write_text(mutate(json.dumps(make_plan(repo, "src/app.py", "X = 1\n"))), encoding="utf-8")
    before = tree_digest(repo)
    assert_bad_input(run_patchgate("connect", "plan", "--task", "T", "--plan", str(plan_path), cwd=repo), needle)
    assert tree_digest(repo) == before


@pytest.mark.parametrize(("args", "needle"), [
    ([], "exactly one of"),
    (["--command", "ls", "--plan", "x.json"], "exactly one of"),
    (["--write", "a.py"], "--content-file"),
    (["--write", "a.py", "--content-file", "/nonexistent/file"], "cannot read"),
    (["--plan", "no-such-plan"], "no-such-plan"),
    (["--command", "   "], "empty"),
    (["--write", "src/app.py", "--content-file", "SAME"], "identical"),
    (["--command", "ls", "--task", ""], "task"),
    (["--command", "ls", "--write-scope", "!"], "write-scope"),
], ids=["no-candidate", "two-candidates", "write-without-content", "missing-content", "unknown-plan", "empty-command",
        "identical-write", "empty-task", "bad-scope-glob"])
def test_bad_arguments_are_exit_40_and_write_nothing(repo: Path, args: list[str], needle: str) -> None:
    same = repo.parent / "same.txt"
    same.write_bytes((repo / "src/app.py").read_bytes())
    args = [str(same) if a == "SAME" else a for a in args]
    before = tree_digest(repo)
    task = [] if "--task" in args else ["--task", "T"]
    assert_bad_input(run_patchgate("connect", "plan", *task, *args, cwd=repo), needle)
    assert tree_digest(repo) == before


def test_missing_task_is_a_usage_error(repo: Path) -> None:
    assert_bad_input(run_patchgate("connect", "plan", "--command", "ls", cwd=repo), "--task")


def test_binary_content_is_refused(repo: Path) -> None:
    blob = repo.parent / "blob.bin"
    blob.write_bytes(b"\x00\x01binary")
    run = run_patchgate("connect", "plan", "--task", "T", "--write", "a.bin", "--content-file", str(blob), cwd=repo)
    assert_bad_input(run, "binary")
