"""CPython's own parse of a Python file, shared by the syntax engine and the Python rules of one file.

The syntax engine asks CPython whether a file parses for the target version; the Python rules then
read the same tree. Engines are separate objects that see the same file one after the other, so the
last few parses are memoised by text: the second engine gets the tree without parsing again.
"""

from __future__ import annotations

import ast
import sys
import warnings
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["PARSE_ERRORS", "Parsed", "feature_minor", "module_tree", "parse"]

PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError, UnicodeError)
"""What CPython's parser raises for text it rejects (null bytes, nesting, unencodable characters)."""
RUNNING = sys.version_info[:2]


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


def module_tree(code: str, target: tuple[int, int]) -> ast.Module | None:
    """The tree the Python rules read: the target's parse when it succeeds (the syntax engine's, memoised),
    else the running Python's, so syntax merely newer than the target does not silence the rules."""
    minor = feature_minor(target)
    found = parse(code, minor)
    if found.tree is not None or minor is None:
        return found.tree
    return parse(code, None).tree
