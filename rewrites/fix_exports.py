"""Fixes that would remove a name other code reaches through its module are not safe fixes.

A fix removes a name when it takes away one of the module-level imports that bind it (each
branch of `if x: from a import n` / `else: from b import n` counts, since two fixes may take both). That name is a re-export when the file is a package's `__init__`, when
`__all__` lists it, when it is bound as `import x as x` / `from m import a as a`, or when
another workspace module imports it from this one (`from this.module import name`, or
`this.module.name` / `alias.name` after importing the module), or when the module passes other imports
on that way (a `compat` module: what it imports is its interface). Python's own `ast` reads the
files: only the files that mention a removed name are parsed, and only when some fix removes one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from patchgate.diagnostics.config import Config
from patchgate.diagnostics.discovery import relative_path
from patchgate.diagnostics.models import Diagnostic
from patchgate.diagnostics.span import apply_edits
from patchgate.rewrites.modules import ModuleName, module_name, resolve_relative

INIT_NAMES = frozenset({"__init__.py", "__init__.pyi"})


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements that run at module level: into if/try/with/loops, never into def or class."""
    for node in body:
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for name in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, name, None)
                if isinstance(inner, list):
                    yield from _module_level([n for n in inner if isinstance(n, (ast.stmt, ast.excepthandler))])  # type: ignore[misc]


def import_bindings(tree: ast.Module) -> dict[str, list[ast.alias]]:
    """Names module-level imports bind, each with every alias that binds it (`if`/`else` may bind one twice)."""
    bound: dict[str, list[ast.alias]] = {}
    for node in _module_level(tree.body):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    bound.setdefault(alias.asname or alias.name.split(".")[0], []).append(alias)
    return bound


def _removed(before: dict[str, list[ast.alias]], after: ast.Module | None) -> set[str]:
    """Names that lose an import binding (one branch of an if/else counts: both may go, fix by fix)."""
    if after is None:
        return set()
    kept = import_bindings(after)
    return {name for name, aliases in before.items() if len(kept.get(name, ())) < len(aliases)}


def _all_names(tree: ast.Module) -> set[str]:
    """String entries of module-level `__all__` assignments and additions."""
    names: set[str] = set()
    for node in _module_level(tree.body):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and node.value is not None:  # type: ignore[union-attr]
            names |= {c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant) and isinstance(c.value, str)}  # type: ignore[union-attr]
    return names


def _parse(text: str) -> ast.Module | None:
    """The module's tree, or None when it does not parse (then nothing is judged here)."""
    try:
        return ast.parse(text.removeprefix("\ufeff"))
    except (SyntaxError, ValueError):
        return None


@dataclass
class _File:
    """One fixed file: its module name, its tree's import bindings, and its local re-export reasons."""

    module: ModuleName | None
    bound: dict[str, list[ast.alias]]
    exported: set[str]
    init: bool


@dataclass
class ExportGuard:
    """Collects each fix's removed names, then finds who imports them, then says which fixes are unsafe."""

    config: Config
    files: dict[str, _File] = field(default_factory=dict)
    removals: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    importers: dict[tuple[str, str], str] = field(default_factory=dict)
    bound_by_module: dict[str, set[str]] = field(default_factory=dict)
    hubs: dict[str, tuple[str, str]] = field(default_factory=dict)
    """module -> (an importer, a name it takes that the module itself imported): the module passes imports on."""

    def add(self, path: str, text: str, found: list[Diagnostic]) -> None:
        """Record which module-level import names each fix of a Python file removes."""
        tree = _parse(text) if path.endswith((".py", ".pyi")) else None
        if tree is None:
            return
        bound = import_bindings(tree)
        lines = {line for node in _module_level(tree.body) if isinstance(node, (ast.Import, ast.ImportFrom))
                 for line in range(node.lineno - 1, (node.end_lineno or node.lineno))}
        self.files[path] = _File(module_name(path, self.config.root), bound, _all_names(tree), PurePosixPath(path).name in INIT_NAMES)
        for index, diagnostic in enumerate(found):
            edits = diagnostic.fix or []
            if not any(line in lines for edit in edits for line in range(edit.span.start_line, edit.span.end_line + 1)):
                continue
            removed = _removed(bound, _parse(apply_edits(text, edits)))
            if removed:
                self.removals[(path, index)] = removed

    def find_importers(self, workspace_files: list[Path]) -> None:
        """Scan the workspace's Python files that mention a removed name for imports of it from its module."""
        wanted: dict[str, set[str]] = {}
        for (path, _), names in self.removals.items():
            module = self.files[path].module
            if module is not None:
                wanted.setdefault(module.name, set()).update(names)
        every = set().union(*wanted.values()) if wanted else set()
        every |= {module.rsplit(".", 1)[-1] for module in wanted}  # importers of the module may make it a hub
        self.bound_by_module = {f.module.name: set(f.bound) for f in self.files.values() if f.module is not None}
        for file in workspace_files:
            relative = relative_path(file, self.config.root)
            if not relative.endswith((".py", ".pyi")):
                continue
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if any(name in text for name in every):
                self._scan(relative, text, wanted)

    def _scan(self, relative: str, text: str, wanted: dict[str, set[str]]) -> None:
        """Record each (module, name) this file imports from a module whose names a fix removes."""
        tree = _parse(text)
        own = module_name(relative, self.config.root)
        if tree is None:
            return
        package = own.package if own else ""
        module_objects: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                source = resolve_relative(node.module, node.level, package)
                for alias in node.names:
                    if source in wanted and alias.name in wanted[source] and (own is None or own.name != source):
                        self.importers.setdefault((source, alias.name), relative)
                    if source in wanted and alias.name in self.bound_by_module.get(source, ()) and (own is None or own.name != source):
                        self.hubs.setdefault(source, (relative, alias.name))
                    if source and f"{source}.{alias.name}" in wanted:
                        module_objects.add(f"{source}.{alias.name}")
            elif isinstance(node, ast.Import):
                module_objects.update(a.name for a in node.names if a.name in wanted)
        attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)} if module_objects else set()
        for module in module_objects:
            if own is None or own.name != module:
                for name in wanted[module] & attributes:
                    self.importers.setdefault((module, name), relative)

    def reason(self, path: str, index: int) -> str | None:
        """Why the index-th fix of a file is not safe (it removes a re-export), or None."""
        removed = self.removals.get((path, index))
        if not removed:
            return None
        file = self.files[path]
        for name in sorted(removed):
            if file.init:
                return f"removes `{name}` from a package's __init__, where imports are its interface"
            if name in file.exported:
                return f"removes `{name}`, which __all__ lists"
            if any(alias.asname == alias.name for alias in file.bound[name]):
                return f"removes `{name}`, an explicit re-export (`as {name}`)"
            importer = self.importers.get((file.module.name, name)) if file.module else None
            if importer is not None:
                return f"removes `{name}`, which {importer} imports from this module"
            hub = self.hubs.get(file.module.name) if file.module else None
            if hub is not None:
                return (f"removes `{name}` from a module that passes its imports on ({hub[0]} imports `{hub[1]}` from it): "
                        "code outside the workspace may import it the same way")
        return None
