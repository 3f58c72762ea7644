"""builtin-shadowing (A001/A002): a variable, function or argument named like a Python builtin."""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field

from patchgate.diagnostics.python_rule import PythonRule, TreePosition, TreeReport
from patchgate.diagnostics.prefilter import Probe

Function = ast.FunctionDef | ast.AsyncFunctionDef
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
SITE_NAMES = frozenset({"copyright", "credits", "license", "exit", "quit", "help"})
"""Added by the `site` module, not the language: present or not depending on how Python starts."""
BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("_")) - SITE_NAMES


class BuiltinShadowing(PythonRule):
    """Report bindings that hide a builtin such as `list`, `id`, `type` or `input`."""

    id = "builtin-shadowing"
    aliases = ("A001", "A002")
    severity = "warning"
    message = "name shadows a Python builtin"
    tags = ("correctness",)
    url = "https://docs.astral.sh/ruff/rules/builtin-variable-shadowing/"
    docs = """
    A variable, function, class or argument named `list`, `id`, `type`, `input` and so on hides the
    builtin for the rest of its scope: later code that means the builtin gets the local value, and
    the bug surfaces far from the assignment. Every kind of binding counts (assignment, `for`
    target, `with ... as`, `except ... as`, walrus, parameter, def, class, comprehension variable),
    in the scope Python puts it in: `global` and `nonlocal` move a binding out of a class body.
    The scopes are CPython's own (its syntax tree, without a libcst parse); a file CPython cannot
    compile is left to the syntax-error rule.

    Not reported: class attributes and methods (they live in the class namespace and are reached
    through the instance, A003), imports (`from io import open` is deliberate), the names the
    `site` module adds (`help`, `exit`, `license`, ...), a builtin re-bound to itself
    (`str = str`, the Python 2 compatibility idiom: the value is the builtin), `.pyi` stubs (they
    describe an API and run nothing), and `@overload` signatures (type declarations only: the
    implementation that follows them is checked). No fix: a rename needs a human choice.
    """
    VALID = [
        "class Model:\n    id = 1\n\n    def type(self):\n        return 'model'\n",
        "list_ = [1, 2]\nprint(list(list_))\n",
        "from io import open\n",
        "def f(*, ident):\n    return ident\n",
        "class Row:\n    for iter in range(2):\n        pass\n    type: int = 0\n",
        "if is_py3:\n    str = str\n    bytes = bytes\n    basestring = (str, bytes)\n",
        "str, bytes = str, bytes\n",
        """
        from typing import overload

        @overload
        def coerce(value: str, type: None = None) -> str: ...
        @overload
        def coerce(value: bytes, type: type[int]) -> int: ...
        def coerce(value, kind=None):
            return value
        """,
        "import typing as t\n\nclass Field:\n    @t.overload\n    def get(self, default: None = None, *, format: str) -> str: ...\n",
    ]
    INVALID = [
        "list = [1, 2]\n",
        "def f(id):\n    return id\n",
        "for input in range(3):\n    pass\n",
        "def type():\n    return 1\n",
        "with open('f') as file, open('g') as next:\n    pass\n",
        "class Table:\n    ids = [id for id in range(3)]\n",
        "class Table:\n    global list\n    list = []\n",
        "try:\n    pass\nexcept OSError as hash:\n    pass\n",
        "str = bytes\n",
        "from typing import overload\n\n@overload\ndef read(n: int) -> bytes: ...\ndef read(n, format=None):\n    return n\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """Not a stub, and some scope binds a builtin's name by anything but an import, outside a class body (or out of one
        through `global`/`nonlocal`)."""
        return not is_stub(probe.path) and probe.any_symbol(
            lambda scope, symbol: symbol.get_name() in BUILTIN_NAMES
            and (scope.get_type() != "class" or symbol.is_declared_global() or symbol.is_nonlocal())
            and (symbol.is_assigned() or symbol.is_parameter() or symbol.is_namespace())
        )

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Every binding of a builtin's name outside a class body, read off CPython's tree."""
        if probe.tree is None or is_stub(probe.path):
            return []
        walker = _Bindings(probe)
        walker.visit(probe.tree)
        return walker.reports


@dataclass
class _Scope:
    """What the rule needs of a scope: whether it is a class body, and its global/nonlocal names."""

    is_class: bool
    redirected: set[str] = field(default_factory=set)


class _Bindings(ast.NodeVisitor):
    """Walks a module in Python's scopes: defaults, decorators and bases belong to the enclosing scope,
    parameters and bodies to the new one, a comprehension's variables to its own."""

    def __init__(self, probe: Probe) -> None:
        self.probe = probe
        self.scopes = [_Scope(is_class=False)]
        self.reports: list[TreeReport] = []
        self.self_bound: set[int] = set()
        """Name nodes of `str = str`: bound to the builtin itself."""

    def visit_FunctionDef(self, node: Function) -> None:
        """An `@overload` signature declares types only: its name and parameters bind nothing that runs."""
        overload = any(_is_overload(decorator) for decorator in node.decorator_list)
        if not overload:
            self._bind_defined(node, "function")
        self._visit_all([*node.decorator_list, *_outer_parts(node.args), node.returns])
        self._inside(False, [*([] if overload else _parameters(node.args)), *node.body])

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._visit_all(_outer_parts(node.args))
        self._inside(False, [*_parameters(node.args), node.body])

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._bind_defined(node, "class")
        self._visit_all([*node.decorator_list, *node.bases, *node.keywords])
        self._inside(True, node.body)

    def visit_comprehension_scope(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        """The first iterable is evaluated outside; targets, conditions and the element inside."""
        self.visit(node.generators[0].iter)
        inner: list[ast.AST | None] = []
        for index, generator in enumerate(node.generators):
            inner += [generator.target, *([] if index == 0 else [generator.iter]), *generator.ifs]
        inner += [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        self._inside(False, inner)

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = visit_comprehension_scope

    def visit_Assign(self, node: ast.Assign) -> None:
        """`str = str` re-binds the builtin to itself (a Python 2 compatibility idiom): nothing is hidden."""
        self.self_bound.update(id(target) for target in _self_bound(node))
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global | ast.Nonlocal) -> None:
        self.scopes[-1].redirected.update(node.names)

    visit_Nonlocal = visit_Global

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store) and id(node) not in self.self_bound:
            self._bind(node.id, node.lineno, node.col_offset, "variable")

    def visit_arg(self, node: ast.arg) -> None:
        self._bind(node.arg, node.lineno, node.col_offset, "argument")

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_named(node.name, node, node.body[0], rb"\bas\s+", "variable")
        self.generic_visit(node)

    def _bind_defined(self, node: Function | ast.ClassDef, kind: str) -> None:
        """A def or class binds its name in the enclosing scope, just after its keyword."""
        self._bind_named(node.name, node, node.body[0], rb"\b(?:def|class)[\s\\]+", kind)

    def _bind_named(self, name: str, start: ast.AST, stop: ast.AST, keyword: bytes, kind: str) -> None:
        """Bind a name CPython gives no position: found after `keyword` between two nodes' starts."""
        if not self._shadows(name):
            return
        where = self.probe.locate(name, (start.lineno, start.col_offset), (stop.lineno, stop.col_offset), keyword)  # type: ignore[attr-defined]
        self._bind(name, *where, kind)

    def _bind(self, name: str, line: int, byte_column: int, kind: str) -> None:
        """Report a builtin's name bound outside a class body (`global`/`nonlocal` move it out of one)."""
        if self._shadows(name):
            start, end = TreePosition(line, byte_column), TreePosition(line, byte_column + len(name.encode("utf-8")))
            self.reports.append(TreeReport(start, end, f"{kind} `{name}` shadows a Python builtin"))

    def _shadows(self, name: str) -> bool:
        scope = self.scopes[-1]
        return name in BUILTIN_NAMES and (not scope.is_class or name in scope.redirected)

    def _inside(self, is_class: bool, nodes: list) -> None:
        """Visit nodes in a new scope."""
        self.scopes.append(_Scope(is_class=is_class))
        self._visit_all(nodes)
        self.scopes.pop()

    def _visit_all(self, nodes: list) -> None:
        for node in nodes:
            if node is not None:
                self.visit(node)


def is_stub(path: str) -> bool:
    """A `.pyi` type stub: it declares an API and never runs."""
    return path.endswith(".pyi")


def _is_overload(decorator: ast.expr) -> bool:
    """`@overload`, `@typing.overload`, `@t.overload`."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
    return name == "overload"


def _self_bound(node: ast.Assign) -> list[ast.expr]:
    """Targets bound to the same name they read: `str = str`, and each place of `str, bytes = str, bytes`."""
    pairs: list[tuple[ast.expr, ast.expr]] = []
    for target in node.targets:
        if isinstance(target, ast.Name):
            pairs.append((target, node.value))
        elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(node.value, (ast.Tuple, ast.List)):
            if len(target.elts) == len(node.value.elts):
                pairs.extend(zip(target.elts, node.value.elts))
    return [target for target, value in pairs
            if isinstance(target, ast.Name) and isinstance(value, ast.Name) and target.id == value.id]


def _outer_parts(arguments: ast.arguments) -> list[ast.AST | None]:
    """What a signature evaluates in the enclosing scope: defaults and annotations."""
    annotations = [arg.annotation for arg in _parameters(arguments)]
    return [*arguments.defaults, *arguments.kw_defaults, *annotations]


def _parameters(arguments: ast.arguments) -> list[ast.arg]:
    """Every parameter of a signature, in order."""
    extra = [arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None]
    return [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, *extra]
