"""The ast-grep engine: one SgRoot parse per file shared by every rule of its language, a literal
prefilter that skips rules (and parsing) for files a rule cannot match, and one combined traversal
that tells which rules can match before each of them runs with its full config."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ast_grep_py import SgRoot

from patchgate.diagnostics.engines.astgrep.analysis import node_kinds, referenced_utils, rename_utils
from patchgate.diagnostics.engines.astgrep.literals import Prefilter, Terms, prefilter_terms
from patchgate.diagnostics.engines.astgrep.rewriters import RewriteEngine
from patchgate.diagnostics.engines.astgrep.rules import AstGrepRule
from patchgate.diagnostics.engines.astgrep.templates import fix_range, render
from patchgate.diagnostics.errors import RuleLoadError
from patchgate.diagnostics.models import Diagnostic, Rule
from patchgate.diagnostics.source import SourceFile
from patchgate.diagnostics.span import Span, TextEdit

CONFIRM_LIMIT = 16
"""A rule with at most this many candidates is confirmed node by node instead of re-traversing the tree."""
COMBINED_CACHE_SIZE = 256


def _swallow(error: BaseException) -> None:
    """Re-raise interrupts; anything else ast-grep-py raises on odd input is a non-match."""
    if isinstance(error, (KeyboardInterrupt, SystemExit)):
        raise error


@dataclass
class EngineStats:
    """Counters for the benchmark: how much work the prefilter and the combined pass saved."""

    checked: int = 0
    prefiltered: int = 0
    parsed: int = 0
    rule_runs: int = 0


class _Compiled:
    """Per-rule data the engine derives once: prefilter terms, kinds, rewriters, combined-query branch."""

    def __init__(self, index: int, rule: AstGrepRule) -> None:
        self.index, self.rule = index, rule
        self.terms: Terms = prefilter_terms(rule)
        self.may_match_text = Prefilter(self.terms, rule.language)
        self.kinds = node_kinds(rule)
        self.probe = not referenced_utils(rule.rule)
        self.rewrites = RewriteEngine(rule.rewriters, rule.transform) if rule.rewriters or _has_rewrite(rule) else None

    @cached_property
    def branch(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The rule as one `any` branch, its local utils renamed so branches cannot clash."""
        return rename_utils(self.rule.rule, self.rule.utils or {}, f"pg{self.index}-")

    def confirm(self, node: Any) -> Any | None:
        """The match at this candidate node with the full config (constraints, transforms), or None."""
        try:
            if not node.matches(**self.rule.rule):
                return None
            match = node.find(self.rule.config)
        except BaseException as error:
            _swallow(error)
            return None
        if match is None or match.kind() != node.kind() or match.range().start.index != node.range().start.index:
            return None
        return match if match.range().end.index == node.range().end.index else None


def _has_rewrite(rule: AstGrepRule) -> bool:
    """Whether a transform uses `rewrite` (computed by patchgate, not ast-grep-py)."""
    return len(rule.config.get("transform", {})) != len(rule.transform or {})


class AstGrepEngine:
    """Runs ast-grep YAML rules through ast-grep-py; findings carry interpolated messages and fixes."""

    def __init__(self, rules: list[AstGrepRule]) -> None:
        seen: dict[str, AstGrepRule] = {}
        for rule in rules:
            if rule.id in seen:
                raise RuleLoadError(f"{rule.source}: rule `{rule.sg_id}`: duplicate rule id `{rule.id}` (also in {seen[rule.id].source})")
            seen[rule.id] = rule
        self._compiled = [_Compiled(i, rule) for i, rule in enumerate(rules)]
        self._by_language: dict[str, list[_Compiled]] = {}
        for compiled in self._compiled:
            self._by_language.setdefault(compiled.rule.language, []).append(compiled)
        self._combined: dict[tuple[int, ...], dict[str, Any]] = {}
        self.stats = EngineStats()

    @cached_property
    def _rules(self) -> list[Rule]:
        """Rule metadata of every enabled rule (severity `off` disables a rule)."""
        return [c.rule.to_rule() for c in self._compiled if c.rule.enabled]

    def rules(self) -> list[Rule]:
        """Every rule this engine can run, selected or not."""
        return list(self._rules)

    def ast_grep_rules(self) -> list[AstGrepRule]:
        """The loaded ast-grep rules, disabled ones included (rule tests run them too)."""
        return [c.rule for c in self._compiled]

    def check(self, source: SourceFile, selected: frozenset[str]) -> list[Diagnostic]:
        """Findings of the selected, enabled rules whose files/ignores globs admit the file."""
        candidates = [
            c for c in self._by_language.get(source.language or "", ())
            if c.rule.id in selected and c.rule.enabled and c.rule.applies_to(source.path)
        ]
        return self._run(source, candidates)

    def check_ignoring_paths(self, source: SourceFile, selected: frozenset[str]) -> list[Diagnostic]:
        """Like check, but without files/ignores and with disabled rules: how `sg test` runs a rule."""
        return self._run(source, [c for c in self._by_language.get(source.language or "", ()) if c.rule.id in selected])

    def _run(self, source: SourceFile, candidates: list[_Compiled]) -> list[Diagnostic]:
        """Prefilter, parse once, find candidates in one combined traversal, confirm per rule."""
        self.stats.checked += 1
        active = [c for c in candidates if c.may_match_text(source.text)]
        if not active:
            self.stats.prefiltered += 1
            return []
        try:
            root = SgRoot(source.text, active[0].rule.sg_language).root()
        except BaseException as error:
            _swallow(error)
            return []
        self.stats.parsed += 1
        found: list[Diagnostic] = []
        for compiled, nodes in self._matches(root, active):
            found.extend(self._diagnostic(compiled, node, source) for node in nodes)
        return found

    def _matches(self, root: Any, active: list[_Compiled]) -> Iterator[tuple[_Compiled, list[Any]]]:
        """Each rule's matches: from the combined candidates when few, else from its own traversal."""
        if len(active) == 1:
            yield active[0], self._find_all(root, active[0])
            return
        try:
            nodes = root.find_all(self._combined_config(active))
        except BaseException as error:
            _swallow(error)
            yield from ((c, self._find_all(root, c)) for c in active)
            return
        by_kind: dict[str, list[Any]] = {}
        for node in nodes:
            by_kind.setdefault(node.kind(), []).append(node)
        for compiled in active:
            pool = nodes if compiled.kinds is None else [n for k in compiled.kinds for n in by_kind.get(k, ())]
            if not pool:
                continue
            if compiled.probe and len(pool) <= CONFIRM_LIMIT:
                yield compiled, [m for n in pool if (m := compiled.confirm(n)) is not None]
            else:
                yield compiled, self._find_all(root, compiled)

    def _find_all(self, root: Any, compiled: _Compiled) -> list[Any]:
        """Every match of one rule in the tree, with its full config."""
        self.stats.rule_runs += 1
        try:
            return root.find_all(compiled.rule.config)
        except BaseException as error:
            _swallow(error)
            return []

    def _combined_config(self, active: Sequence[_Compiled]) -> dict[str, Any]:
        """One `any` over the active rules (constraints dropped: a superset of every rule's matches)."""
        key = tuple(c.index for c in active)
        config = self._combined.get(key)
        if config is None:
            if len(self._combined) >= COMBINED_CACHE_SIZE:
                self._combined.clear()
            utils: dict[str, Any] = {}
            for compiled in active:
                utils.update(compiled.branch[1])
            config = {"rule": {"any": [c.branch[0] for c in active]}}
            if utils:
                config["utils"] = utils
            self._combined[key] = config
        return config

    def _diagnostic(self, compiled: _Compiled, node: Any, source: SourceFile) -> Diagnostic:
        """A Diagnostic for one match: span in code points, message interpolated, fix as TextEdits."""
        rule, text = compiled.rule, source.text
        computed = compiled.rewrites.compute(node, text) if compiled.rewrites else None
        message = rule.message
        if rule.message_template.variables or "\n" in message:
            message = render(rule.message_template, node, text, computed)
        span = node.range()
        fix = None
        if rule.fixer is not None:
            start, end = fix_range(rule.fixer, node)
            edit_span = _span(span) if (start, end) == (span.start.index, span.end.index) else source.lines.span(start, end)
            fix = [TextEdit(span=edit_span, new_text=render(rule.fixer, node, text, computed))]
        return Diagnostic(
            rule_id=rule.id, severity=rule.severity if rule.enabled else "hint", message=message or rule.sg_id, path=source.path,
            span=_span(span), engine="ast-grep", fix=fix, note=rule.note, url=rule.url, source_alias=None,
        )


def _span(span: Any) -> Span:
    """A Span from an ast-grep-py Range (0-based lines; columns and offsets in code points)."""
    start, end = span.start, span.end
    return Span(
        start_line=start.line, start_column=start.column, end_line=end.line, end_column=end.column,
        start_offset=start.index, end_offset=end.index,
    )


def rule_prefilter(rule: AstGrepRule) -> list[str] | None:
    """Literals every file the rule can match must contain, or None when no safe literal exists."""
    terms = prefilter_terms(rule)
    common = frozenset.intersection(*terms) if terms else frozenset()
    return sorted(common) or None
