"""unused-loop-control-variable (B007): a `for` target its body never mentions; fix (unsafe): `_name`."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator

from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.python_rule import Invalid, PythonRule, TreeEdit, TreeReport
from patchgate.diagnostics.rules.libcst_rules.unused_variable import INTROSPECTION

DUMMY = re.compile(r"^(_+|(_+[a-zA-Z0-9_]*[a-zA-Z0-9]+?))$")
"""ruff's default dummy-variable-rgx: names that say "unused" on purpose."""
FOR_STATEMENT = re.compile(r"^[ \t]*(?:async[ \t]+)?for\b", re.MULTILINE)
SCOPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _targets(target: ast.expr) -> Iterator[ast.Name]:
    """The names a loop target binds, through tuples, lists and starred parts."""
    for node in ast.walk(target):
        if isinstance(node, ast.Name):
            yield node


def _mentioned(body: list[ast.stmt]) -> set[str]:
    """Every name the body reads or writes, nested functions included (as ruff's NameFinder)."""
    return {node.id for statement in body for node in ast.walk(statement) if isinstance(node, ast.Name)}


def _scope_of(probe: Probe, loop: ast.AST) -> ast.AST:
    """The innermost def, class or lambda (else the module) whose lines hold the loop: asked only for a
    loop with an unused variable, so the whole tree is never walked scope by scope."""
    inside = [scope for scope in probe.of_type(*SCOPES[1:])
              if (scope.lineno, scope.col_offset) <= (loop.lineno, loop.col_offset)  # type: ignore[attr-defined]
              and (loop.end_lineno, loop.end_col_offset) <= (scope.end_lineno, scope.end_col_offset)]  # type: ignore[attr-defined]
    return max(inside, key=lambda scope: (scope.lineno, scope.col_offset), default=probe.tree)  # type: ignore[attr-defined]


def _elsewhere(scope: ast.AST) -> Counter[str]:
    """How often each name occurs in a scope (nested scopes too); a name a class body binds is an
    attribute and one declared global or nonlocal is shared, so those count as occurring elsewhere."""
    counts = Counter(node.id for node in ast.walk(scope) if isinstance(node, ast.Name))
    shared = [name for node in _own_nodes(scope) if isinstance(node, (ast.Global, ast.Nonlocal)) for name in node.names]
    counts.update(2 * [*shared, *(counts if isinstance(scope, ast.ClassDef) else ())])
    return counts


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a scope itself, not of the functions, classes and lambdas inside it."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, SCOPES):
            stack.extend(ast.iter_child_nodes(node))


class UnusedLoopControlVariable(PythonRule):
    """Report a loop variable that the loop body never uses."""

    id = "unused-loop-control-variable"
    aliases = ("B007",)
    severity = "warning"
    message = "loop control variable not used within the loop body"
    tags = ("style",)
    url = "https://docs.astral.sh/ruff/rules/unused-loop-control-variable/"
    SAFE_FIX = False
    docs = """
    A `for` variable the body never mentions is either a bug (the body meant to use it, and uses a
    stale outer variable instead) or a loop run only for its count; then `_` or `_name` says so.
    In `for key, value in items.items()` only the unused part is reported. As in ruff, any mention
    in the body counts, including an assignment or a use in a nested function, and names already
    matching ruff's dummy pattern (`_`, `_row`) are left alone. Comprehensions are not loops here.

    The fix renames the target to `_name`. It is unsafe, as in ruff: code after the loop may read
    the last value. It is offered only when the name appears nowhere else in the scope (so nothing
    after the loop can read it), is not declared `global`/`nonlocal`, is not a class attribute (a loop
    in a class body), and the body does not call `locals()`, `vars()`, `eval()` or `exec()`; a name
    reused elsewhere in the function is reported without a fix. At module level the fix is offered as
    ruff offers it: another module importing the name is what makes it unsafe.
    """
    VALID = [
        "for item in items:\n    print(item)\n",
        "for _ in range(3):\n    ping()\n",
        "for _index, item in enumerate(items):\n    print(item)\n",
        "for key, value in pairs:\n    def show():\n        return key, value\n",
        "squares = [0 for x in range(3)]\n",
    ]
    INVALID = [
        Invalid("for i in range(3):\n    ping()\n", "for _i in range(3):\n    ping()\n"),
        Invalid("def f(pairs):\n    for key, value in pairs:\n        print(key)\n",
                "def f(pairs):\n    for key, _value in pairs:\n        print(key)\n"),
        "for row in rows:\n    pass\nprint(row)\n",
        "async def f(stream):\n    async for chunk in stream:\n        count()\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """A `for` statement, which always starts a line."""
        return FOR_STATEMENT.search(probe.text) is not None

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Every loop target name the loop body does not mention."""
        if probe.tree is None:
            return []
        reports = []
        counted: dict[int, Counter[str]] = {}
        for loop in probe.of_type(ast.For, ast.AsyncFor):
            used = _mentioned(loop.body)  # type: ignore[attr-defined]
            introspective = bool(used & INTROSPECTION)
            for name in _targets(loop.target):
                if DUMMY.match(name.id) or name.id in used:
                    continue
                scope = _scope_of(probe, loop)
                counts = counted.get(id(scope)) or counted.setdefault(id(scope), _elsewhere(scope))
                fix = () if introspective or counts[name.id] > 1 else (TreeEdit(*TreeReport.at(name, "")[:2], f"_{name.id}"),)
                reports.append(TreeReport.at(name, f"loop control variable `{name.id}` not used within the loop body", fix))
        return reports
