"""The expression half of `tree_scope_walker`: reads, dotted names, string annotations and patterns,
visited in libcst's order and with its quirks (see `tree_scope_walker`)."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable
from typing import Callable, Optional

from patchgate.diagnostics.tree_scopes import Binding, Position, Read, Scope, dotted_prefixes

TYPE_HINT_CALLS = frozenset({"typing.NewType", "typing.TypeVar"})
TYPING = ("typing.", "typing_extensions.")
LITERALS = frozenset({"typing.Literal", "typing_extensions.Literal"})
SKIPPED = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)


class ExpressionWalker:
    """State shared by the whole walk, and the visits of expressions: what they read, and where."""

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

    def visit(self, node: ast.AST) -> None:
        """Dispatch on the node type; other nodes have their children visited in field order."""
        kind = type(node)
        method = self._methods.get(kind)
        if method is None:
            method = self._methods[kind] = getattr(self, "visit_" + kind.__name__, self._generic)
        method(node)

    def _generic(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, SKIPPED):
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
