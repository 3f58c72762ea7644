"""Suppression comments (SPEC 5): drop findings the user silenced, report silences that do nothing.

Line-level, on the line where a finding starts (in Python: on any line of the statement
where it starts, as flake8 reads `noqa`; see suppression_directives):
  `# patchgate: ignore[rule-id, E711]`  those rules (canonical ids or aliases)
  `# patchgate: ignore`                 every finding on the line
  `# noqa: E711` / `# noqa`             flake8-style; codes patchgate does not know are
                                        other tools' and are silently ignored
File-level, in any comment anywhere in the file:
  `# patchgate: ignore-file[rule-id]` / `# patchgate: ignore-file`
Each language takes its own comment opener (suppression_directives.COMMENT_MARKERS): `#`
(Python, YAML, Ruby...), `//` (JavaScript, Go, Java...), both (PHP, HCL), `--` (Lua, Haskell),
`/* */` (CSS) or `<!-- -->` (HTML, Markdown); files of unknown language take `#` and `//`. For Python a candidate must be a real COMMENT token
(so text inside a string never counts); other languages use the text scan alone.
Unused or unknown entries of `patchgate:` comments are reported as `unused-suppression`
with a fix; `noqa` comments are never reported, because other tools may need them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from patchgate.diagnostics.models import Diagnostic, Rule, RuleExample
from patchgate.diagnostics.source import SourceFile
from patchgate.diagnostics.span import TextEdit
from patchgate.diagnostics.suppression_directives import Directive, find_directives

RULE_ID = "unused-suppression"
class RuleIndex:
    """Maps codes written in comments (ids or aliases) to canonical rule ids."""

    def __init__(self, rules: Mapping[str, Rule]) -> None:
        self.rules = rules
        self.aliases: dict[str, set[str]] = {}
        for rule in rules.values():
            for alias in rule.aliases:
                self.aliases.setdefault(alias, set()).add(rule.id)

    def ids(self, code: str) -> set[str]:
        """Canonical ids a code stands for; empty when patchgate does not know it."""
        if code in self.rules:
            return {code}
        return self.aliases.get(code) or self.aliases.get(code.upper(), set())

    def suggest(self, code: str) -> str:
        """' (did you mean x?)' for an unknown code."""
        close = difflib.get_close_matches(code, [*self.rules, *self.aliases], n=1, cutoff=0.6)
        return f" (did you mean {close[0]}?)" if close else ""


def _silences(directive: Directive, diagnostic: Diagnostic, index: RuleIndex) -> bool:
    """Whether a directive covers a diagnostic; marks the codes that did so as used."""
    if directive.codes is None:
        directive.used.add("")
        return True
    hits = [code for code in directive.codes if diagnostic.rule_id in index.ids(code)]
    directive.used.update(hits)
    return bool(hits)


def _any_silences(directives: Iterable[Directive], diagnostic: Diagnostic, index: RuleIndex) -> bool:
    """Whether any of the directives covers the diagnostic (all of them get marked)."""
    return any([_silences(directive, diagnostic, index) for directive in directives])


def _may_have_directives(text: str) -> bool:
    """A quick screen before tokenizing: a case-insensitive regex search is ten times slower."""
    lowered = text.lower()
    return "patchgate:" in lowered or "noqa" in lowered


def apply_suppressions(source: SourceFile, diagnostics: list[Diagnostic], rules: Mapping[str, Rule],
                       report_unused: bool = False, selected: frozenset[str] | None = None) -> list[Diagnostic]:
    """The findings no comment silences, plus unused-suppression findings when report_unused.

    selected (optional): rules in force; a code naming only rules outside it is not called unused.
    """
    if (not diagnostics and not report_unused) or not _may_have_directives(source.text):
        return list(diagnostics)
    directives = find_directives(source)
    if not directives:
        return list(diagnostics)
    index = RuleIndex(rules)
    by_line: dict[int, list[Directive]] = {}
    for directive in directives:
        for line in directive.covered() if directive.kind != "ignore-file" else ():
            by_line.setdefault(line, []).append(directive)
    whole_file = [d for d in directives if d.kind == "ignore-file"]
    kept = [d for d in diagnostics
            if not _any_silences(by_line.get(d.span.start_line, ()), d, index) and not _any_silences(whole_file, d, index)]
    if not report_unused:
        return kept
    line_level = [_unused(source, d, index, selected) for d in directives if d.kind == "ignore"]
    kept.extend(u for u in line_level if u is not None and not _any_silences(whole_file, u, index))
    file_level = [_unused(source, d, index, selected) for d in whole_file]
    kept.extend(u for u in file_level if u is not None)
    return kept


def _unused(source: SourceFile, directive: Directive, index: RuleIndex, selected: frozenset[str] | None) -> Diagnostic | None:
    """An unused-suppression finding for the parts of a `patchgate:` comment that did nothing."""
    where = "in this file" if directive.kind == "ignore-file" else "on this line"
    if directive.codes is None:
        if directive.used:
            return None
        return _report(source, directive, f"unused suppression: nothing is reported {where}", _removal(source, directive))
    unknown = [c for c in directive.codes if not index.ids(c)]
    idle = [c for c in directive.codes if index.ids(c) and c not in directive.used
            and (selected is None or index.ids(c) & selected)]
    if not unknown and not idle:
        return None
    parts = [f"unknown rule {code}{index.suggest(code)}" for code in unknown]
    if idle:
        parts.append(f"nothing reported for {', '.join(idle)} {where}")
    remaining = [c for c in directive.codes if c not in unknown and c not in idle]
    fix = _removal(source, directive) if not remaining else _replace_codes(source, directive, remaining)
    return _report(source, directive, "unused suppression: " + "; ".join(parts), fix)


def _report(source: SourceFile, directive: Directive, message: str, fix: TextEdit) -> Diagnostic:
    """The unused-suppression Diagnostic; engine `patchgate`, since no parser found it."""
    return Diagnostic(
        rule_id=RULE_ID,
        severity="warning",
        message=message,
        path=source.path,
        span=source.lines.span(directive.start, directive.end),
        engine="patchgate",
        fix=[fix],
    )


def _replace_codes(source: SourceFile, directive: Directive, remaining: list[str]) -> TextEdit:
    """Rewrite the bracket contents to the codes that are still needed."""
    start, end = directive.codes_span or (directive.start, directive.end)
    return TextEdit(span=source.lines.span(start, end), new_text=", ".join(remaining))


def _removal(source: SourceFile, directive: Directive) -> TextEdit:
    """Remove a directive, keeping any other comment text on the line valid."""
    lines = source.lines
    line_start = lines.offset(directive.line, 0)
    line_text = lines.line_text(directive.line)
    close = max(directive.end, directive.closed)  # a block comment goes with its closer
    before = line_text[: directive.start - line_start]
    after = line_text[close - line_start :]
    if after.strip() and (after.lstrip().startswith(directive.marker) or directive.closed >= 0):
        gap = len(after) - len(after.lstrip())
        return TextEdit(span=lines.span(directive.start, close + gap), new_text="")
    if after.strip():
        return TextEdit(span=lines.span(directive.start + len(directive.marker), directive.end), new_text="")
    if not before.strip():
        return TextEdit(span=lines.span(line_start, lines.offset(directive.line + 1, 0)), new_text="")
    line_end = line_start + len(line_text.rstrip("\r"))
    return TextEdit(span=lines.span(line_start + len(before.rstrip()), line_end), new_text="")


UNUSED_SUPPRESSION_DOCS = """\
A `# patchgate: ignore[...]` comment that silences nothing hides nothing today but will
hide a real finding tomorrow, and an unknown rule id in one is usually a typo that silences
nothing at all. This rule reports both; its fix removes the unused ids, or the whole comment.

Suppression syntax: `# patchgate: ignore[rule-id, ALIAS]` on the line where a finding
starts (in Python, on any line of the statement it starts in, as flake8 reads `noqa`: a
comment after `from m import (` covers the names below it), a bare `# patchgate: ignore`
for every finding on that line,
`# patchgate: ignore-file[rule-id]` (or bare) in any comment for the whole file, and
flake8's `# noqa: CODE` for rules that declare CODE as an alias. `noqa` comments are never
reported here: other tools may need them. Write the directive in the language's own
comment: `//` instead of `#` in JavaScript, TypeScript, Go, Rust, JSON, C, C++, C#, Java,
Kotlin, Scala, Swift, Dart and Solidity (PHP and HCL take either), `-- patchgate: ignore[...]`
in Lua and Haskell, `/* patchgate: ignore[...] */` in CSS and `<!-- patchgate: ignore[...] -->`
in HTML and Markdown.
"""


def suppression_rules() -> list[Rule]:
    """The rules this module reports under, for listings, docs and selection."""
    return [
        Rule(
            id=RULE_ID,
            severity="warning",
            message="unused suppression comment",
            docs=UNUSED_SUPPRESSION_DOCS,
            tags=["patchgate", "suppression"],
            language="*",
            engine="patchgate",
            fixable=True,
            valid=[RuleExample(code="x = 1  # an ordinary comment\n"),
                   RuleExample(code="print(x)  # noqa: T201\n")],
            invalid=[RuleExample(code="x = 1  # patchgate: ignore[no-such-rule]\n", fixed="x = 1\n"),
                     RuleExample(code="# patchgate: ignore\ny = 2\n", fixed="y = 2\n")],
        )
    ]


class SuppressionEngine:
    """Runs unused-suppression alone (no other findings), so the rule's own examples can be tested."""

    def __init__(self, rules: Mapping[str, Rule] | None = None) -> None:
        self._rules = dict(rules or {})

    def rules(self) -> list[Rule]:
        """Just the unused-suppression rule."""
        return suppression_rules()

    def check(self, source: SourceFile, selected: frozenset[str]) -> list[Diagnostic]:
        """Every suppression comment in source, reported as unused since nothing else ran."""
        if RULE_ID not in selected:
            return []
        return apply_suppressions(source, [], self._rules, report_unused=True)
