"""redefined-unused-name (F811): a def or class replaced by another before anything used the first."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Union

import libcst as cst
from libcst.metadata import CodePosition, ScopeProvider

from patchgate.diagnostics.libcst_rule import LibcstRule
from patchgate.diagnostics.prefilter import Probe, statement_blocks

Definition = Union[cst.FunctionDef, cst.ClassDef]
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _undecorated_repeat(block: list[ast.stmt]) -> bool:
    """Does a def or class follow a same-named, undecorated sibling (the only shape the rule reports)?"""
    latest: dict[str, bool] = {}
    for statement in block:
        if isinstance(statement, DEFINITIONS):
            if latest.get(statement.name) is False:
                return True
            latest[statement.name] = bool(statement.decorator_list)
    return False


class RedefinedUnusedName(LibcstRule):
    """Report a function or class defined again, in the same block, before the first was used."""

    id = "redefined-unused-name"
    aliases = ("F811",)
    severity = "warning"
    message = "redefinition of an unused name"
    tags = ("correctness",)
    url = "https://docs.astral.sh/ruff/rules/redefined-while-unused/"
    docs = """
    When the same block defines `f` twice and nothing uses the first `f` in between, the first
    definition is dead code: usually a copy-paste slip, or two tests with one name so that only the
    second ever runs. Uses are found by scope analysis; any reference to the first definition that
    comes before the body of the second (a call, a decorator such as `@f.setter`, a base class as in
    `class A(A)`, a use inside the first body) counts, so the rule errs on the side of silence.

    Not reported: definitions in different branches (`if`/`else`, `try`/`except`), and a first
    definition that has decorators (`@overload`, `@app.route(...)`, `@property`), which may register
    the function elsewhere. No fix: which definition to keep is a human decision.
    """
    METADATA_DEPENDENCIES = (ScopeProvider,)
    VALID = [
        "def f():\n    pass\n\nf()\n\ndef f():\n    pass\n",
        "class C:\n    @property\n    def x(self):\n        return 1\n\n    @x.setter\n    def x(self, value):\n        pass\n",
        "from typing import overload\n\n@overload\ndef g(x: int) -> int: ...\n@overload\ndef g(x: str) -> str: ...\ndef g(x):\n    return x\n",
        "import sys\nif sys.platform == 'win32':\n    def h():\n        pass\nelse:\n    def h():\n        pass\n",
        "class Base:\n    pass\n\nclass Base(Base):\n    extra = 1\n",
        "def f(x):\n    return x\n\ndef f(x, g=f):\n    return g(x)\n",
    ]
    INVALID = [
        "def test_it():\n    assert True\n\ndef test_it():\n    assert False\n",
        "class A:\n    pass\n\nclass A:\n    x = 1\n",
        "class T:\n    def m(self):\n        return 1\n\n    def m(self):\n        return 2\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """Some scope binds one name to two or more defs or classes."""
        if "def" not in probe.text and "class" not in probe.text:
            return False
        if not probe.any_symbol(lambda _, symbol: symbol.is_namespace() and len(symbol.get_namespaces()) > 1):
            return False
        return probe.tree is None or any(_undecorated_repeat(block) for block in statement_blocks(probe.tree))

    def visit_Module(self, node: cst.Module) -> None:
        self._check_block(node.body)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._check_block(node.body)

    def _check_block(self, body: Sequence[cst.BaseStatement]) -> None:
        """Pair each def/class with the previous same-named one among its siblings."""
        latest: dict[str, Definition] = {}
        for statement in body:
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                name = statement.name.value
                earlier = latest.get(name)
                if earlier is not None and self._unused_before(earlier, statement):
                    line = self.position(earlier.name).start.line
                    kind = "function" if isinstance(earlier, cst.FunctionDef) else "class"
                    self.report(statement.name, f"`{name}` redefines the unused {kind} from line {line}")
                latest[name] = statement

    def _unused_before(self, earlier: Definition, later: Definition) -> bool:
        """True when no reference to `earlier` comes before the body of `later` (positions only if needed)."""
        if earlier.decorators:
            return False
        scope = self.get_metadata(ScopeProvider, earlier, None)
        for assignment in scope.assignments[earlier.name.value] if scope is not None else ():
            if assignment.node is earlier:
                limit = self.position(later.body).start
                return all(self._after(access.node, limit) for access in assignment.references)
        return False

    def _after(self, node: cst.CSTNode, limit: CodePosition) -> bool:
        """Is this reference at or after `limit`? A node with no position (a string annotation) is not."""
        try:
            start = self.position(node).start
        except KeyError:
            return False
        return (start.line, start.column) >= (limit.line, limit.column)
