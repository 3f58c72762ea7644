"""What one Python file says about a name: its bindings, imports and attribute uses, read with libcst
scope and qualified-name metadata and returned as plain values (no libcst object leaves this module)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import libcst as cst
from libcst.helpers import ModuleNameAndPackage
from libcst.metadata import (
    BuiltinScope,
    FullyQualifiedNameProvider,
    GlobalScope,
    MetadataWrapper,
    PositionProvider,
    Scope,
    ScopeProvider,
)

from patchgate.diagnostics.engines.libcst_engine import too_deep
from patchgate.diagnostics.python_rule import one_line
from patchgate.rewrites.modules import ModuleName, resolve_relative
from patchgate.rewrites.rename.facts import (
    UNRENAMABLE,
    AttributeUse,
    Binding,
    FileFacts,
    ImportOf,
    Site,
)


class _Offsets:
    """libcst (1-based line, column) positions to code-point offsets of the file text (BOM and \\r aware)."""

    def __init__(self, code: str, base: int) -> None:
        self.base = base
        self.starts = [0, *(match.end() for match in re.finditer(r"\r\n?|\n", code))]

    def site(self, start: Any, end: Any, scope: int, detail: str = "") -> Site:
        """A Site for a libcst CodeRange's start and end positions."""
        first = self.base + self.starts[start.line - 1] + start.column
        last = self.base + self.starts[end.line - 1] + end.column
        return Site(start=first, end=last, line=start.line - 1, scope=scope, detail=detail)


class _Scan:
    """One parsed file and the metadata the rename needs, for one old name and one new name."""

    def __init__(self, text: str, module: ModuleName | None, old: str, new: str) -> None:
        base = 1 if text.startswith("\ufeff") else 0
        self.tree = cst.parse_module(text[base:])
        self.module, self.old, self.new = module, old, new
        cache = ModuleNameAndPackage(module.name if module else "__main__", module.package if module else "")
        self.wrapper = MetadataWrapper(self.tree, unsafe_skip_copy=True, cache={FullyQualifiedNameProvider: cache})
        self.scopes = self.wrapper.resolve(ScopeProvider)
        self.positions = self.wrapper.resolve(PositionProvider)
        self.offsets = _Offsets(self.tree.code, base)
        self.ids: dict[int, int] = {}
        self.parents: list[int] = []
        for scope in self._all_scopes():
            self._scope_id(scope)

    def _all_scopes(self) -> list[Scope]:
        """Every scope of the module, the global one first."""
        found = {id(s): s for s in self.scopes.values() if s is not None and not isinstance(s, BuiltinScope)}
        return sorted(found.values(), key=lambda s: not isinstance(s, GlobalScope))

    def _scope_id(self, scope: Scope) -> int:
        """A small stable number for a scope (0 is the global scope); parents are numbered first."""
        if id(scope) not in self.ids:
            parent = -1 if isinstance(scope, GlobalScope) else self._scope_id(scope.parent)
            self.ids[id(scope)] = len(self.parents)
            self.parents.append(parent)
        return self.ids[id(scope)]

    def site(self, node: cst.CSTNode, detail: str = "") -> Site:
        """Where a node is, with the scope it sits in."""
        found = self.positions[node]
        scope = self.scopes.get(node)
        return self.offsets.site(found.start, found.end, self._scope_id(scope) if scope else 0, detail)

    def facts(self) -> FileFacts:
        """Everything the planner needs from this file."""
        new_global, new_local = self._new_name_uses()
        return FileFacts(
            module=self.module.name if self.module else None, imports=tuple(self._imports()),
            bindings=tuple(self._bindings()), attributes=tuple(self._attributes()), all_strings=tuple(self._all_strings()),
            new_global_lines=tuple(sorted(new_global)), new_local_scopes=new_local, scope_parents=tuple(self.parents),
            star_imports=tuple(self._star_imports()), unresolved_old=tuple(self._unresolved_old()),
        )

    def _imports(self) -> Iterator[ImportOf]:
        """Every `from X import old [as y]` in any scope, X made absolute."""
        for node in _walk(self.tree, cst.ImportFrom):
            if isinstance(node.names, cst.ImportStar):
                continue
            module = _resolved(node, self.module)
            for alias in node.names:
                if isinstance(alias.name, cst.Name) and alias.name.value == self.old and module:
                    asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
                    yield ImportOf(module=module, asname=asname, site=self.site(alias.name))

    def _star_imports(self) -> Iterator[str]:
        """The modules this file imports `*` from."""
        for node in _walk(self.tree, cst.ImportFrom):
            module = _resolved(node, self.module)
            if isinstance(node.names, cst.ImportStar) and module:
                yield module

    def _bindings(self) -> Iterator[Binding]:
        """Each scope that binds the old name, with every site a rename of that binding touches."""
        for scope in self._all_scopes():
            assignments = list(scope.assignments[self.old])
            if not assignments or any(a.scope is not scope for a in assignments):
                continue
            yield self._binding(scope, assignments)

    def _binding(self, scope: Scope, assignments: list[Any]) -> Binding:
        """The sites of one scope's bindings of the old name and of every read of them."""
        sites: list[Site] = []
        imports: list[tuple[Site, str | None]] = []
        unsupported: list[Site] = []
        defines = False
        for assignment in assignments:
            node = assignment.node
            if isinstance(node, (cst.Import, cst.ImportFrom)):
                imports.extend(self._import_binding(node))
                continue
            defines = True
            target = node if isinstance(node, cst.Name) else getattr(node, "name", None)  # def, class, `as` targets
            if isinstance(target, cst.Name) and target.value == self.old:
                sites.append(self.site(target))
            else:
                unsupported.append(self.site(node, UNRENAMABLE))
        for access in {r for a in assignments for r in a.references}:
            if isinstance(access.node, cst.Name):
                sites.append(self.site(access.node))
            else:
                unsupported.append(self.site(access.node, "a reference inside a string (annotation)"))
        if isinstance(scope, GlobalScope):
            sites.extend(self._global_statements())
        return Binding(scope=self._scope_id(scope), defines=defines, sites=tuple(sorted(set(sites))),
                       imports=tuple(imports), unsupported=tuple(sorted(set(unsupported))))

    def _import_binding(self, node: cst.Import | cst.ImportFrom) -> Iterator[tuple[Site, str | None]]:
        """(site of the bound name, what it imports) for each alias of an import that binds the old name."""
        if isinstance(node.names, cst.ImportStar):
            return
        module = _resolved(node, self.module) if isinstance(node, cst.ImportFrom) else None
        for alias in node.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                if alias.asname.name.value == self.old:
                    yield self.site(alias.asname.name, "as"), None
            elif isinstance(alias.name, cst.Name) and alias.name.value == self.old:
                source = f"{module}.{self.old}" if module else None
                yield self.site(alias.name, "import-from" if isinstance(node, cst.ImportFrom) else "import"), source
            elif isinstance(alias.name, cst.Attribute) and cst.helpers.get_full_name_for_node(alias.name).split(".")[0] == self.old:
                yield self.site(alias.name, "dotted"), None

    def _global_statements(self) -> Iterator[Site]:
        """The old name in `global` statements: they name the global binding."""
        for node in _walk(self.tree, cst.Global):
            for item in node.names:
                if item.name.value == self.old:
                    yield self.site(item.name)

    def _attributes(self) -> Iterator[AttributeUse]:
        """Attribute accesses `x.old` with the fully qualified names libcst resolves them to."""
        names = self.wrapper.resolve(FullyQualifiedNameProvider)
        for node in _walk(self.tree, cst.Attribute):
            if node.attr.value == self.old:
                qualified = frozenset(item.name for item in names.get(node, ()))
                if qualified:
                    yield AttributeUse(site=self.site(node.attr), names=qualified)

    def _all_strings(self) -> Iterator[Site]:
        """The old name as an entry of the module's `__all__`."""
        for statement in self.tree.body:
            for small in getattr(statement, "body", ()) if isinstance(statement, cst.SimpleStatementLine) else ():
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [getattr(small, "target", None)]
                value = getattr(small, "value", None)
                if any(isinstance(t, cst.Name) and t.value == "__all__" for t in targets) and value is not None:
                    yield from self._strings_in(value)

    def _strings_in(self, value: cst.BaseExpression) -> Iterator[Site]:
        """Sites of the old name's text inside plain string elements of a list or tuple."""
        for node in _walk(value, cst.SimpleString):
            if node.raw_value == self.old:
                site = self.site(node)
                skip = len(node.prefix) + len(node.quote)
                yield Site(start=site.start + skip, end=site.start + skip + len(self.old), line=site.line, scope=0)

    def _new_name_uses(self) -> tuple[set[int], dict[int, int]]:
        """Lines where the new name is already bound or read at module level, and scopes binding it locally."""
        global_lines: set[int] = set()
        local: dict[int, int] = {}
        for scope in self._all_scopes():
            for assignment in scope.assignments[self.new]:
                line = self.positions[assignment.node].start.line - 1
                if isinstance(assignment.scope, GlobalScope):
                    global_lines.add(line)
                else:
                    local.setdefault(self._scope_id(assignment.scope), line)
            for access in scope.accesses[self.new]:
                if not access.referents or any(isinstance(r.scope, (GlobalScope, BuiltinScope)) for r in access.referents):
                    global_lines.add(self.positions[access.node].start.line - 1)
        return global_lines, local

    def _unresolved_old(self) -> Iterator[int]:
        """Lines reading the old name with no binding in this file (a builtin, or a star import)."""
        for scope in self._all_scopes():
            for access in scope.accesses[self.old]:
                if not access.referents:
                    yield self.positions[access.node].start.line - 1


def _walk(root: cst.CSTNode, kind: type) -> Iterator[Any]:
    """Every node of a kind under root, in source order."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, kind):
            yield node
        stack.extend(reversed(node.children))


def _resolved(node: cst.ImportFrom, module: ModuleName | None) -> str | None:
    """The absolute module an ImportFrom names."""
    name = cst.helpers.get_full_name_for_node(node.module) if node.module is not None else None
    return resolve_relative(name, len(node.relative), module.package if module else "")


def scan_file(text: str, module: ModuleName | None, old: str, new: str) -> FileFacts:
    """The facts of one file; a file libcst cannot parse yields its reason instead, never an exception."""
    name = module.name if module else None
    if too_deep(text):
        return FileFacts.failed(name, "code nested too deeply for libcst")
    try:
        return _Scan(text, module, old, new).facts()
    except RecursionError:
        return FileFacts.failed(name, "code nested too deeply for libcst")
    except cst.ParserSyntaxError as error:
        return FileFacts.failed(name, f"libcst cannot parse it: syntax error at line {error.raw_line}")
    except Exception as error:  # a scan must never end the run; the file is reported instead
        return FileFacts.failed(name, one_line(error))
