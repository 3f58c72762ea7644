"""Human report, ruff-like: a header line, a code frame with the span underlined, note and fix hint."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from io import StringIO
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from patchgate.diagnostics.models import Diagnostic, Rule
from patchgate.diagnostics.output import Summary, summarize
from patchgate.diagnostics.span import LineIndex

CONTEXT_LINES = 2
"""Lines shown above and below the span."""
MAX_SPAN_LINES = 6
"""A longer span shows its first and last lines around an ellipsis."""
TAB = "    "
SEVERITY_STYLES = {"error": "bold red", "warning": "bold yellow", "info": "bold blue", "hint": "bold cyan"}
FIX_HINT = "fix available: `patchgate check --fix` (or `patchgate plan fix` to review the plan first)"


def _clean(text: str) -> str:
    """A source line as it can be printed: tabs expanded, control characters made visible."""
    text = text.rstrip("\r").replace("\t", TAB)
    return "".join("\ufffd" if unicodedata.category(c) == "Cc" else c for c in text)


def _header(diagnostic: Diagnostic) -> Text:
    """`path:line:col: rule-id [severity] message`, 1-based for people."""
    span = diagnostic.span
    return Text.assemble(
        (f"{diagnostic.path}:{span.start_line + 1}:{span.start_column + 1}:", "bold"),
        " ",
        (diagnostic.rule_id, "bold magenta"),
        " ",
        (f"[{diagnostic.severity}]", SEVERITY_STYLES[diagnostic.severity]),
        " ",
        diagnostic.message,
    )


def _shown_lines(diagnostic: Diagnostic, last_line: int) -> list[int | None]:
    """Line numbers for the frame; None marks lines elided from a long span."""
    span = diagnostic.span
    first = max(0, span.start_line - CONTEXT_LINES)
    last = min(last_line, span.end_line + CONTEXT_LINES)
    if span.end_line - span.start_line < MAX_SPAN_LINES:
        return list(range(first, last + 1))
    head = list(range(first, span.start_line + 2))
    return [*head, None, *range(span.end_line - 1, last + 1)]


def _underline(diagnostic: Diagnostic, index: LineIndex, line: int) -> tuple[int, int] | None:
    """Display cells (start, width) under the part of a line the span covers."""
    span = diagnostic.span
    if not span.start_line <= line <= span.end_line:
        return None
    text = index.line_text(line)
    start = span.start_column if line == span.start_line else 0
    end = span.end_column if line == span.end_line else len(text)
    if line != span.start_line and end == 0:
        return None  # span ends at the very start of this line: nothing of it is here
    lead = cell_len(_clean(text[:start]))
    return lead, max(1, cell_len(_clean(text[start:end])))


def _last_line(index: LineIndex, diagnostic: Diagnostic) -> int:
    """The last line worth showing: not the empty one after a final newline, unless the span is on it."""
    last = len(index.line_starts) - 1
    if last > 0 and index.text.endswith("\n") and diagnostic.span.end_line < last:
        last -= 1
    return last


def _code_row(gutter: int, number: str, line: str) -> Text:
    """One numbered source line, without trailing blanks after an empty line."""
    return Text.assemble((f"{number:>{gutter}} |", "blue"), f" {line}" if line else "")


def _frame(diagnostic: Diagnostic, index: LineIndex, style: str) -> list[Text]:
    """The code frame: numbered lines, with carets under the span."""
    lines = _shown_lines(diagnostic, _last_line(index, diagnostic))
    gutter = len(str(max(n for n in lines if n is not None) + 1))
    rows = [Text(" " * gutter + " |", "blue")]
    for line in lines:
        if line is None:
            rows.append(Text("..." if gutter < 3 else "." * gutter, "blue"))
            continue
        rows.append(_code_row(gutter, str(line + 1), _clean(index.line_text(line))))
        mark = _underline(diagnostic, index, line)
        if mark is not None:
            rows.append(Text.assemble((" " * gutter + " | ", "blue"), " " * mark[0], ("^" * mark[1], style)))
    rows.append(Text(" " * gutter + " |", "blue"))
    return rows


def _block(diagnostic: Diagnostic, sources: Mapping[str, str], indexes: dict[str, LineIndex]) -> list[Text]:
    """Everything printed for one finding; `indexes` keeps each file's line index for its next finding."""
    style = SEVERITY_STYLES[diagnostic.severity]
    rows = [_header(diagnostic)]
    text = sources.get(diagnostic.path)
    if text and diagnostic.span.start_offset <= len(text):
        index = indexes.get(diagnostic.path)
        if index is None:
            index = indexes[diagnostic.path] = LineIndex(text)
        rows.extend(_frame(diagnostic, index, style))
    if diagnostic.note:
        for i, part in enumerate(diagnostic.note.strip().splitlines()):
            rows.append(Text.assemble(("  = note: ", "blue"), part) if i == 0 else Text(f"{'':10}{part}".rstrip()))
    if diagnostic.fix:
        rows.append(Text.assemble(("  = ", "blue"), (FIX_HINT, "green")))
    return rows


def _plural(count: int, word: str) -> str:
    """`1 error`, `2 errors`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(summary: Summary) -> str:
    """`Found N problems (E errors, W warnings); K fixable`, with info/hint counts when present."""
    if summary.total == 0:
        return "No problems found."
    parts = [_plural(summary.errors, "error"), _plural(summary.warnings, "warning")]
    if summary.infos:
        parts.append(_plural(summary.infos, "info"))
    if summary.hints:
        parts.append(_plural(summary.hints, "hint"))
    return f"Found {_plural(summary.total, 'problem')} ({', '.join(parts)}); {summary.fixable} fixable"


def _console(color: bool, width: int | None) -> tuple[Console, StringIO]:
    """A console writing to a buffer: ANSI styles only when colour is asked for."""
    buffer = StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,  # the caller decided (NO_COLOR included); rich must not strip what was asked for
        color_system="standard" if color else None,
        width=width or 100,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=True,
    )
    return console, buffer


def render_text(
    diagnostics: Sequence[Diagnostic],
    rules: Mapping[str, Rule],
    *,
    root: Path,
    sources: Mapping[str, str],
    color: bool = False,
    width: int | None = None,
) -> str:
    """The whole human report; plain text unless `color`."""
    console, buffer = _console(color, width)
    indexes: dict[str, LineIndex] = {}
    rows: list[Text] = []
    for diagnostic in diagnostics:
        rows.extend(_block(diagnostic, sources, indexes))
        rows.append(Text())
    rows.append(Text(summary_line(summarize(diagnostics)), "bold"))
    console.print(Text("\n").join(rows))  # one print: rich's per-call cost dwarfs the rendering
    return buffer.getvalue()
