"""Reads that no scope binds, with Python's own scoping: what undefined-name and star-import-usage report."""

from __future__ import annotations

import ast
import builtins
import re
import symtable
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Optional

from patchgate.diagnostics.prefilter import FUTURE_ANNOTATIONS, Probe, statements
from patchgate.diagnostics.python_rule import TreePosition, TreeReport
from patchgate.diagnostics.tree_scope_walker import ScopeWalker, Unsupported
from patchgate.diagnostics.tree_scopes import Position, Read, Scope

NEWER_BUILTINS = {"aiter": 10, "anext": 10, "EncodingWarning": 10, "BaseExceptionGroup": 11, "ExceptionGroup": 11,
                  "PythonFinalizationError": 13, "_IncompleteInputError": 13}
"""Builtins by the minor version that added them: undefined when the target version is older."""
MODULE_NAMES = frozenset(name for name in dir(builtins) if name not in NEWER_BUILTINS) | {
    "__file__", "__builtins__", "__annotations__", "__cached__", "WindowsError", "__doc__", "__name__",
    "__loader__", "__package__", "__spec__", "copyright", "credits", "license", "exit", "quit", "help",
}
"""Names every module can read: builtins (with those `site` adds, as ruff counts them) and module dunders."""
STAR_IMPORT = re.compile(r"\bimport\s+\*")
CLASS_NAMES = frozenset({"__module__", "__qualname__"})
"""Names a class body can read as it runs."""


class _Walker(ScopeWalker):
    """The scope walker with Python's own bindings where libcst's model differs, and each read's context."""

    def __init__(self, deferred_annotations: bool) -> None:
        super().__init__()
        self.deferred_annotations = deferred_annotations
        self.deferred: set[int] = set()
        """ids of reads evaluated later than their place: string annotations, postponed annotations."""
        self.class_method: set[int] = set()
        """ids of reads made in a function nested in a class, where `__class__` is defined."""
        self._in_class_function = [False]

    def read(self, name: str, position: Position, dotted: tuple[str, ...] = ()) -> None:
        super().read(name, position, dotted)
        if self._string is not None or (self.deferred_annotations and self._annotation[-1]):
            self.deferred.add(id(self.reads[-1]))
        if self._in_class_function[-1]:
            self.class_method.add(id(self.reads[-1]))

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._in_class_function.append(True)
        super().visit_ClassDef(node)
        self._in_class_function.pop()

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        """A walrus binds in the nearest function or module, never in a comprehension."""
        self.visit(node.value)
        outer = self.scope
        while self.scope.kind == "comprehension" and self.scope.parent is not None:
            self.scope = self.scope.parent
        self.visit(node.target)
        self.scope.count += 1
        self.scope = outer

    def visit_Subscript(self, node: ast.Subscript) -> None:
        """`Literal[...]` holds no names however it is imported; `Annotated[T, ...]` only its first item."""
        tail = node.value.attr if isinstance(node.value, ast.Attribute) else getattr(node.value, "id", "")
        if tail == "Literal":
            self._literal += 1
            super().visit_Subscript(node)
            self._literal -= 1
        elif tail == "Annotated" and isinstance(node.slice, ast.Tuple) and node.slice.elts:
            self._visit_all([node.value, node.slice.elts[0]])
            self._annotation.append(False)
            self._type_hint.append(False)
            self._visit_all(node.slice.elts[1:])
            self._annotation.pop()
            self._type_hint.pop()
        else:
            super().visit_Subscript(node)

    def _pattern_read(self, name: Optional[str], node: ast.pattern) -> None:
        """A `case` capture binds its name."""
        if name is not None:
            self.bind(name, node, "name")
            self.scope.count += 1

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        """Keyword patterns name attributes, not variables."""
        self._visit_all([node.cls, *node.patterns, *node.kwd_patterns])


class Unresolved:
    """The reads of one module that no scope binds, and whether a star import may bind them."""

    def __init__(self, probe: Probe) -> None:
        self.reads: list[Read] = []
        self.exports: list[ast.Constant] = []
        """Strings of `__all__` that name nothing the module binds."""
        self.star = False
        tree = probe.tree
        if tree is None:
            return
        walker = _Walker(FUTURE_ANNOTATIONS.search(probe.text) is not None or probe.path.endswith(".pyi"))
        try:
            walker.walk(tree)
        except Unsupported:
            return
        self.star = any(isinstance(node, ast.ImportFrom) and node.names[0].name == "*" for node in tree.body)
        declared = {name for node in statements(tree.body) if isinstance(node, ast.Global) for name in node.names}
        guarded = list(_name_error_guards(tree))
        known = known_names(probe)
        stub = probe.path.endswith(".pyi")
        for read in walker.reads:
            if read.name in known or read.name in declared or _guarded(read.position, guarded):
                continue
            if read.name in CLASS_NAMES and read.scope.kind == "class":
                continue
            if read.name == "__class__" and id(read) in walker.class_method:
                continue
            if not _bound(read, ordered=not stub and id(read) not in walker.deferred):
                self.reads.append(read)
        bound = walker.module.bindings
        self.exports = [name for name in _exported(tree) if not bound.get(name.value) and name.value not in known]


def _exported(tree: ast.Module) -> Iterator[ast.Constant]:
    """The strings of the module's `__all__` lists and tuples, assigned or added to."""
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(target, ast.Name) and target.id == "__all__" for target in targets):
            value = getattr(node, "value", None)
            for item in ast.walk(value) if value is not None else ():
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    yield item


def known_names(probe: Probe) -> frozenset[str]:
    """Builtins of the target version, and `__path__` in a package's `__init__`."""
    newer = {name for name, minor in NEWER_BUILTINS.items() if probe.target >= (3, minor)}
    init = {"__path__"} if PurePosixPath(probe.path.replace("\\", "/")).stem == "__init__" else set()
    return MODULE_NAMES | newer | init


def _bound(read: Read, ordered: bool) -> bool:
    """Does a visible scope bind the name? A module or class body runs top to bottom, so there a read
    made directly in it needs a binding before it; a function body runs later and sees every binding."""
    scope: Optional[Scope] = read.scope
    first = True
    while scope is not None:
        if read.name in scope.redirected:
            return True
        bindings = scope.bindings.get(read.name)
        if bindings and not (first and ordered and scope.kind in ("module", "class")):
            return True
        if bindings and any(binding.index < read.index for binding in bindings):
            return True
        first = False
        scope = scope.parent
        while scope is not None and scope.kind == "class":
            scope = scope.parent
    return False


def _name_error_guards(tree: ast.Module) -> Iterator[tuple[Position, Position]]:
    """The bodies of `try` statements with a handler for NameError: a read there is a deliberate probe."""
    for node in statements(tree.body):
        if getattr(node, "handlers", None) and any(_catches_name_error(handler.type) for handler in node.handlers):  # type: ignore[attr-defined]
            yield (node.body[0].lineno, node.body[0].col_offset), (node.body[-1].end_lineno or 0, node.body[-1].end_col_offset or 0)


def _catches_name_error(kind: Optional[ast.expr]) -> bool:
    """`except NameError`, or a tuple naming it."""
    names = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(isinstance(name, ast.Name) and name.id == "NameError" for name in names)


def _guarded(position: Position, guards: list[tuple[Position, Position]]) -> bool:
    return any(start <= position <= end for start, end in guards)


def report(read: Read, message: str) -> TreeReport:
    """A report on the name as read (for a string annotation: the string's start, where the read is placed)."""
    line, column = read.position
    return TreeReport(TreePosition(line, column), TreePosition(line, column + len(read.name.encode("utf-8"))), message)


def binds(symbol: symtable.Symbol) -> bool:
    """Does the scope bind the symbol (assignment, import, def or class)?"""
    return symbol.is_assigned() or symbol.is_imported() or symbol.is_namespace()
