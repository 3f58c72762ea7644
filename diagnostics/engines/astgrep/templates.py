"""ast-grep fix and message templates ($VAR, $$$VAR, transformed vars), re-indentation and fix
expansion (expandStart/expandEnd); the `rewrite` transformation lives in rewriters.py.

substring / replace / convert are computed by ast-grep-py itself (the same Rust code as the CLI);
this module ports what ast-grep-py leaves out: template rendering and indentation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

MAX_LOOK_AHEAD = 512
"""ast-grep looks at most this many bytes back for a line's indentation."""
VAR_CHARS = re.compile(r"(?:[A-Z_][A-Z0-9_]*)?")
PATTERN_VARS = re.compile(r"\${1,3}([A-Z_][A-Z0-9_]*)")
VarKind = Literal["single", "multi", "transformed"]


@dataclass(frozen=True)
class TemplateVar:
    """A metavariable in a template, with the indentation of the line it sits on."""

    name: str
    kind: VarKind
    indent: int


@dataclass(frozen=True)
class FixTemplate:
    """A parsed template: text fragments around metavariables, plus optional range expansions."""

    fragments: tuple[str, ...]
    variables: tuple[TemplateVar, ...]
    expand_start: dict[str, Any] | None = None
    expand_end: dict[str, Any] | None = None

    @property
    def names(self) -> set[str]:
        """Every metavariable name the template uses."""
        return {var.name for var in self.variables}


def indent_at(text: str, offset: int) -> int:
    """Spaces that indent the line holding `offset` (0 past ast-grep's 512-byte look-behind window)."""
    chunk = text[max(0, offset - MAX_LOOK_AHEAD) : offset].encode("utf-8")
    at_start = offset <= MAX_LOOK_AHEAD and len(chunk) <= MAX_LOOK_AHEAD
    indent = 0
    for byte in reversed(chunk[-MAX_LOOK_AHEAD:]):
        if byte == 10:
            return indent
        indent = indent + 1 if byte == 32 else 0
    return indent if at_start else 0


def reindent(text: str, original: int, indent: int) -> str:
    """Move the lines after the first from `original` to `indent` spaces, as ast-grep's indent_lines."""
    if "\n" not in text or original == indent:
        return text
    lines = text.split("\n")
    if original > indent:
        strip = " " * (original - indent)
        return "\n".join(line[len(strip) :] if line.startswith(strip) else line for line in lines)
    pad = " " * (indent - original)
    return "\n".join([lines[0], *(pad + line for line in lines[1:])])


def _split_var(template: str, start: int, transforms: tuple[str, ...]) -> tuple[TemplateVar, int] | None:
    """The metavariable at `start` (a `$`) and the index after it, or None when `$` is literal."""
    dollars = 1
    while dollars < 3 and template.startswith("$", start + dollars):
        dollars += 1
    name = VAR_CHARS.match(template, start + dollars).group()  # type: ignore[union-attr]
    if not name:
        return None
    kind: VarKind = "multi" if dollars == 3 else "transformed" if name in transforms else "single"
    return TemplateVar(name, kind, indent_at(template, start)), start + dollars + len(name)


def parse_template(template: str, transforms: tuple[str, ...] = ()) -> FixTemplate:
    """Split a template at its metavariables ($A, $$$A; transform names become transformed vars)."""
    fragments, variables, cursor, scan = [], [], 0, 0
    while (found := template.find("$", scan)) >= 0:
        split = _split_var(template, found, transforms)
        if split is None:
            scan = found + 1
            continue
        fragments.append(template[cursor:found])
        variables.append(split[0])
        cursor = scan = split[1]
    fragments.append(template[cursor:])
    return FixTemplate(tuple(fragments), tuple(variables))


def parse_fix(fix: object, transforms: tuple[str, ...]) -> FixTemplate:
    """A fix (or message): a template string, or {template, expandStart, expandEnd}; ValueError if malformed."""
    if isinstance(fix, str):
        return parse_template(fix, transforms)
    if not isinstance(fix, dict) or not isinstance(fix.get("template"), str):
        raise ValueError("expected a template string or a mapping with a `template` string")
    unknown = set(fix) - {"template", "expandStart", "expandEnd"}
    if unknown:
        raise ValueError(f"unknown key `{sorted(unknown)[0]}` (expected template, expandStart, expandEnd)")
    for key in ("expandStart", "expandEnd"):
        if key in fix and not isinstance(fix[key], dict):
            raise ValueError(f"`{key}` must be a relational rule mapping")
    parsed = parse_template(fix["template"], transforms)
    return FixTemplate(parsed.fragments, parsed.variables, fix.get("expandStart"), fix.get("expandEnd"))


def _pattern_texts(node: object) -> Iterable[str]:
    """Every pattern source (plain or contextual) anywhere in a rule tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern":
                yield value.get("context", "") if isinstance(value, dict) else str(value)
            else:
                yield from _pattern_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _pattern_texts(item)


def used_vars_defined(fixer: FixTemplate, rule: dict, utils: dict, transform: dict) -> str | None:
    """ast-grep's check that a fix only uses metavariables the rule or its transforms define."""
    defined = set(transform)
    for text in _pattern_texts([rule, utils]):
        defined.update(PATTERN_VARS.findall(text))
    for name in sorted(fixer.names - defined):
        return f"Undefined meta var `{name}` used in `fix`"
    return None


def _var_text(node: Any, var: TemplateVar, source: str, computed: dict[str, str]) -> str | None:
    """The text a template variable stands for in one match, re-indented to the template's line."""
    if var.kind == "transformed":
        return computed[var.name] if var.name in computed else node.get_transformed(var.name)
    if var.kind == "single":
        found = node.get_match(var.name)
        nodes = [found] if found is not None else []
    else:
        nodes = node.get_multiple_matches(var.name)
    if not nodes:
        return None
    start, end = nodes[0].range().start.index, nodes[-1].range().end.index
    text = source[start:end]
    return reindent(text, indent_at(source, start), var.indent) if "\n" in text else text


def render(template: FixTemplate, node: Any, source: str, computed: dict[str, str] | None = None) -> str:
    """Fill a template from one match and indent it to the matched line, like ast-grep's replacer."""
    if not template.variables:
        text = template.fragments[0]
    else:
        pieces = [template.fragments[0]]
        for var, fragment in zip(template.variables, template.fragments[1:]):
            pieces.append(_var_text(node, var, source, computed or {}) or "")
            pieces.append(fragment)
        text = "".join(pieces)
    return reindent(text, 0, indent_at(source, node.range().start.index))


def _relation_matches(node: Any, rule: dict[str, Any]) -> bool:
    """Whether a sibling matches an expansion rule (checked without the match's metavariables)."""
    try:
        return bool(node.matches(**rule))
    except BaseException as error:  # pyo3 PanicException is a BaseException
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        return False


def _expand(node: Any, relation: dict[str, Any], forward: bool) -> Any | None:
    """The sibling an expansion reaches: stopBy neighbor (default), end, or up to a stop rule."""
    stop = relation.get("stopBy", "neighbor")
    rule = {k: v for k, v in relation.items() if k not in ("stopBy", "field")}
    if stop == "neighbor":
        step = node.next() if forward else node.prev()
        siblings = [step] if step is not None else []
    else:
        siblings = node.next_all() if forward else node.prev_all()
    for sibling in siblings:
        if _relation_matches(sibling, rule):
            return sibling
        if isinstance(stop, dict) and _relation_matches(sibling, stop):
            return None
    return None


def fix_range(template: FixTemplate, node: Any) -> tuple[int, int]:
    """Code-point range a fix replaces: the match, widened by expandStart/expandEnd when they hit."""
    span = node.range()
    start, end = span.start.index, span.end.index
    if template.expand_start is not None:
        found = _expand(node, template.expand_start, forward=False)
        start = found.range().start.index if found is not None else start
    if template.expand_end is not None:
        found = _expand(node, template.expand_end, forward=True)
        end = found.range().end.index if found is not None else end
    return start, end
