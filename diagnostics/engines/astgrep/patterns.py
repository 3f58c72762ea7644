"""One ast-grep pattern analysed: the AST kind it matches and the literals every match contains.

The pattern is parsed by ast-grep-py with ast-grep's pattern preprocessing ($ becomes the
language's expando character) and checked by letting ast-grep-py match it against that text.
Anything not understood yields "any kind" / "no literal": the analysis may only ever weaken.
"""

from __future__ import annotations

import keyword
import re
from functools import lru_cache
from typing import Any

from ast_grep_py import SgRoot

EXPANDO = {"python": "µ", "go": "µ", "rust": "µ"}
"""Languages where `$` cannot start an identifier: ast-grep rewrites it to this char in patterns."""
ANALYZED = frozenset({"python", "go", "rust", "javascript", "typescript", "tsx", "json", "yaml", "bash"})
KEYWORD_SAFE = frozenset({"python", "go", "rust"})
"""Grammars whose anonymous keyword nodes always spell their kind (ast-grep matches those by kind)."""
ANY = frozenset({"*"})
"""A kind set that is known to exist but not known exactly."""
MAX_TOKENS = 3
RELATIONS = ("inside", "has", "precedes", "follows")
SEQUENCE = "\x1f"
"""Joins the pieces of a token-sequence term (a character source code never needs)."""
PYTHON_KEYWORDS = frozenset([*keyword.kwlist, *keyword.softkwlist, "print", "exec"])
SEQUENCE_GAPS = {"python": (r"\#[^\n]*+", r"[^\w\#]++", PYTHON_KEYWORDS)}
"""Per language: what may sit between two pieces of a token sequence (comments, punctuation and
keywords, the unnamed nodes ast-grep skips). Only where the comment syntax is this simple."""
WORD = re.compile(r"\w+")
PUNCTUATION = re.compile(r"[^\w\s]+")
Kinds = frozenset[str] | None


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


def pattern_facts(rule: dict[str, Any], language: str) -> tuple[Kinds, frozenset[str] | None]:
    """analyze_pattern for a rule's `pattern` value (string or contextual object)."""
    value = rule["pattern"]
    if isinstance(value, dict):
        return analyze_pattern(str(value.get("context", "")), value.get("selector"), value.get("strictness"), language)
    return analyze_pattern(str(value), None, None, language)
