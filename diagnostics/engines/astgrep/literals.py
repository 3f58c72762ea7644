"""The prefilter of an ast-grep rule: literals a file must contain for the rule to match anywhere in it.

Terms are in disjunctive form (every literal of at least one alternative); a token sequence must
appear in order with only comments, punctuation or keywords between its pieces.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from patchgate.diagnostics.engines.astgrep.patterns import RELATIONS, SEQUENCE, SEQUENCE_GAPS, WORD, pattern_facts

if TYPE_CHECKING:
    from patchgate.diagnostics.engines.astgrep.rules import AstGrepRule

MAX_ALTERNATIVES = 16
REGEX_META = set(".^$*+?()[]{}|")
Terms = tuple[frozenset[str], ...]
"""Prefilter in disjunctive form: the file must contain every literal of at least one alternative."""
TRUE: Terms = (frozenset(),)


def _and(left: Terms, right: Terms) -> Terms:
    """Both requirements: the product of alternatives, collapsed when it grows too large."""
    product = {a | b for a in left for b in right}
    return _simplify(product)


def _or(parts: list[Terms]) -> Terms:
    """Either requirement: the union of alternatives; one unconstrained branch makes it TRUE."""
    return _simplify({alt for part in parts for alt in part})


def _simplify(alternatives: set[frozenset[str]]) -> Terms:
    """Dedupe; too many alternatives collapse to the literals they all share (a weaker test)."""
    if not alternatives or frozenset() in alternatives:
        return TRUE
    if len(alternatives) > MAX_ALTERNATIVES:
        return (frozenset.intersection(*alternatives),)
    return tuple(sorted(alternatives, key=sorted))


def regex_literal(regex: str) -> str | None:
    """The literal a regex needs, when the regex is nothing but a (possibly anchored) literal."""
    body = regex[1:] if regex.startswith("^") else regex
    body = body[:-1] if body.endswith("$") and not body.endswith("\\$") else body
    out, index = [], 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            escaped = body[index + 1 : index + 2]
            if not escaped or escaped.isalnum():
                return None
            out.append(escaped)
            index += 2
            continue
        if char in REGEX_META:
            return None
        out.append(char)
        index += 1
    return "".join(out) or None


def rule_terms(rule: object, language: str, utils: dict[str, Any], seen: frozenset[str] = frozenset()) -> Terms:
    """Literals a file needs for a rule object to match somewhere in it (disjunctive form)."""
    if not isinstance(rule, dict):
        return TRUE
    terms = TRUE
    if "pattern" in rule:
        tokens = pattern_facts(rule, language)[1]
        terms = (tokens,) if tokens else TRUE
    literal = regex_literal(rule["regex"]) if isinstance(rule.get("regex"), str) else None
    if literal:
        terms = _and(terms, (frozenset({literal}),))
    for key in RELATIONS:
        if key in rule:
            terms = _and(terms, rule_terms(rule[key], language, utils, seen))
    for item in rule["all"] if isinstance(rule.get("all"), list) else []:
        terms = _and(terms, rule_terms(item, language, utils, seen))
    if isinstance(rule.get("any"), list) and rule["any"]:
        terms = _and(terms, _or([rule_terms(item, language, utils, seen) for item in rule["any"]]))
    name = rule.get("matches")
    if isinstance(name, str) and name in utils and name not in seen:
        terms = _and(terms, rule_terms(utils[name], language, utils, seen | {name}))
    return terms


def prefilter_terms(rule: AstGrepRule) -> Terms:
    """The prefilter of a loaded rule."""
    return rule_terms(rule.rule, rule.language, rule.utils or {})


class Prefilter:
    """A rule's literal test, compiled: some alternative's literals all occur (sequences in order)."""

    def __init__(self, terms: Terms, language: str) -> None:
        self.alternatives = [
            ([t for t in alternative if SEQUENCE not in t], [_sequence_regex(t, language) for t in alternative if SEQUENCE in t])
            for alternative in terms
        ]

    def __call__(self, text: str) -> bool:
        """Cheap substring tests first; the sequence regexes only when those pass."""
        return any(
            all(literal in text for literal in literals) and all(regex.search(text) for regex in regexes)
            for literals, regexes in self.alternatives
        )


@lru_cache(maxsize=1024)
def _sequence_regex(term: str, language: str) -> re.Pattern[str]:
    """The pieces in order, each gap a possessive run of comments, punctuation and other keywords."""
    comment, punctuation, keywords = SEQUENCE_GAPS[language]
    pieces = term.split(SEQUENCE)
    first = re.escape(pieces[0])
    parts = [rf"{first}(?<!\w{first})\b" if WORD.fullmatch(pieces[0]) else first]  # literal first: re scans for it fast
    for piece in pieces[1:]:
        others = "|".join(sorted(re.escape(k) for k in keywords if k != piece))
        parts.append(rf"(?:{comment}|{punctuation}|\b(?:{others})\b)*+{_piece(piece)}")
    return re.compile("".join(parts))


def _piece(piece: str) -> str:
    """A word must stand alone; punctuation is matched as written."""
    return rf"\b{re.escape(piece)}\b" if WORD.fullmatch(piece) else re.escape(piece)
