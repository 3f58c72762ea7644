"""CPython's own parse of a Python file, shared by the syntax engine and the Python rules of one file.

The syntax engine asks CPython whether a file compiles (its symbol table: the parser plus the scope
checks, the cheapest complete answer) and, when the text may hold syntax newer than the target,
parses it as the target version; the Python rules then read the same table and tree. Engines are
separate objects that see the same file one after the other, so the last few results are memoised
by text: the second engine gets them without parsing again.
"""

from __future__ import annotations

import ast
import re
import symtable
import sys
import warnings
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["NEWER_SYNTAX", "forget", "may_be_newer", "PARSE_ERRORS", "Parsed", "Symbols", "feature_minor", "module_tree", "parse", "symbols"]

PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError, UnicodeError)
"""What CPython's parser raises for text it rejects (null bytes, nesting, unencodable characters)."""
RUNNING = sys.version_info[:2]
NEWER_SYNTAX: tuple[tuple[int, str, str], ...] = (
    (9, "with", r"^[ \t]*(?:async[ \t]+)?with[ \t]*\("),
    (10, "match", r"^[ \t]*match\b(?![ \t]*[=.,)\]:])"),
    (11, "except", r"except[ \t]*\*"),
    (12, "type", r"^[ \t]*type[ \t]+\w"),
    (12, "[", r"(?:def|class)[ \t]+\w+[ \t]*\["),
    (14, "except", r"except[ \t]+[^(:\s][^:\n]*,"),
    (14, "t", r"(?<![\w.])(?:[tT][rR]?|[rR][tT])['\"]"),
)
"""(minor, a substring it needs, a pattern) for syntax CPython's `feature_version` gates from that minor:
parenthesized context managers, `match`, `except*`, `type` statements and type parameters,
unparenthesized `except A, B`, t-strings. Text with none of those newer than the target and known
to the running Python parses the same for the target, so its parse as the target is skipped.
Patterns start with a literal where they can: Python's `re` scans for a literal prefix quickly."""


def may_be_newer(code: str, target: tuple[int, int]) -> bool:
    """Might the text use syntax newer than the target that the running Python knows? (errs towards yes)"""
    return any(
        target[1] < minor <= RUNNING[1] and needle in code and re.search(pattern, code, re.MULTILINE)
        for minor, needle, pattern in NEWER_SYNTAX
    )


@dataclass(frozen=True)
class Parsed:
    """One parse: the tree, or the exception CPython raised instead."""

    tree: ast.Module | None
    error: BaseException | None


def feature_minor(target: tuple[int, int]) -> int | None:
    """The `feature_version` minor that makes CPython reject syntax newer than the target; None when the
    target is this Python or newer (the running parser cannot judge syntax it does not know)."""
    return target[1] if target < RUNNING else None


@lru_cache(maxsize=4)
def parse(code: str, minor: int | None) -> Parsed:
    """CPython's tree of `code` (no byte-order mark), parsed as Python 3.`minor` when given."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: warnings, not errors
            version = None if minor is None else (3, minor)
            return Parsed(ast.parse(code, feature_version=version), None)
    except PARSE_ERRORS as error:
        return Parsed(None, error)


@dataclass(frozen=True)
class Symbols:
    """One symbol table, or the exception CPython raised instead."""

    table: symtable.SymbolTable | None
    error: BaseException | None


@lru_cache(maxsize=4)
def symbols(code: str) -> Symbols:
    """CPython's symbol table of `code` for the running Python: a parse plus the scope checks (duplicate
    arguments, misplaced `nonlocal`), about half the cost of building the tree."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = symtable.symtable(code, "<module>", "exec")
    except PARSE_ERRORS as error:
        return Symbols(None, error)
    _prime(table)
    return Symbols(table, None)


def _prime(table: symtable.SymbolTable) -> None:
    """Fill every scope's symbol cache with each name's nested scopes found in one pass over its children.

    The standard `lookup` finds a name's nested scopes by scanning every child scope, so asking a scope
    with n defs for all its symbols costs n squared (a 4,000-method class: seconds). Where the module's
    internals differ from what this expects, the standard, slower lookup stays."""
    stack = [table]
    try:
        while stack:
            scope = stack.pop()
            children = scope.get_children()
            by_name: dict[str, list[symtable.SymbolTable]] = {}
            for child in children:
                by_name.setdefault(child.get_name(), []).append(child)
            cache = scope._symbols  # type: ignore[attr-defined]
            top = scope._table.name == "top"  # type: ignore[attr-defined]
            for name, flags in scope._table.symbols.items():  # type: ignore[attr-defined]
                if name not in cache:
                    cache[name] = symtable.Symbol(name, flags, by_name.get(name, []), module_scope=top)
            stack.extend(children)
    except (AttributeError, TypeError):
        return


def module_tree(code: str, target: tuple[int, int]) -> ast.Module | None:
    """The tree the Python rules read: the target's parse when it succeeds (the syntax engine's, memoised),
    else the running Python's, so syntax merely newer than the target does not silence the rules."""
    minor = feature_minor(target)
    found = parse(code, minor)
    if found.tree is not None or minor is None:
        return found.tree
    return parse(code, None).tree


def forget() -> None:
    """Drop the memoised parses: a benchmark timing one pass after another must parse afresh each time."""
    parse.cache_clear()
    symbols.cache_clear()
