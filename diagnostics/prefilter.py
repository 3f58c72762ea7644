"""Cheap facts about a Python file that let a libcst rule say "cannot match" before libcst parses it.

CPython's own symbol table (the `symtable` module, written in C) costs about a tenth of a libcst parse
and knows every scope's bindings and uses. A rule's prefilter may ask it questions; the answers only
ever err towards parsing (a file the probe cannot read is always a candidate), never towards a miss.
"""

from __future__ import annotations

import ast
import bisect
import functools
import re
import symtable
from collections.abc import Callable, Iterator

from patchgate.diagnostics.python_parse import module_tree, symbols

FUTURE_ANNOTATIONS = re.compile(r"from\s+__future__\s+import[^\n]*\bannotations\b")
IDENTIFIER = re.compile(r"[^\W\d]\w*")
LINE_BREAK = re.compile(rb"\r\n?|\n")
COMPREHENSIONS = frozenset({"listcomp", "setcomp", "dictcomp", "genexpr"})
SymbolTest = Callable[[symtable.SymbolTable, symtable.Symbol], bool]


class Probe:
    """One file's text, with its symbol table built on first use and shared by every rule."""

    def __init__(self, text: str, path: str = "", target: tuple[int, int] = (3, 10)) -> None:
        self.text = text
        self.path = path
        self.target = target
        """The oldest Python the code must run on (the config's target-version)."""
        self.code = text[1:] if text.startswith("\ufeff") else text
        """The text CPython compiles: without a byte-order mark, which it rejects in a str."""
        self._free: dict[int, frozenset[str]] = {}

    @functools.cached_property
    def table(self) -> symtable.SymbolTable | None:
        """The module's symbol table, or None when CPython cannot compile the text."""
        return symbols(self.code).table

    @functools.cached_property
    def _symbols(self) -> list[tuple[symtable.SymbolTable, symtable.Symbol]]:
        """Every (scope, symbol) of the module, listed once for every rule's prefilter."""
        return [(scope, symbol) for scope in self.scopes() for symbol in scope.get_symbols()]

    def walk(self) -> list[ast.AST]:
        """Every node of the tree in `ast.walk`'s order, listed once per file for every rule that walks it."""
        return self._walked if self.tree is not None else []

    def of_type(self, *types: type[ast.AST]) -> list[ast.AST]:
        """The nodes of the given types, in walk order, from one index of the whole tree."""
        index = self._by_type
        if len(types) == 1:
            return index.get(types[0], [])
        return [node for node in self._walked if type(node) in types] if self.tree is not None else []

    @functools.cached_property
    def _walked(self) -> list[ast.AST]:
        return list(ast.walk(self.tree)) if self.tree is not None else []

    @functools.cached_property
    def _by_type(self) -> dict[type, list[ast.AST]]:
        index: dict[type, list[ast.AST]] = {}
        for node in self._walked:
            index.setdefault(type(node), []).append(node)
        return index

    @functools.cached_property
    def encoded(self) -> bytes:
        """The code as CPython's tree counts columns: UTF-8 bytes."""
        return self.code.encode("utf-8", "surrogatepass")

    @functools.cached_property
    def line_offsets(self) -> list[int]:
        """Byte offset where each line starts, lines ending where CPython's tokenizer ends them."""
        return [0, *(match.end() for match in LINE_BREAK.finditer(self.encoded))]

    def byte_offset(self, line: int, byte_column: int) -> int:
        """Offset into `encoded` of a tree position (1-based line, byte column)."""
        offsets = self.line_offsets
        return offsets[line - 1] + byte_column if line <= len(offsets) else len(self.encoded)

    def tree_position(self, offset: int) -> tuple[int, int]:
        """(1-based line, byte column) of an offset into `encoded`."""
        line = bisect.bisect_right(self.line_offsets, offset) - 1
        return line + 1, offset - self.line_offsets[line]

    def locate(self, name: str, start: tuple[int, int], stop: tuple[int, int], keyword: bytes) -> tuple[int, int]:
        """(line, byte column) of the first `keyword name` between two tree positions, for names CPython
        gives no position (`def name`, `except E as name`, `global name`); `start` itself if none."""
        begin, end = self.byte_offset(*start), self.byte_offset(*stop)
        found = re.search(keyword + rb"(" + re.escape(name.encode("utf-8")) + rb")\b", self.encoded[begin:end])
        return self.tree_position(begin + found.start(1) if found else begin)

    def has_word(self, word: str) -> bool:
        """Does `word` occur as a whole identifier anywhere in the text (code, strings or comments)?"""
        return word in self.text and re.search(rf"(?<![\w.]){re.escape(word)}\b", self.text) is not None

    def scopes(self) -> Iterator[symtable.SymbolTable]:
        """Every scope of the module, outermost first."""
        stack = [self.table] if self.table is not None else []
        while stack:
            scope = stack.pop()
            yield scope
            stack.extend(scope.get_children())

    def any_symbol(self, test: SymbolTest) -> bool:
        """True when some symbol of some scope passes `test`, or when the text has no symbol table."""
        if self.table is None:
            return True
        return any(test(scope, symbol) for scope, symbol in self._symbols)

    def unread(self, scope: symtable.SymbolTable, symbol: symtable.Symbol) -> bool:
        """Bound in this scope but read neither here nor by a nested scope."""
        name = symbol.get_name()
        return not symbol.is_referenced() and name not in self._free_below(scope) and name not in self.annotation_names

    @functools.cached_property
    def bound_names(self) -> frozenset[str]:
        """Names some scope binds (assignment, import, def, class, parameter): a builtin's name among them
        may not mean the builtin."""
        return frozenset(
            symbol.get_name() for scope in self.scopes() for symbol in scope.get_symbols()
            if symbol.is_assigned() or symbol.is_imported() or symbol.is_namespace() or symbol.is_parameter()
        )

    @functools.cached_property
    def tree(self) -> ast.Module | None:
        """CPython's syntax tree (a few times dearer than the symbol table), or None when it cannot parse;
        the syntax engine's parse of the same text when it made one."""
        return module_tree(self.code, self.target)

    @functools.cached_property
    def annotation_names(self) -> frozenset[str]:
        """Identifiers used in annotations, when `from __future__ import annotations` hides them from
        the symbol table (libcst still counts them as uses); empty otherwise."""
        if FUTURE_ANNOTATIONS.search(self.text) is None or self.tree is None:
            return frozenset()
        return frozenset(name for annotation in annotations_in(self.tree) for name in _identifiers(annotation))

    def _free_below(self, scope: symtable.SymbolTable) -> frozenset[str]:
        """Names nested scopes read from outside themselves (free or global): uses the outer table misses.

        A method's read of a class-level name counts too, although Python would not resolve it there:
        the probe may only err towards parsing more, and class-level imports are rare."""
        known = self._free.get(scope.get_id())
        if known is None:
            names: set[str] = set()
            for child in scope.get_children():
                names.update(symbol.get_name() for symbol in child.get_symbols() if _reads_outside(symbol, child))
                names.update(self._free_below(child))
            known = self._free[scope.get_id()] = frozenset(names)
        return known


class ChildTables:
    """Finds the symbol table CPython made for a def, class, lambda or comprehension: each scope's children
    indexed by (name, line) once, each child claimed once (a linear search per node was quadratic)."""

    def __init__(self) -> None:
        self._index: dict[int, dict[tuple[str, int], list[symtable.SymbolTable]]] = {}

    def claim(self, scope: symtable.SymbolTable, name: str, line: int) -> symtable.SymbolTable | None:
        """The next unclaimed child of `scope` with this name and line; 3.12's type-parameter scope is looked through."""
        index = self._index.get(scope.get_id())
        if index is None:
            index = self._index[scope.get_id()] = {}
            for child in scope.get_children():
                index.setdefault((child.get_name(), child.get_lineno()), []).append(child)
        found = index.get((name, line))
        if not found:
            return None
        child = found.pop(0)
        if child.get_type() not in ("function", "class", "module") and name not in COMPREHENSIONS and name != "lambda":
            return self.claim(child, name, line) or child
        return child


def statement_blocks(tree: ast.AST) -> Iterator[list[ast.stmt]]:
    """Every list of sibling statements: module, class and function bodies, branches, handlers, cases."""
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block


def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, nested ones included, without visiting expressions (most of a tree's nodes)."""
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        for field in ("body", "orelse", "finalbody"):
            stack.extend(getattr(node, field, ()))
        for part in [*getattr(node, "handlers", ()), *getattr(node, "cases", ())]:
            stack.extend(part.body)


def annotations_in(tree: ast.AST) -> Iterator[ast.expr]:
    """Every annotation of a module: arguments, returns and annotated assignments."""
    for node in ast.walk(tree):
        yield from annotations_of(node)


def annotations_of(node: ast.AST) -> Iterator[ast.expr]:
    """The annotation a node carries, if it is an argument, a def (its return) or an annotated assignment."""
    if isinstance(node, ast.arg) and node.annotation is not None:
        yield node.annotation
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
        yield node.returns
    elif isinstance(node, ast.AnnAssign):
        yield node.annotation


def _identifiers(annotation: ast.expr) -> Iterator[str]:
    """Names an annotation mentions, including those inside string annotations."""
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield from IDENTIFIER.findall(node.value)


def _reads_outside(symbol: symtable.Symbol, scope: symtable.SymbolTable) -> bool:
    """A read that resolves in an enclosing scope: a closure variable or a global. In a class body any
    read may: `uuid = UUIDField(default=uuid.uuid4)` reads the module's `uuid` before binding its own."""
    if scope.get_type() == "class" and symbol.is_referenced():
        return True
    return symbol.is_free() or (symbol.is_global() and symbol.is_referenced())


def is_function(scope: symtable.SymbolTable) -> bool:
    """A def or lambda scope, not a comprehension's hidden function."""
    return scope.get_type() == "function" and scope.get_name() not in COMPREHENSIONS
