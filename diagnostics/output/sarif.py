"""SARIF 2.1.0 for code-scanning services; columns in UTF-16 code units, SARIF's default."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from patchgate.diagnostics.models import Diagnostic, Rule
from patchgate.diagnostics.span import LineIndex, Span, TextEdit

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
INFORMATION_URI = "https://pypi.org/project/patchgate/"
FINGERPRINT = "patchgateLineHash/v1"
"""partialFingerprints key: code scanning (GitHub) tracks a result across commits by it; no line numbers in it."""
LEVELS = {"error": "error", "warning": "warning", "info": "note", "hint": "note"}
Json = dict[str, Any]


def tool_version() -> str:
    """The installed patchgate version, as the driver reports it."""
    try:
        return version("patchgate")
    except PackageNotFoundError:
        return "0+unknown"


class _Columns:
    """Code-point positions to SARIF's 1-based UTF-16 lines and columns, per file text."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self.sources = sources
        self.indexes: dict[str, LineIndex] = {}

    def index(self, path: str) -> LineIndex | None:
        """The line index of a file whose text we have; without it code points stand in."""
        if path not in self.indexes and path in self.sources:
            self.indexes[path] = LineIndex(self.sources[path])
        return self.indexes.get(path)

    def region(self, path: str, span: Span) -> Json:
        """A SARIF region for a span."""
        index = self.index(path)

        def column(line: int, col: int) -> int:
            return (index.utf16_column(line, col) if index is not None else col) + 1

        return {
            "startLine": span.start_line + 1,
            "startColumn": column(span.start_line, span.start_column),
            "endLine": span.end_line + 1,
            "endColumn": column(span.end_line, span.end_column),
        }


def _friendly_name(rule_id: str) -> str:
    """`compare-to-none` -> `CompareToNone`, the identifier-like name SARIF asks for."""
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", rule_id) if part)


def _first_paragraph(text: str) -> str:
    """The opening paragraph of rule docs, for fullDescription."""
    return " ".join(text.strip().split("\n\n", 1)[0].split())


def rule_descriptor(rule_id: str, rule: Rule | None) -> Json:
    """A reportingDescriptor; a rule the ruleset does not know (io errors) gets a minimal one."""
    if rule is None:
        return {"id": rule_id, "name": _friendly_name(rule_id), "shortDescription": {"text": rule_id}}
    descriptor: Json = {
        "id": rule.id,
        "name": _friendly_name(rule.id),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": _first_paragraph(rule.docs) or rule.title},
        "help": {"text": rule.docs or rule.title, "markdown": rule.docs or rule.title},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": list(rule.tags), "aliases": list(rule.aliases), "engine": rule.engine,
                       "language": rule.language, "fixable": rule.fixable},
    }
    if rule.url and re.match(r"^[a-z][a-z0-9+.-]*://", rule.url):
        descriptor["helpUri"] = rule.url
    return descriptor


def artifact_location(path: str) -> Json:
    """A percent-encoded URI relative to %SRCROOT%, or an absolute file URI."""
    if PurePosixPath(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _fix(diagnostic: Diagnostic, edits: list[TextEdit], columns: _Columns) -> Json:
    """One SARIF fix: every edit as a deleted region and its inserted content."""
    replacements = [
        {"deletedRegion": columns.region(diagnostic.path, edit.span), "insertedContent": {"text": edit.new_text}}
        for edit in sorted(edits, key=lambda edit: edit.span.start_offset)
    ]
    return {
        "description": {"text": f"Fix for {diagnostic.rule_id}"},
        "artifactChanges": [{"artifactLocation": artifact_location(diagnostic.path), "replacements": replacements}],
    }


def line_fingerprint(diagnostic: Diagnostic, columns: _Columns) -> str:
    """sha256 of rule id, path and the finding's first line with whitespace collapsed: line numbers play no part."""
    index = columns.index(diagnostic.path)
    line = " ".join(index.line_text(diagnostic.span.start_line).split()) if index is not None else diagnostic.message
    return hashlib.sha256("\0".join((diagnostic.rule_id, diagnostic.path, line)).encode()).hexdigest()


def fingerprints(diagnostics: Sequence[Diagnostic], columns: _Columns) -> list[Json]:
    """partialFingerprints per result; the same line text twice in a file is told apart by its occurrence (`:2`)."""
    seen: dict[str, int] = {}
    prints = []
    for diagnostic in diagnostics:
        digest = line_fingerprint(diagnostic, columns)
        seen[digest] = seen.get(digest, 0) + 1
        prints.append({FINGERPRINT: f"{digest}:{seen[digest]}"})
    return prints


def result(diagnostic: Diagnostic, rule_index: int, columns: _Columns) -> Json:
    """One SARIF result for one finding."""
    location = {"physicalLocation": {"artifactLocation": artifact_location(diagnostic.path),
                                     "region": columns.region(diagnostic.path, diagnostic.span)}}
    properties: Json = {"engine": diagnostic.engine}
    if diagnostic.note:
        properties["note"] = diagnostic.note
    if diagnostic.source_alias:
        properties["sourceAlias"] = diagnostic.source_alias
    item: Json = {
        "ruleId": diagnostic.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[diagnostic.severity],
        "message": {"text": diagnostic.message},
        "locations": [location],
        "properties": properties,
    }
    if diagnostic.fix:
        item["fixes"] = [_fix(diagnostic, diagnostic.fix, columns)]
    return item


def _root_uri(root: Path) -> str:
    """The file URI of the workspace root, ending in `/` as SARIF requires of a base URI."""
    uri = root.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def sarif_log(diagnostics: Sequence[Diagnostic], rules: Mapping[str, Rule], root: Path,
              sources: Mapping[str, str]) -> Json:
    """The SARIF log as plain data: one run, the rules that fired, one result per finding."""
    rule_ids = sorted({d.rule_id for d in diagnostics})
    indexes = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    columns = _Columns(sources)
    driver = {
        "name": "patchgate",
        "version": tool_version(),
        "informationUri": INFORMATION_URI,
        "rules": [rule_descriptor(rule_id, rules.get(rule_id)) for rule_id in rule_ids],
    }
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(root)}},
        "columnKind": "utf16CodeUnits",
        "results": [{**result(d, indexes[d.rule_id], columns), "partialFingerprints": prints}
                    for d, prints in zip(diagnostics, fingerprints(diagnostics, columns))],
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(
    diagnostics: Sequence[Diagnostic],
    rules: Mapping[str, Rule],
    *,
    root: Path,
    sources: Mapping[str, str],
    color: bool = False,
    width: int | None = None,
) -> str:
    """The SARIF log as indented JSON."""
    return json.dumps(sarif_log(diagnostics, rules, root, sources), indent=2, ensure_ascii=False) + "\n"
