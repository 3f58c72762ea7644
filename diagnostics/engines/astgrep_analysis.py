"""Static analysis of ast-grep rules: the AST kinds a rule can match (ast-grep's potential kinds,
which it requires at load time) and the literals a file must contain for the rule to match.

Both are computed from the pattern's own syntax tree, parsed by ast-grep-py with ast-grep's
pattern preprocessing, and checked by letting ast-grep-py match the pattern against that text.
Anything not understood yields "any kind" / "no literal": the analysis may only ever weaken.
"""

from __future__ import annotations

import keyword
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ast_grep_py import SgRoot

if TYPE_CHECKING:
    from patchgate.diagnostics.engines.astgrep_rules import AstGrepRule

EXPANDO = {"python": "µ", "go": "µ", "rust": "µ"}
"""Languages where `$` cannot start an identifier: ast-grep rewrites it to this char in patterns."""
ANALYZED = frozenset({"python", "go", "rust", "javascript", "typescript", "tsx", "json", "yaml", "bash"})
KEYWORD_SAFE = frozenset({"python", "go", "rust"})
"""Grammars whose anonymous keyword nodes always spell their kind (ast-grep matches those by kind)."""
ANY = frozenset({"*"})
"""A kind set that is known to exist but not known exactly."""
MAX_ALTERNATIVES = 16
MAX_TOKENS = 3
RELATIONS = ("inside", "has", "precedes", "follows")
REGEX_META = set(".^$*+?()[]{}|")
SEQUENCE = "\x1f"
"""Joins the pieces of a token-sequence term (a character source code never needs)."""
PYTHON_KEYWORDS = frozenset([*keyword.kwlist, *keyword.softkwlist, "print", "exec"])
SEQUENCE_GAPS = {"python": (r"\#[^\n]*+", r"[^\w\#]++", PYTHON_KEYWORDS)}
"""Per language: what may sit between two pieces of a token sequence (comments, punctuation and
keywords, the unnamed nodes ast-grep skips). Only where the comment syntax is this simple."""
WORD = re.compile(r"\w+")
PUNCTUATION = re.compile(r"[^\w\s]+")
Kinds = frozenset[str] | None
Terms = tuple[frozenset[str], ...]
"""Prefilter in disjunctive form: the file must contain every literal of at least one alternative."""
TRUE: Terms = (frozenset(),)
MISSING_KINDS = "Rule must specify a set of AST kinds to match. Try adding `kind` rule"


def _metavar(text: str, expando: str) -> bool:
    """Whether a pattern node's whole text is a metavariable ($A, $$A, $$$A, $_, $$$)."""
    return re.fullmatch(rf"[${re.escape(expando)}]{{1,3}}[A-Z0-9_]*", text) is not None


def _single_node(root: Any) -> Any:
    """ast-grep's pattern root: descend while a node has one child (or a trailing empty/missing one)."""
    node = root
    while True:
        children = node.children()
        if len(children) == 2 and children[1].range().start.index == children[1].range().end.index:
            children = children[:1]
        if len(children) != 1:
            return node
        node = children[0]


def _leaf_token(node: Any, expando: str, keywords: bool) -> str | None:
    """A leaf's text when the match must contain it: named leaves always (ast-grep compares their
    text); anonymous keywords only under smart/cst in trusted grammars (compared by kind there)."""
    text = node.text()
    if "$" in text or expando in text or not re.search(r"\w", text):
        return None
    if node.is_named():
        return text
    return text if keywords and node.kind() == text and re.fullmatch(r"[A-Za-z_]\w*", text) else None


def _tokens(node: Any, expando: str, keywords: bool, sequences: bool) -> frozenset[str] | None:
    """Literals the pattern's leaves put into every match, most selective first; None if unsure.

    Besides single literals, a run of word leaves with only punctuation between them (optionally led
    by one punctuation leaf, such as `==` before `None`) becomes a token sequence: the words must
    appear in that order with nothing but punctuation, comments or keywords between them, which is
    all ast-grep's smart matching lets the matched code add."""
    found: set[str] = set()
    runs: list[list[str]] = [[]]
    stack = [node]
    while stack:
        current = stack.pop()
        if current.kind() == "ERROR":
            return None
        if _metavar(current.text(), expando):
            _break(runs)
            continue
        if not current.is_leaf():
            stack.extend(reversed(current.children()))
            continue
        token = _leaf_token(current, expando, keywords)
        found.update([token] if token else [])
        if sequences:
            _extend_run(runs, current, token)
    joined = {SEQUENCE.join(run) for run in runs if len(run) >= 2}
    ranked = sorted(joined, key=lambda t: (-len(t), t)) + sorted(found, key=lambda t: (-len(t), t))
    return frozenset(ranked[:MAX_TOKENS]) or None


def _break(runs: list[list[str]]) -> None:
    """End the current token run: something between here and the next leaf is not literal."""
    if runs[-1]:
        runs.append([])


def _extend_run(runs: list[list[str]], leaf: Any, token: str | None) -> None:
    """Add a leaf to the current run: a word joins it; punctuation leads a run or sits in a gap."""
    run = runs[-1]
    if token is not None and WORD.fullmatch(token):
        run.append(token)
        return
    text = leaf.text()
    punctuation = not leaf.is_named() and leaf.kind() == text and PUNCTUATION.fullmatch(text)
    if not punctuation:
        _break(runs)
    elif not any(WORD.fullmatch(piece) for piece in run):
        run[:] = [text]  # no word yet: the punctuation nearest the next word anchors the run


@lru_cache(maxsize=4096)
def analyze_pattern(text: str, selector: str | None, strictness: str | None, language: str) -> tuple[Kinds, frozenset[str] | None]:
    """(kinds, required literals) of one pattern; (ANY, None) whenever the analysis is unsure."""
    if language not in ANALYZED:
        return ANY, None
    expando = EXPANDO.get(language, "$")
    source = text.replace("$", expando)
    try:
        root = SgRoot(source, language).root()
        node = root.find(kind=selector) if selector else _single_node(root)
        spec: Any = {"context": text, "selector": selector} if selector else text
        check = root.find(pattern=spec)
    except BaseException as error:  # ast-grep-py raises PanicException, a BaseException
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        return ANY, None
    if node is None:
        return ANY, None
    if not selector and (node.kind() == "ERROR" or _metavar(node.text(), expando)):
        return None, None
    if check is None or check.kind() != node.kind():
        return ANY, None
    keywords = language in KEYWORD_SAFE and strictness in (None, "smart", "cst")
    sequences = keywords and language in SEQUENCE_GAPS
    tokens = None if strictness == "signature" else _tokens(node, expando, keywords, sequences)
    return frozenset({node.kind()}), tokens


def _pattern(rule: dict[str, Any], language: str) -> tuple[Kinds, frozenset[str] | None]:
    """analyze_pattern for a rule's `pattern` value (string or contextual object)."""
    value = rule["pattern"]
    if isinstance(value, dict):
        return analyze_pattern(str(value.get("context", "")), value.get("selector"), value.get("strictness"), language)
    return analyze_pattern(str(value), None, None, language)


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
        parts.append(_pattern(rule, language)[0])
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
        tokens = _pattern(rule, language)[1]
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
