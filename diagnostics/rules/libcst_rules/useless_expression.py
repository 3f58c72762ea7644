"""useless-expression (B018): a statement that computes a value without effect and drops it."""

from __future__ import annotations

import ast

from patchgate.diagnostics.prefilter import Probe, statements
from patchgate.diagnostics.python_rule import PythonRule, TreeReport

EMPTY_CONSTRUCTORS = frozenset({"set", "list", "tuple", "dict", "frozenset"})
"""Builtins whose call without arguments only builds an empty value."""
PLAIN_OPERANDS = (ast.Constant, ast.JoinedStr, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp)
"""Operands whose `+`, `*`, ... cannot run user code (a name or attribute may hold an object that overloads them)."""
EFFECTS = (ast.Await, ast.Call, ast.DictComp, ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.Subscript, ast.Yield, ast.YieldFrom)


def has_effect(expression: ast.expr, rebound: frozenset[str]) -> bool:
    """May evaluating the expression do something (ruff's `contains_effect`)? Calls, awaits, yields,
    subscripts (`__getitem__` may do anything), comprehensions, and operators on anything but literals."""
    for node in ast.walk(expression):
        if isinstance(node, ast.Call) and not node.args and not node.keywords and isinstance(node.func, ast.Name):
            if node.func.id not in EMPTY_CONSTRUCTORS or node.func.id in rebound:
                return True
            continue
        if isinstance(node, ast.BinOp):
            if not (isinstance(node.left, PLAIN_OPERANDS) and isinstance(node.right, PLAIN_OPERANDS)):
                return True
            continue
        if isinstance(node, EFFECTS):
            return True
    return False


class UselessExpression(PythonRule):
    """Report an expression statement whose value is dropped and whose evaluation does nothing."""

    id = "useless-expression"
    aliases = ("B018",)
    severity = "warning"
    message = "found useless expression: assign it to a variable or remove it"
    tags = ("correctness",)
    url = "https://docs.astral.sh/ruff/rules/useless-expression/"
    docs = """
    A statement such as `value`, `obj.attr`, `-x` or `(a, b)` evaluates something and throws it
    away: usually a forgotten `return`, `print(...)`, `assert` or call parentheses (`obj.close`
    instead of `obj.close()`). The rule follows ruff: an expression is useless unless it may have
    an effect (a call, an await, a yield, a subscript, a comprehension, or an operator applied to
    something other than literals, which could be overloaded). An attribute access is reported
    even when its object is computed by a call (`make().attr`), since the access itself is the
    suspicious part; it may be a deliberate property read (Django tests do this to trigger lazy
    loading): say so with `_ = obj.attr` or a suppression.

    Not reported: strings, f-strings and `...` (docstrings and stub bodies), comparisons
    (comparison-with-itself and pointless comparisons are another matter), and walrus
    expressions. No fix: removing the statement would hide the bug it points to.
    """
    VALID = [
        "def f():\n    '''Docstring.'''\n    ...\n",
        "obj.close()\n",
        "value = obj.attr\n",
        "items[0]\n",
        "a + b\n",
        "(found := search())\n",
        "await_result = 1\n",
    ]
    INVALID = [
        "def close(handle):\n    handle.close\n",
        "def total(items):\n    sum(items)\n    items\n",
        "if debug:\n    -x\n",
        "make().attr\n",
        "(left, right)\n",
        "1 + 2\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """Parse, unless the file has no code at all."""
        return bool(probe.text.strip())

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Every expression statement without effect, or an attribute access."""
        if probe.tree is None:
            return []
        rebound = probe.bound_names & EMPTY_CONSTRUCTORS
        reports = []
        for node in statements(probe.tree.body):
            if not isinstance(node, ast.Expr):
                continue
            value = node.value
            if isinstance(value, (ast.Compare, ast.JoinedStr, ast.NamedExpr)) or _string_or_ellipsis(value):
                continue
            if not has_effect(value, rebound):
                reports.append(TreeReport.at(value, "found useless expression: assign it to a variable or remove it"))
            elif isinstance(value, ast.Attribute):
                reports.append(TreeReport.at(value, "found useless attribute access: assign it to a variable or remove it"))
        return reports


def _string_or_ellipsis(value: ast.expr) -> bool:
    """A string literal or `...`, which may be a docstring or a placeholder body."""
    return isinstance(value, ast.Constant) and (isinstance(value.value, str) or value.value is Ellipsis)

