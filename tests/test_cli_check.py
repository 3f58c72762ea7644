"""`patchgate check` driven through its entry point on projects in temporary directories."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_patchgate, write_files

NO_PRINT = """\
id: no-print
language: python
severity: error
message: print($$$A) left in code
rule: {pattern: print($$$A)}
fix: ""
metadata: {aliases: [T201], tags: [debug]}
"""
CALL_COUNTER = '''\
from pathlib import Path

import libcst as cst

from patchgate.diagnostics.libcst_rule import LibcstRule


class CountingRule(LibcstRule):
    """Reports every call of `shout`, and leaves a mark each time it runs."""

    id = "no-shout"
    severity = "warning"
    message = "shout() is noisy"
    PREFILTER = ("shout",)
    VALID = ["whisper()"]
    INVALID = ["shout()"]

    def visit_Call(self, node: cst.Call) -> None:
        with open(Path(__file__).parent / "visits.log", "a") as log:
            log.write("x\\n")
        if isinstance(node.func, cst.Name) and node.func.value == "shout":
            self.report(node)
'''


def make_project(root: Path) -> Path:
    return write_files(root, {
        "patchgate.toml": 'rule-dirs = ["rules"]\nrule-modules = ["counting:CountingRule"]\n',
        "rules/no-print.yml": NO_PRINT,
        "counting.py": CALL_COUNTER,
        "src/app.py": "def main():\n    print('hi')\n    shout()\n",
        "src/clean.py": "def ok():\n    return 1\n",
    })


def report(run) -> list[dict]:
    assert run.code in (0, 1), run.stderr
    return json.loads(run.stdout)["diagnostics"]


def test_finds_user_rules_of_both_engines(project: Path) -> None:
    make_project(project)
    run = run_patchgate("check", "--format", "json", "src", cwd=project, env={"PYTHONPATH": str(project)})
    found = {(d["rule_id"], d["path"], d["span"]["start_line"]) for d in report(run)}
    assert ("no-print", "src/app.py", 1) in found
    assert ("no-shout", "src/app.py", 2) in found
    assert run.code == 1


def test_select_by_alias_records_source_alias_and_ignore_by_tag(project: Path) -> None:
    make_project(project)
    env = {"PYTHONPATH": str(project)}
    by_alias = report(run_patchgate("check", "--format", "json", "--select", "T201", "src", cwd=project, env=env))
    assert [(d["rule_id"], d["source_alias"]) for d in by_alias] == [("no-print", "T201")]
    by_tag = report(run_patchgate("check", "--format", "json", "--ignore", "debug", "src", cwd=project, env=env))
    assert "no-print" not in {d["rule_id"] for d in by_tag}


def test_fail_level_decides_the_exit_code(project: Path) -> None:
    make_project(project)
    env = {"PYTHONPATH": str(project)}
    only_warning = run_patchgate("check", "--select", "no-shout", "src", cwd=project, env=env)
    assert only_warning.code == 0, only_warning.stdout
    strict = run_patchgate("check", "--select", "no-shout", "--fail-level", "warning", "src", cwd=project, env=env)
    assert strict.code == 1


def test_warm_run_parses_nothing_and_edits_invalidate(project: Path) -> None:
    make_project(project)
    env = {"PYTHONPATH": str(project)}
    first = report(run_patchgate("check", "--format", "json", "src", cwd=project, env=env))
    visits = (project / "visits.log").read_text().count("x")
    assert visits > 0
    second = report(run_patchgate("check", "--format", "json", "src", cwd=project, env=env))
    assert second == first
    assert (project / "visits.log").read_text().count("x") == visits, "a warm run must not run any rule"
    (project / "src/app.py").write_text("from helpers import shout\n\n\ndef main():\n    shout()\n", encoding="utf-8")
    third = report(run_patchgate("check", "--format", "json", "src", cwd=project, env=env))
    assert {d["rule_id"] for d in third} == {"no-shout"}
    assert (project / "visits.log").read_text().count("x") > visits
    no_cache = report(run_patchgate("check", "--no-cache", "--format", "json", "src", cwd=project, env=env))
    assert no_cache == third


def test_each_rule_is_cached_so_alternating_selections_turn_warm(project: Path) -> None:
    make_project(project)
    (project / "src/app.py").write_text("def main():\n    print('hi')\n    shout()  # patchgate: ignore[no-print]\n", encoding="utf-8")
    env = {"PYTHONPATH": str(project)}

    def visits() -> int:
        log = project / "visits.log"
        return log.read_text().count("x") if log.exists() else 0

    def ids(*args: str) -> list[tuple[str, int]]:
        found = report(run_patchgate("check", "--format", "json", *args, "src", cwd=project, env=env))
        return sorted((d["rule_id"], d["span"]["start_line"]) for d in found)

    assert ids("--select", "no-shout") == [("no-shout", 2)]
    after_first = visits()
    assert after_first > 0
    assert ids("--select", "no-print") == [("no-print", 1)]
    assert visits() == after_first, "the no-shout rule must not run for a selection without it"
    both = ids("--select", "no-shout,no-print,unused-suppression")
    assert visits() == after_first, "the third run, selecting both, must be answered from the cache"
    assert both == [("no-print", 1), ("no-shout", 2), ("unused-suppression", 2)]
    assert both == ids("--no-cache", "--select", "no-shout,no-print,unused-suppression")
    assert ids("--select", "no-print") == [("no-print", 1)]


def test_rule_edit_invalidates_the_cache(project: Path) -> None:
    make_project(project)
    env = {"PYTHONPATH": str(project)}
    run_patchgate("check", "src", cwd=project, env=env)
    (project / "rules/no-print.yml").write_text(NO_PRINT.replace("severity: error", "severity: info"), encoding="utf-8")
    found = report(run_patchgate("check", "--format", "json", "src", cwd=project, env=env))
    assert {d["severity"] for d in found if d["rule_id"] == "no-print"} == {"info"}


def test_jobs_and_in_process_agree(project: Path) -> None:
    files = {f"pkg/m{i}.py": f"def f{i}(x):\n    print(x)\n" for i in range(60)}
    write_files(project, {"patchgate.toml": 'rule-dirs = ["rules"]\n', "rules/no-print.yml": NO_PRINT, **files})
    serial = report(run_patchgate("check", "--no-cache", "--jobs", "1", "--format", "json", ".", cwd=project))
    parallel = report(run_patchgate("check", "--no-cache", "--jobs", "2", "--format", "json", ".", cwd=project))
    assert serial == parallel
    assert len([d for d in serial if d["rule_id"] == "no-print"]) == 60


def test_stdin_is_checked_as_the_named_file(project: Path) -> None:
    write_files(project, {"patchgate.toml": 'rule-dirs = ["rules"]\n', "rules/no-print.yml": NO_PRINT})
    run = run_patchgate("check", "--stdin-filename", "pkg/x.py", "--format", "json", "-", cwd=project, stdin="print(1)\n")
    found = report(run)
    assert [(d["rule_id"], d["path"]) for d in found] == [("no-print", "pkg/x.py")]
    assert not (project / "pkg").exists()


def test_evidence_is_recorded_with_a_stable_id(project: Path) -> None:
    make_project(project)
    env = {"PYTHONPATH": str(project)}
    first = run_patchgate("check", "--evidence", "src", cwd=project, env=env)
    second = run_patchgate("check", "--evidence", "src", cwd=project, env=env)
    files = sorted((project / ".patchgate/evidence").glob("*.json"))
    assert len(files) == 1, files
    evidence = json.loads(files[0].read_text())
    assert evidence["kind"] == "diagnostics" and evidence["id"] == files[0].stem
    assert {i["path"] for i in evidence["inputs"]} == {"src/app.py", "src/clean.py"}
    assert "evidence:" in first.stderr and "evidence:" in second.stderr


def test_output_file_and_formats(project: Path) -> None:
    make_project(project)
    env = {"PYTHONPATH": str(project)}
    run = run_patchgate("check", "--format", "sarif", "--output-file", "out/report.sarif", "src", cwd=project, env=env)
    assert run.code == 1 and run.stdout == ""
    sarif = json.loads((project / "out/report.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    github = run_patchgate("check", "--format", "github", "src", cwd=project, env=env)
    assert "::error file=src/app.py,line=2" in github.stdout
    text = run_patchgate("check", "src", cwd=project, env=env)
    assert "src/app.py:2:5" in text.stdout and "no-print" in text.stdout


def test_gitignore_and_exclude_are_respected(project: Path) -> None:
    write_files(project, {
        "patchgate.toml": 'rule-dirs = ["rules"]\nexclude = ["vendor/"]\n',
        "rules/no-print.yml": NO_PRINT,
        ".gitignore": "build/\n",
        "build/gen.py": "print(1)\n",
        "vendor/lib.py": "print(1)\n",
        "app.py": "print(1)\n",
    })
    found = report(run_patchgate("check", "--format", "json", ".", cwd=project))
    assert {d["path"] for d in found} == {"app.py"}


def test_suppressions(project: Path) -> None:
    write_files(project, {
        "patchgate.toml": 'rule-dirs = ["rules"]\n',
        "rules/no-print.yml": NO_PRINT,
        "a.py": "print(1)  # patchgate: ignore[no-print]\nprint(2)  # noqa: T201\nprint(3)\nx = 1  # patchgate: ignore[no-print]\n",
    })
    found = report(run_patchgate("check", "--format", "json", "a.py", cwd=project))
    assert sorted((d["rule_id"], d["span"]["start_line"]) for d in found) == [("no-print", 2), ("unused-suppression", 3)]
