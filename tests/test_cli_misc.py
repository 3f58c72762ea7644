"""`patchgate init`, `doctor` and `rules` through the entry point."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_patchgate, write_files


def test_init_writes_config_and_gitignore_once(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("dist/", encoding="utf-8")
    first = run_patchgate("init", cwd=tmp_path)
    assert first.code == 0, first.stderr
    assert (tmp_path / "patchgate.toml").is_file()
    assert (tmp_path / ".gitignore").read_text() == "dist/\n.patchgate/\n"
    (tmp_path / "patchgate.toml").write_text("ignore = []\n", encoding="utf-8")
    second = run_patchgate("init", cwd=tmp_path)
    assert second.code == 0
    assert (tmp_path / "patchgate.toml").read_text() == "ignore = []\n", "init must never overwrite a config"
    assert (tmp_path / ".gitignore").read_text().count(".patchgate/") == 1
    check = run_patchgate("check", cwd=tmp_path)
    assert check.code == 0, check.stderr


def test_doctor_reports_versions_grammars_and_config(project: Path) -> None:
    (project / "patchgate.toml").write_text('fail-level = "warning"\n', encoding="utf-8")
    run = run_patchgate("doctor", "--json", cwd=project)
    assert run.code == 0, run.stderr
    report = json.loads(run.stdout)
    assert {"python", "javascript", "typescript", "tsx", "go", "rust", "json", "yaml", "toml", "bash"} <= set(report["grammars"])
    assert report["config_file"].endswith("patchgate.toml")
    assert report["cache"]["entries"] == 0
    assert run_patchgate("doctor", cwd=project).code == 0


def test_rules_list_show_and_explain(project: Path) -> None:
    write_files(project, {"patchgate.toml": 'ignore = ["security"]\n'})
    listing = json.loads(run_patchgate("rules", "list", "--json", cwd=project).stdout)
    assert len(listing) >= 30
    by_id = {row["id"]: row for row in listing}
    security = [row for row in listing if "security" in row["tags"]]
    assert security and not any(row["enabled"] for row in security)
    some = security[0]["id"]
    shown = run_patchgate("rules", "show", some, cwd=project)
    assert shown.code == 0 and some in shown.stdout and "security" in shown.stdout
    assert "syntax-error" in by_id and "unused-suppression" in by_id
    unknown = run_patchgate("rules", "show", "nope-nope", cwd=project)
    assert unknown.code == 40 and "nope-nope" in unknown.stderr


def test_rules_test_runs_builtin_examples(project: Path) -> None:
    run = run_patchgate("rules", "test", cwd=project)
    assert run.code == 0, run.stdout[-3000:] + run.stderr
    assert "passed" in run.stdout
