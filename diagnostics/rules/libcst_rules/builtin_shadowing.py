"""builtin-shadowing (A001/A002): a variable, function or argument named like a Python builtin."""

from __future__ import annotations

import builtins

import libcst as cst
from libcst.metadata import Assignment, ClassScope, ScopeProvider

from patchgate.diagnostics.libcst_rule import LibcstRule
from patchgate.diagnostics.prefilter import Probe

SITE_NAMES = frozenset({"copyright", "credits", "license", "exit", "quit", "help"})
"""Added by the `site` module, not the language: present or not depending on how Python starts."""
BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("_")) - SITE_NAMES


def _name_node(node: cst.CSTNode) -> cst.CSTNode:
    """Point at the name itself, not the whole def, class or parameter."""
    name = getattr(node, "name", None)
    return name if isinstance(name, cst.Name) else node


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
    the bug surfaces far from the assignment. Bindings are found by scope analysis, so every kind
    counts (assignment, `for` target, `with ... as`, parameter, def, class, comprehension variable).

    Not reported: class attributes and methods (they live in the class namespace and are reached
    through the instance, A003), imports (`from io import open` is deliberate), and the names the
    `site` module adds (`help`, `exit`, `license`, ...). No fix: a rename needs a human choice.
    """
    METADATA_DEPENDENCIES = (ScopeProvider,)
    VALID = [
        "class Model:\n    id = 1\n\n    def type(self):\n        return 'model'\n",
        "list_ = [1, 2]\nprint(list(list_))\n",
        "from io import open\n",
        "def f(*, ident):\n    return ident\n",
    ]
    INVALID = [
        "list = [1, 2]\n",
        "def f(id):\n    return id\n",
        "for input in range(3):\n    pass\n",
        "def type():\n    return 1\n",
        "with open('f') as file, open('g') as next:\n    pass\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """Some scope other than a class body binds a builtin's name by anything but an import."""
        return probe.any_symbol(
            lambda scope, symbol: symbol.get_name() in BUILTIN_NAMES
            and scope.get_type() != "class"
            and (symbol.is_assigned() or symbol.is_parameter() or symbol.is_namespace())
        )

    def leave_Module(self, original_node: cst.Module) -> None:
        scopes = {scope for scope in self.metadata[ScopeProvider].values() if scope is not None}
        for scope in scopes:
            if isinstance(scope, ClassScope):
                continue
            for assignment in scope.assignments:
                if type(assignment) is Assignment and assignment.name in BUILTIN_NAMES:
                    self._report(assignment)

    def _report(self, assignment: Assignment) -> None:
        """Name the kind of binding: an argument (A002) or a variable (A001)."""
        kind = "argument" if isinstance(assignment.node, cst.Param) else "variable"
        self.report(_name_node(assignment.node), f"{kind} `{assignment.name}` shadows a Python builtin")
