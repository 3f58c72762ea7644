"""Bad input reaches the user as one line on stderr and exit 40; one bad file never stops the run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import run_patchgate, write_files

GOOD = "def f(x):\n    return x == None\n"


def assert_one_line_error(run, *needles: str) -> None:
    assert run.code == 40, (run.code, run.stdout, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_broken_toml(project: Path) -> None:
    write_files(project, {"patchgate.toml": "select = [\n", "a.py": GOOD})
    assert_one_line_error(run_patchgate("check", ".", cwd=project), "patchgate.toml", "TOML")


def test_unknown_key_names_file_key_and_suggestion(project: Path) -> None:
    write_files(project, {"pyproject.toml": "[tool.patchgate]\nselct = ['x']\n", "a.py": GOOD})
    (project / "patchgate.toml").unlink()
    assert_one_line_error(run_patchgate("check", ".", cwd=project), "pyproject.toml", "selct", "select")


def test_bad_value(project: Path) -> None:
    write_files(project, {"patchgate.toml": "jobs = 'many'\n", "a.py": GOOD})
    assert_one_line_error(run_patchgate("check", ".", cwd=project), "patchgate.toml", "jobs")


def test_unknown_selector_on_the_command_line(project: Path) -> None:
    write_files(project, {"a.py": GOOD})
    assert_one_line_error(run_patchgate("check", "--select", "no-such-rule", ".", cwd=project), "no-such-rule")


def test_path_that_does_not_exist(project: Path) -> None:
    assert_one_line_error(run_patchgate("check", "missing.py", cwd=project), "missing.py")


@pytest.mark.parametrize(
    ("rule_text", "needle"),
    [
        ("id: r\nlanguage: python\nrule: {kind: no_such_kind}\n", "r"),
        ("id: r\nlanguage: python\nrule: {pattern: [unclosed\n", "bad.yml"),
        ("id: r\nlanguage: cobol\nrule: {pattern: x}\n", "cobol"),
        ("id: r\nlanguage: python\n", "rule"),
    ],
    ids=["unknown-kind", "bad-yaml", "unknown-language", "missing-rule"],
)
def test_invalid_ast_grep_rule(project: Path, rule_text: str, needle: str) -> None:
    write_files(project, {"patchgate.toml": 'rule-dirs = ["rules"]\n', "rules/bad.yml": rule_text, "a.py": GOOD})
    assert_one_line_error(run_patchgate("check", ".", cwd=project), needle)


def test_rule_module_that_fails_to_import(project: Path) -> None:
    write_files(project, {"patchgate.toml": 'rule-modules = ["broken_rules:Nope"]\n', "broken_rules.py": "import not_a_module_xyz\n", "a.py": GOOD})
    run = run_patchgate("check", "a.py", cwd=project, env={"PYTHONPATH": str(project)})
    assert_one_line_error(run, "broken_rules")


def test_one_bad_file_does_not_harm_the_run(project: Path) -> None:
    write_files(project, {"a.py": GOOD, "empty.py": ""})
    (project / "latin1.py").write_bytes("x = 'caf\xe9'\n".encode("latin-1"))
    (project / "blob.py").write_bytes(b"\x00\x01\x02binary")
    (project / "huge.py").write_text("x = 1\n" * 10, encoding="utf-8")
    (project / "patchgate.toml").write_text("max-file-size = 50\n", encoding="utf-8")
    run = run_patchgate("check", "--format", "json", ".", cwd=project)
    assert run.code == 0, run.stderr  # every finding here is a warning
    import json

    found = {(d["path"], d["rule_id"]) for d in json.loads(run.stdout)["diagnostics"]}
    assert ("latin1.py", "unreadable-file") in found
    assert ("huge.py", "unreadable-file") in found
    assert not any(path == "blob.py" for path, _ in found)
    assert not any(path == "empty.py" for path, _ in found)
    assert any(path == "a.py" and rule != "unreadable-file" for path, rule in found)


def test_symlink_loop_terminates(project: Path) -> None:
    write_files(project, {"pkg/a.py": GOOD})
    os.symlink(project / "pkg", project / "pkg" / "loop")
    run = run_patchgate("check", "--fail-level", "warning", "--format", "json", ".", cwd=project)
    assert run.code == 1, run.stderr
    assert "Traceback" not in run.stderr


def test_unreadable_file_is_one_finding(project: Path) -> None:
    write_files(project, {"a.py": GOOD, "secret.py": "x = 1\n"})
    os.chmod(project / "secret.py", 0)
    try:
        if os.access(project / "secret.py", os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop reads")
        run = run_patchgate("check", "--format", "json", ".", cwd=project)
    finally:
        os.chmod(project / "secret.py", 0o644)
    assert "secret.py" in run.stdout and "unreadable-file" in run.stdout


def test_broken_symlink_is_one_finding(project: Path) -> None:
    write_files(project, {"a.py": "x = 1\n"})
    os.symlink(project / "gone.py", project / "link.py")
    run = run_patchgate("check", "--format", "json", ".", cwd=project)
    import json

    found = [(d["path"], d["rule_id"]) for d in json.loads(run.stdout)["diagnostics"]]
    assert found == [("link.py", "unreadable-file")], run.stdout
    assert run.code == 0, "unreadable-file is a warning: it fails a check only at --fail-level warning"
    assert run_patchgate("check", "--fail-level", "warning", ".", cwd=project).code == 1
