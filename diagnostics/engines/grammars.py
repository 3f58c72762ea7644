"""tree-sitter grammar loading from the per-language wheels, cached once per process."""

from __future__ import annotations

import functools
import importlib
from importlib.metadata import PackageNotFoundError, version

from tree_sitter import Language, Parser

GRAMMARS: dict[str, tuple[str, str, str]] = {
    "python": ("tree-sitter-python", "tree_sitter_python", "language"),
    "javascript": ("tree-sitter-javascript", "tree_sitter_javascript", "language"),
    "typescript": ("tree-sitter-typescript", "tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree-sitter-typescript", "tree_sitter_typescript", "language_tsx"),
    "go": ("tree-sitter-go", "tree_sitter_go", "language"),
    "rust": ("tree-sitter-rust", "tree_sitter_rust", "language"),
    "json": ("tree-sitter-json", "tree_sitter_json", "language"),
    "yaml": ("tree-sitter-yaml", "tree_sitter_yaml", "language"),
    "toml": ("tree-sitter-toml", "tree_sitter_toml", "language"),
    "bash": ("tree-sitter-bash", "tree_sitter_bash", "language"),
}
"""patchgate language name -> (distribution, import module, function returning the grammar pointer)."""


@functools.cache
def load_language(name: str) -> Language | None:
    """The grammar for a language, or None when its wheel is missing or ABI-incompatible."""
    entry = GRAMMARS.get(name)
    if entry is None:
        return None
    _, module_name, function = entry
    try:
        module = importlib.import_module(module_name)
        return Language(getattr(module, function)())
    except Exception:  # ImportError, a wheel without the function, or an ABI the runtime rejects
        return None


@functools.cache
def parser_for(name: str) -> Parser | None:
    """One reusable parser per language and process; None when the grammar is unavailable."""
    language = load_language(name)
    return Parser(language) if language is not None else None


def _distribution_version(distribution: str) -> str:
    """Installed version of a grammar wheel, or 'unknown' for a vendored module."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"


def available_languages() -> dict[str, str]:
    """Languages whose grammar loads here, with the grammar wheel's version (for `doctor`)."""
    return {
        name: _distribution_version(distribution)
        for name, (distribution, _, _) in GRAMMARS.items()
        if load_language(name) is not None
    }
