"""GitHub Actions workflow commands (`::error file=...::message`), one annotation per finding."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from patchgate.diagnostics.models import Diagnostic, Rule

COMMANDS = {"error": "error", "warning": "warning", "info": "notice", "hint": "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message the way @actions/core does (`%`, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: as data, plus `:` and `,`, which delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _properties(diagnostic: Diagnostic) -> list[tuple[str, str]]:
    """file/line/col properties, 1-based; columns only for one-line spans, as GitHub requires."""
    span = diagnostic.span
    props = [("file", diagnostic.path), ("line", str(span.start_line + 1))]
    if span.start_line == span.end_line:
        props += [("col", str(span.start_column + 1)), ("endColumn", str(span.end_column + 1))]
    props += [("endLine", str(span.end_line + 1)), ("title", diagnostic.rule_id)]
    return props


def _message(diagnostic: Diagnostic) -> str:
    """The message, with the note and a fix hint on following lines of the annotation."""
    parts = [diagnostic.message]
    if diagnostic.note:
        parts.append(diagnostic.note.strip())
    if diagnostic.fix:
        parts.append("A fix is available: `patchgate plan fix`.")
    return "\n".join(parts)


def annotation(diagnostic: Diagnostic) -> str:
    """One workflow command line for one finding."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in _properties(diagnostic))
    return f"::{COMMANDS[diagnostic.severity]} {props}::{escape_data(_message(diagnostic))}"


def render_github(
    diagnostics: Sequence[Diagnostic],
    rules: Mapping[str, Rule],
    *,
    root: Path,
    sources: Mapping[str, str],
    color: bool = False,
    width: int | None = None,
) -> str:
    """Annotations, one per line; empty when there is nothing to report."""
    return "".join(annotation(diagnostic) + "\n" for diagnostic in diagnostics)
