"""Runs a rule's own VALID and INVALID examples through its engine: the examples are the tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from patchgate.diagnostics.models import Diagnostic, Rule, RuleExample
from patchgate.diagnostics.source import EXTENSION_LANGUAGES, RuleEngine, SourceFile
from patchgate.diagnostics.span import apply_edits

LANGUAGE_EXTENSIONS = {language: ext for ext, language in reversed(list(EXTENSION_LANGUAGES.items()))}


@dataclass(frozen=True)
class ExampleResult:
    """The outcome of one example: which rule, which case, and why it failed if it did."""

    rule_id: str
    kind: str
    index: int
    passed: bool
    reason: str = ""

    @property
    def name(self) -> str:
        """A stable name such as `compare-to-none/invalid[1]`."""
        return f"{self.rule_id}/{self.kind}[{self.index}]"


def example_source(rule: Rule, code: str) -> SourceFile:
    """A virtual file of the rule's language holding the example code."""
    language = rule.language if rule.language in LANGUAGE_EXTENSIONS else "python"
    return SourceFile(path=f"example{LANGUAGE_EXTENSIONS[language]}", text=code, language=language)


def findings_of(rule: Rule, code: str, engines: Sequence[RuleEngine]) -> list[Diagnostic]:
    """What the rule reports on a piece of code, through every engine that knows it."""
    source = example_source(rule, code)
    selected = frozenset({rule.id})
    return [d for engine in engines for d in engine.check(source, selected) if d.rule_id == rule.id]


def check_valid(rule: Rule, index: int, example: RuleExample, engines: Sequence[RuleEngine]) -> ExampleResult:
    """A valid example passes when the rule reports nothing on it."""
    found = findings_of(rule, example.code, engines)
    reason = "" if not found else f"reported at line {found[0].span.start_line + 1}: {found[0].message}"
    return ExampleResult(rule.id, "valid", index, not found, reason)


def check_invalid(rule: Rule, index: int, example: RuleExample, engines: Sequence[RuleEngine]) -> ExampleResult:
    """An invalid example passes when the rule reports it and, if given, the fix gives `fixed`."""
    found = findings_of(rule, example.code, engines)
    if not found:
        return ExampleResult(rule.id, "invalid", index, False, "not reported")
    if example.fixed is None:
        return ExampleResult(rule.id, "invalid", index, True)
    edits = [edit for d in found for edit in (d.fix or [])]
    if not edits:
        return ExampleResult(rule.id, "invalid", index, False, "expected a fix, none offered")
    try:
        fixed = apply_edits(example.code, edits)
    except ValueError as error:
        return ExampleResult(rule.id, "invalid", index, False, str(error))
    if fixed != example.fixed:
        return ExampleResult(rule.id, "invalid", index, False, f"fix gave {fixed!r}, expected {example.fixed!r}")
    return ExampleResult(rule.id, "invalid", index, True)


def run_examples(rule: Rule, engines: Sequence[RuleEngine]) -> list[ExampleResult]:
    """Every example of one rule."""
    results = [check_valid(rule, i, example, engines) for i, example in enumerate(rule.valid)]
    results.extend(check_invalid(rule, i, example, engines) for i, example in enumerate(rule.invalid))
    return results
