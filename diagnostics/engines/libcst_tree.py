"""Findings a libcst rule read off CPython's own tree, turned into diagnostics without parsing with libcst.

CPython's tree counts lines the way its tokenizer does (`\\r\\n`, `\\r` and `\\n` each end one) and
columns in UTF-8 bytes, after a leading byte-order mark; spans count code points of the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from patchgate.diagnostics.python_rule import TreeEdit, TreePosition, TreeReport
from patchgate.diagnostics.models import Diagnostic, Rule
from patchgate.diagnostics.source import SourceFile
from patchgate.diagnostics.span import Span, TextEdit

LINE_BREAK = re.compile(r"\r\n?|\n")


class TreeLocator:
    """Code-point offsets of the source text for (line, byte column) positions of CPython's tree."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.base = 1 if source.text.startswith("\ufeff") else 0
        text = source.text
        self.starts = None if "\r" not in text else [self.base, *(m.end() for m in LINE_BREAK.finditer(text))]

    def offset(self, position: TreePosition) -> int:
        """Code-point offset of a tree position."""
        line_start, line_text = self._line(position.line - 1)
        byte_column = position.byte_column
        column = byte_column if line_text.isascii() else len(line_text.encode("utf-8")[:byte_column].decode("utf-8", "ignore"))
        return min(line_start + column, len(self.source.text))

    def char_offset(self, line: int, column: int) -> int:
        """Code-point offset of a 1-based line and a 0-based code-point column (a SyntaxError's counting),
        clamped to the end of that line."""
        line_start, line_text = self._line(line - 1)
        return line_start + max(0, min(column, len(line_text.rstrip("\r\n"))))

    def span(self, start: TreePosition, end: TreePosition) -> Span:
        """The span between two tree positions."""
        return self.source.lines.span(self.offset(start), self.offset(end))

    def edit(self, edit: TreeEdit) -> TextEdit:
        """A fix's edit in the source's own offsets."""
        return TextEdit(span=self.span(edit.start, edit.end), new_text=edit.new_text)

    def _line(self, index: int) -> tuple[int, str]:
        """(start offset, text) of a 0-based line as CPython counts lines, the BOM left out of line 1."""
        if self.starts is None:
            start = self.source.lines.offset(index, 0) + (self.base if index == 0 else 0)
            return start, self.source.lines.line_text(index)[self.base if index == 0 else 0:]
        if index >= len(self.starts):
            return len(self.source.text), ""
        start = self.starts[index]
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.source.text)
        return start, self.source.text[start:end]


def tree_diagnostics(source: SourceFile, rule: Rule, reports: Iterable[TreeReport]) -> list[Diagnostic]:
    """Plain diagnostics for one rule's tree reports."""
    locator = TreeLocator(source)
    return [
        Diagnostic(
            rule_id=rule.id,
            severity=rule.severity,
            message=report.message,
            path=source.path,
            span=locator.span(report.start, report.end),
            engine="libcst",
            fix=[locator.edit(edit) for edit in report.fix] or None,
            note=report.note,
            url=rule.url,
        )
        for report in reports
    ]
