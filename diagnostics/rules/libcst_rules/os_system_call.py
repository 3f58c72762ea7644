"""os-system-call (S605): `os.system` found by qualified name, whatever it was imported as."""

from __future__ import annotations

import ast
import re
import symtable

from patchgate.diagnostics.python_rule import PythonRule, TreeReport
from patchgate.diagnostics.prefilter import Probe

SCOPE_NAMES = {ast.Lambda: "lambda", ast.ListComp: "listcomp", ast.SetComp: "setcomp", ast.DictComp: "dictcomp",
               ast.GeneratorExp: "genexpr"}
SHELL_CALLS = frozenset({"os.system", "posix.system", "nt.system"})
ATTRIBUTE = re.compile(r"\.\s*system\b")
FROM_IMPORT = re.compile(r"\bfrom\s+(?:os|posix|nt)\s+import\s+(?:\([^)]*|[^\n]*(?:\\\n[^\n]*)*)\bsystem\b")
MODULE_IMPORT = re.compile(r"(?m)^[ \t]*(?:from[ \t]+(?:os|posix|nt)[ \t]+import|import[^\n#]*\b(?:os|posix|nt)\b)")


class OsSystemCall(PythonRule):
    """Report calls of `os.system`, through any import alias."""

    id = "os-system-call"
    aliases = ("S605",)
    severity = "warning"
    message = "`os.system` runs its argument through a shell"
    tags = ("security",)
    url = "https://docs.astral.sh/ruff/rules/start-process-with-a-shell/"
    docs = """
    `os.system(cmd)` hands `cmd` to `/bin/sh -c` (or `cmd.exe`): any untrusted text in it is shell
    code, and the exit status comes back encoded. Use `subprocess.run([...])` with an argument list,
    which starts the program directly and raises or returns a real return code.

    The call is matched by qualified name (each name resolved in its scope to the import that bound it), so
    `from os import system as s; s(...)` and `import os as o; o.system(...)` are caught, while an
    unrelated `system()` (a local function, `platform.system()`) is not. No fix: the argument list
    a command needs cannot be derived safely from a shell string.
    """
    PREFILTER = ("system",)
    VALID = [
        "import subprocess\nsubprocess.run(['ls', '-l'], check=True)\n",
        "import platform\nprint(platform.system())\n",
        "def system(command):\n    return command\n\nsystem('ls')\n",
        "import os\nos.getcwd()\n",
        "from os import system\n\ndef f(system):\n    system('ls')\n",
    ]
    INVALID = [
        "import os\nos.system('ls')\n",
        "from os import system as run\nrun('ls')\n",
        "import os as o\no.system('ls')\n",
        "import os.path\nos.system('ls')\n",
        "import os\n\ndef f():\n    return lambda: os.system('ls')\n",
    ]

    @classmethod
    def matches_text(cls, text: str) -> bool:
        """Both `system` and an import of its module must be in the text, else no qualified name can match."""
        return super().matches_text(text) and MODULE_IMPORT.search(text) is not None

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """Reached as an attribute (`os.system`, `o.system`) or as an imported name (`from os import system`)."""
        if not cls.matches_text(probe.text):
            return False
        if ATTRIBUTE.search(probe.text):
            return True
        return FROM_IMPORT.search(probe.text) is not None

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Calls whose callee resolves, in its scope, to an import of a shell-running `system`."""
        if probe.tree is None or probe.table is None:
            return []
        walker = _Calls(probe.table)
        walker.visit(probe.tree)
        return [TreeReport.at(call, cls.message) for call in walker.found]


class _Calls(ast.NodeVisitor):
    """Walks the module in step with its symbol tables, remembering what each scope imported."""

    def __init__(self, module: symtable.SymbolTable) -> None:
        self.scopes = [module]
        self.imported: dict[tuple[int, str], str] = {}
        """(scope id, bound name) -> the dotted name it was imported as."""
        self.found: list[ast.Call] = []
        self._pending: dict[int, list[symtable.SymbolTable]] = {}

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            self.imported[(self.scopes[-1].get_id(), bound)] = alias.name if alias.asname else bound

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if node.module and not node.level:
                self.imported[(self.scopes[-1].get_id(), alias.asname or alias.name)] = f"{node.module}.{alias.name}"

    def visit_Call(self, node: ast.Call) -> None:
        if self._qualified(node.func) in SHELL_CALLS:
            self.found.append(node)
        self.generic_visit(node)

    def visit_scope(self, node: ast.AST) -> None:
        """Enter the node's own table: the child of the current scope with its name and line."""
        table = self._child(node)
        self.scopes.append(table)
        self.generic_visit(node)
        self.scopes.pop()

    def _child(self, node: ast.AST) -> symtable.SymbolTable:
        """The unclaimed child table made for this node; the current scope where CPython made none."""
        name = getattr(node, "name", None) or SCOPE_NAMES.get(type(node), "")
        children = self._pending.setdefault(self.scopes[-1].get_id(), list(self.scopes[-1].get_children()))
        for index, child in enumerate(children):
            if child.get_name() == name and child.get_lineno() == node.lineno:  # type: ignore[attr-defined]
                return children.pop(index)
        return self.scopes[-1]

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = visit_scope
    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_scope

    def _qualified(self, func: ast.expr) -> str | None:
        """`name` or `name.attr` with `name` resolved to what its scope's import bound it to."""
        if isinstance(func, ast.Name):
            return self._resolve(func.id)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            base = self._resolve(func.value.id)
            return None if base is None else f"{base}.{func.attr}"
        return None

    def _resolve(self, name: str) -> str | None:
        """The import a name reads, following Python's scoping from the innermost scope out."""
        for scope in reversed(self.scopes):
            if scope.get_type() == "class" and scope is not self.scopes[-1]:
                continue  # a class body's names are not visible from the functions inside it
            try:
                symbol = scope.lookup(name)
            except KeyError:
                continue
            if symbol.is_local() or scope is self.scopes[0]:
                return self.imported.get((scope.get_id(), name))
            if symbol.is_global():
                return self.imported.get((self.scopes[0].get_id(), name))
        return None
