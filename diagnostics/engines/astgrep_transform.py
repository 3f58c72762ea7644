"""ast-grep fix and message templates ($VAR, $$$VAR, transformed vars), re-indentation, fix
expansion (expandStart/expandEnd) and the `rewrite` transformation with rule `rewriters`.

substring / replace / convert are computed by ast-grep-py itself (the same Rust code as the CLI);
this module ports what ast-grep-py leaves out: template rendering, indentation and rewriters.
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
REWRITE_CALL = re.compile(r"^\s*rewrite\(\s*(\${1,3}[A-Z0-9_]+)\s*,\s*rewriters\s*=\s*\[([^\]]*)\]\s*(?:,\s*joinBy\s*=\s*(.*?))?\s*\)\s*$", re.S)
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


@dataclass(frozen=True)
class Rewrite:
    """A `rewrite` transformation: source variable, rewriter ids, optional joiner."""

    source: str
    rewriters: tuple[str, ...]
    join_by: str | None


def parse_rewrite(value: object) -> Rewrite | None:
    """The rewrite transformation in object or `rewrite($A, rewriters=[...], joinBy=...)` form."""
    if isinstance(value, dict) and isinstance(value.get("rewrite"), dict):
        spec = value["rewrite"]
        return Rewrite(str(spec.get("source", "")), tuple(str(r) for r in spec.get("rewriters") or []), spec.get("joinBy"))
    found = REWRITE_CALL.match(value) if isinstance(value, str) else None
    if found is None:
        return None
    join = found.group(3)
    join = join[1:-1] if join and join[0] == join[-1] and join[0] in "'\"" else join
    return Rewrite(found.group(1), tuple(r.strip() for r in found.group(2).split(",") if r.strip()), join)


class RewriteEngine:
    """Applies a rule's rewriters to the nodes of a metavariable (ast-grep's `rewrite` transform)."""

    def __init__(self, rewriters: Iterable[dict[str, Any]], transforms: dict[str, Any] | None) -> None:
        self.rewriters = {str(r["id"]): r for r in rewriters}
        self.templates = {key: parse_fix(r["fix"], tuple(r.get("transform") or ())) for key, r in self.rewriters.items()}
        self.rewrites = {k: rw for k, v in (transforms or {}).items() if (rw := parse_rewrite(v)) is not None}

    def compute(self, node: Any, source: str, rewrites: dict[str, Rewrite] | None = None) -> dict[str, str]:
        """Values of the rewrite-transformed variables for one match."""
        values: dict[str, str] = {}
        for name, rewrite in (self.rewrites if rewrites is None else rewrites).items():
            result = self._apply(node, rewrite, source)
            if result is not None:
                values[name] = result
        return values

    def _apply(self, node: Any, rewrite: Rewrite, source: str) -> str | None:
        """Rewrite the source variable's nodes: first rewriter wins per node, outer nodes before inner."""
        name = rewrite.source.lstrip("$")
        if rewrite.source.startswith("$$$"):
            nodes = list(node.get_multiple_matches(name))
        else:
            single = node.get_match(name)
            nodes = [single] if single is not None else []
        if not nodes:
            return None
        start, end = nodes[0].range().start.index, nodes[-1].range().end.index
        edits = [edit for target in nodes for edit in self._edits(target, rewrite.rewriters, source)]
        if rewrite.join_by is not None:
            return rewrite.join_by.join(text for _, _, text in _non_overlapping(edits))
        pieces, cursor = [], start
        for edit_start, edit_end, text in _non_overlapping(edits):
            pieces.extend((source[cursor:edit_start], text))
            cursor = edit_end
        pieces.append(source[cursor:end])
        return "".join(pieces)

    def _edits(self, target: Any, ids: tuple[str, ...], source: str) -> list[tuple[int, int, str]]:
        """(start, end, text) for every node under target (pre-order) that some rewriter matches."""
        found: dict[tuple[int, int, str], tuple[int, Any]] = {}
        for order, rewriter_id in enumerate(ids):
            rewriter = self.rewriters.get(rewriter_id)
            if rewriter is None:
                continue
            config = rewriter_config(rewriter)
            for match in target.find_all(config):
                span = match.range()
                found.setdefault((span.start.index, span.end.index, match.kind()), (order, match))
        edits = []
        for key in _preorder_keys(target):
            if key in found:
                rewriter_id, match = ids[found[key][0]], found[key][1]
                computed = self.compute(match, source, self.rewrites_of(rewriter_id))
                text = render(self.templates[rewriter_id], match, source, computed)
                edits.append((key[0], key[1], text))
        return edits

    def rewrites_of(self, rewriter_id: str) -> dict[str, Rewrite]:
        """A rewriter's own rewrite transformations (rewriters may recurse)."""
        transforms = self.rewriters[rewriter_id].get("transform") or {}
        return {k: rw for k, v in transforms.items() if (rw := parse_rewrite(v)) is not None}


def rewriter_config(rewriter: dict[str, Any]) -> dict[str, Any]:
    """A rewriter's matcher config for ast-grep-py, without the rewrites patchgate computes itself."""
    config = {k: rewriter[k] for k in ("rule", "constraints", "utils") if k in rewriter}
    transform = {k: v for k, v in (rewriter.get("transform") or {}).items() if parse_rewrite(v) is None}
    if transform:
        config["transform"] = transform
    return config


def _preorder_keys(root: Any) -> list[tuple[int, int, str]]:
    """(start, end, kind) of root and its descendants in pre-order, as ast-grep's dfs visits them."""
    keys, stack = [], [root]
    while stack:
        node = stack.pop()
        span = node.range()
        keys.append((span.start.index, span.end.index, node.kind()))
        stack.extend(reversed(node.children()))
    return keys


def _non_overlapping(edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Edits in order, skipping any that start inside an earlier one (ast-grep's rule)."""
    kept, position = [], -1
    for edit in edits:
        if edit[0] < position:
            continue
        kept.append(edit)
        position = edit[1]
    return kept
