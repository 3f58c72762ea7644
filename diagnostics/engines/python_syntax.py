"""CPython's verdict on a Python file for the target version: its syntax error, message and position.

tree-sitter's grammar recovers from much that CPython rejects (`print "x"`, a default before a
non-default argument, bad indentation, mixed tabs), and knows nothing of the target version, so for
Python files CPython's own parser is the judge. Its SyntaxError counts lines as its tokenizer does
and columns in code points, 1-based, after any byte-order mark.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import NamedTuple

from patchgate.diagnostics.engines.libcst_tree import TreeLocator
from patchgate.diagnostics.python_parse import RUNNING, feature_minor, may_be_newer, parse, symbols
from patchgate.diagnostics.python_rule import TreePosition, one_line
from patchgate.diagnostics.source import SourceFile

__all__ = ["CPythonError", "Verdict", "cpython_verdict"]

VERSIONED = tuple(getattr(ast, name) for name in ("Match", "TryStar", "TypeAlias") if hasattr(ast, name))
"""Statements whose syntax `feature_version` gates (a def or class counts when it has type parameters)."""


@dataclass(frozen=True)
class CPythonError:
    """CPython's first syntax error, in code-point offsets of the source text."""

    start: int
    end: int
    message: str
    covers_to: int
    """End of the error's last line: a tree-sitter finding that starts before it is this same error
    (or text CPython accepted), one that starts after it is a further error."""
    note: str | None = None


class Verdict(NamedTuple):
    """judged False: CPython cannot decide for the target (leave the file to tree-sitter)."""

    judged: bool
    error: CPythonError | None = None


def cpython_verdict(source: SourceFile, target: tuple[int, int]) -> Verdict:
    """CPython's symbol table of the file (parser and scope checks), then, when the text may hold syntax
    newer than the target, a parse as the target version (`feature_version`)."""
    code = source.text[1:] if source.text.startswith("\ufeff") else source.text
    found = symbols(code).error
    minor = feature_minor(target)
    if found is None and minor is not None and may_be_newer(code, target):
        found = parse(code, minor).error
        if found is not None:  # the running Python accepts it: syntax newer than the target
            note = f"valid on Python {RUNNING[0]}.{RUNNING[1]}, but target-version is py3{minor}"
            tree = parse(code, None).tree
            error = _placed(TreeLocator(source), found) if isinstance(found, SyntaxError) and found.lineno else _unplaced(source, found)
            return Verdict(True, error if tree is None else _at_statement(TreeLocator(source), tree, error, note))
    if found is None:
        return Verdict(True)
    if isinstance(found, UnicodeError) or target > RUNNING:
        return Verdict(False)  # unencodable text, or syntax newer than this Python may be the target's
    if not isinstance(found, SyntaxError) or found.lineno is None:
        return Verdict(True, _unplaced(source, found))
    return Verdict(True, _placed(TreeLocator(source), found))


def _placed(locator: TreeLocator, error: SyntaxError) -> CPythonError:
    """A SyntaxError at its own position; an empty or backwards range widens to one character."""
    line = error.lineno or 1
    start = locator.char_offset(line, (error.offset or 1) - 1)
    end_line, end_offset = error.end_lineno, error.end_offset
    end = locator.char_offset(end_line, end_offset - 1) if end_line and end_offset and end_offset > 0 else start
    text = locator.source.text
    if end <= start:
        end = start + 1 if start < len(text) and text[start] not in "\r\n" else start
    covers_to = locator.char_offset(max(line, end_line or line), 1 << 30)
    return CPythonError(start, end, _message(error), covers_to)


def _unplaced(source: SourceFile, error: BaseException) -> CPythonError:
    """An error without a line: null bytes (at the first one), or a file too deeply nested to parse."""
    text = source.text
    if isinstance(error, (SyntaxError, ValueError)) and "\x00" in text:
        start = text.index("\x00")
        return CPythonError(start, start + 1, _message(error), len(text))
    message = f"CPython cannot parse this file: {one_line(error)}"
    return CPythonError(0, 0, message, len(text))


def _message(error: BaseException) -> str:
    """CPython's own wording, on one line."""
    text = error.msg if isinstance(error, SyntaxError) else str(error)
    return " ".join(str(text).split()) or type(error).__name__


def _at_statement(locator: TreeLocator, tree: ast.Module, error: CPythonError, note: str) -> CPythonError:
    """Move a version error to the first line of its statement: CPython points at or after the statement's
    end (past a `match` block's last case), the running Python's tree says where the nearest one begins.
    The whole file is valid for the running Python, so tree-sitter's findings on it are dropped."""
    best: tuple[int, int] | None = None  # (end offset, start offset) of the nearest versioned statement
    for node in ast.walk(tree):
        if isinstance(node, VERSIONED) or getattr(node, "type_params", None):
            end = locator.offset(TreePosition(node.end_lineno or node.lineno, node.end_col_offset or 0))  # type: ignore[attr-defined]
            start = locator.offset(TreePosition(node.lineno, node.col_offset))  # type: ignore[attr-defined]
            if end <= error.start and (best is None or (end, start) > best):
                best = end, start
    if best is None:
        return CPythonError(error.start, error.end, error.message, len(locator.source.text), note)
    start = best[1]
    line = locator.source.lines.position(start)[0]
    end = start + len(locator.source.lines.line_text(line).rstrip("\r")) - locator.source.lines.position(start)[1]
    return CPythonError(start, max(end, start), error.message, len(locator.source.text), note)
