"""redefined-unused-name (F811): a def or class replaced by another before anything used the first."""

from __future__ import annotations

import ast
import bisect
import re

from patchgate.diagnostics.python_rule import PythonRule, TreePosition, TreeReport
from patchgate.diagnostics.prefilter import Probe, statement_blocks
from patchgate.diagnostics.tree_scope_walker import ScopeWalker, module_scopes
from patchgate.diagnostics.tree_scopes import Links

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
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


class RedefinedUnusedName(PythonRule):
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
    second ever runs. Uses are found by scope analysis over CPython's own syntax tree (no libcst
    parse), following the scoping rules of LibCST's scope analysis, without flow analysis: a read is
    linked to every same-named definition of the scope it resolves in, and is a use when it is placed
    before the body of the second definition (a call, a decorator such as `@f.setter`, a base class
    as in `class A(A)`, a default such as `g=f`, a use inside the first body or in a function defined
    between the two, a string annotation), so the rule errs on the side of silence. A method does not
    see its class body, and a name a nested function binds itself is its own.

    Not reported: definitions in different branches (`if`/`else`, `try`/`except`), a first
    definition that has decorators (`@overload`, `@app.route(...)`, `@property`), which may register
    the function elsewhere, names declared `global` or `nonlocal` in the block's scope, and files
    CPython cannot parse or that use type parameter syntax (`def f[T]()`). No fix: which definition
    to keep is a human decision.
    """
    VALID = [
        "def f():\n    pass\n\nf()\n\ndef f():\n    pass\n",
        "class C:\n    @property\n    def x(self):\n        return 1\n\n    @x.setter\n    def x(self, value):\n        pass\n",
        "from typing import overload\n\n@overload\ndef g(x: int) -> int: ...\n@overload\ndef g(x: str) -> str: ...\ndef g(x):\n    return x\n",
        "import sys\nif sys.platform == 'win32':\n    def h():\n        pass\nelse:\n    def h():\n        pass\n",
        "class Base:\n    pass\n\nclass Base(Base):\n    extra = 1\n",
        "def f(x):\n    return x\n\ndef f(x, g=f):\n    return g(x)\n",
        "class Node:\n    pass\n\nparent: 'Node' = None\n\nclass Node:\n    pass\n",
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

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Each def or class that follows a same-named sibling nothing used before the second's body."""
        if probe.tree is None:
            return []
        blocks = [block for block in statement_blocks(probe.tree) if _undecorated_repeat(block)]
        if not blocks:
            return []
        scopes = module_scopes(probe)
        if scopes is None:
            return []
        check = _Check(probe.code, *scopes)
        return [report for block in blocks for report in check.block(block)]


class _Check:
    """Pairs same-named definitions of one block and asks the scope analysis whether the first was used."""

    def __init__(self, code: str, walker: ScopeWalker, links: Links) -> None:
        self.encoded = code.encode("utf-8", "surrogatepass")
        self.line_starts = [0, *(match.end() for match in re.finditer(rb"\r\n?|\n", self.encoded))]
        self.walker = walker
        self.links = links

    def block(self, block: list[ast.stmt]) -> list[TreeReport]:
        """Reports for one block: each definition against the previous same-named one."""
        reports = []
        latest: dict[str, Definition] = {}
        for statement in block:
            if isinstance(statement, DEFINITIONS):
                earlier = latest.get(statement.name)
                if earlier is not None and self._unused_before(earlier, statement):
                    line, column = self._name(statement)
                    kind = "class" if isinstance(earlier, ast.ClassDef) else "function"
                    end = TreePosition(line, column + len(statement.name.encode("utf-8")))
                    message = f"`{statement.name}` redefines the unused {kind} from line {self._name(earlier)[0]}"
                    reports.append(TreeReport(TreePosition(line, column), end, message))
                latest[statement.name] = statement
        return reports

    def _unused_before(self, earlier: Definition, later: Definition) -> bool:
        """True when no read linked to `earlier` comes before the first statement of `later`'s body."""
        binding = self.walker.definitions.get(id(earlier))
        if earlier.decorator_list or binding is None:
            return False
        limit = (later.body[0].lineno, later.body[0].col_offset)
        return all(read.position >= limit for read in self.links.reads(binding))

    def _name(self, node: Definition) -> tuple[int, int]:
        """(line, byte column) of a definition's name: the first `def name`/`class name` in its header."""
        begin = self.line_starts[node.lineno - 1] + node.col_offset
        first = node.body[0]
        end = self.line_starts[first.lineno - 1] + first.col_offset
        pattern = rb"\b(?:def|class)[\s\\]+(" + re.escape(node.name.encode("utf-8")) + rb")(?![\w\x80-\xff])"
        found = re.search(pattern, self.encoded[begin:end])
        absolute = begin + found.start(1) if found else begin
        line = bisect.bisect_right(self.line_starts, absolute) - 1
        return line + 1, absolute - self.line_starts[line]
