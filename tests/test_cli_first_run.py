"""First-run CLI behaviour (issue 9): what a new user meets in their first minutes, driven through the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import run_patchgate, write_files

UNUSED = "import os\n"


def findings(run) -> list[tuple[str, str, str]]:
    """(path, rule id, severity) of every finding of a `--format json` run."""
    assert run.code in (0, 1), run.stderr
    return [(d["path"], d["rule_id"], d["severity"]) for d in json.loads(run.stdout)["diagnostics"]]


def unreadable_project(root: Path, config: str = "") -> Path:
    """A project with one finding, one non-UTF-8 file and one file over the size limit."""
    write_files(root, {"a.py": UNUSED, "big.py": "x = 1\n" * 20, "patchgate.toml": f"max-file-size = 50\n{config}"})
    (root / "latin1.py").write_bytes("x = 'caf\xe9'\n".encode("latin-1"))
    return root


def test_unreadable_and_too_large_files_are_warnings(project: Path) -> None:
    unreadable_project(project)
    run = run_patchgate("check", "--format", "json", "--select", "unused-import,unreadable-file", ".", cwd=project)
    assert sorted(findings(run)) == [("a.py", "unused-import", "warning"), ("big.py", "unreadable-file", "warning"),
                                     ("latin1.py", "unreadable-file", "warning")]
    text = run_patchgate("check", ".", cwd=project).stdout
    assert "big.py:1:1: unreadable-file [warning] file too large (120 bytes > 50)" in text


def test_unreadable_findings_obey_select_and_ignore(project: Path) -> None:
    unreadable_project(project)
    selected = run_patchgate("check", "--format", "json", "--select", "unused-import", ".", cwd=project)
    assert findings(selected) == [("a.py", "unused-import", "warning")]
    ignored = run_patchgate("check", "--format", "json", "--ignore", "unreadable-file", ".", cwd=project)
    assert not [f for f in findings(ignored) if f[1] == "unreadable-file"]
    assert ("a.py", "unused-import", "warning") in findings(ignored)


def test_unreadable_findings_obey_config_ignore_and_fail_level(project: Path) -> None:
    unreadable_project(project, 'ignore = ["unreadable-file"]\n')
    assert not [f for f in findings(run_patchgate("check", "--format", "json", ".", cwd=project))
                if f[1] == "unreadable-file"]
    unreadable_project(project, 'fail-level = "warning"\nselect = ["unreadable-file"]\n')
    run = run_patchgate("check", ".", cwd=project)
    assert run.code == 1 and "latin1.py:1:1: unreadable-file [warning]" in run.stdout


def test_size_limit_is_a_setting(project: Path) -> None:
    write_files(project, {"big.py": "x = 1\n" * 20, "patchgate.toml": "max-file-size = 1000\n"})
    assert findings(run_patchgate("check", "--format", "json", ".", cwd=project)) == []
    write_files(project, {"patchgate.toml": "max-file-size = 100\n"})
    assert findings(run_patchgate("check", "--format", "json", ".", cwd=project)) == [
        ("big.py", "unreadable-file", "warning")]
    write_files(project, {"patchgate.toml": "max-file-size = 0\n"})
    bad = run_patchgate("check", ".", cwd=project)
    assert bad.code == 40 and "max-file-size" in bad.stderr


def test_bare_patchgate_prints_help_and_succeeds(tmp_path: Path) -> None:
    run = run_patchgate(cwd=tmp_path)
    assert run.code == 0 and run.stderr == ""
    assert run.stdout.startswith("Usage: patchgate") and "check" in run.stdout and "apply" in run.stdout
    assert list(tmp_path.iterdir()) == []


def test_dash_reads_stdin_as_python_and_writes_nothing(project: Path) -> None:
    before = sorted(project.rglob("*"))
    run = run_patchgate("check", "-", cwd=project, stdin="import os\n")
    assert run.code == 0, run.stderr
    assert run.stdout.startswith("stdin.py:1:8: unused-import [warning]")
    assert sorted(project.rglob("*")) == before, "checking stdin writes no cache and no .patchgate folder"


def test_stdin_filename_picks_language_and_per_path_config(project: Path) -> None:
    write_files(project, {"patchgate.toml": '[[per-path]]\npaths = ["legacy/**"]\nignore = ["unused-import"]\n'})
    js = run_patchgate("check", "-", "--stdin-filename", "web/app.js", "--format", "json", cwd=project, stdin="let x = ;\n")
    assert [(p, r) for p, r, _ in findings(js)] == [("web/app.js", "syntax-error")]
    legacy = run_patchgate("check", "-", "--stdin-filename", "legacy/old.py", "--format", "json", cwd=project,
                           stdin="import os\n")
    assert findings(legacy) == []
    fresh = run_patchgate("check", "--stdin-filename", "new/mod.py", "--format", "json", cwd=project, stdin="import os\n")
    assert findings(fresh) == [("new/mod.py", "unused-import", "warning")]
    assert not (project / ".patchgate").exists()


def test_stdin_with_other_paths_is_bad_input(project: Path) -> None:
    write_files(project, {"a.py": UNUSED})
    run = run_patchgate("check", "-", "a.py", cwd=project, stdin="x = 1\n")
    assert run.code == 40 and "stdin" in run.stderr and run.stdout == ""


def test_color_when_asked_even_when_piped(project: Path) -> None:
    write_files(project, {"a.py": UNUSED})
    no_env = {"NO_COLOR": ""}  # an empty NO_COLOR counts as unset (no-color.org)
    assert "\x1b[" not in run_patchgate("check", ".", cwd=project, env=no_env).stdout, "piped: plain by default"
    assert "\x1b[" in run_patchgate("check", "--color", "always", ".", cwd=project, env=no_env).stdout
    assert "\x1b[" in run_patchgate("check", "--color", "always", ".", cwd=project).stdout, "the flag beats NO_COLOR"
    assert "\x1b[" in run_patchgate("check", ".", cwd=project, env={**no_env, "FORCE_COLOR": "1"}).stdout
    assert "\x1b[" not in run_patchgate("check", ".", cwd=project, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    for flags in (["--color", "never"], ["--no-color"]):
        assert "\x1b[" not in run_patchgate("check", *flags, ".", cwd=project, env={**no_env, "FORCE_COLOR": "1"}).stdout
    bad = run_patchgate("check", "--color", "sometimes", ".", cwd=project)
    assert bad.code == 40 and "sometimes" in bad.stderr


def decide_write(root: Path, path: str, text: str) -> str:
    """Decide on writing a file through the real CLI; the decision id."""
    content = root.parent / f"{path.replace('/', '_')}.content"
    content.write_text(text, encoding="utf-8")
    run = run_patchgate("connect", "plan", "--task", "t-1", "--actor", "dev", "--write", path,
                        "--content-file", str(content), "--json", cwd=root)
    assert run.code in (0, 20), run.stderr
    return json.loads(run.stdout)["decision_id"]


def test_short_decision_ids_after_the_timestamp(project: Path) -> None:
    write_files(project, {"patchgate.toml": '[connect]\nprotected-paths = ["locked.py"]\n', "app.py": "x = 1\n",
                          "locked.py": "y = 1\n"})
    permitted, reviewed = decide_write(project, "app.py", "x = 2\n"), decide_write(project, "locked.py", "y = 2\n")
    short = reviewed.partition("-")[2]
    assert len(short) == 8
    approve = run_patchgate("connect", "review", "approve", short, "--reviewer", "dana", cwd=project)
    assert approve.code == 0 and f"approved {reviewed}" in approve.stdout, approve.stderr
    assert run_patchgate("connect", "replay", short[:5], cwd=project).stdout.startswith(f"decision {reviewed}:")
    applied = run_patchgate("apply", permitted.partition("-")[2], cwd=project)
    assert applied.code == 0 and f"applied {permitted}" in applied.stdout, applied.stderr
    assert (project / "app.py").read_text() == "x = 2\n"


def test_ambiguous_short_id_names_the_candidates(project: Path) -> None:
    write_files(project, {"app.py": "x = 1\n"})
    first, second = decide_write(project, "app.py", "x = 2\n"), decide_write(project, "app.py", "x = 3\n")
    run = run_patchgate("apply", first[:4], cwd=project)
    assert run.code == 40 and "ambiguous" in run.stderr and first in run.stderr and second in run.stderr
    assert (project / "app.py").read_text() == "x = 1\n"
    assert run_patchgate("connect", "review", "show", "ffff0000", cwd=project).code == 40


def test_replay_lists_only_checks_whose_outcome_changed(project: Path) -> None:
    write_files(project, {"patchgate.toml": '[connect]\nprotected-paths = ["app.py"]\n', "app.py": "x = 1\n"})
    decision = decide_write(project, "app.py", "x = 2\n")
    write_files(project, {"patchgate.toml": '[connect]\nprotected-paths = ["app.py"]\nwrite-scope = ["*.py"]\n'})
    same = run_patchgate("connect", "replay", decision, "--json", cwd=project)
    report = json.loads(same.stdout)
    assert same.code == 0 and report["same"] and report["changes"] == [], "write-scope passes as before, only reworded"
    assert report["policy_changed"]
    write_files(project, {"patchgate.toml": '[connect]\nwrite-scope = ["*.py"]\n'})
    text = run_patchgate("connect", "replay", decision, cwd=project)
    assert text.code == 1
    assert text.stdout.splitlines()[1:] == ["  protected-path: fail/require_review -> pass/permit: no protected path is written"]


def test_doctor_writes_nothing_in_a_fresh_folder(tmp_path: Path) -> None:
    for args in (["doctor"], ["doctor", "--json"]):
        run = run_patchgate(*args, cwd=tmp_path)
        assert run.code == 0, run.stderr
        assert list(tmp_path.iterdir()) == [], f"{args} created files"
    assert json.loads(run.stdout)["cache"]["entries"] == 0
    write_files(tmp_path, {"a.py": UNUSED})
    assert run_patchgate("check", ".", cwd=tmp_path).code == 0
    assert json.loads(run_patchgate("doctor", "--json", cwd=tmp_path).stdout)["cache"]["entries"] == 1


METAVARS = "import pickle\nimport requests\nx = 1\nif x == None:\n    pass\npickle.loads(b'')\nrequests.get('u')\n"


def test_rule_titles_never_show_a_raw_metavariable(project: Path) -> None:
    write_files(project, {"a.py": METAVARS})
    sarif = json.loads(run_patchgate("check", "--select", "ALL", "--format", "sarif", ".", cwd=project).stdout)
    rules = {rule["id"]: rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {"compare-to-none", "pickle-load", "request-without-timeout"} <= rules.keys()
    assert rules["compare-to-none"]["shortDescription"]["text"] == "Comparison to None with `<op>`"
    assert rules["pickle-load"]["shortDescription"]["text"].startswith("`<module>.<func>()` can execute")
    assert not [r for r in rules.values() if "$" in r["shortDescription"]["text"] + r["fullDescription"]["text"]]
    report = run_patchgate("check", "--select", "ALL", "--format", "json", ".", cwd=project)
    messages = [d["message"] for d in json.loads(report.stdout)["diagnostics"]]
    assert "Comparison to None with `==`" in messages and not [m for m in messages if "$" in m]
    assert "$" not in run_patchgate("check", "--select", "ALL", ".", cwd=project).stdout
    show = run_patchgate("rules", "show", "compare-to-none", cwd=project)
    assert "\nComparison to None with `<op>`\n" in show.stdout and "$OP" not in show.stdout


def sarif_results(project: Path) -> list[dict]:
    """The results of a SARIF check of the project."""
    run = run_patchgate("check", "--format", "sarif", ".", cwd=project)
    return json.loads(run.stdout)["runs"][0]["results"]


def test_sarif_fingerprints_survive_moved_lines(project: Path) -> None:
    write_files(project, {"a.py": "x = 1\nif x == None:\n    pass\nif x == None:\n    pass\n"})
    before = [r["partialFingerprints"]["patchgateLineHash/v1"] for r in sarif_results(project)]
    assert len(before) == 2 and len(set(before)) == 2 and before[0].split(":")[0] == before[1].split(":")[0]
    write_files(project, {"a.py": "'''A docstring.'''\n\nx = 1\nif x == None:\n    pass\nif   x == None:\n    pass\n"})
    moved = sarif_results(project)
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in moved] == [4, 6]
    assert [r["partialFingerprints"]["patchgateLineHash/v1"] for r in moved] == before
    write_files(project, {"a.py": "x = 1\nif x == None:\n    pass\nif x == None  :\n    pass\n", "b.py": "x = 1\nif x == None:\n    pass\n"})
    other = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["partialFingerprints"] for r in sarif_results(project)}
    assert other["b.py"]["patchgateLineHash/v1"] not in before, "the path is part of the fingerprint"


def test_sarif_help_uri_follows_docs_url(project: Path) -> None:
    write_files(project, {"a.py": "import os\n"})
    assert [r["helpUri"] for r in json.loads(run_patchgate("check", "--format", "sarif", ".", cwd=project).stdout)
            ["runs"][0]["tool"]["driver"]["rules"]] == ["https://docs.astral.sh/ruff/rules/unused-import/"]
    write_files(project, {"patchgate.toml": 'docs-url = "https://example.org/patchgate/rules/{rule}.md"\n'})
    driver = json.loads(run_patchgate("check", "--format", "sarif", ".", cwd=project).stdout)["runs"][0]["tool"]["driver"]
    assert [r["helpUri"] for r in driver["rules"]] == ["https://example.org/patchgate/rules/unused-import.md"]
    write_files(project, {"patchgate.toml": 'docs-url = "https://example.org/rules"\n'})
    bad = run_patchgate("check", ".", cwd=project)
    assert bad.code == 40 and "docs-url" in bad.stderr and "{rule}" in bad.stderr


def run_on_terminal(*args: str, cwd: Path) -> tuple[int, str]:
    """Run patchgate with stderr on a pseudo-terminal (stdout piped); its exit code and what the terminal got."""
    import os
    import pty
    import subprocess

    from conftest import PATCHGATE

    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120", "NO_COLOR": "1"}
    process = subprocess.Popen([PATCHGATE, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is done with it
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.communicate(timeout=300)
    os.close(leader)
    text = b"".join(chunks).decode("utf-8", "replace")
    return process.returncode, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)  # cursor moves and line clears


def test_progress_bar_on_a_terminal_knows_its_total_from_the_start(project: Path) -> None:
    write_files(project, {f"pkg/m{i}.py": "import os\n" for i in range(5)})
    code, terminal = run_on_terminal("check", "--no-cache", ".", cwd=project)
    assert code == 0
    assert "checking" in terminal and "0/6" in terminal and "6/6" in terminal  # 5 modules and patchgate.toml
    assert "?" not in terminal, "the bar never shows an unknown total"
    piped = run_patchgate("check", "--no-cache", ".", cwd=project)
    assert piped.stderr == "", "no bar when stderr is not a terminal"
    code, machine = run_on_terminal("check", "--no-cache", "--format", "json", ".", cwd=project)
    assert "checking" not in machine, "no bar for machine-readable output"
