"""function-uses-loop-variable (B023): a function made in a loop reads a variable the loop rebinds."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.python_rule import PythonRule, TreeReport

Function = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
SAFE_CALLEES = frozenset({"filter", "reduce", "map", "functools.reduce"})
"""Calls that run a lambda argument at once, within the iteration that made it."""


def _free_reads(function: Function) -> Iterator[ast.Name]:
    """Names the function's body reads without binding them itself or taking them as parameters."""
    body: list[ast.AST] = [function.body] if isinstance(function, ast.Lambda) else list(function.body)
    names = [node for part in body for node in ast.walk(part) if isinstance(node, ast.Name)]
    stored = {name.id for name in names if not isinstance(name.ctx, ast.Load)}
    arguments = function.args
    parameters = {arg.arg for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg] if arg}
    return (name for name in names if isinstance(name.ctx, ast.Load) and name.id not in stored | parameters)


def _callee(call: ast.Call) -> str:
    """`map`, `functools.reduce`: the callee as written, when it is a name or a module attribute."""
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return func.id if isinstance(func, ast.Name) else ""


class _Suspicious(ast.NodeVisitor):
    """The reads, by functions and lambdas made in a loop, of names they do not bind (ruff's walk):
    a def's body is taken whole; a lambda that is returned, called at once, given to map/filter/reduce,
    or passed as `key=` runs before the loop moves on and is walked into instead."""

    def __init__(self) -> None:
        self.reads: list[ast.Name] = []
        self.safe: set[int] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.reads.extend(_free_reads(node))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Return(self, node: ast.Return) -> None:
        if isinstance(node.value, ast.Lambda):
            self.safe.add(id(node.value))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Lambda):
            self.safe.add(id(node.func))
        if _callee(node) in SAFE_CALLEES:
            self.safe.update(id(arg) for arg in node.args if isinstance(arg, ast.Lambda))
        self.safe.update(id(k.value) for k in node.keywords if k.arg == "key" and isinstance(k.value, ast.Lambda))
        self.generic_visit(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        if id(node) in self.safe:
            self.generic_visit(node)
        else:
            self.reads.extend(_free_reads(node))


def _assigned(nodes: list[ast.AST]) -> set[str]:
    """Names the loop (re)binds by assignment, loop and comprehension targets; not inside defs or lambdas."""
    names: set[str] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.comprehension)):
            names.update(_target_names(targets))
        stack.extend(ast.iter_child_nodes(node))
    return names


def _target_names(targets: list) -> Iterator[str]:
    """Plain names of assignment targets, through tuples, lists and starred parts (not attributes)."""
    for target in targets:
        if isinstance(target, ast.Name):
            yield target.id
        elif isinstance(target, (ast.Tuple, ast.List)):
            yield from _target_names(target.elts)
        elif isinstance(target, ast.Starred):
            yield from _target_names([target.value])


class FunctionUsesLoopVariable(PythonRule):
    """Report a function or lambda, defined in a loop, that reads a variable the loop rebinds."""

    id = "function-uses-loop-variable"
    aliases = ("B023",)
    severity = "warning"
    message = "function definition does not bind loop variable"
    tags = ("correctness",)
    url = "https://docs.astral.sh/ruff/rules/function-uses-loop-variable/"
    docs = """
    A closure reads a variable when it runs, not when it is made: every function created in
    `for i in range(3): handlers.append(lambda: i)` sees the last `i`. Bind the current value
    explicitly (`lambda i=i: i`, `functools.partial`) or build the function outside the loop.

    As in ruff: the loop's variables are its targets and every name assigned in its body (or by a
    comprehension); a `def` or lambda made in the loop is suspect when it reads one of them without
    binding it or taking it as a parameter. A lambda that runs before the iteration ends is not
    reported: one that is returned, called at once (`(lambda: i)()`), passed to `map`/`filter`/
    `reduce`, or passed as `key=` (`sorted(items, key=lambda x: x[i])`). Other immediate uses (a def
    called right away, a lambda given to a function that calls it at once) are not recognised and
    are reported, as ruff reports them. No fix: default-argument binding changes
    the function's signature.
    """
    VALID = [
        "handlers = []\nfor i in range(3):\n    handlers.append(lambda i=i: i)\n",
        "for column in columns:\n    rows.sort(key=lambda row: row[column])\n",
        "def make(items):\n    for item in items:\n        return lambda: item\n",
        "for name in names:\n    total = list(map(lambda value: value + name, values))\n",
        "def f():\n    for i in range(3):\n        def show(i):\n            return i\n",
    ]
    INVALID = [
        "handlers = []\nfor i in range(3):\n    handlers.append(lambda: i)\n",
        "callbacks = []\nfor item in items:\n    label = item.name\n\n    def on_click():\n        print(label)\n\n    callbacks.append(on_click)\n",
        "getters = [lambda: key for key in keys]\n",
        "while queue:\n    task = queue.pop()\n    later.append(lambda: run(task))\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """A loop and a function or lambda in one file."""
        return ("for" in probe.text or "while" in probe.text) and ("lambda" in probe.text or "def" in probe.text)

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Each read, once, by a function made in a loop of a name that loop binds."""
        if probe.tree is None:
            return []
        reported: set[int] = set()
        reports = []
        for loop in probe.walk():
            if isinstance(loop, (ast.For, ast.AsyncFor, ast.While)):
                inside: list[ast.AST] = list(loop.body)
            elif isinstance(loop, COMPREHENSIONS):
                inside = [loop]
            else:
                continue
            visitor = _Suspicious()
            for node in inside:
                visitor.visit(node)
            if not visitor.reads:
                continue
            bound = _assigned([loop])
            for name in visitor.reads:
                if name.id in bound and id(name) not in reported:
                    reported.add(id(name))
                    reports.append(TreeReport.at(name, f"function definition does not bind loop variable `{name.id}`"))
        return reports
