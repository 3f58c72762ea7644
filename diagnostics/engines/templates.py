"""Template files under a language's extension (Django's `.js` views, Helm's YAML, cookiecutter's `.py`).

A file with Jinja or Django tags is not code until it is rendered: a parser sees every tag as an error,
so a rendered-later file gave one syntax error per tag. Such a file is reported once, as a template.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from patchgate.diagnostics.models import Diagnostic
from patchgate.diagnostics.source import SourceFile

__all__ = ["TemplateMark", "as_template", "template_mark"]

TAG = re.compile(r"\{%-?[ \t]*[A-Za-z_][^\n]*?%\}|\{\{-?[ \t]*[\w.$\"'(\[][^\n]*?\}\}|\{#[^\n]*?#\}")
"""A `{% tag %}`, a `{{ expression }}` or a `{# comment #}` on one line, as Jinja and Django write them."""


class TemplateMark(NamedTuple):
    """The first template tag of a file: where it starts and its text."""

    offset: int
    end: int
    text: str


def template_mark(text: str) -> TemplateMark | None:
    """The first template tag, or None when the text has none (checked only for files that fail to parse)."""
    if "{%" not in text and "{{" not in text and "{#" not in text:
        return None
    found = TAG.search(text)
    if found is None:
        return None
    shown = found.group()
    return TemplateMark(found.start(), found.end(), shown if len(shown) <= 40 else shown[:39] + "…")


def as_template(source: SourceFile, rule_id: str) -> list[Diagnostic]:
    """One info finding for a file that fails to parse because it is a Jinja or Django template; [] if not one."""
    mark = template_mark(source.text)
    if mark is None:
        return []
    return [Diagnostic(
        rule_id=rule_id,
        severity="info",
        message=f"template, not plain {source.language}: syntax not checked (`{mark.text}`)",
        path=source.path,
        span=source.lines.span(mark.offset, mark.end),
        engine="tree-sitter",
        note="Jinja or Django tags make the file a template; its syntax can only be checked once rendered.",
    )]
