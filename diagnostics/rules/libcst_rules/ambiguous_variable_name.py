"""ambiguous-variable-name (E741): a variable named `l`, `O` or `I`, easily read as `1` or `0`."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.python_rule import PythonRule, TreePosition, TreeReport

AMBIGUOUS = frozenset({"l", "O", "I"})


def _bindings(probe: Probe, tree: ast.AST) -> Iterator[tuple[str, tuple[int, int]]]:
    """(name, position) of every variable binding: assignment, loop, `with`/`except` target, walrus,
    comprehension variable, parameter, `global`/`nonlocal`; not imports, defs, classes or patterns."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):  # augmented targets too
            yield node.id, (node.lineno, node.col_offset)
        elif isinstance(node, ast.arg):
            yield node.arg, (node.lineno, node.col_offset)
        elif isinstance(node, ast.ExceptHandler) and node.name is not None and node.name in AMBIGUOUS:
            stop = (node.body[0].lineno, node.body[0].col_offset)
            yield node.name, probe.locate(node.name, (node.lineno, node.col_offset), stop, rb"\bas\s+")
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            stop = (node.end_lineno or node.lineno, node.end_col_offset or 0)
            for name in AMBIGUOUS.intersection(node.names):
                yield name, probe.locate(name, (node.lineno, node.col_offset), stop, rb"[\s,]")


class AmbiguousVariableName(PythonRule):
    """Report a variable, parameter or loop variable named `l`, `O` or `I`."""

    id = "ambiguous-variable-name"
    aliases = ("E741",)
    severity = "warning"
    message = "ambiguous variable name"
    tags = ("style",)
    url = "https://docs.astral.sh/ruff/rules/ambiguous-variable-name/"
    docs = """
    In many fonts `l` (lower-case L) looks like `1`, `I` (upper-case i) like `l`, and `O` like `0`,
    so `l = 1; x = l + 1` is read wrongly in a review and a diff. PEP 8 forbids these three names.
    Every binding counts, as in pycodestyle and ruff: assignments (annotated and augmented ones
    too), loop and comprehension variables, `with`/`except ... as`, walrus targets, parameters of
    functions and lambdas, and `global`/`nonlocal` declarations. Not reported: imports (`from m
    import l` keeps the library's name), functions and classes (E742/E743), attributes and match
    patterns. No fix: a good name must be chosen by a human.
    """
    VALID = [
        "length = 1\n",
        "import l\n",
        "obj.l = 1\n",
        "def f(line, index):\n    return line[index]\n",
        "ls = [1]\nI_MAX = 3\n",
    ]
    INVALID = [
        "l = [1, 2]\n",
        "for I in range(3):\n    pass\n",
        "def f(O):\n    return O\n",
        "key = lambda l: l[0]\n",
        "with open(path) as l:\n    pass\n",
        "try:\n    pass\nexcept OSError as l:\n    pass\n",
        "def f():\n    global O\n    O = 0\n",
        "squares = [l * l for l in range(3)]\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """Some scope binds one of the three names, by anything but an import."""
        return probe.any_symbol(
            lambda scope, symbol: symbol.get_name() in AMBIGUOUS
            and (symbol.is_assigned() or symbol.is_parameter() or symbol.is_global() or symbol.is_nonlocal())
        )

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Every binding of an ambiguous name."""
        if probe.tree is None:
            return []
        reports = []
        for name, (line, column) in _bindings(probe, probe.tree):
            if name in AMBIGUOUS:
                start, end = TreePosition(line, column), TreePosition(line, column + 1)
                reports.append(TreeReport(start, end, f"ambiguous variable name: `{name}`"))
        return reports
