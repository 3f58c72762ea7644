"""One libcst parse and one batched traversal of a file for every LibcstRule that can match it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import libcst as cst
from libcst.metadata import MetadataWrapper

from patchgate.diagnostics.engines.libcst_engine import _crash_diagnostic
from patchgate.diagnostics.engines.libcst_positions import Locator
from patchgate.diagnostics.libcst_rule import LibcstRule, Report
from patchgate.diagnostics.models import Diagnostic
from patchgate.diagnostics.source import SourceFile

Crash = Callable[[type[LibcstRule], BaseException, "cst.CSTNode | None"], None]



class _Dispatcher(cst.CSTVisitor):
    """Runs every rule's visitor methods in one traversal; a rule that raises is dropped, not the run."""

    def __init__(self, rules: Iterable[LibcstRule], on_crash: Crash) -> None:
        super().__init__()
        self.methods: dict[str, list[tuple[LibcstRule, Callable[[cst.CSTNode], object]]]] = {}
        for rule in rules:
            for name in type(rule).visitor_names():
                self.methods.setdefault(name, []).append((rule, getattr(rule, name)))
        self.attribute_hooks = any(name.count("_") > 1 for name in self.methods)
        self.crashed: set[int] = set()
        self.on_crash = on_crash

    def on_visit(self, node: cst.CSTNode) -> bool:
        self._dispatch("visit_" + type(node).__name__, node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._dispatch("leave_" + type(original_node).__name__, original_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if self.attribute_hooks:
            self._dispatch(f"visit_{type(node).__name__}_{attribute}", node)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        if self.attribute_hooks:
            self._dispatch(f"leave_{type(original_node).__name__}_{attribute}", original_node)

    def _dispatch(self, name: str, node: cst.CSTNode) -> None:
        """Call each live rule's method for this hook, isolating any exception to its rule."""
        for rule, method in self.methods.get(name, ()):
            if id(rule) in self.crashed:
                continue
            try:
                method(node)
            except Exception as error:  # a bug in one rule must not stop the others
                self.crashed.add(id(rule))
                self.on_crash(type(rule), error, node)


class FileRun:
    """The rules of one parsed file: metadata, one traversal, then plain diagnostics."""

    def __init__(self, source: SourceFile, module: cst.Module) -> None:
        self.source = source
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.locator = Locator(source, self.wrapper)
        self.crashes: list[tuple[type[LibcstRule], BaseException, cst.CSTNode | None]] = []

    def crash(self, cls: type[LibcstRule], error: BaseException, node: cst.CSTNode | None) -> None:
        """Record that a rule raised; too deep a tree is the file's problem, not the rule's: skip the file."""
        if isinstance(error, RecursionError):
            raise error
        self.crashes.append((cls, error, node))

    def run(self, classes: list[type[LibcstRule]]) -> list[Diagnostic]:
        """Instantiate, resolve metadata, traverse once, convert the reports."""
        rules = self._resolve(self._instantiate(classes))
        dispatcher = _Dispatcher(rules, self.crash)
        self.wrapper.module.visit(dispatcher)
        found: list[Diagnostic] = []
        for rule in rules:
            if id(rule) not in dispatcher.crashed:
                found.extend(self._diagnostics(rule))
        found.extend(self._crash_diagnostic(*crash) for crash in self.crashes)
        return found

    def _instantiate(self, classes: list[type[LibcstRule]]) -> list[LibcstRule]:
        """One fresh instance of each rule per file, so rules may keep per-file state."""
        rules = []
        for cls in classes:
            try:
                rule = cls(self.source.path)
            except Exception as error:
                self.crash(cls, error, None)
                continue
            rule._positions = lambda: self.locator.positions
            rules.append(rule)
        return rules

    def _resolve(self, rules: list[LibcstRule]) -> list[LibcstRule]:
        """Compute the union of the rules' metadata in one batch; a failing provider only drops its rules."""
        needed = {provider for rule in rules for provider in rule.get_inherited_dependencies()}
        try:
            self.wrapper.resolve_many(needed)
        except RecursionError:
            raise
        except Exception:
            pass  # resolved per rule below, to find the rules whose metadata fails
        live = []
        for rule in rules:
            try:
                rule.metadata = self.wrapper.resolve_many(rule.get_inherited_dependencies())
            except Exception as error:
                self.crash(type(rule), error, None)
                continue
            live.append(rule)
        return live

    def _diagnostics(self, rule: LibcstRule) -> list[Diagnostic]:
        """A rule's reports as diagnostics; a report that cannot be converted is that rule's crash."""
        try:
            return [self._diagnostic(rule, report) for report in rule.reports()]
        except Exception as error:
            self.crash(type(rule), error, None)
            return []

    def _diagnostic(self, rule: LibcstRule, report: Report) -> Diagnostic:
        """One plain, picklable Diagnostic: no libcst object survives this call."""
        cls = type(rule)
        fix = None if report.fix is None else [self.locator.edit(report.fix_target, report.fix)]
        return Diagnostic(
            rule_id=cls.id,
            severity=cls.severity,
            message=report.message,
            path=self.source.path,
            span=self.locator.span(report.node),
            engine="libcst",
            fix=fix,
            url=cls.url,
        )

    def _crash_diagnostic(self, cls: type[LibcstRule], error: BaseException, node: cst.CSTNode | None) -> Diagnostic:
        """One error naming the rule that raised, at the node it was visiting when known."""
        try:
            span = self.locator.span(node) if node is not None else None
        except Exception:
            span = None
        return _crash_diagnostic(self.source, cls, error, span)




def run_libcst(source: SourceFile, classes: list[type[LibcstRule]]) -> list[Diagnostic]:
    """Parse once and run every rule; parse errors propagate for the engine to report."""
    return FileRun(source, cst.parse_module(source.text)).run(classes)
