"""patchgate's ast-grep engine agrees with the real `ast-grep` CLI on the same rules and code.

Every rule file under tests/data/astgrep/rules/<lang>/ is run by `ast-grep scan -r FILE
--json=compact code/<lang>` and by AstGrepEngine over the same files (paths relative to
tests/data/astgrep, as the CLI prints them). Both must report the same matches: rule, file,
line/column, code-point offsets, interpolated message and, for rules with a fix, the same
replacement text and range. Then `ast-grep scan -U` rewrites a temporary copy of the code, and
applying patchgate's TextEdits with span.apply_edits must give byte-for-byte the same files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from patchgate.diagnostics.engines.astgrep.engine import AstGrepEngine
from patchgate.diagnostics.engines.astgrep.project import load_sgconfig
from patchgate.diagnostics.engines.astgrep.rule_files import load_rule_file
from patchgate.diagnostics.engines.astgrep.rules import AstGrepRule
from patchgate.diagnostics.models import Diagnostic
from patchgate.diagnostics.source import SourceFile, language_for
from patchgate.diagnostics.span import apply_edits

DATA = Path(__file__).resolve().parent / "data" / "astgrep"
RULE_FILES = sorted((DATA / "rules").glob("*/*.yml"))
NEVER_MATCHING = {"disabled-rule", "kind-and-pattern-disagree"}
"""Rules that must report nothing (severity: off; contradictory kinds)."""


def _ast_grep() -> str | None:
    """The ast-grep binary next to the interpreter (ast-grep-cli wheel), else on PATH."""
    beside = Path(sys.executable).parent / "ast-grep"
    return str(beside) if beside.is_file() else shutil.which("ast-grep")


AST_GREP = _ast_grep()
pytestmark = pytest.mark.skipif(AST_GREP is None, reason="the ast-grep CLI is not installed")
Key = tuple[object, ...]


def _code_files(root: Path, lang: str) -> dict[str, str]:
    """Workspace-relative path -> text of every code file of one language folder."""
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in sorted((root / "code" / lang).rglob("*")) if p.is_file()}


def _char(text: str, byte_offset: int) -> int:
    """Code-point offset of a UTF-8 byte offset."""
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8"))


def _scan(rule_file: Path, root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run `ast-grep scan -r RULE [...] code/<lang>` from root."""
    lang = rule_file.parent.name
    args = [str(AST_GREP), "scan", "-r", str(rule_file.relative_to(root)), *extra, f"code/{lang}"]
    return subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=120)


@lru_cache(maxsize=None)
def cli_keys(rule_file: Path) -> frozenset[Key]:
    """What the CLI reports for one rule file, keyed like _our_key."""
    done = _scan(rule_file, DATA, "--json=compact")
    assert done.returncode in (0, 1), done.stderr
    texts = _code_files(DATA, rule_file.parent.name)
    keys = set()
    for match in json.loads(done.stdout):
        text, offsets = texts[match["file"]], match["range"]["byteOffset"]
        start, end = match["range"]["start"], match["range"]["end"]
        fix = None
        if "replacement" in match:
            where = match["replacementOffsets"]
            fix = (match["replacement"], _char(text, where["start"]), _char(text, where["end"]))
        keys.add((match["ruleId"], match["file"], start["line"], start["column"], end["line"], end["column"],
                  _char(text, offsets["start"]), _char(text, offsets["end"]), match["message"], fix))
    return frozenset(keys)


def _our_key(diagnostic: Diagnostic, rules: dict[str, AstGrepRule]) -> Key:
    """A diagnostic keyed like the CLI's JSON match."""
    span, fix = diagnostic.span, None
    if diagnostic.fix:
        (edit,) = diagnostic.fix
        fix = (edit.new_text, edit.span.start_offset, edit.span.end_offset)
    return (rules[diagnostic.rule_id].sg_id, diagnostic.path, span.start_line, span.start_column, span.end_line,
            span.end_column, span.start_offset, span.end_offset, diagnostic.message, fix)


def our_diagnostics(rule_file: Path) -> tuple[dict[str, AstGrepRule], list[Diagnostic]]:
    """patchgate's findings for one rule file over the same code files."""
    rules = load_rule_file(rule_file)
    engine = AstGrepEngine(rules)
    selected = frozenset(rule.id for rule in rules)
    found = []
    for path, text in _code_files(DATA, rule_file.parent.name).items():
        found.extend(engine.check(SourceFile(path, text, language_for(path)), selected))
    return {rule.id: rule for rule in rules}, found


def _describe(keys: set[Key]) -> str:
    return "\n".join(repr(key) for key in sorted(keys, key=repr)[:8])


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_matches_messages_and_replacements(rule_file: Path) -> None:
    rules, found = our_diagnostics(rule_file)
    ours = {_our_key(d, rules) for d in found}
    theirs = set(cli_keys(rule_file))
    assert ours == theirs, f"only patchgate:\n{_describe(ours - theirs)}\nonly ast-grep:\n{_describe(theirs - ours)}"


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_rule_is_exercised(rule_file: Path) -> None:
    """Agreement on an empty match set proves nothing: each fixture rule must match somewhere."""
    reported = {key[0] for key in cli_keys(rule_file)}
    expected = {rule.sg_id for rule in load_rule_file(rule_file)} - NEVER_MATCHING
    assert expected <= reported, f"rules without any match: {sorted(expected - reported)}"


@pytest.mark.parametrize("rule_file", [p for p in RULE_FILES if "fix:" in p.read_text(encoding="utf-8")],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_fixed_text(rule_file: Path, tmp_path: Path) -> None:
    lang = rule_file.parent.name
    shutil.copytree(DATA / "rules", tmp_path / "rules")
    shutil.copytree(DATA / "code", tmp_path / "code")
    done = _scan(tmp_path / rule_file.relative_to(DATA), tmp_path, "--update-all")
    assert done.returncode in (0, 1), done.stderr
    _, found = our_diagnostics(rule_file)
    originals = _code_files(DATA, lang)
    for path, fixed_by_cli in _code_files(tmp_path, lang).items():
        edits = [edit for d in found if d.path == path for edit in d.fix or []]
        assert apply_edits(originals[path], edits) == fixed_by_cli, f"{path}: fixed text differs"


PROJECT = DATA / "project"


def test_sgconfig_project_agrees_with_ast_grep_scan() -> None:
    """ruleDirs, utilDirs (global utils) and files/ignores relative to the project, as `ast-grep scan` runs them."""
    done = subprocess.run([str(AST_GREP), "scan", "--json=compact"], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    theirs = {(m["ruleId"], m["file"], m["range"]["start"]["line"], m["range"]["start"]["column"], m["message"])
              for m in json.loads(done.stdout)}
    project = load_sgconfig(PROJECT / "sgconfig.yml")
    rules = [rule for path in project.rule_files() for rule in load_rule_file(path)]
    engine, by_id = AstGrepEngine(rules), {rule.id: rule for rule in rules}
    ours = set()
    for path in sorted(p for folder in ("src", "other") for p in (PROJECT / folder).rglob("*.*")):
        relative = path.relative_to(PROJECT).as_posix()
        for d in engine.check(SourceFile(relative, path.read_text(encoding="utf-8"), language_for(relative)), frozenset(by_id)):
            ours.add((by_id[d.rule_id].sg_id, d.path, d.span.start_line, d.span.start_column, d.message))
    assert ours == theirs and len(ours) >= 6


MISUSE = yaml.safe_load((DATA / "misuse.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", MISUSE, ids=lambda case: case["name"])
def test_ast_grep_also_rejects_what_patchgate_rejects(case: dict, tmp_path: Path) -> None:
    rule_file = tmp_path / "rule.yml"
    rule_file.write_text(case["text"], encoding="utf-8")
    (tmp_path / "code.py").write_text("foo(1)\n", encoding="utf-8")
    (tmp_path / "code.js").write_text("foo(1)\n", encoding="utf-8")
    done = subprocess.run([str(AST_GREP), "scan", "-r", "rule.yml", "--json=compact", "."], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode not in (0, 1) and "Cannot parse rule" in done.stderr, done.stderr
