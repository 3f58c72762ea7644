"""Machine report: every Diagnostic exactly as its model dumps it, plus the summary counts."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from patchgate.diagnostics.base import SCHEMA_VERSION
from patchgate.diagnostics.models import Diagnostic, Rule
from patchgate.diagnostics.output import summarize


def report_data(diagnostics: Sequence[Diagnostic]) -> dict[str, object]:
    """The json report as plain data; each item round-trips through Diagnostic.model_validate."""
    return {
        "schema_version": SCHEMA_VERSION,
        "diagnostics": [diagnostic.model_dump(mode="json") for diagnostic in diagnostics],
        "summary": summarize(diagnostics).as_dict(),
    }


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
    return json.dumps(report_data(diagnostics), indent=2, ensure_ascii=False) + "\n"
