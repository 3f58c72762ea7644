"""builtin-shadowing (A001/A002): a variable, function or argument named like a Python builtin."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field

import libcst as cst

from patchgate.diagnostics.libcst_rule import LibcstRule
from patchgate.diagnostics.prefilter import Probe

SITE_NAMES = frozenset({"copyright", "credits", "license", "exit", "quit", "help"})
"""Added by the `site` module, not the language: present or not depending on how Python starts."""
BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("_")) - SITE_NAMES


class BuiltinShadowing(LibcstRule):
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

    Not reported: class attributes and methods (they live in the class namespace and are reached
    through the instance, A003), imports (`from io import open` is deliberate), and the names the
    `site` module adds (`help`, `exit`, `license`, ...). No fix: a rename needs a human choice.
    """
    VALID = [
        "class Model:\n    id = 1\n\n    def type(self):\n        return 'model'\n",
        "list_ = [1, 2]\nprint(list(list_))\n",
        "from io import open\n",
        "def f(*, ident):\n    return ident\n",
        "class Row:\n    for iter in range(2):\n        pass\n    type: int = 0\n",
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
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """Some scope binds a builtin's name by anything but an import, outside a class body (or out of one
        through `global`/`nonlocal`)."""
        return probe.any_symbol(
            lambda scope, symbol: symbol.get_name() in BUILTIN_NAMES
            and (scope.get_type() != "class" or symbol.is_declared_global() or symbol.is_nonlocal())
            and (symbol.is_assigned() or symbol.is_parameter() or symbol.is_namespace())
        )

    def __init__(self, path: str = "") -> None:
        super().__init__(path)
        self._scopes: list[_Scope] = [_Scope(is_class=False)]

    # Scopes, entered where libcst's ScopeProvider enters them: a def's or class's name binds outside,
    # its parameters and body inside. Only class bodies matter: their bindings are attributes.
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name, "variable")

    def visit_FunctionDef_params(self, node: cst.FunctionDef) -> None:
        self._scopes.append(_Scope(is_class=False))

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name, "variable")

    def visit_ClassDef_body(self, node: cst.ClassDef) -> None:
        self._scopes.append(_Scope(is_class=True))

    def leave_ClassDef_body(self, node: cst.ClassDef) -> None:
        self._scopes.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._scopes.append(_Scope(is_class=False))

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._scopes.pop()

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._scopes.append(_Scope(is_class=False))  # a comprehension variable is never a class attribute
        self._targets(node.target)
        self._scopes.pop()

    def visit_Global(self, node: cst.Global) -> None:
        self._scopes[-1].redirected.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self._scopes[-1].redirected.update(item.name.value for item in node.names)

    # Bindings: parameters, and every Name that Python stores to.
    def visit_Param(self, node: cst.Param) -> None:
        self._bind(node.name, "argument")

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._targets(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._targets(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._targets(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._targets(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._targets(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._targets(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._targets(node.name.name)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        if node.name is not None:
            self._targets(node.name.name)

    def _targets(self, target: cst.BaseExpression) -> None:
        """Names bound by an assignment target, through tuples, lists and starred elements."""
        if isinstance(target, cst.Name):
            self._bind(target, "variable")
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._targets(element.value)
        elif isinstance(target, cst.StarredElement):
            self._targets(target.value)

    def _bind(self, name: cst.Name, kind: str) -> None:
        """Report a builtin's name bound outside a class body (`global`/`nonlocal` move it out of one)."""
        scope = self._scopes[-1]
        if name.value in BUILTIN_NAMES and (not scope.is_class or name.value in scope.redirected):
            self.report(name, f"{kind} `{name.value}` shadows a Python builtin")


@dataclass
class _Scope:
    """What the rule needs of a scope: whether it is a class body, and its global/nonlocal names."""

    is_class: bool
    redirected: set[str] = field(default_factory=set)
