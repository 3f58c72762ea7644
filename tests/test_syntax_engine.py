"""tree-sitter syntax diagnostics: every grammar, precise code-point positions, readable messages."""

from __future__ import annotations

import pytest

from patchgate.diagnostics.engines.grammars import GRAMMARS, parser_for
from patchgate.diagnostics.engines.syntax import MAX_ERRORS, SyntaxEngine, available_languages, has_syntax_errors
from patchgate.diagnostics.models import Diagnostic
from patchgate.diagnostics.source import SourceFile

SELECTED = frozenset({"syntax-error"})

VALID = {
    "python": "def f(x):\n    return [x, (1, 2)]\n",
    "javascript": "function f(a) {\n  return a + 1;\n}\n",
    "typescript": "function f(a: number): number {\n  return a;\n}\n",
    "tsx": "const a = <div className=\"x\">{value}</div>;\n",
    "go": "package main\n\nfunc main() {\n\tx := 1\n\t_ = x\n}\n",
    "rust": "fn main() {\n    let x = 1;\n    println!(\"{}\", x);\n}\n",
    "json": '{"a": [1, 2], "b": {"c": null}}\n',
    "yaml": "a: [1, 2]\nb:\n  c: d\n",
    "toml": "[table]\nx = 1\ny = \"two\"\n",
    "bash": "if [ -n \"$a\" ]; then\n  echo \"$(date)\"\nfi\n",
}

# language -> (broken code, expected (0-based line, 0-based column), expected message)
BROKEN = {
    "python": ("x = 1\nprint(x\n", (1, 5), "'(' was never closed"),  # CPython's parser and wording
    "javascript": ("let a = 1;\nlet x = ;\n", (1, 6), "unexpected `=` in declaration"),
    "typescript": ("function f(a: ) {}\n", (0, 12), "unexpected `:` in parameter list"),
    "tsx": ("const a = <div>{x</div>;\n", (0, 15), "unclosed `{`"),
    "go": ("package main\nfunc main( {\n}\n", (1, 10), "expected `)` in parameter list"),
    "rust": ("fn main() {\n    let x = 1\n    let y = 2;\n}\n", (1, 13), "expected `;` in let statement"),
    "json": ('{"a": 1,, "b": 2}\n', (0, 7), "unexpected `,` in object"),
    "yaml": ("a: [1, 2\nb: 3\n", (0, 3), "unclosed `[` in block mapping"),
    "toml": ("ok = 1\n[table\nx = 1\n", (1, 0), "unclosed `[`"),
    "bash": ("if [ a ]; then\n  echo hi\n", (2, 0), "expected `fi` in if statement"),
}


def check(text: str, language: str | None, path: str = "f") -> list[Diagnostic]:
    return SyntaxEngine().check(SourceFile(path=path, text=text, language=language), SELECTED)


def test_every_grammar_is_available() -> None:
    found = available_languages()
    assert set(found) == set(GRAMMARS)
    assert all(version and version[0].isdigit() for version in found.values())


def test_parsers_are_cached_per_process() -> None:
    assert parser_for("python") is parser_for("python")
    assert parser_for("typescript") is not parser_for("tsx")


@pytest.mark.parametrize("language", sorted(VALID))
def test_valid_code_has_no_diagnostics(language: str) -> None:
    assert check(VALID[language], language) == []
    assert not has_syntax_errors(SourceFile("f", VALID[language], language))


@pytest.mark.parametrize("language", sorted(BROKEN))
def test_broken_code_is_reported_at_the_right_place(language: str) -> None:
    code, (line, column), message = BROKEN[language]
    found = check(code, language, path=f"src/file.{language}")
    assert found, f"no syntax error reported for {language}"
    first = found[0]
    assert (first.span.start_line, first.span.start_column) == (line, column)
    assert first.message == message
    assert first.rule_id == "syntax-error" and first.severity == "error" and first.engine == "tree-sitter"
    assert first.path == f"src/file.{language}"
    assert has_syntax_errors(SourceFile("f", code, language))


def test_missing_token_names_the_token() -> None:
    (found,) = check("if (a { b(); }\n", "javascript")
    assert found.message == "expected `)` in parenthesized expression"
    assert found.span.start_offset == found.span.end_offset == 5


def test_missing_named_node_names_its_kind() -> None:
    (found,) = check("package main\nfunc main() {\n\tx := \n}\n", "go")
    assert found.message.startswith("expected identifier")


def test_unmatched_closer_points_at_it_with_context() -> None:
    (found,) = check("function f() {\n    return );\n}\n", "javascript")
    assert found.message == "unexpected `)` in return statement"
    assert (found.span.start_line, found.span.start_column, found.span.end_column) == (1, 11, 12)


def test_columns_are_code_points_after_non_bmp_characters() -> None:
    text = "x = '😀😀' + )\n"
    (found,) = check(text, "python")
    assert found.message == "unmatched ')'"
    assert found.span.start_column == text.index(")") == 11
    assert text[found.span.start_offset : found.span.end_offset] == ")"


def test_non_bmp_on_earlier_lines_does_not_shift_offsets() -> None:
    text = "s = '𝔘𝔫𝔦𝔠𝔬𝔡𝔢'\ny = [1, 2\n"
    (found,) = check(text, "python")
    assert (found.span.start_line, found.span.start_column) == (1, 4)
    assert text[found.span.start_offset] == "["


def test_nested_errors_are_reported_once() -> None:
    found = check("function f( { return 1; }\n", "javascript")
    assert len(found) == 1 and found[0].message == "unclosed `(`"


def test_errors_are_capped_with_a_note() -> None:
    found = check("x = = 1\n" * (MAX_ERRORS + 7), "python")
    assert len(found) == MAX_ERRORS
    assert [d.span.start_line for d in found] == list(range(MAX_ERRORS))
    assert found[-1].note == "7 more syntax errors in this file not reported"
    assert all(d.note is None for d in found[:-1])


def test_long_tokens_are_truncated() -> None:
    (found,) = check('{"a" ' + '"' + "b" * 200 + '"}\n', "json")
    assert len(found.message) < 80


@pytest.mark.parametrize("language", [None, "cobol", ""])
def test_language_without_grammar_gives_nothing(language: str | None) -> None:
    assert check("this is ((( not code", language) == []
    assert not has_syntax_errors(SourceFile("f", "(((", language))


def test_unselected_rule_gives_nothing() -> None:
    source = SourceFile("a.py", "print(1\n", "python")
    assert SyntaxEngine().check(source, frozenset({"other-rule"})) == []


def test_odd_text_never_raises() -> None:
    assert check("\x00\ufeff\u2028(\n", "python")
    assert check("", "python") == []
    assert check("x = '\ud800'\n", "python") == []  # a lone surrogate cannot be encoded: skipped


def test_rule_metadata() -> None:
    (rule,) = SyntaxEngine().rules()
    assert (rule.id, rule.engine, rule.severity, rule.language) == ("syntax-error", "tree-sitter", "error", "*")
    assert rule.docs and rule.valid and rule.invalid
    for example in rule.valid:
        assert check(example.code, "python") == []
    for example in rule.invalid:
        assert check(example.code, "python")


def test_tree_sitter_columns_are_code_points_after_non_bmp_characters() -> None:
    text = "let s = '😀😀' + );\n"
    (found,) = check(text, "javascript")
    assert found.message == "unexpected `)` in declaration"
    assert found.span.start_column == text.index(")") == 15


def test_null_bytes_in_python_are_reported_where_they_are() -> None:
    (found,) = check("x = 1\ny = 2\x00\n", "python")
    assert (found.span.start_line, found.span.start_column) == (1, 5)
    assert "null bytes" in found.message
