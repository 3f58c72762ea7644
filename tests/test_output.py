"""Report renderers: text code frames, json round trips, github escaping, SARIF against the official tools."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from rich.cells import cell_len

from patchgate.diagnostics.errors import InputError
from patchgate.diagnostics.models import Diagnostic, Rule
from patchgate.diagnostics.output import render
from patchgate.diagnostics.output.github import escape_data, escape_property
from patchgate.diagnostics.span import LineIndex, TextEdit

ROOT = Path(__file__).resolve().parents[1]
TOOLS = Path(os.environ.get("PATCHGATE_SARIF_TOOLS") or ROOT / "tests" / ".tools")
"""Where fetch_sarif_tools.sh installs the SARIF tools (the variable lets a test point elsewhere)."""
FETCH = ROOT / "tests" / "tools" / "fetch_sarif_tools.sh"
PART = {"Linux": "linux", "Darwin": "darwin", "Windows": "win32"}.get(platform.system(), "linux")
PART_DIR = TOOLS / "node_modules" / "@microsoft" / f"sarif-multitool-{PART}"

APP = "src/my app,v1.py"
APP_TEXT = "import os\n\nx = '😀😀' + )\nif x == None:\n    pass\n"
RULES = {
    "syntax-error": Rule(id="syntax-error", severity="error", message="syntax error", docs="The file does not parse.",
                         tags=["syntax"], language="*", engine="tree-sitter"),
    "compare-to-none": Rule(id="compare-to-none", aliases=["E711"], severity="warning", message="Comparison to None",
                            docs="Use `is None`.\n\n`==` calls `__eq__`.", tags=["correctness"], language="python",
                            engine="ast-grep", fixable=True, url="https://example.com/rules/compare-to-none"),
}


def _span(text: str, needle: str, length: int | None = None) -> tuple[LineIndex, int, int]:
    """Offsets of a needle in a text, with the text's line index."""
    start = text.index(needle)
    return LineIndex(text), start, start + (len(needle) if length is None else length)


def _diagnostic(rule_id: str, severity: str, message: str, needle: str, **extra: object) -> Diagnostic:
    index, start, end = _span(APP_TEXT, needle)
    engine = {"syntax-error": "tree-sitter", "compare-to-none": "ast-grep"}.get(rule_id, "patchgate")
    return Diagnostic(rule_id=rule_id, severity=severity, message=message, path=APP, span=index.span(start, end),
                      engine=engine, **extra)


def sample() -> list[Diagnostic]:
    """An error after two emoji, a fixable warning with a note, an info of an unknown rule, a hint."""
    index, start, end = _span(APP_TEXT, "x == None")
    fix = [TextEdit(span=index.span(start, end), new_text="x is None")]
    return sorted([
        _diagnostic("syntax-error", "error", "unexpected `)`", ")"),
        _diagnostic("compare-to-none", "warning", "Comparison to None: 100%, use `is`", "x == None",
                    fix=fix, note="Use `is None`;\n`==` calls __eq__.", source_alias="E711"),
        Diagnostic(rule_id="io-error", severity="info", message="cannot read: permission denied", path="b.py",
                   span=LineIndex("").span(0, 0), engine="patchgate"),
        _diagnostic("compare-to-none", "hint", "multi\nline", "import os\n\nx"),
    ], key=Diagnostic.sort_key)


def run_render(fmt: str, diagnostics: list[Diagnostic] | None = None, **kwargs: object) -> str:
    found = sample() if diagnostics is None else diagnostics
    return render(fmt, found, RULES, root=ROOT, sources={APP: APP_TEXT}, **kwargs)


# --- text -----------------------------------------------------------------------------------


def test_text_header_and_code_frame_caret_after_non_bmp() -> None:
    text = run_render("text")
    assert f"{APP}:3:12: syntax-error [error] unexpected `)`" in text
    lines = text.splitlines()
    code = lines.index("3 | x = '😀😀' + )", lines.index(f"{APP}:3:12: syntax-error [error] unexpected `)`"))
    caret_row = lines[code + 1]
    assert caret_row.rstrip().endswith("^") and caret_row.count("^") == 1
    assert cell_len(caret_row) - 1 == cell_len("3 | x = '😀😀' + ")  # the caret sits under `)`


def test_text_context_note_fix_and_summary() -> None:
    text = run_render("text")
    block = text[text.index(f"{APP}:4:4: compare-to-none [warning]") :]
    assert "2 |\n3 | x = '😀😀' + )\n4 | if x == None:\n  |    ^^^^^^^^^\n5 |     pass\n  |\n" in block
    assert "  = note: Use `is None`;\n          `==` calls __eq__.\n  = fix available" in block
    assert "b.py:1:1: io-error [info] cannot read: permission denied\n\n" in text  # no source: no frame
    assert text.rstrip().endswith("Found 4 problems (1 error, 1 warning, 1 info, 1 hint); 1 fixable")
    assert not any(line != line.rstrip() for line in text.splitlines())


def test_text_multi_line_and_empty_spans() -> None:
    text = run_render("text")
    block = text[text.index(f"{APP}:1:1: compare-to-none [hint]") :]
    assert block.startswith(f"{APP}:1:1: compare-to-none [hint] multi\nline\n  |\n1 | import os\n  | ^^^^^^^^^\n2 |\n"
                            "3 | x = '😀😀' + )\n  | ^\n")
    empty = Diagnostic(rule_id="syntax-error", severity="error", message="expected `)`", path=APP,
                       span=LineIndex(APP_TEXT).span(3, 3), engine="tree-sitter")
    assert "1 | import os\n  |    ^\n" in run_render("text", [empty])


def test_text_empty_report_and_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_render("text", []).strip() == "No problems found."
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" not in run_render("text")
    assert "\x1b[" in run_render("text", color=True)


def test_text_source_markup_is_not_interpreted() -> None:
    tricky = "x = '[bold]not markup[/bold] :smile:' + )\n"
    found = Diagnostic(rule_id="syntax-error", severity="error", message="unexpected `[red]`", path="t.py",
                       span=LineIndex(tricky).span(len(tricky) - 2, len(tricky) - 1), engine="tree-sitter")
    text = render("text", [found], RULES, root=ROOT, sources={"t.py": tricky})
    assert "1 | " + tricky.rstrip() in text and "unexpected `[red]`" in text


def test_unknown_format_is_bad_input() -> None:
    with pytest.raises(InputError, match="unknown output format"):
        run_render("xml")


# --- json -----------------------------------------------------------------------------------


def test_json_round_trips_every_diagnostic() -> None:
    found = sample()
    data = json.loads(run_render("json"))
    assert data["schema_version"] == "1"
    assert [Diagnostic.model_validate(item) for item in data["diagnostics"]] == found
    assert data["summary"] == {"total": 4, "errors": 1, "warnings": 1, "infos": 1, "hints": 1, "fixable": 1, "files": 2}


# --- github ---------------------------------------------------------------------------------


def test_github_escaping_rules() -> None:
    assert escape_data("100% a\r\nb, c: d") == "100%25 a%0D%0Ab, c: d"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"


def test_github_annotations() -> None:
    lines = run_render("github").splitlines()
    assert len(lines) == 4
    assert lines[0] == "::notice file=b.py,line=1,col=1,endColumn=1,endLine=1,title=io-error::cannot read: permission denied"
    assert lines[1] == "::notice file=src/my app%2Cv1.py,line=1,endLine=3,title=compare-to-none::multi%0Aline"
    assert lines[2] == "::error file=src/my app%2Cv1.py,line=3,col=12,endColumn=13,endLine=3,title=syntax-error::unexpected `)`"
    assert lines[3].startswith("::warning file=src/my app%2Cv1.py,line=4,col=4,endColumn=13,endLine=4,title=compare-to-none::")
    assert lines[3].endswith("::Comparison to None: 100%25, use `is`%0AUse `is None`;%0A`==` calls __eq__.%0A"
                             "A fix is available: `patchgate plan fix`.")
    assert run_render("github", []) == ""


# --- sarif ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SarifTools:
    """Where the npm-installed schema and validator binary are."""

    schema: Path
    binary: Path | None


@contextmanager
def _install_lock() -> Iterator[None]:
    """Serialise the install across xdist workers."""
    TOOLS.mkdir(parents=True, exist_ok=True)
    with open(TOOLS / ".install.lock", "w") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: no parallel installs to guard against in practice
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _working_binary() -> Path | None:
    """The validator binary, if it exists and runs on this machine."""
    for name in ("Sarif.Multitool", "Sarif.Multitool.exe"):
        binary = PART_DIR / name
        if not binary.is_file():
            continue
        try:
            done = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=120)
        except OSError:
            return None
        return binary if done.returncode == 0 and "SARIF Multitool" in done.stdout + done.stderr else None
    return None


NEEDS_NPM = ("the SARIF validator and schema need npm: tests/tools/fetch_sarif_tools.sh installs "
             "@microsoft/sarif-multitool into tests/.tools/")


@pytest.fixture(scope="session")
def sarif_tools() -> SarifTools:
    """The official SARIF tools; installed with tests/tools/fetch_sarif_tools.sh when missing, else skipped saying why."""
    schema = PART_DIR / "sarif-2.1.0.json"
    with _install_lock():
        if not schema.is_file() and shutil.which("npm") is None:
            pytest.skip(f"{NEEDS_NPM}; npm is not on PATH")
        if not schema.is_file():
            done = subprocess.run(["bash", str(FETCH)], capture_output=True, text=True, timeout=900)
            if done.returncode != 0 or not schema.is_file():
                last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
                pytest.skip(f"{NEEDS_NPM}; the install failed: {last[0]}")
    return SarifTools(schema=schema, binary=_working_binary())


def sarif_log() -> dict:
    return json.loads(run_render("sarif"))


def test_sarif_matches_the_official_schema(sarif_tools: SarifTools) -> None:
    schema = json.loads(sarif_tools.schema.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    for log in (sarif_log(), json.loads(run_render("sarif", []))):
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]
        assert errors == []


def test_sarif_passes_the_microsoft_validator(sarif_tools: SarifTools, tmp_path: Path) -> None:
    if sarif_tools.binary is None:
        pytest.skip(f"sarif-multitool is installed but does not run on this machine ({PART_DIR})")
    log_file = tmp_path / "report.sarif"
    log_file.write_text(run_render("sarif"), encoding="utf-8")
    report = tmp_path / "validation.sarif"
    env = {**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1"}
    done = subprocess.run([str(sarif_tools.binary), "validate", str(log_file), "-o", str(report), "--level", "Error;Warning"],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(report.read_text(encoding="utf-8-sig"))["runs"][0].get("results", [])
    problems = [(r["ruleId"], r["message"]) for r in results if r.get("level", "warning") in ("error", "warning")]
    assert problems == []


def test_sarif_validator_catches_a_broken_log(sarif_tools: SarifTools, tmp_path: Path) -> None:
    """Guards the test above: the validator must really report errors."""
    if sarif_tools.binary is None:
        pytest.skip(f"sarif-multitool is installed but does not run on this machine ({PART_DIR})")
    log = sarif_log()
    log["runs"][0]["results"][0]["ruleIndex"] = 99
    (tmp_path / "bad.sarif").write_text(json.dumps(log), encoding="utf-8")
    report = tmp_path / "validation.sarif"
    subprocess.run([str(sarif_tools.binary), "validate", str(tmp_path / "bad.sarif"), "-o", str(report)],
                   capture_output=True, text=True, timeout=300)
    results = json.loads(report.read_text(encoding="utf-8-sig"))["runs"][0].get("results", [])
    assert any(r.get("level") == "error" for r in results)


def test_sarif_driver_rules_and_levels() -> None:
    run = sarif_log()["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "patchgate" and driver["version"]
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == ["compare-to-none", "io-error", "syntax-error"]
    compare = driver["rules"][0]
    assert compare["name"] == "CompareToNone" and compare["helpUri"] == "https://example.com/rules/compare-to-none"
    assert compare["fullDescription"]["text"] == "Use `is None`."
    assert compare["defaultConfiguration"]["level"] == "warning"
    assert compare["properties"]["aliases"] == ["E711"] and compare["properties"]["tags"] == ["correctness"]
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
    assert [r["level"] for r in run["results"]] == ["note", "note", "error", "warning"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == ROOT.as_uri() + "/"


def test_sarif_locations_use_utf16_columns_and_encoded_uris() -> None:
    run = sarif_log()["runs"][0]
    assert run["columnKind"] == "utf16CodeUnits"
    error = next(r for r in run["results"] if r["ruleId"] == "syntax-error")
    physical = error["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "src/my%20app%2Cv1.py", "uriBaseId": "%SRCROOT%"}
    # `)` is code point 11 of its line; each emoji is two UTF-16 units: 1-based column 14.
    assert physical["region"] == {"startLine": 3, "startColumn": 14, "endLine": 3, "endColumn": 15}


def test_sarif_fixes_are_replacements() -> None:
    warning = next(r for r in sarif_log()["runs"][0]["results"] if r["level"] == "warning")
    (change,) = warning["fixes"][0]["artifactChanges"]
    (replacement,) = change["replacements"]
    assert replacement["deletedRegion"] == {"startLine": 4, "startColumn": 4, "endLine": 4, "endColumn": 13}
    assert replacement["insertedContent"] == {"text": "x is None"}
    assert warning["properties"]["sourceAlias"] == "E711"
