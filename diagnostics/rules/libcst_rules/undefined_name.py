"""undefined-name (F821) and star-import-usage (F405): reads that no scope binds, by scope analysis."""

from __future__ import annotations

import ast
import re

from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.python_rule import PythonRule, TreeReport
from patchgate.diagnostics.rules.libcst_rules.unresolved_names import STAR_IMPORT, Unresolved, binds, known_names, report

QUOTED_TYPE = re.compile(
    r"""(?:->|\w[ \t]*:)[ \t]*[rRuU]?['"]|(?:[A-Z]\w*|list|dict|set|frozenset|tuple|type)\[[^\]'"]*['"]"""
    r"""|\b(?:cast|TypeVar|NewType|TypeAlias|TypeAliasType)\b"""
)
"""A string that may be a type annotation: the symbol table does not see the names inside it."""


def maybe_unresolved(probe: Probe) -> bool:
    """Prefilter: a star import, a possible string annotation, a read CPython's symbol table resolves to
    no binding, or a module or class body that reads a name of its own before binding it."""
    if probe.table is None or probe.tree is None or STAR_IMPORT.search(probe.text) or QUOTED_TYPE.search(probe.text):
        return True
    module = {symbol.get_name() for symbol in probe.table.get_symbols() if binds(symbol)}
    known = known_names(probe)
    return probe.any_symbol(
        lambda scope, symbol: symbol.is_referenced() and symbol.get_name() not in known
        and symbol.get_name() not in module and (symbol.is_global() or scope.get_type() == "module")
    ) or _read_before_bound(probe.tree.body) or _class_in_function_reads_own(probe)


def _read_before_bound(body: list[ast.stmt]) -> bool:
    """Does a module or class body read, outside functions, a name it binds before a statement binding
    it has run? A superset of what undefined-name's ordered check reports; function bodies are skipped."""
    facts = [_immediate_names(statement) for statement in body]
    binds = set().union(*(stores for _, stores, _ in facts))
    bound: set[str] = set()
    for loads, stores, classes in facts:
        if loads & (binds - bound) or any(_read_before_bound(cls.body) for cls in classes):
            return True
        bound |= stores
    return False


def _immediate_names(statement: ast.stmt) -> tuple[set[str], set[str], list[ast.ClassDef]]:
    """Names a statement reads and binds as it runs (not in function, lambda or class bodies), and the
    classes it defines."""
    loads: set[str] = set()
    stores: set[str] = set()
    classes: list[ast.ClassDef] = []
    stack: list[ast.AST] = [statement]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else stores).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stores.add(node.name)
            stack.extend([*node.decorator_list, node.args, *filter(None, [node.returns])])
            continue
        elif isinstance(node, ast.ClassDef):
            stores.add(node.name)
            classes.append(node)
            stack.extend([*node.decorator_list, *node.bases, *node.keywords])
            continue
        elif isinstance(node, ast.Lambda):
            stack.append(node.args)
            continue
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            stores.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            stores.add(node.name)
        stack.extend(ast.iter_child_nodes(node))
    return loads, stores, classes


def _class_in_function_reads_own(probe: Probe) -> bool:
    """A class defined in a function whose body reads a name it binds (maybe before binding it)."""
    return any(
        child.get_type() == "class" and any(symbol.is_referenced() and binds(symbol) for symbol in child.get_symbols())
        for scope in probe.scopes() if scope.get_type() == "function" for child in scope.get_children()
    )


class UndefinedName(PythonRule):
    """Report a name that is read but bound nowhere the read can see."""

    id = "undefined-name"
    aliases = ("F821",)
    severity = "error"
    message = "undefined name"
    tags = ("correctness",)
    url = "https://docs.astral.sh/ruff/rules/undefined-name/"
    docs = """
    A read of a name that no visible scope binds raises NameError when it runs: a typo, a missing
    import, or a helper that was renamed. It often sits in a rarely taken branch, an error handler
    or a type annotation, exactly where tests do not reach. Scopes are Python's: a class body is
    invisible from the functions and comprehensions inside it (except the first iterable), a
    comprehension's variables stay inside it, and a walrus binds in the enclosing function. A module
    or class body runs top to bottom, so a read made directly in it needs a binding before it;
    a function body runs later and sees every binding of the module.

    Known names: the builtins of the configured target-version (`ExceptionGroup` needs py311),
    the names `site` adds (`exit`, `help`), module dunders (`__file__`, `__name__`, `__spec__`,
    `__builtins__`), `__path__` in a package's `__init__`, `__module__`/`__qualname__` directly in a
    class body and `__class__` in its methods. String annotations and, under
    `from __future__ import annotations` or in a `.pyi` stub, every annotation are checked too, but
    may name a class defined further down.

    Silent on purpose: a module with `from m import *` (which names it binds is unknowable here;
    star-import-usage, F405, reports those reads instead), a name declared `global` anywhere, a read
    inside a `try` whose handler catches NameError (a deliberate probe), and files using type
    parameter syntax. Unlike ruff, a read after `del name` or after an `except ... as name` block,
    and a name only annotated (`x: int`), count as bound: flow-sensitive unbinding is not modelled,
    so those are missed rather than guessed. No fix: the right import or spelling needs a human.
    """
    VALID = [
        "import os\nprint(os.sep)\n",
        "def f():\n    return later()\n\ndef later():\n    return 1\n",
        "print(__file__, __name__, len([]))\n",
        "class C:\n    name = __qualname__\n\n    def m(self):\n        return __class__\n",
        "try:\n    unicode\nexcept NameError:\n    unicode = str\n",
        "from os import *\nprint(getcwd())\n",
        "def f():\n    global counter\n    counter = 1\n\ndef g():\n    return counter\n",
        "from __future__ import annotations\n\ndef f(node: Node) -> Node:\n    return node\n\nclass Node:\n    pass\n",
        "def f(node: 'Node'):\n    return node\n\nclass Node:\n    pass\n",
        "if any((found := item) for item in [1, 2]):\n    print(found)\n",
        "from m import Point, value\n\nmatch value:\n    case Point(x=0) as point:\n        print(point)\n    case other:\n        print(other)\n",
        "class C:\n    items = [1, 2]\n    doubled = [i * 2 for i in items]\n",
    ]
    INVALID = [
        "def f():\n    return undefined_helper()\n",
        "print(value)\nvalue = 1\n",
        "class C:\n    size = 2\n    sizes = [size for _ in range(3)]\n",
        "class C:\n    limit = 3\n\n    def m(self):\n        return limit\n",
        "def f(node: 'Missing'):\n    return node\n",
        "try:\n    pass\nexcept ExceptionGroup:\n    pass\n",
        "def f():\n    return [x for x in range(3)] + [x]\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """A read the symbol table cannot resolve, or a module or class body that reads what it binds."""
        return maybe_unresolved(probe)

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Every unresolved read, unless a star import may bind it."""
        found = Unresolved(probe)
        if found.star:
            return []
        return [report(read, f"undefined name `{read.name}`") for read in found.reads]


class StarImportUsage(PythonRule):
    """Report a name that is bound nowhere unless one of the module's star imports binds it."""

    id = "star-import-usage"
    aliases = ("F405",)
    severity = "warning"
    message = "name may be undefined, or defined from star imports"
    tags = ("correctness", "style")
    url = "https://docs.astral.sh/ruff/rules/undefined-local-with-import-star-usage/"
    docs = """
    After `from m import *` nobody can tell, without opening `m`, where a name comes from, and
    neither can a linter: a typo and a star-imported name look the same. Each such read is reported
    so that it can be imported by name (which also lets undefined-name check the module again).
    The scope rules, known names and silences are undefined-name's; only modules with a star import
    at module level are looked at. Strings of `__all__` (a package `__init__` re-exporting what it
    star-imported) are reported the same way, as ruff does. No fix: the module that really defines the name must be chosen.
    """
    VALID = [
        "import os\nprint(os.sep)\n",
        "from os import *\nfrom os import getcwd\nprint(getcwd())\n",
        "from os import *\nprint(len([]))\n",
    ]
    INVALID = [
        "from os import *\nprint(getcwd())\n",
        "from .models import *\n\ndef make():\n    return Model()\n",
        "from .client import *\nfrom .auth import Auth\n\n__all__ = ['Auth', 'Client']\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """Only a module with a star import."""
        return STAR_IMPORT.search(probe.text) is not None or probe.table is None

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Every unresolved read of a module with a star import."""
        found = Unresolved(probe)
        if not found.star:
            return []
        reports = [report(read, f"`{read.name}` may be undefined, or defined from star imports") for read in found.reads]
        message = "`{}` in `__all__` may be undefined, or defined from star imports"
        return reports + [TreeReport.at(name, message.format(name.value)) for name in found.exports]
