"""unused-variable (F841): a local variable assigned in a function and never read, by scope analysis."""

from __future__ import annotations

import ast
import re
import symtable
from collections import Counter
from collections.abc import Iterator

import libcst as cst
from libcst.metadata import Assignment, FunctionScope, ScopeProvider

from patchgate.diagnostics.libcst_rule import LibcstRule
from patchgate.diagnostics.prefilter import Probe, is_function


def _maybe_unused_local(probe: Probe, scope: symtable.SymbolTable, symbol: symtable.Symbol) -> bool:
    """An unread, assigned local of a def whose name starts a plain `name = ...` somewhere in the text."""
    name = symbol.get_name()
    if name.startswith("_") or not is_function(scope) or not symbol.is_assigned() or symbol.is_parameter():
        return False
    if symbol.is_global() or symbol.is_nonlocal() or not probe.unread(scope, symbol):
        return False
    return re.search(rf"(?:^|[;\n])[ \t]*{name}[ \t]*(?::[^\n=]*)?=(?!=)", probe.text) is not None


SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Every def of the module, nested ones included."""
    return (node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))


def _own_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The nodes of a function's own scope: its body, not nested defs, classes or lambdas."""
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, SCOPES):
            stack.extend(ast.iter_child_nodes(node))


def _lone_assignment(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A plain `name = ...` of this scope whose name is never read anywhere in the function.

    libcst counts every Name node, so one ast read (a load, a `del`, an augmented assignment, in this
    scope or a nested one) already keeps the rule silent: the test can only err towards parsing."""
    assigned = {target.id for node in _own_nodes(function) for target in _plain_targets(node)}
    assigned = {name for name in assigned if not name.startswith("_")}
    if not assigned:
        return False
    read = {node.id for node in ast.walk(function) if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Store)}
    read |= {node.target.id for node in ast.walk(function) if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name)}
    return bool(assigned - read)


def _plain_targets(node: ast.AST) -> list[ast.Name]:
    """The target of `name = value` or `name: T = value`, the only shapes the rule reports."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return [node.targets[0]]
    if isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
        return [node.target]
    return []


INTROSPECTION = frozenset({"locals", "vars", "exec", "eval"})
"""Calls that can read any local by name: a function that makes one is left alone."""


class UnusedVariable(LibcstRule):
    """Report a local variable that a function assigns and never reads."""

    id = "unused-variable"
    aliases = ("F841",)
    severity = "warning"
    message = "local variable is assigned to but never used"
    tags = ("correctness",)
    url = "https://docs.astral.sh/ruff/rules/unused-variable/"
    docs = """
    A value stored in a local variable that nothing reads is either dead code or, more often, a bug:
    a typo in the name that was meant to be used, or a result that should have been returned.
    Reads are found by scope analysis, so uses in nested functions, comprehensions, f-strings,
    string annotations and `del` all count.

    Kept deliberately narrow so that every finding is real: only a plain `name = value` (or
    `name: T = value`) inside a function; not tuple unpacking, augmented assignment, `with ... as`,
    `except ... as` or walrus targets; not names starting with `_`; not in a function that calls
    `locals()`, `vars()`, `exec()` or `eval()`. LibCST resolves a read to the assignments before it,
    so a variable written at the end of a loop and read at its top looks unread: the rule therefore
    also requires that the name appears nowhere else in the function (not in a read, `global`,
    `nonlocal`, keyword argument or attribute). No fix: dropping the assignment may drop a side
    effect the author relied on.
    """
    METADATA_DEPENDENCIES = (ScopeProvider,)
    VALID = [
        "def f():\n    x = 1\n    return x\n",
        "def f():\n    _ignored = compute()\n",
        "def f():\n    a, b = pair()\n    return a\n",
        "def f():\n    x = 1\n    return locals()\n",
        "def f():\n    x = 1\n    def g():\n        return x\n    return g\n",
        "def f():\n    count = 0\n    def bump():\n        nonlocal count\n        count = 1\n    return bump\n",
        "def f():\n    x = 1\n    del x\n",
        "def f():\n    parts = []\n    parts += ['a']\n",
        "def f(items):\n    last = None\n    for item in items:\n        if last:\n            print(last)\n        last = item\n",
        "x = 1\n",
    ]
    INVALID = [
        "def f():\n    result = compute()\n",
        "def f():\n    total: int = 0\n    return 1\n",
        "async def f():\n    value = await g()\n    return None\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """Some function binds a local by a plain assignment that neither it nor a nested scope reads."""
        if "def" not in probe.text or not probe.any_symbol(lambda scope, symbol: _maybe_unused_local(probe, scope, symbol)):
            return False
        return probe.tree is None or any(_lone_assignment(function) for function in _functions(probe.tree))

    def __init__(self, path: str = "") -> None:
        super().__init__(path)
        self._targets: set[cst.Name] = set()
        self._functions: list[tuple[cst.FunctionDef, Counter[str]]] = []
        self._introspective: set[cst.FunctionDef] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.append((node, Counter()))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        _, names = self._functions.pop()
        if original_node not in self._introspective:
            self._check(original_node, names)

    def visit_Name(self, node: cst.Name) -> None:
        for _, names in self._functions:
            names[node.value] += 1

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in INTROSPECTION:
            self._introspective.update(function for function, _ in self._functions)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):  # `x += 1` reads x: count one more occurrence than the Name
            for _, names in self._functions:
                names[node.target.value] += 1

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self._targets.add(node.targets[0].target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None and isinstance(node.target, cst.Name):
            self._targets.add(node.target)

    def _check(self, function: cst.FunctionDef, names: Counter[str]) -> None:
        """Report plain assignments of this function's scope whose name has no other occurrence or reference."""
        scope = self.get_metadata(ScopeProvider, function.body, None)
        if not isinstance(scope, FunctionScope):
            return
        for assignment in scope.assignments:
            name = assignment.name
            if type(assignment) is not Assignment or assignment.node not in self._targets or name.startswith("_"):
                continue
            same = scope.assignments[name]
            if names[name] <= len(same) and not any(other.references for other in same):
                self.report(assignment.node, f"local variable `{name}` is assigned to but never used")
