"""Plain, picklable facts a rename scan reports about one file (offsets in code points of its text)."""

from __future__ import annotations

from dataclasses import dataclass, field

UNRENAMABLE = "a binding patchgate cannot rename"
"""Site detail of a binding the scan cannot rewrite (the rename is refused, never half done)."""


@dataclass(frozen=True, order=True)
class Site:
    """A stretch of text that holds the old name; `detail` says how to rewrite it when not plainly."""

    start: int
    end: int
    line: int
    scope: int = 0
    detail: str = ""


@dataclass(frozen=True)
class ImportOf:
    """`from <module> import old [as asname]`, anywhere in the file."""

    module: str
    asname: str | None
    site: Site


@dataclass(frozen=True)
class Binding:
    """One scope's binding of the old name: what binds it and every site that reads or writes it."""

    scope: int
    defines: bool
    sites: tuple[Site, ...]
    imports: tuple[tuple[Site, str | None], ...]
    """Import aliases that bind the name, with the qualified name each imports (None: not a plain from-import)."""
    unsupported: tuple[Site, ...] = ()

    @property
    def sources(self) -> set[str]:
        """Qualified names the binding imports."""
        return {source for _, source in self.imports if source}


@dataclass(frozen=True)
class AttributeUse:
    """`x.old`, with the fully qualified names libcst resolved the whole attribute to."""

    site: Site
    names: frozenset[str]


@dataclass(frozen=True)
class FileFacts:
    """Everything a rename needs from one file."""

    module: str | None
    imports: tuple[ImportOf, ...] = ()
    bindings: tuple[Binding, ...] = ()
    attributes: tuple[AttributeUse, ...] = ()
    all_strings: tuple[Site, ...] = ()
    new_global_lines: tuple[int, ...] = ()
    new_local_scopes: dict[int, int] = field(default_factory=dict)
    scope_parents: tuple[int, ...] = (-1,)
    star_imports: tuple[str, ...] = ()
    unresolved_old: tuple[int, ...] = ()
    failure: str | None = None

    @classmethod
    def failed(cls, module: str | None, reason: str) -> "FileFacts":
        """The facts of a file that could not be scanned."""
        return cls(module=module, failure=reason)

    @property
    def global_binding(self) -> Binding | None:
        """The module-level binding of the old name, if any."""
        return next((b for b in self.bindings if b.scope == 0), None)

    def chain(self, scope: int) -> list[int]:
        """A scope and its enclosing scopes, innermost first."""
        found = []
        while scope >= 0:
            found.append(scope)
            scope = self.scope_parents[scope]
        return found
