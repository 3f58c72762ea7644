"""PositionProvider and WhitespaceInclusivePositionProvider in one pass: libcst generates the code once for each.

Generating a module's code while recording every node's range is the dearest part of turning a libcst
finding into a diagnostic (about as much as parsing); a finding with a fix needs both kinds of range.
The recorded ranges are exactly libcst's: the same codegen state, with its two dictionaries kept apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodePosition, CodeRange
from libcst.metadata.position_provider import PositionProvidingCodegenState


class _Ranges:
    """Stands in for the provider the codegen state writes syntactic ranges into."""

    def __init__(self) -> None:
        self._computed: dict[cst.CSTNode, CodeRange] = {}


@dataclass(frozen=False)
class _BothState(PositionProvidingCodegenState):
    """libcst's syntactic-position state that also keeps every node's whitespace-inclusive range."""

    inclusive: dict[cst.CSTNode, CodeRange] = field(default_factory=dict)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._stack.pop()
        whole = CodeRange(start, CodePosition(self.line, self.column))
        self.inclusive[node] = whole
        self.provider._computed.setdefault(node, whole)


def both_positions(module: cst.Module) -> tuple[Mapping[cst.CSTNode, CodeRange], Mapping[cst.CSTNode, CodeRange]]:
    """(syntactic ranges, whitespace-inclusive ranges) of every node, as libcst's two providers give them."""
    ranges = _Ranges()
    state = _BothState(default_indent=module.default_indent, default_newline=module.default_newline, provider=ranges)  # type: ignore[arg-type]
    module._codegen(state)
    return ranges._computed, state.inclusive
