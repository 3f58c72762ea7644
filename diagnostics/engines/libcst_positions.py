"""PositionProvider and WhitespaceInclusivePositionProvider in one pass: libcst generates the code once for each.

Generating a module's code while recording every node's range is the dearest part of turning a libcst
finding into a diagnostic (about as much as parsing); a finding with a fix needs both kinds of range.
The recorded ranges are exactly libcst's: the same codegen state, with its two dictionaries kept apart.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper
from libcst.metadata.position_provider import PositionProvidingCodegenState

from patchgate.diagnostics.libcst_rule import Replacement
from patchgate.diagnostics.source import SourceFile
from patchgate.diagnostics.span import Span, TextEdit


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


class Locator:
    """Turns libcst positions (1-based lines) into code-point offsets of the source, and fixes into edits."""

    def __init__(self, source: SourceFile, wrapper: MetadataWrapper) -> None:
        self.source = source
        self.wrapper = wrapper
        self.code = wrapper.module.code
        self.base = len(source.text) - len(self.code) if source.text.endswith(self.code) else 0  # a BOM
        plain = self.base == 0 and "\r" not in self.code
        self.starts = None if plain else [0, *(m.end() for m in re.finditer(r"\r\n?|\n", self.code))]

    @functools.cached_property
    def _both(self) -> tuple[Mapping[cst.CSTNode, CodeRange], Mapping[cst.CSTNode, CodeRange]]:
        """Syntactic and whitespace-inclusive ranges from one code generation pass (libcst makes one each)."""
        return both_positions(self.wrapper.module)

    @property
    def positions(self) -> Mapping[cst.CSTNode, CodeRange]:
        """Syntactic ranges, computed only once a rule has reported something."""
        return self._both[0]

    @property
    def inclusive(self) -> Mapping[cst.CSTNode, CodeRange]:
        """Ranges including owned whitespace, computed only when a fix needs them."""
        return self._both[1]

    def offset(self, position: CodePosition) -> int:
        """Code-point offset into the module code of a libcst position."""
        if self.starts is None:
            return self.source.lines.offset(position.line - 1, position.column)
        if position.line - 1 >= len(self.starts):
            return len(self.code)
        return min(self.starts[position.line - 1] + position.column, len(self.code))

    def text_span(self, start: int, end: int) -> Span:
        """A Span of the source text for module-code offsets."""
        return self.source.lines.span(self.base + start, self.base + end)

    def span(self, node: cst.CSTNode) -> Span:
        """Where a reported node is."""
        found = self.positions[node]
        return self.text_span(self.offset(found.start), self.offset(found.end))

    def edit(self, target: cst.CSTNode, replacement: Replacement) -> TextEdit:
        """The text edit that turns `target` into `replacement`: the target's own code, replaced."""
        start, end, new_text = self._replace(target, replacement)
        return TextEdit(span=self.text_span(start, end), new_text=new_text)

    def _replace(self, target: cst.CSTNode, replacement: Replacement) -> tuple[int, int, str]:
        """(start, end, text): code generated for the replacement, in place of the target's code."""
        if isinstance(replacement, cst.RemovalSentinel) and isinstance(target, cst.BaseStatement):
            return self._remove_statement(target)
        found = self.inclusive[target]
        start, end = self.offset(found.start), self.offset(found.end)
        module = self.wrapper.module
        if isinstance(replacement, cst.CSTNode) and self.code[start:end] == module.code_for_node(target):
            return start, end, module.code_for_node(replacement)
        return self._regenerate(target, replacement, start, end)

    def _remove_statement(self, statement: cst.BaseStatement) -> tuple[int, int, str]:
        """Delete a statement's lines, keeping the comments and blank lines above it."""
        decorators = getattr(statement, "decorators", ())
        first_line = self.positions[decorators[0] if decorators else statement].start.line
        return self.offset(CodePosition(first_line, 0)), self.offset(self.inclusive[statement].end), ""

    def _regenerate(self, target: cst.CSTNode, replacement: Replacement, start: int, end: int) -> tuple[int, int, str]:
        """Slow but always right: regenerate the module (indentation and all) and cut out the target."""
        module = self.wrapper.module
        if isinstance(replacement, cst.RemovalSentinel):
            changed = module.deep_remove(target)
        else:
            changed = module.deep_replace(target, replacement)
        new_code = changed.code if isinstance(changed, cst.Module) else ""
        tail = len(self.code) - end
        if len(new_code) >= start + tail and new_code.startswith(self.code[:start]) and new_code.endswith(self.code[end:]):
            return start, end, new_code[start : len(new_code) - tail]
        return _changed_region(self.code, new_code)


def _changed_region(old: str, new: str) -> tuple[int, int, str]:
    """(start, end, text) of `old` that differs from `new`, trimming the common prefix and suffix."""
    prefix = len(os.path.commonprefix([old, new]))
    room = min(len(old), len(new)) - prefix
    suffix = len(os.path.commonprefix([old[::-1][:room], new[::-1][:room]]))
    return prefix, len(old) - suffix, new[prefix : len(new) - suffix]
