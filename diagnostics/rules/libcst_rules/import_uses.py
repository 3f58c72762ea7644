"""Which imports a module never uses, from CPython's tree and symbol table (no libcst parse).

A use is what Python's own scoping sees (CPython's symbol table: a read in the import's scope or
from a nested one), plus what a reader of the code would call a use although the compiler does not:
a name in `__all__`, in a string annotation or type hint, read by `x += ...` or `del x`.
"""

from __future__ import annotations

import ast
import symtable
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from patchgate.diagnostics.prefilter import IDENTIFIER, Probe, annotations_of
from patchgate.diagnostics.tree_scopes import dotted_prefixes

GUARD_EXCEPTIONS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While, ast.With,
            ast.AsyncWith, ast.Try, ast.Match) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())
TYPE_HINT_CALLS = frozenset({"cast", "TypeVar", "NewType", "TypeAliasType"})
Import = ast.Import | ast.ImportFrom


@dataclass
class Block:
    """Sibling statements of one scope: a module, an indented block, or a suite after a colon."""

    statements: list[ast.stmt]
    scope: symtable.SymbolTable
    kind: str
    """"module" (may end up empty), "block" (needs a statement), or "suite" (`if x: import os`)."""


@dataclass
class ImportScan:
    """The blocks holding checkable imports, and the uses the symbol table does not record."""

    probe: Probe
    blocks: list[Block] = field(default_factory=list)
    rebound: set[tuple[int, str]] = field(default_factory=set)
    """(scope id, name) read by an augmented assignment or `del`: uses of what the scope bound before."""

    def scan(self) -> ImportScan:
        """Walk every statement block once, outside `try` blocks that guard optional imports."""
        tree, table = self.probe.tree, self.probe.table
        if tree is not None and table is not None:
            self._walk(tree.body, [table], "module")
        return self

    def unused(self, statement: Import, scope: symtable.SymbolTable) -> list[ast.alias]:
        """The aliases of one import that nothing uses."""
        if not checkable(statement):
            return []
        return [alias for alias in statement.names if not self._used(alias, scope)]

    def _used(self, alias: ast.alias, scope: symtable.SymbolTable) -> bool:
        """Read in its scope or below, exported, hinted, or an explicit re-export (`import a as a`)."""
        if alias.asname is not None and alias.asname == alias.name:
            return True
        names = [alias.asname] if alias.asname is not None else dotted_prefixes(alias.name)
        if any(name in self.exported for name in names):
            return True
        bound = alias.asname or alias.name.split(".")[0]
        try:
            symbol = scope.lookup(bound)
        except KeyError:
            return True
        if not self.probe.unread(scope, symbol) or bound in self.hinted:
            return True
        return (scope.get_id(), bound) in self.rebound

    @cached_property
    def exported(self) -> set[str]:
        """Names the module's `__all__` lists: exported, so used."""
        names: set[str] = set()
        for statement in self.probe.tree.body if self.probe.tree is not None else ():
            value = _all_value(statement)
            names |= _strings(value) if value is not None else set()
        return names

    @cached_property
    def hinted(self) -> frozenset[str]:
        """Identifiers inside string annotations and string type hints (`List["Model"]`, `cast("T", x)`)."""
        found: set[str] = set()
        for node in ast.walk(self.probe.tree) if self.probe.tree is not None else ():
            for hint in _hint_parts(node):
                found.update(word for text in _string_constants(hint) for word in IDENTIFIER.findall(text))
        return frozenset(found)

    def _walk(self, statements: list[ast.stmt], scopes: list[symtable.SymbolTable], kind: str, guarded: bool = False) -> None:
        """Record this block (unless an import guard encloses it), then the blocks nested in it."""
        if not guarded and any(isinstance(statement, (ast.Import, ast.ImportFrom)) for statement in statements):
            self.blocks.append(Block(statements, scopes[-1], kind))
        for statement in statements:
            self._note_rebinding(statement, scopes)
            inner = scopes
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = [*scopes, _child(scopes[-1], statement)]
            guards = guarded or (isinstance(statement, ast.Try) and _guards_imports(statement))
            for body in _bodies(statement):
                self._walk(body, inner, self._kind(statement, body), guards)

    def _kind(self, parent: ast.stmt, body: list[ast.stmt]) -> str:
        """A suite when the block's first statement shares its line with the header before it."""
        first = body[0]
        start = self.probe.byte_offset(first.lineno, 0)
        return "suite" if self.probe.encoded[start:start + first.col_offset].strip() else "block"

    def _note_rebinding(self, statement: ast.stmt, scopes: list[symtable.SymbolTable]) -> None:
        """`x += 1` and `del x` read x: a use of the import it resolves to (through global/nonlocal too)."""
        if isinstance(statement, ast.AugAssign):
            targets: list[ast.expr] = [statement.target]
        elif isinstance(statement, ast.Delete):
            targets = statement.targets
        else:
            return
        for target in targets:
            if isinstance(target, ast.Name):
                for scope in _resolving_scopes(scopes, target.id):
                    self.rebound.add((scope.get_id(), target.id))


def checkable(statement: ast.stmt) -> bool:
    """Plain imports and from-imports, but not star or `__future__` imports."""
    if isinstance(statement, ast.Import):
        return True
    if not isinstance(statement, ast.ImportFrom) or any(alias.name == "*" for alias in statement.names):
        return False
    return not (statement.module == "__future__" and statement.level == 0)


def _resolving_scopes(scopes: list[symtable.SymbolTable], name: str) -> list[symtable.SymbolTable]:
    """The scopes whose binding of `name` a read in the innermost scope may reach."""
    try:
        symbol = scopes[-1].lookup(name)
    except KeyError:
        return [scopes[-1]]
    if symbol.is_declared_global():
        return [scopes[0]]
    if symbol.is_nonlocal():
        return [scope for scope in scopes[:-1] if scope.get_type() == "function"]
    return [scopes[-1]]


def _child(scope: symtable.SymbolTable, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> symtable.SymbolTable:
    """The symbol table of a def or class, found by name and line among its parent's children."""
    for child in scope.get_children():
        if child.get_name() == node.name and child.get_lineno() == node.lineno:
            if child.get_type() not in ("function", "class"):  # 3.12's type-parameter scope wraps the def
                return _child(child, node)
            return child
    raise LookupError(f"no symbol table for {node.name} at line {node.lineno}")


def _bodies(statement: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement blocks directly inside a compound statement."""
    for name in ("body", "orelse", "finalbody"):
        block = getattr(statement, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block
    for handler in getattr(statement, "handlers", ()):
        yield handler.body
    for case in getattr(statement, "cases", ()):
        yield case.body


def _guards_imports(node: ast.Try) -> bool:
    """A try whose handlers catch ImportError: its imports probe for optional modules."""
    for handler in node.handlers:
        if handler.type is None:
            return True
        caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for value in caught:
            name = value.attr if isinstance(value, ast.Attribute) else getattr(value, "id", None)
            if name in GUARD_EXCEPTIONS:
                return True
    return False


def _all_value(statement: ast.stmt) -> ast.expr | None:
    """The value assigned or added to `__all__` by one module-level statement, if any."""
    if isinstance(statement, ast.Assign) and any(_is_all(target) for target in statement.targets):
        return statement.value
    if isinstance(statement, (ast.AugAssign, ast.AnnAssign)) and _is_all(statement.target):
        return statement.value
    call = statement.value if isinstance(statement, ast.Expr) else None
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and _is_all(call.func.value) and call.args:
        return call.args[0]
    return None


def _is_all(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "__all__"


def _strings(node: ast.expr) -> set[str]:
    """The string literals of an `__all__` value: a list, tuple, set, string or their sum."""
    if isinstance(node, ast.Constant):
        return {node.value} if isinstance(node.value, str) else set()
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return {name for element in node.elts for name in _strings(element)}
    if isinstance(node, ast.BinOp):
        return _strings(node.left) | _strings(node.right)
    return set()


def _hint_parts(node: ast.AST) -> Iterator[ast.AST]:
    """The parts of a node that are type hints: annotations, subscripts, typing calls' arguments."""
    yield from annotations_of(node)
    if isinstance(node, ast.Subscript):
        yield node.slice
    elif isinstance(node, ast.Call) and _called_name(node.func) in TYPE_HINT_CALLS:
        yield from node.args
        yield from (keyword.value for keyword in node.keywords)


def _called_name(func: ast.expr) -> str | None:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _string_constants(node: ast.AST) -> Iterator[str]:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
            yield inner.value
