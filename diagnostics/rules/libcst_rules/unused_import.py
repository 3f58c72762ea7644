"""unused-import (F401): imported names nothing uses, found by scope analysis, with a safe removal fix."""

from __future__ import annotations

import __future__
import re
from collections.abc import Collection, Sequence
from pathlib import PurePosixPath
from typing import Union

import libcst as cst
from libcst.metadata import BaseAssignment, ImportAssignment, Scope, ScopeProvider

from patchgate.diagnostics.libcst_rule import Invalid, LibcstRule, Replacement
from patchgate.diagnostics.prefilter import Probe

ImportNode = Union[cst.Import, cst.ImportFrom]
SmallStatements = Union[cst.SimpleStatementLine, cst.SimpleStatementSuite]
GUARD_EXCEPTIONS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
INIT_FILES = frozenset({"__init__.py", "__init__.pyi"})
FUTURE_FEATURES = frozenset(__future__.all_feature_names)


def _future(probe: Probe, name: str) -> bool:
    """A `from __future__ import` feature: imported, never read, and rightly so."""
    return name in FUTURE_FEATURES and re.search(rf"from\s+__future__\s+import[^\n]*\b{name}\b", probe.text) is not None


def _dotted_prefixes(name: str) -> list[str]:
    """`import a.b.c` binds `a`, and a use of any of a.b.c, a.b, a counts."""
    parts = name.split(".")
    return [".".join(parts[:end]) for end in range(len(parts), 0, -1)]


def _strings(node: cst.BaseExpression) -> set[str]:
    """The string literals of an `__all__` value: a list, tuple, set, string or their sum."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return {value} if isinstance(value, str) else set()
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return {name for element in node.elements for name in _strings(element.value)}
    if isinstance(node, cst.BinaryOperation):
        return _strings(node.left) | _strings(node.right)
    return set()


def _all_value(small: cst.BaseSmallStatement) -> cst.BaseExpression | None:
    """The value assigned or added to `__all__` by one module-level statement, if any."""
    if isinstance(small, cst.Assign) and any(_is_all(t.target) for t in small.targets):
        return small.value
    if isinstance(small, (cst.AugAssign, cst.AnnAssign)) and _is_all(small.target):
        return small.value
    call = small.value if isinstance(small, cst.Expr) else None
    if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and _is_all(call.func.value) and call.args:
        return call.args[0].value
    return None


def _is_all(node: cst.BaseExpression) -> bool:
    """Is this expression the name `__all__`?"""
    return isinstance(node, cst.Name) and node.value == "__all__"


def _exported_names(module: cst.Module) -> set[str]:
    """Names listed in the module's `__all__`: exported, so used."""
    names: set[str] = set()
    for statement in module.body:
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            value = _all_value(small)
            names |= _strings(value) if value is not None else set()
    return names


def _guards_imports(node: cst.Try) -> bool:
    """A try whose handlers catch ImportError: its imports probe for optional modules."""
    for handler in node.handlers:
        caught = handler.type
        if caught is None:
            return True
        elements = caught.elements if isinstance(caught, cst.Tuple) else [cst.Element(caught)]
        for element in elements:
            value = element.value
            name = value.attr.value if isinstance(value, cst.Attribute) else getattr(value, "value", None)
            if name in GUARD_EXCEPTIONS:
                return True
    return False


def _binds(assignments: Collection[BaseAssignment], node: ImportNode) -> bool:
    """Does this import reach the place these assignments were looked up from?"""
    return any(isinstance(a, ImportAssignment) and a.node is node for a in assignments)


def _without(node: ImportNode, unused: Sequence[cst.ImportAlias]) -> ImportNode:
    """The import minus some aliases; the last one keeps the original last comma (or none)."""
    names = list(node.names)  # type: ignore[arg-type]
    kept = [alias for alias in names if alias not in unused]
    kept[-1] = kept[-1].with_changes(comma=names[-1].comma)
    return node.with_changes(names=kept)


class UnusedImport(LibcstRule):
    """Report imports whose names are never used in the module."""

    id = "unused-import"
    aliases = ("F401",)
    severity = "warning"
    message = "imported but unused"
    tags = ("style",)
    url = "https://docs.astral.sh/ruff/rules/unused-import/"
    docs = """
    An imported name that nothing in the module uses costs start-up time, can create import cycles, and
    hides which dependencies the code really has. Uses are found by scope analysis (LibCST's
    ScopeProvider), so a use inside a function, a decorator, a type annotation or a string annotation
    counts, and a same-named local elsewhere does not.

    An augmented assignment (`x += 1`, or `global x` then `x += 1` in a function) reads the name,
    so it counts as a use, as in pyflakes.

    Re-exports. Not reported, as ruff does not report them: names listed in `__all__` and explicit
    re-exports (`import x as x`, `from m import a as a`). Not reported either: `__init__.py` files
    (ruff reports them with an unsafe fix; their imports are the package's interface, so we leave
    them alone), `from __future__` imports, star imports, and imports inside a `try` whose
    handlers catch ImportError (optional dependencies). A name another module of the workspace
    imports from this one (`from thismodule import name`, or `thismodule.name` after importing
    the module) is reported, since ruff looks at one file too, but `plan fix` treats the fix that
    would remove it as unsafe: it is skipped unless `--unsafe` is given, naming the importer.

    `# noqa` / `# noqa: F401` / `# patchgate: ignore[unused-import]` on any line of the import
    statement (its first line, a name's line, the closing parenthesis) silences it, as in flake8.
    The fix removes only the unused names; a line whose imports all go is deleted, keeping
    comments above it, and a block that would become empty gets `pass`.
    """
    METADATA_DEPENDENCIES = (ScopeProvider,)
    VALID = [
        "import os\nprint(os.getcwd())\n",
        "import os.path\nprint(os.path.join('a', 'b'))\n",
        "from typing import List\nnames: 'List[str]' = []\n",
        "from . import views as views\n",
        "from m import a, b\n__all__ = ['a'] + ['b']\n",
        "try:\n    import ujson\nexcept ImportError:\n    ujson = None\n",
        "from __future__ import annotations\n",
        "from os import *\n",
        "import json\n\ndef load(text):\n    return json.loads(text)\n",
        "from m import count\ncount += 1\n",
        "from m import total\n\ndef add():\n    global total\n    total += 1\n",
    ]
    INVALID = [
        Invalid("import os\nimport sys\nprint(sys.argv)\n", "import sys\nprint(sys.argv)\n"),
        Invalid("from os import path, sep, getcwd\nprint(sep)\n", "from os import sep\nprint(sep)\n"),
        Invalid("# helpers\nimport os  # for paths\nx = 1\n", "# helpers\nx = 1\n"),
        Invalid("from m import (\n    a,\n    b,\n)\nprint(a)\n", "from m import (\n    a,\n)\nprint(a)\n"),
        Invalid("import os, sys; print(sys)\n", "import sys; print(sys)\n"),
        Invalid("import os; x = 1\n", "x = 1\n"),
        Invalid("def f():\n    import json\n    import csv\n", "def f():\n    pass\n"),
        Invalid("if True: import os\n", "if True: pass\n"),
        Invalid("def f():\n    import json\n    return 1\n", "def f():\n    return 1\n"),
        Invalid("import n\n\ndef f():\n    n = 0\n    n += 1\n", "\ndef f():\n    n = 0\n    n += 1\n"),
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """Some scope imports a name that neither it nor a nested scope reads."""
        if PurePosixPath(probe.path).name in INIT_FILES or "import" not in probe.text:
            return False
        return probe.any_symbol(lambda scope, symbol: symbol.is_imported() and probe.unread(scope, symbol) and not _future(probe, symbol.get_name()))

    def __init__(self, path: str = "") -> None:
        super().__init__(path)
        self._skip_file = PurePosixPath(path).name in INIT_FILES
        self._exported: set[str] = set()
        self._guards: list[bool] = []
        self._augmented: list[tuple[Scope, str]] = []
        self._blocks: list[tuple[Sequence[cst.BaseStatement] | cst.SimpleStatementSuite, bool, bool]] = []

    def visit_Module(self, node: cst.Module) -> None:
        self._exported = _exported_names(node)
        self._blocks.append((node.body, True, any(self._guards)))

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._blocks.append((node.body, False, any(self._guards)))

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._blocks.append((node, True, any(self._guards)))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        """`x += 1` reads x: remember where, to count it as a use of the import it resolves to."""
        scope = self.get_metadata(ScopeProvider, node, None)
        if scope is not None and isinstance(node.target, cst.Name):
            self._augmented.append((scope, node.target.value))

    def leave_Module(self, original_node: cst.Module) -> None:
        """Judge every block once the whole module (its augmented assignments included) has been seen."""
        for block, flag, guarded in self._blocks:
            if guarded:
                continue
            if isinstance(block, cst.SimpleStatementSuite):
                unused = self._unused_in(block.body)
                if unused:
                    self._report(unused, *self._fix(block, unused, as_pass=True))
            else:
                self._check_block(block, may_empty=flag)

    def visit_Try(self, node: cst.Try) -> None:
        self._guards.append(_guards_imports(node))

    def leave_Try(self, original_node: cst.Try) -> None:
        self._guards.pop()

    def _check_block(self, body: Sequence[cst.BaseStatement], may_empty: bool) -> None:
        """Report the unused imports of each line of a block; the last line of an emptied block becomes pass."""
        lines = [(line, self._unused_in(line.body)) for line in body if isinstance(line, cst.SimpleStatementLine)]
        lines = [(line, unused) for line, unused in lines if unused]
        emptied = [line for line, unused in lines if self._empties(line, unused)]
        last_pass = emptied[-1] if emptied and not may_empty and len(emptied) == len(body) else None
        for line, unused in lines:
            self._report(unused, *self._fix(line, unused, as_pass=line is last_pass))

    def _unused_in(self, body: Sequence[cst.BaseSmallStatement]) -> dict[ImportNode, list[cst.ImportAlias]]:
        """Unused aliases of each checkable import among some small statements."""
        if self._skip_file:
            return {}
        found: dict[ImportNode, list[cst.ImportAlias]] = {}
        for small in body:
            if self._checkable(small):
                unused = [alias for alias in small.names if not self._used(small, alias)]  # type: ignore[union-attr]
                if unused:
                    found[small] = unused  # type: ignore[index]
        return found

    @staticmethod
    def _checkable(small: cst.BaseSmallStatement) -> bool:
        """Plain imports and from-imports, but not star or __future__ imports."""
        if isinstance(small, cst.Import):
            return True
        if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
            return False
        return not (isinstance(small.module, cst.Name) and small.module.value == "__future__" and not small.relative)

    def _used(self, node: ImportNode, alias: cst.ImportAlias) -> bool:
        """Is any name this alias binds referenced, exported, or an explicit re-export?"""
        scope = self.get_metadata(ScopeProvider, node, None)
        if scope is None or (alias.asname is not None and alias.evaluated_alias == alias.evaluated_name):
            return True
        names = [alias.evaluated_alias] if alias.asname is not None else _dotted_prefixes(alias.evaluated_name)
        for name in names:
            if name in self._exported:
                return True
            for assignment in scope[name]:
                if isinstance(assignment, ImportAssignment) and assignment.node is node and assignment.references:
                    return True
        return any(_binds(where[target], node) for where, target in self._augmented if target in names)

    @staticmethod
    def _empties(container: SmallStatements, unused: dict[ImportNode, list[cst.ImportAlias]]) -> bool:
        """Would removing the unused names leave nothing of this line?"""
        return all(small in unused and len(unused[small]) == len(small.names) for small in container.body)  # type: ignore[union-attr,index]

    def _fix(self, container: SmallStatements, unused: dict[ImportNode, list[cst.ImportAlias]], as_pass: bool) -> tuple[Replacement, cst.CSTNode]:
        """(replacement, target): the smallest node edit that drops the unused names of one line."""
        kept: list[cst.BaseSmallStatement] = []
        for small in container.body:
            if small not in unused:
                kept.append(small)
            elif len(unused[small]) < len(small.names):  # type: ignore[index,union-attr]
                kept.append(_without(small, unused[small]))  # type: ignore[arg-type,index]
        if not kept and len(container.body) == 1 and as_pass:
            return cst.Pass(semicolon=container.body[0].semicolon), container.body[0]
        if not kept:
            return (container.with_changes(body=[cst.Pass()]) if as_pass else cst.RemovalSentinel.REMOVE), container
        if len(kept) == len(container.body) and len(unused) == 1:
            (node, aliases), = unused.items()
            return _without(node, aliases), node
        kept[-1] = kept[-1].with_changes(semicolon=container.body[-1].semicolon)
        return container.with_changes(body=kept), container

    def _report(self, unused: dict[ImportNode, list[cst.ImportAlias]], fix: Replacement, target: cst.CSTNode) -> None:
        """One finding per unused name; the first carries the fix for the whole line."""
        first = True
        for aliases in unused.values():
            for alias in aliases:
                name = alias.evaluated_alias or alias.evaluated_name
                self.report(alias, f"`{name}` imported but unused", fix if first else None, fix_target=target)
                first = False
