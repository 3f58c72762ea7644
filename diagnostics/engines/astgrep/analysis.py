"""Static analysis of ast-grep rules: the AST kinds a rule can match (ast-grep's potential kinds,
which it requires at load time) and the utils it references.

Patterns are analysed in patterns.py; the literals a file must contain (the prefilter) in literals.py.
Anything not understood yields "any kind": the analysis may only ever weaken.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from patchgate.diagnostics.engines.astgrep.patterns import ANALYZED, ANY, RELATIONS, Kinds, pattern_facts

if TYPE_CHECKING:
    from patchgate.diagnostics.engines.astgrep.rules import AstGrepRule

MISSING_KINDS = "Rule must specify a set of AST kinds to match. Try adding `kind` rule"


def _all_kinds(parts: list[Kinds]) -> Kinds:
    """ast-grep's All: intersect the parts that have kinds (ANY is neutral)."""
    known = [p for p in parts if p is not None]
    if not known:
        return None
    exact = [p for p in known if p != ANY]
    return frozenset.intersection(*exact) if exact else ANY


def _any_kinds(parts: list[Kinds]) -> Kinds:
    """ast-grep's Any: the union, or None as soon as one branch has no kinds."""
    if any(p is None for p in parts):
        return None
    return ANY if ANY in parts else frozenset().union(*parts)


def rule_kinds(rule: object, language: str, utils: dict[str, Any], seen: frozenset[str] = frozenset()) -> Kinds:
    """The AST kinds a rule object can match, as ast-grep's potential_kinds computes them."""
    if not isinstance(rule, dict):
        return ANY
    parts: list[Kinds] = []
    if "pattern" in rule:
        parts.append(pattern_facts(rule, language)[0])
    if "kind" in rule:
        parts.append(frozenset({str(rule["kind"])}))
    parts.extend(None for key in ("regex", "nthChild", "range", "not", *RELATIONS) if key in rule)
    if isinstance(rule.get("all"), list):
        parts.append(_all_kinds([rule_kinds(r, language, utils, seen) for r in rule["all"]]))
    if isinstance(rule.get("any"), list):
        parts.append(_any_kinds([rule_kinds(r, language, utils, seen) for r in rule["any"]]))
    name = rule.get("matches")
    if isinstance(name, str):
        parts.append(ANY if name in seen or name not in utils else rule_kinds(utils[name], language, utils, seen | {name}))
    return _all_kinds(parts)


def missing_kinds_reason(rule: dict[str, Any], language: str, utils: dict[str, Any]) -> str | None:
    """ast-grep refuses a rule that matches no particular AST kind (e.g. only `regex` or `not`)."""
    if language in ANALYZED and rule_kinds(rule, language, utils) is None:
        return MISSING_KINDS
    return None


def node_kinds(rule: AstGrepRule) -> frozenset[str] | None:
    """Kinds usable to filter candidate nodes; None means any node may match."""
    kinds = rule_kinds(rule.rule, rule.language, rule.utils or {})
    return None if kinds is None or kinds == ANY else kinds


def referenced_utils(node: object) -> set[str]:
    """Names used with `matches` anywhere in a rule tree."""
    if isinstance(node, dict):
        found = {node["matches"]} if isinstance(node.get("matches"), str) else set()
        return found.union(*(referenced_utils(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(referenced_utils(v) for v in node))
    return set()


def _rename(node: object, names: dict[str, str]) -> object:
    """A copy of a rule tree with `matches` references renamed."""
    if isinstance(node, dict):
        return {k: names.get(v, v) if k == "matches" and isinstance(v, str) else _rename(v, names) for k, v in node.items()}
    if isinstance(node, list):
        return [_rename(v, names) for v in node]
    return node


def rename_utils(rule: dict[str, Any], utils: dict[str, Any], prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Rule and utils with every util renamed to `prefix + name`, so rules can share one config."""
    names = {name: prefix + name for name in utils}
    renamed = {names[name]: _rename(body, names) for name, body in utils.items()}
    return _rename(rule, names), renamed  # type: ignore[return-value]
