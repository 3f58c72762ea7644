"""unused-variable (F841): a local variable assigned in a function and never read, by scope analysis."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import Assignment, FunctionScope, ScopeProvider

from patchgate.diagnostics.libcst_rule import LibcstRule

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
    `except ... as` or walrus targets; not names starting with `_`; not names declared `global` or
    `nonlocal` anywhere; not in a function that calls `locals()`, `vars()`, `exec()` or `eval()`.
    No fix: dropping the assignment may drop a side effect the author relied on.
    """
    METADATA_DEPENDENCIES = (ScopeProvider,)
    PREFILTER = ("def",)
    VALID = [
        "def f():\n    x = 1\n    return x\n",
        "def f():\n    _ignored = compute()\n",
        "def f():\n    a, b = pair()\n    return a\n",
        "def f():\n    x = 1\n    return locals()\n",
        "def f():\n    x = 1\n    def g():\n        return x\n    return g\n",
        "def f():\n    count = 0\n    def bump():\n        nonlocal count\n        count = 1\n    return bump\n",
        "def f():\n    x = 1\n    del x\n",
        "x = 1\n",
    ]
    INVALID = [
        "def f():\n    result = compute()\n",
        "def f():\n    total: int = 0\n    return 1\n",
        "async def f():\n    value = await g()\n    return None\n",
    ]

    def __init__(self, path: str = "") -> None:
        super().__init__(path)
        self._targets: set[cst.Name] = set()
        self._declared: set[str] = set()
        self._functions: list[cst.FunctionDef] = []
        self._introspective: set[cst.FunctionDef] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._functions.pop()
        if original_node not in self._introspective:
            self._check(original_node)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in INTROSPECTION:
            self._introspective.update(self._functions)

    def visit_Global(self, node: cst.Global) -> None:
        self._declared.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self._declared.update(item.name.value for item in node.names)

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self._targets.add(node.targets[0].target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None and isinstance(node.target, cst.Name):
            self._targets.add(node.target)

    def _check(self, function: cst.FunctionDef) -> None:
        """Report the plain assignments of this function's own scope that have no reference."""
        scope = self.get_metadata(ScopeProvider, function.body, None)
        if not isinstance(scope, FunctionScope):
            return
        for assignment in scope.assignments:
            if type(assignment) is not Assignment or assignment.references:
                continue
            name = assignment.name
            if assignment.node in self._targets and not name.startswith("_") and name not in self._declared:
                self.report(assignment.node, f"local variable `{name}` is assigned to but never used")
