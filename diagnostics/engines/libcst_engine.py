"""The Python rules' engine: each rule answers from CPython's tree, or (a PythonRule) from one libcst parse
and one batched traversal per file, only for files a rule can match. libcst is imported on first need."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import ValidationError

from patchgate.diagnostics.engines.libcst_tree import tree_diagnostics
from patchgate.diagnostics.errors import RuleLoadError, pydantic_reason
from patchgate.diagnostics.python_rule import PythonRule, is_rule_class, one_line
from patchgate.diagnostics.models import Diagnostic, Rule, Severity
from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.source import SourceFile
from patchgate.diagnostics.span import Span

def _own_rule(rule_id: str, severity: Severity, message: str, docs: str) -> Rule:
    """A finding of the engine itself: always shown, whatever the selection (engine "patchgate")."""
    return Rule(id=rule_id, severity=severity, message=message, docs=docs, tags=["patchgate"], language="python", engine="patchgate")


SKIPPED_RULE = _own_rule(
    "libcst-skipped",
    "info",
    "libcst rules skipped",
    "libcst could not parse the file (usually a syntax error, which the tree-sitter engine reports precisely), "
    "so the selected libcst rules did not run on it. Other engines are unaffected.",
)
CRASHED_RULE = _own_rule(
    "rule-crashed",
    "error",
    "a libcst rule crashed",
    "A libcst rule raised an exception on this file: a bug in that rule. Its findings on the file were "
    "discarded; every other rule ran normally.",
)
RESERVED_IDS = frozenset({SKIPPED_RULE.id, CRASHED_RULE.id})
MAX_DEPTH = 500
"""libcst's native parser is quadratic in expression depth and overflows the C stack (a segfault, not an
exception) past ~1,400 nested brackets or ~10,000 chained operators; its Python traversals already fail
past a depth of ~300. Files estimated deeper than this are skipped before parsing."""
STRING = r"""[rRbBuUfF]{0,2}(?:"{3}[\s\S]*?"{3}|'{3}[\s\S]*?'{3}|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')"""
DEPTH_TOKEN = re.compile(
    STRING + r"""| \#[^\n]* | (?P<open>[(\[{]) | (?P<close>[)\]}]) | (?P<sep>[,;:]) | (?P<newline>\n)
    | [-+*/%@&|^.~<>] | \b(?:and|or|not|if|else|lambda|await)\b""",
    re.VERBOSE,
)
@dataclass
class EngineStats:
    """Counters the benchmark reports: how much libcst work the prefilter saved."""

    checked: int = 0
    prefiltered: int = 0
    parsed: int = 0


def _crash_diagnostic(source: SourceFile, cls: type[PythonRule], error: BaseException, span: Span | None = None) -> Diagnostic:
    """One error naming the rule that raised, at `span` when known, else at the top of the file."""
    return Diagnostic(
        rule_id=CRASHED_RULE.id,
        severity="error",
        message=f"libcst rule {cls.id} ({cls.qualified_name()}) crashed: {one_line(error)}",
        path=source.path,
        span=span or source.lines.span(0, 0),
        engine="patchgate",
        note="A bug in the rule: its findings on this file were discarded; the other rules ran normally.",
    )


class TooDeep(Exception):
    """The file is nested too deeply for libcst to parse safely."""


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Cheap upper-bound estimate of the syntax-tree depth: brackets, plus chained operators, strings
    and trailers between separators; computed before libcst could crash the process."""
    if len(text) <= limit:
        return False
    chains, total = [0], 0
    for match in DEPTH_TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            chains.append(0)
        elif kind == "sep" or (kind == "newline" and len(chains) == 1):
            total -= chains[-1]
            chains[-1] = 0
        elif kind != "newline":  # an operator, a string, or a closed group: one more link in a chain
            if kind == "close" and len(chains) > 1:
                total -= chains.pop()
            chains[-1] += 1
            total += 1
        if total + len(chains) > limit:
            return True
    return False


def _skipped(source: SourceFile, error: BaseException) -> Diagnostic:
    """The single diagnostic of a file libcst could not handle."""
    raw_line, raw_column = getattr(error, "raw_line", None), getattr(error, "raw_column", 0)
    if isinstance(raw_line, int):  # libcst's ParserSyntaxError, named without importing libcst
        message = f"libcst rules skipped: syntax error at line {raw_line}"
        offset = source.lines.offset(max(raw_line - 1, 0), max(raw_column, 0))
        note = " ".join(str(getattr(error, "message", error)).split())
    elif isinstance(error, (TooDeep, RecursionError)):
        message, offset, note = "libcst rules skipped: code nested too deeply for libcst", 0, one_line(error)
    else:
        message, offset, note = f"libcst rules skipped: {one_line(error)}", 0, None
    return Diagnostic(
        rule_id=SKIPPED_RULE.id,
        severity="info",
        message=message,
        path=source.path,
        span=source.lines.span(offset, offset),
        engine="patchgate",
        note=note,
    )


def _validated(classes: Iterable[type[PythonRule]]) -> dict[str, tuple[type[PythonRule], Rule]]:
    """Check every rule class once, at construction: the only time this engine may raise."""
    by_id: dict[str, tuple[type[PythonRule], Rule]] = {}
    for cls in classes:
        if not is_rule_class(cls):
            raise RuleLoadError(f"libcst rule {cls!r}: not a PythonRule subclass with an id")
        name = cls.qualified_name()
        if cls.id in RESERVED_IDS:
            raise RuleLoadError(f"libcst rule {name}: id {cls.id!r} is reserved")
        if cls.id in by_id and by_id[cls.id][0] is not cls:
            raise RuleLoadError(f"libcst rule {name}: id {cls.id!r} is also used by {by_id[cls.id][0].qualified_name()}")
        if isinstance(cls.PREFILTER, str) or not all(isinstance(needle, str) for needle in cls.PREFILTER):
            raise RuleLoadError(f"libcst rule {name}: PREFILTER must be a tuple of strings")
        try:
            by_id[cls.id] = (cls, cls.to_rule())
        except ValidationError as error:
            raise RuleLoadError(f"libcst rule {name}: {pydantic_reason(error)}") from error
    return by_id


class LibcstEngine:
    """Runs PythonRule classes over Python files; see the RuleEngine protocol."""

    def __init__(self, rule_classes: Iterable[type[PythonRule]], python_target: tuple[int, int] = (3, 10)) -> None:
        self._by_id = _validated(rule_classes)
        self.python_target = python_target
        self.stats = EngineStats()

    def rules(self) -> list[Rule]:
        """Every rule class's metadata, plus the engine's own skipped/crashed findings."""
        return [rule for _, rule in self._by_id.values()] + [SKIPPED_RULE, CRASHED_RULE]

    def candidates(self, source: SourceFile, selected: frozenset[str], probe: Probe | None = None) -> list[type[PythonRule]]:
        """Selected rules whose text prefilter matches: if none, the file is never parsed."""
        if source.language != "python":
            return []
        chosen = [cls for rule_id, (cls, _) in self._by_id.items() if rule_id in selected]
        probe = probe or Probe(source.text, source.path, self.python_target)
        return [cls for cls in chosen if cls.may_match(probe)]

    def check(self, source: SourceFile, selected: frozenset[str]) -> list[Diagnostic]:
        """Findings of the selected rules on one file; never raises for bad source text."""
        if source.language != "python":
            return []
        probe = Probe(source.text, source.path, self.python_target)
        classes = self.candidates(source, selected, probe)
        self.stats.checked += 1
        found, classes = self._from_tree(source, probe, classes)
        if not classes:
            self.stats.prefiltered += 1
            return sorted(found, key=Diagnostic.sort_key)
        self.stats.parsed += 1
        try:
            if too_deep(source.text):
                raise TooDeep(f"estimated nesting depth above {MAX_DEPTH}")
            from patchgate.diagnostics.engines.libcst_run import run_libcst

            found.extend(run_libcst(source, classes))
        except Exception as error:  # parse errors, recursion limits: never fail the run
            return [_skipped(source, error)]
        return sorted(found, key=Diagnostic.sort_key)

    def _from_tree(self, source: SourceFile, probe: Probe, classes: list[type[PythonRule]]) -> tuple[list[Diagnostic], list[type[PythonRule]]]:
        """(findings of the rules CPython's tree answers for, the rules that still need libcst)."""
        found: list[Diagnostic] = []
        remaining = []
        for cls in classes:
            try:
                reports = cls.check_tree(probe)
            except RecursionError as error:
                return [_skipped(source, error)], []
            except Exception as error:
                found.append(_crash_diagnostic(source, cls, error))
                continue
            if reports is None:
                remaining.append(cls)
            else:
                found.extend(tree_diagnostics(source, self._by_id[cls.id][1], reports))
        return found, remaining
