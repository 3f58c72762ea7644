"""Which language a file is in, as ast-grep decides it: sgconfig `languageGlobs` first, then extensions.

The tables mirror ast-grep 0.51 (`crates/language/src/lib.rs` plus the CLI's extra languages):
the names and aliases a rule's `language:` accepts, and the file extensions scanned per language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

LANGUAGE_ALIASES: dict[str, tuple[str, ...]] = {
    "bash": ("bash",), "c": ("c",), "cpp": ("cc", "c++", "cpp", "cxx"), "csharp": ("cs", "csharp"), "css": ("css",),
    "dart": ("dart",), "elixir": ("ex", "elixir"), "go": ("go", "golang"), "haskell": ("hs", "haskell"),
    "hcl": ("hcl",), "html": ("html",), "java": ("java",), "javascript": ("javascript", "js", "jsx"),
    "json": ("json",), "kotlin": ("kotlin", "kt"), "lua": ("lua",), "markdown": ("markdown", "md"), "nix": ("nix",),
    "php": ("php",), "python": ("py", "python"), "ruby": ("rb", "ruby"), "rust": ("rs", "rust"),
    "scala": ("scala",), "solidity": ("solidity", "sol"), "swift": ("swift",), "tsx": ("tsx",),
    "typescript": ("ts", "typescript"), "yaml": ("yml", "yaml"),
}
"""ast-grep language -> every alias a rule may name it by (compared case-insensitively)."""
AST_GREP_LANGUAGES: dict[str, str] = {alias: name for name, aliases in LANGUAGE_ALIASES.items() for alias in aliases}

EXTENSION_LANGUAGES: dict[str, str] = {
    # The first extension of a language is the one rule tests and examples write their snippets to.
    ".py": "python", ".pyi": "python", ".py3": "python", ".bzl": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
    ".go": "go", ".rs": "rust", ".json": "json", ".yml": "yaml", ".yaml": "yaml",
    ".toml": "toml",  # no ast-grep grammar: the syntax engine's only
    ".sh": "bash", ".bash": "bash", ".bats": "bash", ".cgi": "bash", ".command": "bash", ".env": "bash",
    ".fcgi": "bash", ".ksh": "bash", ".tmux": "bash", ".tool": "bash", ".zsh": "bash",
    ".c": "c", ".h": "c",
    ".cpp": "cpp", ".cc": "cpp", ".hpp": "cpp", ".c++": "cpp", ".hh": "cpp", ".cxx": "cpp", ".cu": "cpp", ".ino": "cpp",
    ".cs": "csharp", ".css": "css", ".scss": "css", ".dart": "dart", ".ex": "elixir", ".exs": "elixir",
    ".hs": "haskell", ".hcl": "hcl", ".tf": "hcl", ".tfvars": "hcl", ".html": "html", ".htm": "html", ".xhtml": "html",
    ".java": "java", ".kt": "kotlin", ".ktm": "kotlin", ".kts": "kotlin", ".lua": "lua",
    ".md": "markdown", ".markdown": "markdown", ".nix": "nix", ".php": "php",
    ".rb": "ruby", ".rbw": "ruby", ".gemspec": "ruby", ".scala": "scala", ".sc": "scala", ".sbt": "scala",
    ".sol": "solidity", ".swift": "swift",
}
"""File extension -> language, as ast-grep scans them (plus `.toml` for the syntax engine)."""


def extension_of(name: str) -> str:
    """The extension with its dot as Rust's Path::extension sees it ('.env' alone has none); case counts, as in ast-grep."""
    base = name.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot:] if dot > 0 else ""


def language_for(path: str) -> str | None:
    """The language of a path by its extension, or None when patchgate has no engine for it."""
    return EXTENSION_LANGUAGES.get(extension_of(path))


def canonical_language(name: object) -> str | None:
    """The ast-grep language a name or alias denotes (case-insensitive), else None."""
    return AST_GREP_LANGUAGES.get(name.lower()) if isinstance(name, str) else None


LanguageGlobs = tuple[tuple[str, tuple[str, ...]], ...]
"""sgconfig `languageGlobs`, normalised: (language, globs) pairs in file order."""


@dataclass(frozen=True)
class LanguageMap:
    """languageGlobs (matched against the file name, as ignore's Types do) win over extensions."""

    globs: LanguageGlobs = ()

    @cached_property
    def _compiled(self) -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
        """Each language's globs compiled once, as ast-grep's globset compiles them."""
        if not self.globs:
            return ()
        from patchgate.diagnostics.engines.astgrep.project import glob_regex

        return tuple((language, tuple(glob_regex(g) for g in globs)) for language, globs in self.globs)

    def language(self, path: str) -> str | None:
        """The language of a path: the first languageGlobs entry whose glob matches its name, else by extension."""
        name = path.replace("\\", "/").rsplit("/", 1)[-1]
        for language, patterns in self._compiled:
            if any(p.fullmatch(name) for p in patterns):
                return language
        return language_for(name)


def language_map_for(sgconfig: Path | None) -> LanguageMap:
    """The language map an sgconfig.yml sets up (extensions only without one)."""
    if sgconfig is None:
        return LanguageMap()
    from patchgate.diagnostics.engines.astgrep.project import load_sgconfig

    return LanguageMap(load_sgconfig(sgconfig).language_globs)
