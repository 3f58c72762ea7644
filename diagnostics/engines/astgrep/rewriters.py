"""The `rewrite` transformation with rule `rewriters`, which ast-grep-py leaves out: ported here.

A rewriter is a rule with a fix; `rewrite($A, rewriters=[...], joinBy=...)` rewrites the nodes under
$A the way ast-grep does (first rewriter wins per node, outer nodes before inner, non-overlapping).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from patchgate.diagnostics.engines.astgrep.templates import parse_fix, render

REWRITE_CALL = re.compile(r"^\s*rewrite\(\s*(\${1,3}[A-Z0-9_]+)\s*,\s*rewriters\s*=\s*\[([^\]]*)\]\s*(?:,\s*joinBy\s*=\s*(.*?))?\s*\)\s*$", re.S)


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
