"""Spans and text edits: 0-based lines and code-point columns, converted only at the edges."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from patchgate.diagnostics.base import SCHEMA_VERSION, Model


class Span(Model):
    """A half-open range of a text, both as positions and as code-point offsets."""

    start_line: int = Field(ge=0, description="0-based line of the first character.")
    start_column: int = Field(ge=0, description="0-based column of the first character, in code points.")
    end_line: int = Field(ge=0, description="0-based line just after the range ends.")
    end_column: int = Field(ge=0, description="0-based column where the range ends (exclusive), in code points.")
    start_offset: int = Field(ge=0, description="Code-point offset of the first character in the text.")
    end_offset: int = Field(ge=0, description="Code-point offset just past the last character.")

    def overlaps(self, other: "Span") -> bool:
        """Two edits overlap when their ranges share a character, or both insert at one point."""
        if self.start_offset == self.end_offset == other.start_offset == other.end_offset:
            return True
        return self.start_offset < other.end_offset and other.start_offset < self.end_offset


class TextEdit(Model):
    """Replace the text under span with new_text; an empty span inserts."""

    schema_version: Literal["1"] = Field(default=SCHEMA_VERSION, description="Version of this object's schema.")
    span: Span = Field(description="The range of the original text to replace.")
    new_text: str = Field(description="The text that replaces the span.")


class LineIndex:
    """Maps code-point offsets to (line, column) and back, plus UTF-16 columns for LSP."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        for index, char in enumerate(text):
            if char == "\n":
                starts.append(index + 1)
        self.line_starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) of a code-point offset, both 0-based."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.line_starts, offset) - 1
        return line, offset - self.line_starts[line]

    def offset(self, line: int, column: int) -> int:
        """Code-point offset of a 0-based (line, column); clamps past the end of text."""
        if line >= len(self.line_starts):
            return len(self.text)
        return min(self.line_starts[line] + column, len(self.text))

    def span(self, start: int, end: int) -> Span:
        """A Span for the code-point offsets [start, end)."""
        start_line, start_column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(
            start_line=start_line,
            start_column=start_column,
            end_line=end_line,
            end_column=end_column,
            start_offset=start,
            end_offset=end,
        )

    def span_from_positions(self, start: tuple[int, int], end: tuple[int, int]) -> Span:
        """A Span from 0-based code-point (line, column) pairs."""
        return self.span(self.offset(*start), self.offset(*end))

    def line_text(self, line: int) -> str:
        """The text of one 0-based line without its newline."""
        if line >= len(self.line_starts):
            return ""
        start = self.line_starts[line]
        end = self.line_starts[line + 1] - 1 if line + 1 < len(self.line_starts) else len(self.text)
        return self.text[start:end]

    def utf16_column(self, line: int, column: int) -> int:
        """Convert a code-point column to UTF-16 code units, as LSP counts them."""
        prefix = self.line_text(line)[:column]
        return column + sum(1 for char in prefix if ord(char) > 0xFFFF)

    def column_from_utf16(self, line: int, utf16_column: int) -> int:
        """Convert an LSP UTF-16 column back to a code-point column."""
        units = 0
        for column, char in enumerate(self.line_text(line)):
            if units >= utf16_column:
                return column
            units += 2 if ord(char) > 0xFFFF else 1
        return len(self.line_text(line))


def byte_to_char_offsets(text: str) -> list[int]:
    """Table from UTF-8 byte offset to code-point offset (tree-sitter reports bytes)."""
    table: list[int] = []
    for index, char in enumerate(text):
        table.extend([index] * len(char.encode("utf-8")))
    table.append(len(text))
    return table


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply non-overlapping edits to text; overlapping edits, or one past the end, are an error, never dropped."""
    ordered = sorted(edits, key=lambda edit: (edit.span.start_offset, edit.span.end_offset))
    if ordered and ordered[-1].span.end_offset > len(text):
        raise ValueError(f"edit at offset {ordered[-1].span.start_offset} runs past the end of the text")
    for before, after in zip(ordered, ordered[1:]):
        if before.span.overlaps(after.span):
            raise ValueError(
                f"overlapping edits at offsets {before.span.start_offset}-{before.span.end_offset}"
                f" and {after.span.start_offset}-{after.span.end_offset}"
            )
    pieces: list[str] = []
    cursor = 0
    for edit in ordered:
        pieces.append(text[cursor : edit.span.start_offset])
        pieces.append(edit.new_text)
        cursor = edit.span.end_offset
    pieces.append(text[cursor:])
    return "".join(pieces)
