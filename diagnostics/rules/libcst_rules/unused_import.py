"""unused-import (F401): imported names nothing uses, found by scope analysis, with a safe removal fix."""

from __future__ import annotations

import __future__
import ast
import re
from pathlib import PurePosixPath

from patchgate.diagnostics.python_rule import Invalid, PythonRule, TreeEdit, TreePosition, TreeReport
from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.rules.libcst_rules.import_uses import COMPOUND, Block, ImportScan

INIT_FILES = frozenset({"__init__.py", "__init__.pyi"})
COMPAT_STEMS = frozenset({"compat", "_compat", "compatibility", "py3compat"})


def _interface_module(path: str) -> bool:
    """A package `__init__` or a compatibility module (`compat.py`, `_compat.py`, `*_compat.py`): what it
    imports is what it offers, so an import nothing in it reads is a re-export, not dead code."""
    name = PurePosixPath(path)
    return name.name in INIT_FILES or name.stem in COMPAT_STEMS or name.stem.endswith("_compat")
FUTURE_FEATURES = frozenset(__future__.all_feature_names)


def _future(probe: Probe, name: str) -> bool:
    """A `from __future__ import` feature: imported, never read, and rightly so."""
    return name in FUTURE_FEATURES and re.search(rf"from\s+__future__\s+import[^\n]*\b{name}\b", probe.text) is not None


class UnusedImport(PythonRule):
    """Report imports whose names are never used in the module."""

    id = "unused-import"
    aliases = ("F401",)
    severity = "warning"
    message = "imported but unused"
    tags = ("style",)
    url = "https://docs.astral.sh/ruff/rules/unused-import/"
    docs = """
    An imported name that nothing in the module uses costs start-up time, can create import cycles, and
    hides which dependencies the code really has. Uses are found by scope analysis (CPython's own
    symbol table), so a use inside a function, a decorator, a type annotation or a string annotation
    counts, and a same-named local elsewhere does not. A class-level import read only by a method
    is taken as used, although Python would not resolve it there.

    An augmented assignment (`x += 1`, or `global x` then `x += 1` in a function) reads the name,
    so it counts as a use, as in pyflakes.

    Re-exports. Not reported, as ruff does not report them: names listed in `__all__` and explicit
    re-exports (`import x as x`, `from m import a as a`). Not reported either: `__init__.py` files
    (ruff reports them with an unsafe fix; their imports are the package's interface, so we leave
    them alone), compatibility modules (`compat.py`, `_compat.py`, `*_compat.py`: requests, flask and
    click import names there so that others import them from there), `from __future__` imports, star imports, and imports inside a `try` whose
    handlers catch ImportError (optional dependencies). A name another module of the workspace
    imports from this one (`from thismodule import name`, or `thismodule.name` after importing
    the module) is reported, since ruff looks at one file too, but `plan fix` treats the fix that
    would remove it as unsafe: it is skipped unless `--unsafe` is given, naming the importer.

    `# noqa` / `# noqa: F401` / `# patchgate: ignore[unused-import]` on any line of the import
    statement (its first line, a name's line, the closing parenthesis) silences it, as in flake8.
    The fix removes only the unused names; a line whose imports all go is deleted, keeping
    comments above it, and a block that would become empty gets `pass`.
    """
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
        if _interface_module(probe.path) or "import" not in probe.text:
            return False
        return probe.any_symbol(lambda scope, symbol: symbol.is_imported() and probe.unread(scope, symbol) and not _future(probe, symbol.get_name()))

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Every unused import of the module, each line's fix carried by its first finding."""
        if probe.tree is None or probe.table is None or _interface_module(probe.path):
            return []
        scan = ImportScan(probe).scan()
        return [report for block in scan.blocks for report in _BlockFix(probe, scan, block).reports()]


class _BlockFix:
    """The findings and fixes of one block: each line of statements loses its unused names; a line
    left empty is deleted (comments above it stay), or becomes `pass` where the block needs a statement."""

    def __init__(self, probe: Probe, scan: ImportScan, block: Block) -> None:
        self.probe, self.scan, self.block = probe, scan, block

    def reports(self) -> list[TreeReport]:
        """One finding per unused name, line by line."""
        lines = [(line, self._unused(line)) for line in self._lines()]
        lines = [(line, unused) for line, unused in lines if unused]
        emptied = [line for line, unused in lines if _empties(line, unused)]
        items = len(self._lines()) + sum(isinstance(statement, COMPOUND) for statement in self.block.statements)
        last_pass = emptied[-1] if emptied and self.block.kind == "block" and len(emptied) == items else None
        found = []
        for line, unused in lines:
            as_pass = self.block.kind == "suite" or line is last_pass
            fix = (self._fix(line, unused, as_pass),)
            for statement in line:
                for alias in unused.get(id(statement), ()):
                    name = alias.asname or alias.name
                    found.append(TreeReport.at(alias, f"`{name}` imported but unused", fix))
                    fix = ()
        return found

    def _lines(self) -> list[list[ast.stmt]]:
        """Simple statements grouped by the line they share (`a; b`); a suite is one line."""
        lines: list[list[ast.stmt]] = []
        for statement in self.block.statements:
            if isinstance(statement, COMPOUND):
                continue
            if lines and (self.block.kind == "suite" or lines[-1][-1].end_lineno == statement.lineno):
                lines[-1].append(statement)
            else:
                lines.append([statement])
        return lines

    def _unused(self, line: list[ast.stmt]) -> dict[int, list[ast.alias]]:
        """Unused aliases of each import of a line, by the statement's id."""
        found = {}
        for statement in line:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                unused = self.scan.unused(statement, self.block.scope)
                if unused:
                    found[id(statement)] = unused
        return found

    def _fix(self, line: list[ast.stmt], unused: dict[int, list[ast.alias]], as_pass: bool) -> TreeEdit:
        """One edit for the line: its statements without the unused names, `pass`, or the lines deleted."""
        kept = [(index, self._without(statement, unused.get(id(statement), [])))
                for index, statement in enumerate(line) if not _all_unused(statement, unused)]
        first, last = line[0], line[-1]
        if not kept and not as_pass:
            return TreeEdit(TreePosition(first.lineno, 0), TreePosition(last.end_lineno + 1, 0), "")  # type: ignore[operator]
        text = "pass" if not kept else kept[0][1]
        for (previous, _), (_, statement_text) in zip(kept, kept[1:]):
            text += self._between(line[previous], line[previous + 1]) + statement_text
        return TreeEdit(_start(first), _end(last), text)

    def _without(self, statement: ast.stmt, aliases: list[ast.alias]) -> str:
        """A statement's text minus some of its imported names, separators and brackets kept in place."""
        if not aliases:
            return self._text(_start(statement), _end(statement))
        names: list[ast.alias] = statement.names  # type: ignore[attr-defined]
        kept = [index for index, alias in enumerate(names) if alias not in aliases]
        middle = self._text(_start(names[kept[0]]), _end(names[kept[0]]))
        for previous, index in zip(kept, kept[1:]):  # a kept name keeps the separator (and comment) after it
            middle += self._between(names[previous], names[previous + 1]) + self._text(_start(names[index]), _end(names[index]))
        head = self._text(_start(statement), _start(names[0]))
        return head + middle + self._text(_end(names[-1]), _end(statement))

    def _between(self, before: ast.AST, after: ast.AST) -> str:
        """The separator text between two nodes (`, `, `; `, a line break with indentation)."""
        return self._text(_end(before), _start(after))

    def _text(self, start: TreePosition, end: TreePosition) -> str:
        return self.probe.encoded[self.probe.byte_offset(*start):self.probe.byte_offset(*end)].decode("utf-8", "surrogatepass")


def _start(node: ast.AST) -> TreePosition:
    return TreePosition(node.lineno, node.col_offset)  # type: ignore[attr-defined]


def _end(node: ast.AST) -> TreePosition:
    return TreePosition(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]


def _all_unused(statement: ast.stmt, unused: dict[int, list[ast.alias]]) -> bool:
    return len(unused.get(id(statement), ())) == len(getattr(statement, "names", ())) > 0


def _empties(line: list[ast.stmt], unused: dict[int, list[ast.alias]]) -> bool:
    """Would removing the unused names leave nothing of this line?"""
    return all(_all_unused(statement, unused) for statement in line)
