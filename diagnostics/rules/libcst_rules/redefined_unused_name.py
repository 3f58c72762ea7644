"""redefined-unused-name (F811): a def or class replaced by another before anything used the first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Union

import libcst as cst
from libcst.metadata import CodePosition, PositionProvider, ScopeProvider

from patchgate.diagnostics.libcst_rule import LibcstRule

Definition = Union[cst.FunctionDef, cst.ClassDef]


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
    comes before the second (a call, a decorator such as `@f.setter`, a use inside the first body)
    counts, so the rule errs on the side of silence.

    Not reported: definitions in different branches (`if`/`else`, `try`/`except`), and a first
    definition that has decorators (`@overload`, `@app.route(...)`, `@property`), which may register
    the function elsewhere. No fix: which definition to keep is a human decision.
    """
    METADATA_DEPENDENCIES = (ScopeProvider, PositionProvider)
    PREFILTER = ("def", "class")
    VALID = [
        "def f():\n    pass\n\nf()\n\ndef f():\n    pass\n",
        "class C:\n    @property\n    def x(self):\n        return 1\n\n    @x.setter\n    def x(self, value):\n        pass\n",
        "from typing import overload\n\n@overload\ndef g(x: int) -> int: ...\n@overload\ndef g(x: str) -> str: ...\ndef g(x):\n    return x\n",
        "import sys\nif sys.platform == 'win32':\n    def h():\n        pass\nelse:\n    def h():\n        pass\n",
    ]
    INVALID = [
        "def test_it():\n    assert True\n\ndef test_it():\n    assert False\n",
        "class A:\n    pass\n\nclass A:\n    x = 1\n",
        "class T:\n    def m(self):\n        return 1\n\n    def m(self):\n        return 2\n",
    ]

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
                if earlier is not None and self._unused_before(earlier, self._start(statement)):
                    line = self.get_metadata(PositionProvider, earlier.name).start.line
                    kind = "function" if isinstance(earlier, cst.FunctionDef) else "class"
                    self.report(statement.name, f"`{name}` redefines the unused {kind} from line {line}")
                latest[name] = statement

    def _start(self, definition: Definition) -> CodePosition:
        """Where a definition begins, decorators included."""
        first = definition.decorators[0] if definition.decorators else definition
        return self.get_metadata(PositionProvider, first).start

    def _unused_before(self, earlier: Definition, limit: CodePosition) -> bool:
        """True when no reference to `earlier` comes before `limit`; unknown positions count as uses."""
        if earlier.decorators:
            return False
        scope = self.get_metadata(ScopeProvider, earlier, None)
        if scope is None:
            return False
        for assignment in scope.assignments[earlier.name.value]:
            if assignment.node is earlier:
                for access in assignment.references:
                    where = self.get_metadata(PositionProvider, access.node, None)
                    if where is None or (where.start.line, where.start.column) < (limit.line, limit.column):
                        return False
                return True
        return False
