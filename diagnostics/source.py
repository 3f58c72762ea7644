"""The unit of work handed to every engine: one decoded file with its language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from patchgate.diagnostics.models import Diagnostic, Rule
from patchgate.diagnostics.span import LineIndex

EXTENSION_LANGUAGES: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".rs": "rust",
    ".json": "json",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".toml": "toml",
    ".sh": "bash",
    ".bash": "bash",
}


def language_for(path: str) -> str | None:
    """The language of a path by its extension, or None when patchgate has no engine for it."""
    dot = path.rfind(".")
    return EXTENSION_LANGUAGES.get(path[dot:].lower()) if dot >= 0 else None


@dataclass(frozen=True)
class SourceFile:
    """A decoded file: workspace-relative POSIX path, its text and its language."""

    path: str
    text: str
    language: str | None

    @cached_property
    def lines(self) -> LineIndex:
        """Offset/position index of the text, built once per file."""
        return LineIndex(self.text)


class RuleEngine(Protocol):
    """What the runner needs of an engine: its rules, and the findings on one file."""

    def rules(self) -> list[Rule]:
        """Every rule this engine can run, selected or not."""
        ...

    def check(self, source: SourceFile, selected: frozenset[str]) -> list[Diagnostic]:
        """Findings of the selected rules on one file; never raises for bad source text."""
        ...
