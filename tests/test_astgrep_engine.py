"""The ast-grep engine on its own: loading and validation, metadata, positions, globs, prefilter.

Agreement with the real ast-grep CLI lives in test_astgrep_agreement.py; these tests pin down
patchgate's own contracts (RuleLoadError wording, Rule metadata, code-point spans, the prefilter
never skipping a file ast-grep would match, check never raising on bad source text).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from ast_grep_py import SgRoot

from patchgate.diagnostics.engines.astgrep.engine import AstGrepEngine, rule_prefilter
from patchgate.diagnostics.engines.astgrep.literals import Prefilter, prefilter_terms, regex_literal
from patchgate.diagnostics.engines.astgrep.project import glob_regex, load_sgconfig
from patchgate.diagnostics.engines.astgrep.rule_files import load_rule_dirs, load_rule_file
from patchgate.diagnostics.engines.astgrep.rules import LANGUAGES, AstGrepRule, normalize_language
from patchgate.diagnostics.engines.astgrep.templates import indent_at, parse_template, reindent
from patchgate.diagnostics.errors import ConfigError, RuleLoadError
from patchgate.diagnostics.examples import run_examples
from patchgate.diagnostics.models import Diagnostic
from patchgate.diagnostics.source import SourceFile, language_for
from patchgate.diagnostics.span import apply_edits

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "astgrep"
PROJECT = DATA / "project"
BUILTIN = ROOT / "diagnostics" / "rules" / "ast_grep"
MISUSE = yaml.safe_load((DATA / "misuse.yml").read_text(encoding="utf-8"))


def write_rule(tmp_path: Path, text: str, name: str = "rule.yml") -> Path:
    """A rule file in tmp_path with dedented text."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def check(rules: list[AstGrepRule], path: str, text: str) -> list:
    """Every finding of the rules on one virtual file."""
    engine = AstGrepEngine(rules)
    return engine.check(SourceFile(path, text, language_for(path)), frozenset(r.id for r in rules))


def test_multi_document_file_and_language_spellings() -> None:
    rules = load_rule_file(DATA / "rules" / "python" / "compare-none.yml")
    assert [(r.id, r.language, r.severity) for r in rules] == [("eq-none", "python", "warning"), ("ne-none", "python", "info")]
    assert rules[0].fix == "$A is None" and rules[0].source.endswith("compare-none.yml")


def test_rule_dirs_are_loaded_recursively() -> None:
    rules = load_rule_dirs([DATA / "rules"])
    sources = {Path(r.source).parent.name for r in rules}
    assert sources == {"python", "js", "ts", "go", "rust"}
    assert len({r.id for r in rules}) == len(rules)


def test_missing_id_defaults_to_file_stem_like_ast_grep(tmp_path: Path) -> None:
    path = write_rule(tmp_path, "language: python\nrule: {kind: call}\n---\nid: ''\nlanguage: python\nrule: {kind: call}\n", "no_ids.yml")
    assert [r.sg_id for r in load_rule_file(path)] == ["no_ids", "no_ids-1"]


def test_to_rule_reads_metadata() -> None:
    (rule,) = load_rule_file(PROJECT / "rules" / "python" / "no-print-in-function.yml")
    meta = rule.to_rule()
    assert meta.engine == "ast-grep" and meta.language == "python" and meta.severity == "warning"
    assert meta.aliases == ["T201"] and meta.tags == ["style"] and meta.fixable
    assert meta.docs.startswith("Use logging") and meta.source == rule.source
    assert [e.code for e in meta.valid] == ["print('top level')\n"]
    assert meta.invalid[0].fixed == "def f():\n    log(1)\n"
    assert rule.safe_fix is False


def test_non_kebab_ids_become_canonical_with_the_original_as_alias() -> None:
    (rule,) = load_rule_file(PROJECT / "rules" / "python" / "src-only.yml")
    assert rule.id == "src-only-eq-none" and rule.sg_id == "src_only.eq-none"
    assert rule.to_rule().aliases == ["src_only.eq-none"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("python", "python"), ("Python", "python"), ("py", "python"), ("PY", "python"), ("javascript", "javascript"),
     ("js", "javascript"), ("jsx", "javascript"), ("JavaScript", "javascript"), ("typescript", "typescript"),
     ("ts", "typescript"), ("tsx", "tsx"), ("go", "go"), ("golang", "go"), ("rust", "rust"), ("rs", "rust"),
     ("json", "json"), ("yaml", "yaml"), ("yml", "yaml"), ("bash", "bash"), ("sh", None), ("toml", None), ("cobol", None)],
)
def test_language_names(name: str, expected: str | None) -> None:
    found = normalize_language(name)
    assert (found[0] if found else None) == expected


def test_every_language_name_is_accepted_by_ast_grep_py() -> None:
    for language in set(LANGUAGES.values()):
        SgRoot("", language)


@pytest.mark.parametrize("case", MISUSE, ids=lambda case: case["name"])
def test_misuse_raises_one_line_rule_load_error(case: dict, tmp_path: Path) -> None:
    path = write_rule(tmp_path, case["text"], f"{case['name']}.yml")
    with pytest.raises(RuleLoadError) as raised:
        load_rule_file(path)
    message = str(raised.value)
    assert "\n" not in message and message.startswith(str(path)), message
    assert case["reason"] in message, message
    assert raised.value.exit_code == 40


def test_rule_load_error_names_the_rule(tmp_path: Path) -> None:
    path = write_rule(tmp_path, "id: ok\nlanguage: python\nrule: {kind: call}\n---\nid: broken\nlanguage: python\nrule: {kind: nokind}\n")
    with pytest.raises(RuleLoadError, match=r"rule `broken`: .*Kind `nokind` is invalid"):
        load_rule_file(path)


def test_duplicate_ids_are_rejected() -> None:
    rules = load_rule_file(DATA / "rules" / "python" / "compare-none.yml")
    with pytest.raises(RuleLoadError, match="duplicate rule id `eq-none`"):
        AstGrepEngine(rules + rules[:1])


def test_positions_are_code_points_outside_the_bmp() -> None:
    text = 'a = "𝔘😀é"; b = f(1) == None\nc = "😀"; d = g(2) == None\n'
    rules = load_rule_file(DATA / "rules" / "python" / "compare-none.yml")
    found = sorted(check(rules, "x.py", text), key=lambda d: d.span.start_offset)
    assert [text[d.span.start_offset : d.span.end_offset] for d in found] == ["f(1) == None", 'g(2) == None']
    first, second = found[0].span, found[1].span
    assert (first.start_line, first.start_column) == (0, 15)
    assert (second.start_line, second.start_column, second.end_column) == (1, 13, 25)
    lines = SourceFile("x.py", text, "python").lines
    for diagnostic in found:
        assert lines.position(diagnostic.span.start_offset) == (diagnostic.span.start_line, diagnostic.span.start_column)
    edits = [edit for d in found for edit in d.fix or []]
    assert apply_edits(text, edits) == 'a = "𝔘😀é"; b = f(1) is None\nc = "😀"; d = g(2) is None\n'


def test_message_and_note_interpolation() -> None:
    rules = load_rule_file(DATA / "rules" / "python" / "compare-none.yml")
    (found,) = check(rules, "x.py", "y = value == None\n")
    assert found.message == "`value` compared to None with =="
    assert found.note == "Use `is None`; this note is not interpolated ($A stays as written)."


@pytest.mark.parametrize("text", ["", "\x00\x00", "def (:\n  ))) == None", "x = '\udcff' == None", "(" * 2000 + "a == None"])
def test_check_never_raises_on_bad_source(text: str) -> None:
    rules = load_rule_dirs([DATA / "rules" / "python"])
    assert isinstance(check(rules, "bad.py", text), list)


def test_severity_off_disables_a_rule() -> None:
    rules = load_rule_file(DATA / "rules" / "python" / "structure.yml")
    engine = AstGrepEngine(rules)
    assert "disabled-rule" not in {r.id for r in engine.rules()}
    found = engine.check(SourceFile("x.py", "print(1)\n", "python"), frozenset({"disabled-rule"}))
    assert found == []


def test_only_selected_rules_run() -> None:
    rules = load_rule_file(DATA / "rules" / "python" / "compare-none.yml")
    engine = AstGrepEngine(rules)
    text = "if a == None:\n    b = c != None\n"
    assert {d.rule_id for d in engine.check(SourceFile("x.py", text, "python"), frozenset({"eq-none"}))} == {"eq-none"}
    assert engine.check(SourceFile("x.py", text, "python"), frozenset()) == []
    assert engine.check(SourceFile("x.js", "a == null", "javascript"), frozenset({"eq-none"})) == []


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [("*.py", "a/b/c.py", True), ("src/**", "src/a/b.py", True), ("src/**", "lib/src/a.py", False),
     ("**/gen.py", "gen.py", True), ("**/gen.py", "a/b/gen.py", True), ("src/**/*.py", "src/a.py", True),
     ("{src,lib}/*.py", "lib/x.py", True), ("[ab].py", "c.py", False), ("[!ab].py", "c.py", True),
     ("./src/**", "src/a.py", False), ("te?t.py", "test.py", True)],
)
def test_globs_follow_globset(glob: str, path: str, matches: bool) -> None:
    assert bool(glob_regex(glob).fullmatch(path)) is matches


def test_files_and_ignores() -> None:
    (scoped, outside, _) = load_rule_file(DATA / "rules" / "python" / "scoped.yml")
    assert scoped.applies_to("code/python/sub/scoped.py") and scoped.applies_to("./code/python/sub/scoped.py")
    assert not scoped.applies_to("code/python/generated/gen.py") and not scoped.applies_to("code/python/basics.py")
    assert outside.applies_to("code/python/basics.py") and not outside.applies_to("code/python/sub/scoped.py")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("{pattern: 'self.assertEqual($A, $B)'}", ["assertEqual", "self", "self\x1fassertEqual"]), ("{kind: call}", None),
     ("{kind: call, regex: '^foo$'}", ["foo"]), ("{kind: call, regex: 'fo+'}", None),
     ("{pattern: 'lambda: $E'}", ["lambda"]), ("{any: [{pattern: 'list($$$)'}, {pattern: 'dict($$$)'}]}", None),
     ("{all: [{pattern: 'open($P)'}, {inside: {pattern: 'with_retry($$$)', stopBy: end}}]}", ["open", "with_retry"]),
     ("{pattern: 'print($A)', not: {has: {pattern: 'secret'}}}", ["print"]),
     ("{pattern: {context: 'print($A)', strictness: signature}}", None)],
)
def test_rule_prefilter(rule: str, expected: list[str] | None, tmp_path: Path) -> None:
    (loaded,) = load_rule_file(write_rule(tmp_path, f"id: r\nlanguage: python\nrule: {rule}\n"))
    assert rule_prefilter(loaded) == expected


def test_prefilter_alternatives_for_any() -> None:
    (rule,) = [r for r in load_rule_file(DATA / "rules" / "python" / "composite.yml") if r.id == "logger-warn"]
    assert set(prefilter_terms(rule)) == {
        frozenset({"logger", "warn", "logger\x1fwarn"}),
        frozenset({"logging", "warn", "logging\x1fwarn"}),
    }


@pytest.mark.parametrize(
    ("pattern", "text", "passes"),
    [
        ("self.assertEqual($A, $B)", "self.assertEqual(a, b)", True),
        ("self.assertEqual($A, $B)", "self . \\\n    assertEqual(a, b)", True),
        ("self.assertEqual($A, $B)", "self.other(assertEqual)", False),
        ("$A == None", "if x == None:", True),
        ("$A == None", "if x == (  # why\n    None):", True),
        ("$A == None", "x = None\ny == 1", False),
        ("$X is True", "x is not True", True),
        ("$X is True", "x is y or True", False),
        ("len($A) == 0", "len(items)==0", True),
        ("len($A) == 0", "len(items) == 10", False),
    ],
)
def test_token_sequences_allow_only_what_ast_grep_skips(pattern: str, text: str, passes: bool, tmp_path: Path) -> None:
    (loaded,) = load_rule_file(write_rule(tmp_path, f"id: r\nlanguage: python\nrule: {{pattern: '{pattern}'}}\n"))
    assert Prefilter(prefilter_terms(loaded), "python")(text) is passes


@pytest.mark.parametrize(("regex", "literal"), [("^__init__$", "__init__"), ("a\\.b", "a.b"), ("\\d+", None), ("a|b", None), ("(?i)x", None)])
def test_regex_literals(regex: str, literal: str | None) -> None:
    assert regex_literal(regex) == literal


def _corpus() -> list[tuple[str, str]]:
    """Every fixture code file plus every built-in rule example, as (path, text)."""
    files = [(p.relative_to(DATA).as_posix(), p.read_text(encoding="utf-8")) for p in sorted((DATA / "code").rglob("*.*"))]
    for rule in load_rule_dirs([BUILTIN]):
        meta = rule.to_rule()
        files.extend((f"example{i}.py", example.code) for i, example in enumerate([*meta.valid, *meta.invalid]))
    return files


def test_prefilter_never_skips_a_file_ast_grep_matches() -> None:
    rules = load_rule_dirs([DATA / "rules", BUILTIN])
    engine = AstGrepEngine(rules)
    for path, text in _corpus():
        language = language_for(path)
        for compiled in engine._by_language.get(language or "", []):
            matched = SgRoot(text, compiled.rule.sg_language).root().find_all(compiled.rule.config)
            if matched:
                assert compiled.may_match_text(text), f"{compiled.rule.id} would skip {path}"


def test_prefilter_skips_parsing() -> None:
    rules = load_rule_file(DATA / "rules" / "python" / "compare-none.yml")
    engine = AstGrepEngine(rules)
    assert engine.check(SourceFile("x.py", "x = 1\n", "python"), frozenset({"eq-none", "ne-none"})) == []
    assert (engine.stats.prefiltered, engine.stats.parsed) == (1, 0)


def _order(diagnostic: Diagnostic) -> tuple[str, int, int, str, str]:
    return (*diagnostic.sort_key(), diagnostic.message)


def test_combined_pass_equals_rules_run_one_by_one() -> None:
    rules = load_rule_dirs([DATA / "rules" / "python", BUILTIN])
    together = AstGrepEngine(rules)
    alone = {rule.id: AstGrepEngine([rule]) for rule in rules}
    for path, text in _corpus():
        if language_for(path) != "python":
            continue
        source = SourceFile(path, text, "python")
        expected = sorted((d for r in rules for d in alone[r.id].check(source, frozenset({r.id}))), key=_order)
        assert sorted(together.check(source, frozenset(alone)), key=_order) == expected, path


@pytest.mark.parametrize("rule", load_rule_dirs([BUILTIN]), ids=lambda r: r.id)
def test_builtin_pack_examples_pass_through_the_engine(rule: AstGrepRule) -> None:
    failures = [r for r in run_examples(rule.to_rule(), [AstGrepEngine([rule])]) if not r.passed]
    assert not failures, "; ".join(f"{f.name}: {f.reason}" for f in failures)


def test_global_utils_come_from_the_governing_sgconfig() -> None:
    (rule,) = load_rule_file(PROJECT / "rules" / "python" / "no-print-in-function.yml")
    assert {"print-call", "in-function", "in-main-guard"} <= set(rule.utils or {})
    text = "def f():\n    print(1)\nif __name__ == '__main__':\n    def g():\n        print(2)\n"
    assert [d.span.start_line for d in check([rule], "src/a.py", text)] == [1]


def test_sgconfig_paths() -> None:
    project = load_sgconfig(PROJECT / "sgconfig.yml")
    assert project.rule_dirs == (PROJECT / "rules",) and project.util_dirs == (PROJECT / "utils",)
    (tests,) = project.test_configs
    assert tests.test_dir == PROJECT / "rule-tests" and tests.snapshot_dir == PROJECT / "rule-tests" / "__snapshots__"
    assert all("__snapshots__" not in p.parts for p in project.test_files())
    assert {p.name for p in project.rule_files()} == {"no-print-in-function.yml", "src-only.yml", "no-alert.yml"}


def test_sgconfig_unknown_key_is_a_config_error(tmp_path: Path) -> None:
    path = write_rule(tmp_path, "ruleDirs: [rules]\nrulesDir: [oops]\n", "sgconfig.yml")
    with pytest.raises(ConfigError, match="rulesDir: unknown sgconfig key"):
        load_sgconfig(path)


def test_template_variables() -> None:
    template = parse_template("$A $$B $$$C $5 $$$ $_X $T $$$$D", ("T",))
    assert [(v.name, v.kind) for v in template.variables] == [
        ("A", "single"), ("B", "single"), ("C", "multi"), ("_X", "single"), ("T", "transformed"), ("D", "multi")]
    assert template.fragments[3] == " $5 $$$ "


def test_indentation_helpers() -> None:
    assert indent_at("if x:\n    foo(", 14) == 4 and indent_at("    a", 4) == 4 and indent_at("x" * 600 + "\n  y", 603) == 2
    assert indent_at(" " * 600 + "y", 601) == 0
    assert reindent("a\n        b\n    c", 8, 2) == "a\n  b\n    c"
    assert reindent("a\n b", 0, 4) == "a\n     b"
