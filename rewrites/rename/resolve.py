"""Deciding a rename from every file's facts: which bindings and uses change, and whether it is safe.

Pure functions over plain facts (no parsing here), so each rule of the rename is testable alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from patchgate.diagnostics.errors import InputError
from patchgate.rewrites.rename.facts import UNRENAMABLE, Binding, FileFacts, Site

MAX_LISTED = 4
Key = tuple[str, int]
"""(workspace path, scope id) of one binding."""


@dataclass
class Resolution:
    """What the rename touches: per file, (site, replacement) pairs and sites left for a human."""

    targets: set[str]
    renamed: set[Key]
    edits: dict[str, list[tuple[Site, str]]] = field(default_factory=dict)
    unsupported: dict[str, list[Site]] = field(default_factory=dict)


def _definition(qualified: str, definer: str, facts: dict[str, FileFacts]) -> None:
    """The defining module must bind the name itself (def, class or assignment) at module level."""
    found = facts.get(definer)
    if found is not None and found.failure:
        raise InputError(f"{definer}: {found.failure}")
    binding = found.global_binding if found else None
    if binding is None:
        raise InputError(f"`{qualified}`: {definer} defines no module-level `{qualified.rsplit('.', 1)[1]}`")
    if not binding.defines:
        origin = sorted(binding.sources)
        where = f"`{origin[0]}`" if origin else "an `as` import"
        raise InputError(f"`{qualified}` is imported from {where} in {definer}; rename it where it is defined")


def _renamed_bindings(qualified: str, definer: str, facts: dict[str, FileFacts]) -> tuple[set[str], set[Key]]:
    """Targets (the name and its re-exports) and renamed bindings, grown until nothing changes."""
    targets, renamed = {qualified}, {(definer, 0)}
    old = qualified.rsplit(".", 1)[1]
    changed = True
    while changed:
        changed = False
        for path, found in facts.items():
            for binding in found.bindings:
                key = (path, binding.scope)
                if key in renamed or not binding.sources & targets:
                    continue
                renamed.add(key)
                changed = True
                if binding.scope == 0 and found.module:
                    targets.add(f"{found.module}.{old}")
    return targets, renamed


def _binding_text(site: Site, source: str | None, old: str, new: str, targets: set[str]) -> str:
    """What an import that binds the renamed name becomes."""
    if site.detail == "dotted":
        raise InputError(f"line {site.line + 1}: a dotted `import {old}.…` binds `{old}`; rename it by hand first")
    if site.detail == "import" or (site.detail == "import-from" and source not in targets):
        return f"{old} as {new}"
    return new


def _binding_edits(binding: Binding, old: str, new: str, targets: set[str]) -> list[tuple[Site, str]]:
    """Every site of a renamed binding with its replacement."""
    edits = [(site, new) for site in binding.sites]
    edits.extend((site, _binding_text(site, source, old, new, targets)) for site, source in binding.imports)
    return edits


def _clashes(path: str, found: FileFacts, binding: Binding) -> list[str]:
    """Where the new name is already bound in a scope the renamed binding reaches."""
    where = [f"{path}:{line + 1}" for line in found.new_global_lines[:1]] if binding.scope == 0 else []
    for site in [*binding.sites, *(site for site, _ in binding.imports)]:
        for scope in found.chain(site.scope):
            if scope in found.new_local_scopes:
                where.append(f"{path}:{found.new_local_scopes[scope] + 1}")
            if scope == binding.scope:
                break
    return where


def _check_star_imports(old: str, renamed: set[Key], facts: dict[str, FileFacts]) -> None:
    """A module reading the name through `from M import *` of a renamed module would break."""
    modules = {facts[path].module for path, scope in renamed if scope == 0 and facts[path].module}
    for path, found in sorted(facts.items()):
        star = sorted(set(found.star_imports) & modules)
        if star and found.unresolved_old:
            raise InputError(f"{path}:{found.unresolved_old[0] + 1}: uses `{old}` through `from {star[0]} import *`; "
                             "import it by name, then rename")


def _refuse_unrenamable(path: str, binding: Binding) -> None:
    """A binding the scan cannot rewrite would leave the rename half done: refuse rather than skip it."""
    for site in binding.unsupported:
        if site.detail == UNRENAMABLE:
            raise InputError(f"{path}:{site.line + 1}: {UNRENAMABLE}; rename it by hand first")


def resolve_targets(qualified: str, old: str, new: str, definer: str, facts: dict[str, FileFacts]) -> Resolution:
    """The full rename decision; InputError when the name is not defined where said, or the new name clashes."""
    _definition(qualified, definer, facts)
    targets, renamed = _renamed_bindings(qualified, definer, facts)
    _check_star_imports(old, renamed, facts)
    resolution = Resolution(targets, renamed)
    clashes: list[str] = []
    for path, found in sorted(facts.items()):
        if found.failure:
            continue
        edits: dict[tuple[int, int], tuple[Site, str]] = {}
        for binding in found.bindings:
            if (path, binding.scope) in renamed:
                clashes.extend(_clashes(path, found, binding))
                for site, text in _binding_edits(binding, old, new, targets):
                    edits.setdefault((site.start, site.end), (site, text))
                _refuse_unrenamable(path, binding)
                if binding.unsupported:
                    resolution.unsupported.setdefault(path, []).extend(binding.unsupported)
        _use_edits(path, found, old, new, resolution, edits)
        if edits:
            resolution.edits[path] = sorted(edits.values())
    if clashes:
        listed = ", ".join(sorted(set(clashes))[:MAX_LISTED])
        raise InputError(f"`{new}` already exists where `{qualified}` would be renamed: {listed}")
    return resolution


def _use_edits(path: str, found: FileFacts, old: str, new: str, resolution: Resolution,
               edits: dict[tuple[int, int], tuple[Site, str]]) -> None:
    """Imported names, attribute uses and `__all__` entries that name a target."""
    for item in found.imports:
        if f"{item.module}.{old}" in resolution.targets:
            edits.setdefault((item.site.start, item.site.end), (item.site, new))
    for use in found.attributes:
        if use.names & resolution.targets:
            edits.setdefault((use.site.start, use.site.end), (use.site, new))
    if (path, 0) in resolution.renamed:
        for site in found.all_strings:
            edits.setdefault((site.start, site.end), (site, new))
