"""The libcst rule base class: a PythonRule that visits libcst's tree, for fixes and metadata only libcst gives."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import ClassVar, NamedTuple, Union

import libcst as cst
from libcst.metadata import CodeRange, ProviderT

from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.python_rule import (
    BUILTIN_PACKAGE,
    Invalid,
    PythonRule,
    TreeEdit,
    TreePosition,
    TreeReport,
    is_rule_class,
    load_rule_module,
    one_line,
)

__all__ = [
    "BUILTIN_PACKAGE", "Invalid", "LibcstRule", "PythonRule", "Replacement", "Report", "TreeEdit", "TreePosition",
    "TreeReport", "is_rule_class", "load_rule_module", "one_line",
]

Replacement = Union[cst.CSTNode, cst.RemovalSentinel]
"""What a fix puts in place of its target: a new node, or `cst.RemovalSentinel.REMOVE`."""


class Report(NamedTuple):
    """One raw finding of a rule; it holds live nodes, so it never leaves the libcst engine."""

    node: cst.CSTNode
    message: str
    fix: Replacement | None
    fix_target: cst.CSTNode


class LibcstRule(PythonRule, cst.BatchableCSTVisitor):
    """Base of a rule that visits libcst's tree: subclass it, set the class attributes, write `visit_*` methods."""

    METADATA_DEPENDENCIES: ClassVar[Sequence[ProviderT]] = ()
    _positions: Callable[[], Mapping[cst.CSTNode, CodeRange]] | None = None
    """Set by the engine for each file: a lazy view of PositionProvider."""
    _visitor_names: ClassVar[tuple[str, ...]]
    _dependencies: ClassVar[frozenset[ProviderT]]

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.path = path
        self._reports: list[Report] = []

    def report(
        self,
        node: cst.CSTNode,
        message: str | None = None,
        fix: Replacement | None = None,
        *,
        fix_target: cst.CSTNode | None = None,
    ) -> None:
        """Record a finding at `node`; `fix` replaces `fix_target` (default: `node`) when applied."""
        target = node if fix_target is None else fix_target
        if "_reports" not in self.__dict__:  # a subclass __init__ that skipped super().__init__()
            self._reports = []
        self._reports.append(Report(node, message or type(self).message or type(self).id, fix, target))

    def position(self, node: cst.CSTNode) -> CodeRange:
        """Where a node is (1-based lines), computed on first use: cheaper than declaring PositionProvider."""
        if self._positions is None:
            raise RuntimeError(f"{type(self).__name__}.position() is only available under the libcst engine")
        return self._positions()[node]

    def reports(self) -> list[Report]:
        """What this rule has reported so far on the current file."""
        return list(self.__dict__.get("_reports", []))

    @classmethod
    def get_inherited_dependencies(cls) -> Collection[ProviderT]:
        """Every provider declared along the MRO, cached per class (libcst's cache leaks into subclasses)."""
        cached = cls.__dict__.get("_dependencies")
        if cached is None:
            cached = frozenset(p for klass in cls.__mro__ for p in getattr(klass, "METADATA_DEPENDENCIES", ()))
            cls._dependencies = cached
        return cached

    @classmethod
    def visitor_names(cls) -> tuple[str, ...]:
        """The visit_/leave_ methods this class really defines (libcst's typed stubs are marked no-op)."""
        cached = cls.__dict__.get("_visitor_names")
        if cached is None:
            cached = tuple(name for name in dir(cls) if name.startswith(("visit_", "leave_")) and _is_hook(getattr(cls, name)))
            cls._visitor_names = cached
        return cached

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport] | None:
        """None: this rule needs libcst's parse and its visitor methods."""
        return None


def _is_hook(method: object) -> bool:
    """A visitor method written by the rule author, not one of libcst's no-op stubs."""
    return callable(method) and not getattr(method, "_is_no_op", False)
