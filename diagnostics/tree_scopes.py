"""The scope model of libcst's ScopeProvider, rebuilt over CPython's tree so that rules keep its answers.

libcst links a read of a name to the bindings of the scope the name resolves in, with no flow analysis,
and only by order within one scope: a read is linked to the bindings of its own scope made before it, and
a read made before some binding of its own scope is also linked to the bindings the enclosing scope sees
(a read early in a function links to the module's definitions of the name). Class bodies are invisible
from the scopes nested in them. `tree_scope_walker` fills this model in libcst's own visiting order.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal, Optional

ScopeKind = Literal["module", "function", "class", "comprehension"]
Position = tuple[int, int]
"""(line, UTF-8 byte column) as CPython's tree counts them: comparable within one file."""


@dataclass(eq=False)
class Scope:
    """One scope: its bindings by name, and the counter libcst orders bindings and reads by."""

    kind: ScopeKind
    parent: Optional[Scope]
    """None above the module: the builtins, which no rule here asks about."""
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    count: int = 0
    """libcst's `_assignment_count`: bumped after each assignment-like statement or clause."""
    redirected: dict[str, Scope] = field(default_factory=dict)
    """`global` and `nonlocal` names: where their bindings go and where their reads resolve."""

    def target(self, name: str) -> Scope:
        """The scope a binding of `name` made here lands in (a `global`/`nonlocal` name moves it)."""
        scope = self
        while name in scope.redirected:
            scope = _visible(scope.redirected[name])  # type: ignore[assignment]
            if scope is None:
                return self
        return scope

    def resolve(self, name: str) -> Optional[Scope]:
        """The scope whose bindings a read of `name` here is linked to; None for builtins or nothing."""
        scope: Optional[Scope] = self
        while scope is not None:
            if name in scope.redirected:
                scope = _visible(scope.redirected[name])
            elif scope.bindings.get(name):
                return scope
            else:
                scope = _visible(scope.parent)
        return None


def _visible(scope: Optional[Scope]) -> Optional[Scope]:
    """The nearest scope from `scope` up whose names nested scopes can see: class bodies are skipped."""
    while scope is not None and scope.kind == "class":
        scope = scope.parent
    return scope


@dataclass(eq=False)
class Binding:
    """A name bound in a scope (libcst's Assignment): `node` is the def, class, import, argument or Name."""

    name: str
    scope: Scope
    node: ast.AST
    index: int
    kind: str
    plain: bool = False
    """The lone target of `name = value` or `name: T = value`."""
    imported: Optional[Imported] = None
    """The import statement, for a binding made by one."""


@dataclass(frozen=True)
class Imported:
    """What libcst needs of an import statement to name what it binds: `typing.cast`, `os.path`."""

    module: str
    """The `from` part, with its leading dots; empty for a plain `import`."""
    aliases: tuple[tuple[str, Optional[str]], ...]
    """(dotted name, `as` name or None) of every alias, in order; none for `import *`."""

    @classmethod
    def of(cls, node: ast.Import | ast.ImportFrom) -> Imported:
        """The statement's module and aliases."""
        module = "." * node.level + (node.module or "") if isinstance(node, ast.ImportFrom) else ""
        return cls(module, tuple((alias.name, alias.asname) for alias in node.names if alias.name != "*"))

    @property
    def mentions_typing(self) -> bool:
        """Could a name this statement binds be qualified as `typing...` or `typing_extensions...`?"""
        return "typing" in self.module or any("typing" in real for real, _ in self.aliases)

    def qualified(self, full: str) -> set[str]:
        """libcst's ImportAssignment.get_qualified_names_for: `full` as the imported module's own name."""
        found = set()
        for real, alias in self.aliases:
            for real_name in dotted_prefixes(real):
                as_name = alias or real_name
                if self.module:
                    real_name = self.module + real_name if self.module.endswith(".") else f"{self.module}.{real_name}"
                if full.startswith(as_name):
                    rest = full[len(as_name):]
                    if rest and not rest.startswith("."):
                        continue
                    rest = rest.lstrip(".")
                    found.add(f"{real_name}.{rest}" if rest else real_name)
                    break
        return found


def dotted_prefixes(name: str) -> list[str]:
    """`a.b.c`, `a.b`, `a`: the names libcst binds for `import a.b.c`, longest first."""
    parts = name.split(".")
    return [".".join(parts[:end]) for end in range(len(parts), 0, -1)]


@dataclass(eq=False)
class Read:
    """A read of a name (libcst's Access): where, in which scope, at which point of that scope's bindings."""

    name: str
    scope: Scope
    index: int
    position: Position
    dotted: tuple[str, ...] = ()
    """Longer dotted names (`a.b.c`, `a.b`) a read of `a` becomes when an import binds one of them."""


class Links:
    """Which reads libcst links to each binding, computed once after the walk."""

    def __init__(self, reads: list[Read]) -> None:
        self._direct: dict[tuple[int, str], list[tuple[Read, bool]]] = defaultdict(list)
        self._early: dict[tuple[int, str], list[Read]] = defaultdict(list)
        for read in reads:
            self._link(read)

    def _link(self, read: Read) -> None:
        """Record the scope a read resolves in, and the enclosing one when it comes before a local binding."""
        name = next((dotted for dotted in read.dotted if read.scope.resolve(dotted) is not None), read.name)
        found = read.scope.resolve(name)
        if found is None:
            return
        same = found is read.scope
        self._direct[(id(found), name)].append((read, same))
        if same and read.scope.parent is not None and any(b.index >= read.index for b in found.bindings[name]):
            outer = read.scope.parent.resolve(name)
            if outer is not None:
                self._early[(id(outer), name)].append(read)

    def reads(self, binding: Binding) -> list[Read]:
        """Every read linked to a binding: a read of its own scope only when made after it."""
        key = (id(binding.scope), binding.name)
        direct = [read for read, same in self._direct.get(key, ()) if not same or binding.index < read.index]
        return direct + self._early.get(key, [])

    def is_read(self, binding: Binding) -> bool:
        """Is any read linked to this binding?"""
        return bool(self.reads(binding))
