"""Walks CPython's tree the way libcst's ScopeVisitor walks its own, filling `tree_scopes`' model.

The order matters as much as the scopes: libcst numbers bindings and reads by when it visits them, so
defaults, annotations and decorators are visited where and when libcst visits them. Its quirks are kept:
a walrus inside a comprehension binds in the comprehension, `case x:` reads `x`, and strings in
annotations (or inside `typing` subscripts, `cast`, `TypeVar`, `NewType`) are parsed and read, at the
string's position.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable
from typing import Callable, Optional

from patchgate.diagnostics.tree_scopes import Binding, Imported, Position, Read, Scope, dotted_prefixes

COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
TYPE_HINT_CALLS = frozenset({"typing.NewType", "typing.TypeVar"})
TYPING = ("typing.", "typing_extensions.")
LITERALS = frozenset({"typing.Literal", "typing_extensions.Literal"})


class Unsupported(Exception):
    """Syntax whose scoping the walker does not model (PEP 695 type parameters): the rule stays silent."""


class ScopeWalker:
    """One pass over a module: every scope, binding and read, as libcst's scope analysis records them."""

    def __init__(self) -> None:
        self.module = Scope("module", None)
        self.scope = self.module
        self.reads: list[Read] = []
        self.functions: dict[int, Scope] = {}
        """id of each def node -> the scope of its body."""
        self.definitions: dict[int, Optional[Binding]] = {}
        """id of each def/class node -> its binding, None when `global`/`nonlocal` sent it elsewhere."""
        self._dotted: list[Optional[tuple[ast.Name, tuple[str, ...]]]] = [None]
        self._annotation = [False]
        self._type_hint = [False]
        self._literal = 0
        self._string: Optional[Position] = None
        self._typing = False
        self._methods: dict[type, Callable[[ast.AST], None]] = {}

    def walk(self, tree: ast.Module) -> None:
        """Visit a whole module."""
        self._visit_all(tree.body)

    def visit(self, node: ast.AST) -> None:
        """Dispatch on the node type; other nodes have their children visited in field order."""
        kind = type(node)
        method = self._methods.get(kind)
        if method is None:
            method = self._methods[kind] = getattr(self, "visit_" + kind.__name__, self._generic)
        method(node)

    def _generic(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)):
                self.visit(child)

    def _visit_all(self, nodes: Iterable[Optional[ast.AST]]) -> None:
        for node in nodes:
            if node is not None:
                self.visit(node)

    def bind(self, name: str, node: ast.AST, kind: str, plain: bool = False) -> Binding:
        """Record a binding where libcst records it: in this scope unless `global`/`nonlocal` moves it."""
        scope = self.scope.target(name)
        binding = Binding(name, scope, node, scope.count, kind, plain and self._string is None)
        scope.bindings.setdefault(name, []).append(binding)
        return binding

    def read(self, name: str, position: Position, dotted: tuple[str, ...] = ()) -> None:
        """Record a read; inside a string annotation it is placed at the string."""
        self.reads.append(Read(name, self.scope, self.scope.count, self._string or position, dotted))

    def _inside(self, scope: Scope, nodes: Iterable[Optional[ast.AST]]) -> None:
        outer, self.scope = self.scope, scope
        self._visit_all(nodes)
        self.scope = outer

    def _annotated(self, node: Optional[ast.AST]) -> None:
        if node is not None:
            self._annotation.append(True)
            self.visit(node)
            self._annotation.pop()

    # Definitions and scopes.

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

    # Reads.

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store) and self._string is None:
            self.bind(node.id, node, "name")
            return
        top = self._dotted[-1]
        dotted = top[1] if top is not None and top[0] is node else ()
        self.read(node.id, (node.lineno, node.col_offset), dotted)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        """The outermost attribute of a call frame: `a.b.c` may read the import `a.b` rather than `a`."""
        if self._dotted[-1] is not None:
            self.visit(node.value)
            return
        parts, base = [node.attr], node.value
        while isinstance(base, ast.Attribute):
            parts.append(base.attr)
            base = base.value
        if isinstance(base, ast.Name):
            names = dotted_prefixes(".".join([base.id, *reversed(parts)]))[:-1]
            self._dotted[-1] = (base, tuple(names))
        else:
            self._dotted[-1] = (ast.Name(), ())  # a frame is open, but nothing below it is a dotted name
        self.visit(node.value)
        self._dotted[-1] = None

    def visit_Call(self, node: ast.Call) -> None:
        self._dotted.append(None)
        self._type_hint.append(False)
        arguments: list[ast.AST] = sorted([*node.args, *node.keywords], key=lambda arg: (arg.lineno, arg.col_offset))
        names = self._qualified(node.func) if self._typing else set()
        self.visit(node.func)
        if names & TYPE_HINT_CALLS:
            self._type_hint[-1] = True
            self._visit_all(arguments[1:])
        elif "typing.cast" in names and arguments:
            self._type_hint.append(True)
            self.visit(arguments[0])
            self._type_hint.pop()
            self._visit_all(arguments[1:])
        else:
            self._visit_all(arguments)
        self._dotted.pop()
        self._type_hint.pop()

    def visit_Subscript(self, node: ast.Subscript) -> None:
        names = self._qualified(node.value) if self._typing and isinstance(node.value, ast.Name) else set()
        literal = bool(names & LITERALS)
        self._type_hint.append(any(name.startswith(TYPING) for name in names))
        self._literal += literal
        self._visit_all([node.value, node.slice])
        self._literal -= literal
        self._type_hint.pop()

    def visit_Constant(self, node: ast.Constant) -> None:
        """A string where libcst reads type hints is parsed, and its names read at the string."""
        value = node.value
        if not value or not isinstance(value, (str, bytes)) or self._literal or not (self._annotation[-1] or self._type_hint[-1]):
            return
        try:
            parsed = ast.parse(value)
        except (SyntaxError, ValueError, MemoryError, OverflowError):
            return
        outer = self._string
        self._string = outer or (node.lineno, node.col_offset)
        self._visit_all(parsed.body)
        self._string = outer

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self._visit_all(value for value in node.values if isinstance(value, ast.FormattedValue))

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self._visit_all([node.body, node.test, node.orelse])

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            self._visit_all([key, value])

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        self._visit_all([node.pattern])
        self._pattern_read(node.name, node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        self._pattern_read(node.name, node)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        for key, pattern in zip(node.keys, node.patterns):
            self._visit_all([key, pattern])
        self._pattern_read(node.rest, node)

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        self._visit_all([node.cls, *node.patterns])
        for name, pattern in zip(node.kwd_attrs, node.kwd_patterns):
            self._pattern_read(name, node)
            self.visit(pattern)

    def _pattern_read(self, name: Optional[str], node: ast.pattern) -> None:
        """libcst gives pattern captures no store context: `case x:` reads `x` rather than binding it."""
        if name is not None:
            self.read(name, (node.lineno, node.col_offset))

    def _qualified(self, node: ast.expr) -> set[str]:
        """Qualified names of a callee or subscripted name from the imports visited so far (as libcst does)."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return set()
        full = ".".join([node.id, *reversed(parts)])
        for prefix in dotted_prefixes(full):
            found = self.scope.resolve(prefix)
            if found is not None:
                imports = [b.imported for b in found.bindings[prefix] if b.imported is not None]
                return {name for statement in imports for name in statement.qualified(full)}
            if hasattr(builtins, prefix):
                return set()
        return set()
