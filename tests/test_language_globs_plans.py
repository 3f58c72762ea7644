"""sgconfig `languageGlobs` decide which files `plan rewrite` reads and in which language, and the language
Connect's verification parses a plan's after-texts in, as they do for `check` (issue 9).

The workspace maps `*.inc` to PHP, `*.tpl` to HTML, `*.ts` to TSX and `*.cfg` to YAML, none of which the
extension table would give those files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Run, run_patchgate
from test_plan_harness import apply_plan, git_repo, plan_cli

SGCONFIG = """\
ruleDirs: [rules]
languageGlobs:
  php: ["*.inc"]
  html: ["*.tpl"]
  tsx: ["*.ts"]
  yaml: ["*.cfg"]
"""
FILES = {
    "sgconfig.yml": SGCONFIG,
    "rules/php-no-eval.yml": "id: php-no-eval\nlanguage: php\nseverity: error\nmessage: eval runs code\n"
                             "rule:\n  pattern: eval($A)\n",
    "lib/db.inc": "<?php\nfunction q($x) {\n  return eval($x);\n}\n",
    "views/page.tpl": "<p><b>Hello</b> world</p>\n",
    "src/view.ts": "export const v = <div />;\n",
    "deploy.cfg": "replicas: 2\n",
}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return git_repo(tmp_path / "ws", FILES)


@pytest.mark.parametrize(("rewrite", "path", "added"), [
    (["--lang", "php", "--pattern", "eval($X)", "--fix", "safe_eval($X)"], "lib/db.inc", "+  return safe_eval($x);\n"),
    (["--lang", "html", "--pattern", "<b>$A</b>", "--fix", "<strong>$A</strong>"], "views/page.tpl",
     "+<p><strong>Hello</strong> world</p>\n"),
    (["--lang", "tsx", "--pattern", "<div />", "--fix", "<span />"], "src/view.ts", "+export const v = <span />;\n"),
])
def test_plan_rewrite_runs_on_files_language_globs_map(workspace: Path, tmp_path: Path, rewrite: list[str], path: str,
                                                        added: str) -> None:
    run, plan = plan_cli(workspace, "rewrite", *rewrite)
    assert run.code == 0 and plan is not None, (run.stdout, run.stderr)
    assert [item["path"] for item in plan["files"]] == [path]
    assert added in plan["files"][0]["diff"]
    apply_plan(workspace, plan, tmp_path)


def test_plan_rewrite_reads_a_mapped_file_only_in_its_mapped_language(workspace: Path) -> None:
    run, plan = plan_cli(workspace, "rewrite", "--lang", "typescript", "--pattern", "export const $A = $B",
                         "--fix", "export let $A = $B")
    assert run.code == 0 and plan is None, run.stderr
    assert "no changes found (0 files searched)" in run.stdout, "src/view.ts is TSX here, never TypeScript"


def decide_write(root: Path, path: str, text: str) -> tuple[Run, dict]:
    """`patchgate connect plan --write PATH` with the new text, as JSON."""
    content = root.parent / "content.txt"
    content.write_text(text, encoding="utf-8")
    run = run_patchgate("connect", "plan", "--task", "T-1", "--json", "--write", path, "--content-file", str(content),
                        cwd=root)
    assert run.code in (0, 10), (run.stdout, run.stderr)
    return run, json.loads(run.stdout)


def diagnostics_check(verdict: dict) -> dict:
    return next(check for check in verdict["checks"] if check["id"] == "new-error-diagnostics")


@pytest.mark.parametrize(("path", "text", "detail"), [
    ("deploy.cfg", "replicas: [2\n", "deploy.cfg:1 syntax-error: unclosed `[`"),
    ("lib/other.inc", "<?php\necho eval($y);\n", "lib/other.inc:2 php-no-eval: eval runs code"),
])
def test_verification_parses_after_texts_in_their_mapped_language(workspace: Path, path: str, text: str,
                                                                  detail: str) -> None:
    run, verdict = decide_write(workspace, path, text)
    assert run.code == 10 and verdict["verdict"] == "rewrite", verdict
    check = diagnostics_check(verdict)
    assert check["status"] == "fail" and detail in check["detail"], check


@pytest.mark.parametrize(("path", "text"), [
    ("src/widget.ts", "export const w = <b>hi</b>;\n"),  # JSX: a syntax error only if read as TypeScript
    ("views/list.tpl", "<ul><li>{{ item }}</li></ul>\n"),
])
def test_mapped_after_texts_that_parse_in_their_language_pass(workspace: Path, path: str, text: str) -> None:
    run, verdict = decide_write(workspace, path, text)
    assert run.code == 0 and diagnostics_check(verdict)["status"] == "pass", verdict
