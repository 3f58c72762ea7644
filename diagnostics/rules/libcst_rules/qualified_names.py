"""What each name and attribute chain of a module refers to: `os.system`, `typing.List`, `builtins.open`.

Rules that match a callee or an annotation by qualified name share this walk, so `from os import system
as s; s()` and `import typing as t; t.List` resolve alike, and a local `open = ...` or a parameter named
`zip` is never taken for the builtin. Scopes are CPython's own symbol tables.
"""

from __future__ import annotations

import ast
import builtins
import symtable
from collections.abc import Callable

from patchgate.diagnostics.prefilter import ChildTables, Probe

SCOPE_NAMES = {ast.Lambda: "lambda", ast.ListComp: "listcomp", ast.SetComp: "setcomp", ast.DictComp: "dictcomp",
               ast.GeneratorExp: "genexpr"}
BUILTIN_NAMES = frozenset(dir(builtins))
Function = ast.FunctionDef | ast.AsyncFunctionDef


def qualified_names(probe: Probe) -> dict[ast.expr, str]:
    """Every Name and Attribute node of the probe's tree read as an import or a builtin, with its
    qualified name (`builtins.zip`, `subprocess.run`, `typing.Optional`); empty when it cannot parse."""
    if probe.tree is None or probe.table is None:
        return {}
    if "_qualified_names" not in probe.__dict__:  # one walk per file, whichever rules ask
        walker = _QualifiedNames(probe.table)
        walker.visit(probe.tree)
        probe.__dict__["_qualified_names"] = walker.resolved
    return probe.__dict__["_qualified_names"]


def call_name(names: dict[ast.expr, str], call: ast.Call) -> str | None:
    """The qualified name of a call's callee, if it is an import or a builtin."""
    return names.get(call.func)


def calls_to(probe: Probe, wanted: Callable[[str], bool]) -> list[tuple[ast.Call, str]]:
    """Calls whose callee's qualified name passes `wanted`, in source order."""
    if probe.tree is None:
        return []
    names = qualified_names(probe)
    found = [(node, names[node.func]) for node in probe.of_type(ast.Call)
             if isinstance(node, ast.Call) and node.func in names and wanted(names[node.func])]
    return sorted(found, key=lambda item: (item[0].lineno, item[0].col_offset))


class _QualifiedNames(ast.NodeVisitor):
    """Walks the module in step with its symbol tables, remembering what each scope imported."""

    def __init__(self, module: symtable.SymbolTable) -> None:
        self.scopes = [module]
        self.imported: dict[tuple[int, str], str] = {}
        """(scope id, bound name) -> the dotted name it was imported as."""
        self.resolved: dict[ast.expr, str] = {}
        self._children = ChildTables()

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            self.imported[(self.scopes[-1].get_id(), bound)] = alias.name if alias.asname else bound

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if node.module and not node.level:
                self.imported[(self.scopes[-1].get_id(), alias.asname or alias.name)] = f"{node.module}.{alias.name}"

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            found = self._resolve(node.id)
            if found is not None:
                self.resolved[node] = found

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.generic_visit(node)
        base = self.resolved.get(node.value)
        if base is not None and isinstance(node.ctx, ast.Load):
            self.resolved[node] = f"{base}.{node.attr}"

    def visit_FunctionDef(self, node: Function) -> None:
        """Decorators, defaults and annotations belong to the enclosing scope; parameters and body to the new one."""
        arguments = node.args
        for part in [*node.decorator_list, *arguments.defaults, *arguments.kw_defaults, node.returns,
                     *(arg.annotation for arg in _parameters(arguments))]:
            if part is not None:
                self.visit(part)
        self._enter(node, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for part in [*node.args.defaults, *node.args.kw_defaults]:
            if part is not None:
                self.visit(part)
        self._enter(node, [node.body])

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for part in [*node.decorator_list, *node.bases, *node.keywords]:
            self.visit(part)
        self._enter(node, node.body)

    def visit_comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> None:
        """The first iterable is evaluated outside the comprehension's own scope."""
        self.visit(node.generators[0].iter)
        inner: list[ast.AST] = []
        for index, generator in enumerate(node.generators):
            inner += [generator.target, *([] if index == 0 else [generator.iter]), *generator.ifs]
        inner += [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        self._enter(node, inner)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_comprehension

    def _enter(self, node: ast.AST, parts: list) -> None:
        """Visit parts inside the node's own table: the child of the current scope with its name and line."""
        self.scopes.append(self._child(node))
        for part in parts:
            self.visit(part)
        self.scopes.pop()

    def _child(self, node: ast.AST) -> symtable.SymbolTable:
        """The unclaimed child table made for this node; the current scope where CPython made none."""
        name = getattr(node, "name", None) or SCOPE_NAMES.get(type(node), "")
        return self._children.claim(self.scopes[-1], name, node.lineno) or self.scopes[-1]  # type: ignore[attr-defined]

    def _resolve(self, name: str) -> str | None:
        """The import or builtin a name reads, following Python's scoping from the innermost scope out."""
        for scope in reversed(self.scopes[1:]):
            if scope.get_type() == "class" and scope is not self.scopes[-1]:
                continue  # a class body's names are not visible from the functions inside it
            try:
                symbol = scope.lookup(name)
            except KeyError:
                continue
            if symbol.is_global():
                break
            if symbol.is_local():
                return self.imported.get((scope.get_id(), name))
        return self._module_binding(name)

    def _module_binding(self, name: str) -> str | None:
        """A module-level name: its import, None for any other binding, else the builtin of that name."""
        module = self.scopes[0]
        found = self.imported.get((module.get_id(), name))
        if found is not None:
            return found
        try:
            symbol = module.lookup(name)
        except KeyError:
            symbol = None
        if symbol is not None and (symbol.is_assigned() or symbol.is_imported() or symbol.is_namespace()):
            return None
        return f"builtins.{name}" if name in BUILTIN_NAMES else None


def _parameters(arguments: ast.arguments) -> list[ast.arg]:
    """Every parameter of a signature, in order."""
    extra = [arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None]
    return [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, *extra]
