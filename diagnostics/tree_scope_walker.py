"""Walks CPython's tree the way libcst's ScopeVisitor walks its own, filling `tree_scopes`' model.

The order matters as much as the scopes: libcst numbers bindings and reads by when it visits them, so
defaults, annotations and decorators are visited where and when libcst visits them. Its quirks are kept:
a walrus inside a comprehension binds in the comprehension, `case x:` reads `x`, and strings in
annotations (or inside `typing` subscripts, `cast`, `TypeVar`, `NewType`) are parsed and read, at the
string's position.
"""

from __future__ import annotations

import ast
from typing import Optional

from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.tree_expression_walker import ExpressionWalker
from patchgate.diagnostics.tree_scopes import Imported, Links, Scope, dotted_prefixes


class Unsupported(Exception):
    """Syntax whose scoping the walker does not model (PEP 695 type parameters): the rule stays silent."""


def module_scopes(probe: Probe) -> tuple[ScopeWalker, Links] | None:
    """The module's scopes and read-to-binding links, walked once per file and shared by every rule that
    asks; None when CPython cannot parse the file or it uses syntax the walker does not model."""
    if "_module_scopes" not in probe.__dict__:
        probe.__dict__["_module_scopes"] = _walked(probe.tree)
    return probe.__dict__["_module_scopes"]


def _walked(tree: ast.Module | None) -> tuple[ScopeWalker, Links] | None:
    if tree is None:
        return None
    walker = ScopeWalker()
    try:
        walker.walk(tree)
    except Unsupported:
        return None
    return walker, Links(walker.reads)


class ScopeWalker(ExpressionWalker):
    """One pass over a module: every scope, binding and read, as libcst's scope analysis records them."""

    def walk(self, tree: ast.Module) -> None:
        """Visit a whole module."""
        self._visit_all(tree.body)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if getattr(node, "type_params", None):
            raise Unsupported("type parameters")
        outer = self.scope
        binding = self.bind(node.name, node, "def")
        self.definitions[id(node)] = binding if binding.scope is outer else None
        inner = self.functions[id(node)] = Scope("function", outer)
        self.scope = inner
        self._parameters(node.args)
        self._visit_all(node.body)
        self.scope = outer
        self._visit_all(node.decorator_list)
        self._annotated(node.returns)
        outer.count += 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        outer, self.scope = self.scope, Scope("function", self.scope)
        self._parameters(node.args)
        self.visit(node.body)
        self.scope = outer

    def _parameters(self, arguments: ast.arguments) -> None:
        """Each parameter binds in the new scope; its default, then its annotation, are read outside."""
        positional = [*arguments.posonlyargs, *arguments.args]
        defaults: list[Optional[ast.expr]] = [None] * (len(positional) - len(arguments.defaults))
        pairs = list(zip(positional, [*defaults, *arguments.defaults]))
        pairs += [(arguments.vararg, None)] if arguments.vararg else []
        pairs += list(zip(arguments.kwonlyargs, arguments.kw_defaults))
        pairs += [(arguments.kwarg, None)] if arguments.kwarg else []
        inner = self.scope
        for parameter, default in pairs:
            self.bind(parameter.arg, parameter, "parameter")
            self.scope = inner.parent  # type: ignore[assignment]
            self._visit_all([default])
            self._annotated(parameter.annotation)
            self.scope = inner
        inner.count += 1

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if getattr(node, "type_params", None):
            raise Unsupported("type parameters")
        outer = self.scope
        binding = self.bind(node.name, node, "class")
        self.definitions[id(node)] = binding if binding.scope is outer else None
        self._visit_all([*node.decorator_list, *node.bases, *node.keywords])
        self._inside(Scope("class", outer), node.body)
        outer.count += 1

    def visit_TypeAlias(self, node: ast.AST) -> None:
        raise Unsupported("type alias")

    def visit_comprehension_scope(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        """The first iterable is read outside; the first target binds, then the rest, nested `for`s first."""
        first = node.generators[0]
        self.visit(first.iter)
        outer, self.scope = self.scope, Scope("comprehension", self.scope)
        self.visit(first.target)
        self.scope.count += 1
        self._visit_all(first.ifs)
        self._inner_for(node.generators[1:])
        self._visit_all([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt])
        self.scope = outer

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = visit_comprehension_scope

    def _inner_for(self, generators: list[ast.comprehension]) -> None:
        if generators:
            self._visit_all([generators[0].target, generators[0].iter, *generators[0].ifs])
            self._inner_for(generators[1:])
            self.scope.count += 1

    # Statements that bind.

    def visit_Global(self, node: ast.Global) -> None:
        if self.scope is not self.module:
            self.scope.redirected.update(dict.fromkeys(node.names, self.module))
        self.scope.count += 1

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        if self.scope.parent is not None:
            self.scope.redirected.update(dict.fromkeys(node.names, self.scope.parent))
        self.scope.count += 1

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        statement = Imported.of(node)
        for real, alias in statement.aliases:
            for name in [alias] if alias else dotted_prefixes(real):
                self.bind(name, node, "import").imported = statement
        self._typing = self._typing or statement.mentions_typing
        self.scope.count += 1

    visit_ImportFrom = visit_Import

    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self.bind(node.targets[0].id, node.targets[0], "name", plain=True)
        else:
            self._visit_all(node.targets)
        self.visit(node.value)
        self.scope.count += 1

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None and isinstance(node.target, ast.Name):
            self.bind(node.target.id, node.target, "name", plain=True)
        else:
            self.visit(node.target)
        self._annotated(node.annotation)
        self._visit_all([node.value])
        self.scope.count += 1

    def visit_AugAssign(self, node: ast.AugAssign | ast.NamedExpr) -> None:
        self._visit_all([node.target, node.value])
        self.scope.count += 1

    visit_NamedExpr = visit_AugAssign

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.target)
        self.scope.count += 1
        self._visit_all([node.iter, *node.body, *node.orelse])

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self.visit(item.optional_vars)
                self.scope.count += 1
            self.scope.count += 1
        self._visit_all(node.body)

    visit_AsyncWith = visit_With

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        self._visit_all([node.type])
        if node.name is not None:
            self.bind(node.name, node, "name")
            self.scope.count += 1
        self._visit_all(node.body)

