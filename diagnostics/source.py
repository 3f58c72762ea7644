"""The unit of work handed to every engine: one decoded file with its language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from patchgate.diagnostics.languages import EXTENSION_LANGUAGES, language_for
from patchgate.diagnostics.models import Diagnostic, Rule
from patchgate.diagnostics.span import LineIndex

__all__ = ["EXTENSION_LANGUAGES", "RuleEngine", "SourceFile", "language_for"]


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
