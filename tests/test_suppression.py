"""Suppression comments: ids, aliases, noqa, bare, file-level, strings, unused and unknown ids."""

from __future__ import annotations

from patchgate.diagnostics.models import Diagnostic, Rule
from patchgate.diagnostics.source import SourceFile
from patchgate.diagnostics.span import apply_edits
from patchgate.diagnostics.suppression import SuppressionEngine, apply_suppressions, suppression_rules


def rule(rule_id: str, aliases: list[str]) -> Rule:
    return Rule(id=rule_id, aliases=aliases, severity="warning", message="m", language="python", engine="ast-grep")


RULES = {r.id: r for r in [rule("compare-to-none", ["E711"]), rule("no-print", ["T201"]), rule("eval-used", ["S307"])]}


def source(text: str, path: str = "a.py", language: str | None = "python") -> SourceFile:
    return SourceFile(path=path, text=text, language=language)


def finding(src: SourceFile, rule_id: str, line: int) -> Diagnostic:
    start = src.lines.offset(line, 0)
    return Diagnostic(rule_id=rule_id, severity="warning", message="m", path=src.path,
                      span=src.lines.span(start, start + 1), engine="ast-grep")


def kept(text: str, found: list[tuple[str, int]], unused: bool = False, language: str | None = "python",
         path: str = "a.py") -> list[tuple[str, int]]:
    src = source(text, path, language)
    diagnostics = [finding(src, rule_id, line) for rule_id, line in found]
    result = apply_suppressions(src, diagnostics, RULES, report_unused=unused)
    return [(d.rule_id, d.span.start_line) for d in result]


def test_no_comments_returns_the_findings_unchanged() -> None:
    assert kept("x == None\n", [("compare-to-none", 0)], unused=True) == [("compare-to-none", 0)]


def test_ignore_by_id_and_alias_on_the_finding_line_only() -> None:
    text = "a == None  # patchgate: ignore[compare-to-none]\nb == None  # patchgate: ignore[E711]\nc == None\n"
    found = [("compare-to-none", 0), ("compare-to-none", 1), ("compare-to-none", 2), ("no-print", 0)]
    assert kept(text, found) == [("compare-to-none", 2), ("no-print", 0)]


def test_noqa_codes_for_declared_aliases_and_bare_noqa() -> None:
    text = "a == None  # noqa: E711\nprint(1)  # noqa:E711,F401\nprint(2)  # NOQA\n"
    found = [("compare-to-none", 0), ("no-print", 1), ("no-print", 2), ("eval-used", 2)]
    assert kept(text, found) == [("no-print", 1)]


def test_bare_ignore_silences_everything_on_the_line() -> None:
    text = "print(a == None)  # patchgate: ignore\nprint(1)\n"
    assert kept(text, [("no-print", 0), ("compare-to-none", 0), ("no-print", 1)]) == [("no-print", 1)]


def test_file_level_ignore() -> None:
    text = "import os\n# patchgate: ignore-file[no-print]\nprint(1)\nx == None\n"
    assert kept(text, [("no-print", 2), ("compare-to-none", 3)]) == [("compare-to-none", 3)]
    bare = "# patchgate: ignore-file\nprint(1)\nx == None\n"
    assert kept(bare, [("no-print", 1), ("compare-to-none", 2)], unused=True) == []


def test_comment_text_inside_a_string_does_not_count() -> None:
    text = 's = "x  # patchgate: ignore"; print(s)\nt = """\n# noqa\n"""; print(t)  # noqa: E711\n'
    found = [("no-print", 0), ("no-print", 3)]
    assert kept(text, found) == found
    assert kept(text, [], unused=True) == []


def test_unused_and_unknown_ids_are_reported_with_a_fix() -> None:
    text = "print(1)  # patchgate: ignore[no-print, E711, nope]\nx = 1  # patchgate: ignore\ny = 2\n"
    src = source(text)
    result = apply_suppressions(src, [finding(src, "no-print", 0)], RULES, report_unused=True)
    assert [(d.rule_id, d.span.start_line, d.severity, d.engine) for d in result] == [
        ("unused-suppression", 0, "warning", "patchgate"), ("unused-suppression", 1, "warning", "patchgate")]
    assert result[0].message == "unused suppression: unknown rule nope; nothing reported for E711 on this line"
    assert result[1].message == "unused suppression: nothing is reported on this line"
    fixed = apply_edits(text, [edit for d in result for edit in d.fix or []])
    assert fixed == "print(1)  # patchgate: ignore[no-print]\nx = 1\ny = 2\n"


def test_unknown_id_gets_did_you_mean_and_noqa_unknown_codes_are_silent() -> None:
    text = "x = 1  # patchgate: ignore[no-prnt]\ny = 2  # noqa: XYZ123\n"
    src = source(text)
    (report,) = apply_suppressions(src, [], RULES, report_unused=True)
    assert report.message == "unused suppression: unknown rule no-prnt (did you mean no-print?)"
    assert report.span.start_line == 0


def test_unused_reporting_is_off_unless_asked() -> None:
    assert kept("x = 1  # patchgate: ignore[no-print]\n", [], unused=False) == []


def test_rules_outside_the_selection_are_not_called_unused() -> None:
    src = source("x = 1  # patchgate: ignore[no-print]\n")
    assert apply_suppressions(src, [], RULES, report_unused=True, selected=frozenset({"eval-used"})) == []
    assert len(apply_suppressions(src, [], RULES, report_unused=True, selected=frozenset({"no-print"}))) == 1


def test_removal_keeps_the_rest_of_the_comment_valid() -> None:
    text = "a = 1  # patchgate: ignore[nope]  # type: ignore\nb = 2  # patchgate: ignore[nope] because\n"
    src = source(text)
    result = apply_suppressions(src, [], RULES, report_unused=True)
    fixed = apply_edits(text, [edit for d in result for edit in d.fix or []])
    assert fixed == "a = 1  # type: ignore\nb = 2  # because\n"


def test_slash_comments_for_c_like_languages_and_hash_for_yaml() -> None:
    js = "eval(x); // patchgate: ignore[S307]\neval(y); # patchgate: ignore[S307]\n"
    assert kept(js, [("eval-used", 0), ("eval-used", 1)], language="javascript", path="a.js") == [("eval-used", 1)]
    yaml = "key: value  # patchgate: ignore[no-print]\n"
    assert kept(yaml, [("no-print", 0)], language="yaml", path="a.yaml") == []


def test_the_rule_examples_hold() -> None:
    (unused,) = suppression_rules()
    engine = SuppressionEngine()
    assert unused.id == "unused-suppression" and unused.docs and unused.valid and unused.invalid
    for example in unused.valid:
        assert engine.check(source(example.code), frozenset({unused.id})) == []
    for example in unused.invalid:
        found = engine.check(source(example.code), frozenset({unused.id}))
        assert found and apply_edits(example.code, [e for d in found for e in d.fix or []]) == example.fixed
