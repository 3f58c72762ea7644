"""Machine report: every Diagnostic exactly as its model dumps it, plus the summary counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from patchgate.diagnostics.base import SCHEMA_VERSION, Model
from patchgate.diagnostics.models import Diagnostic, Rule
from patchgate.diagnostics.output import summarize


class JsonReport(Model):
    """The json report's shape; serialised by pydantic's Rust encoder, not the slow indenting one."""

    schema_version: str
    diagnostics: list[Diagnostic]
    summary: dict[str, int]


def render_json(
    diagnostics: Sequence[Diagnostic],
    rules: Mapping[str, Rule],
    *,
    root: Path,
    sources: Mapping[str, str],
    color: bool = False,
    width: int | None = None,
) -> str:
    """Indented, key-stable JSON ending in a newline."""
    report = JsonReport(schema_version=SCHEMA_VERSION, diagnostics=list(diagnostics), summary=summarize(diagnostics).as_dict())
    return report.model_dump_json(indent=2) + "\n"
