"""Report renderers (text, json, sarif, github) behind one dispatcher the CLI calls."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from patchgate.diagnostics.errors import InputError
from patchgate.diagnostics.models import Diagnostic, Rule

FORMATS = ("text", "json", "sarif", "github")


@dataclass(frozen=True)
class Summary:
    """Counts every format reports the same way, so text and json never disagree."""

    total: int
    errors: int
    warnings: int
    infos: int
    hints: int
    fixable: int
    files: int

    def as_dict(self) -> dict[str, int]:
        """Plain data for the json report."""
        return asdict(self)


def summarize(diagnostics: Sequence[Diagnostic]) -> Summary:
    """Count findings by severity, fixability and file."""
    by_severity = {"error": 0, "warning": 0, "info": 0, "hint": 0}
    for diagnostic in diagnostics:
        by_severity[diagnostic.severity] += 1
    return Summary(
        total=len(diagnostics),
        errors=by_severity["error"],
        warnings=by_severity["warning"],
        infos=by_severity["info"],
        hints=by_severity["hint"],
        fixable=sum(1 for d in diagnostics if d.fix),
        files=len({d.path for d in diagnostics}),
    )


Renderer = Callable[..., str]


def _renderer(output_format: str) -> Renderer:
    """Import only the renderer asked for: rich is not needed to print json."""
    if output_format == "text":
        from patchgate.diagnostics.output.text import render_text

        return render_text
    if output_format == "json":
        from patchgate.diagnostics.output.json_format import render_json

        return render_json
    if output_format == "sarif":
        from patchgate.diagnostics.output.sarif import render_sarif

        return render_sarif
    if output_format == "github":
        from patchgate.diagnostics.output.github import render_github

        return render_github
    raise InputError(f"unknown output format {output_format!r}: choose one of {', '.join(FORMATS)}")


def render(
    output_format: str,
    diagnostics: Sequence[Diagnostic],
    rules: Mapping[str, Rule],
    *,
    root: Path,
    sources: Mapping[str, str],
    color: bool = False,
    width: int | None = None,
) -> str:
    """The whole report in one format, findings in Diagnostic.sort_key order."""
    renderer = _renderer(output_format)
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    return renderer(ordered, rules, root=root, sources=sources, color=color, width=width)


__all__ = ["FORMATS", "Summary", "render", "summarize"]
