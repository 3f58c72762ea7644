"""unused-variable (F841): a local variable assigned in a function and never read, by scope analysis."""

from __future__ import annotations

import ast
import re
import symtable
from collections import Counter
from collections.abc import Iterator

from patchgate.diagnostics.python_rule import PythonRule, TreeReport
from patchgate.diagnostics.prefilter import Probe, is_function
from patchgate.diagnostics.tree_scope_walker import module_scopes
from patchgate.diagnostics.tree_scopes import Binding, Links


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


class UnusedVariable(PythonRule):
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
    Reads are found by scope analysis over CPython's own syntax tree (no libcst parse), with the
    scoping rules of LibCST's scope analysis, so uses in nested functions, comprehensions, f-strings,
    string annotations and `del` all count.

    Kept deliberately narrow so that every finding is real: only a plain `name = value` (or
    `name: T = value`) inside a function; not tuple unpacking, augmented assignment, `with ... as`,
    `except ... as` or walrus targets; not names starting with `_`; not in a function that calls
    `locals()`, `vars()`, `exec()` or `eval()` (nor in the functions around it). The analysis has no
    flow: a read is linked only to the assignments before it, so a variable written at the end of a
    loop and read at its top would look unread; the rule therefore also requires that the name
    appears nowhere else in the function (not in a read, a nested function, `global`, `nonlocal`, a
    keyword argument or an attribute). A file CPython cannot parse, or one using type parameter
    syntax (`def f[T]()`), is left alone. No fix: dropping the assignment may drop a side effect the
    author relied on.
    """
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
        "def f():\n    size = 1\n    other: 'size' = 2\n    return other\n",
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

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Plain assignments of a function's own scope whose name appears nowhere else in it, unread."""
        if probe.tree is None:
            return []
        scopes = module_scopes(probe)
        if scopes is None:
            return []
        walker, links = scopes
        reports = []
        for function in _functions(probe.tree):
            for binding in _unused(function, walker.functions[id(function)].bindings, links):
                reports.append(TreeReport.at(binding.node, f"local variable `{binding.name}` is assigned to but never used"))
        return reports


def _unused(function: ast.FunctionDef | ast.AsyncFunctionDef, bindings: dict[str, list[Binding]], links: Links) -> list[Binding]:
    """The plain assignments of one function's scope that the rule reports."""
    candidates = [b for same in bindings.values() for b in same if b.plain and not b.name.startswith("_")]
    if not candidates or _introspective(function):
        return []
    occurrences = _occurrences(function)
    return [
        b for b in candidates
        if occurrences[b.name] <= len(bindings[b.name]) and not any(links.is_read(other) for other in bindings[b.name])
    ]


def _introspective(function: ast.AST) -> bool:
    """Does the function (decorators and nested scopes included) call locals(), vars(), exec() or eval()?"""
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in INTROSPECTION
        for node in ast.walk(function)
    )


def _occurrences(function: ast.AST) -> Counter[str]:
    """How often each identifier appears in the function's text, as libcst counts its Name nodes: reads,
    writes, attribute names, keyword arguments, parameters, def and class names (its own included),
    import parts, `global`/`nonlocal` and pattern names; an augmented assignment's target counts twice."""
    names: Counter[str] = Counter()
    for node in ast.walk(function):
        if isinstance(node, ast.Name):
            names[node.id] += 1
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] += 1
        else:
            names.update(_identifiers(node))
    return names


def _identifiers(node: ast.AST) -> list[str]:
    """The identifiers a node holds as plain strings (libcst makes each a Name node)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.keyword):
        return [node.arg] if node.arg else []
    if isinstance(node, ast.alias):
        return [*(node.name.split(".") if node.name != "*" else []), *([node.asname] if node.asname else [])]
    if isinstance(node, ast.ImportFrom):
        return node.module.split(".") if node.module else []
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
        return [node.name] if node.name else []
    if isinstance(node, ast.MatchMapping):
        return [node.rest] if node.rest else []
    if isinstance(node, ast.MatchClass):
        return list(node.kwd_attrs)
    return []
