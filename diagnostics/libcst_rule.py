"""The libcst rule base class, in the spirit of Fixit: a visitor that carries its own docs and examples."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from collections.abc import Callable, Collection, Mapping
from typing import ClassVar, NamedTuple, Union

import libcst as cst
from libcst.metadata import CodeRange, ProviderT

from patchgate.diagnostics.errors import RuleLoadError
from patchgate.diagnostics.models import Rule, RuleExample, Severity
from patchgate.diagnostics.prefilter import Probe

BUILTIN_PACKAGE = "patchgate.diagnostics.rules.libcst_rules"
"""Rules defined under this package are reported with source "builtin"."""

Replacement = Union[cst.CSTNode, cst.RemovalSentinel]
"""What a fix puts in place of its target: a new node, or `cst.RemovalSentinel.REMOVE`."""


@dataclass(frozen=True)
class Invalid:
    """An INVALID example; `fixed` is the whole text expected after applying the rule's fixes."""

    code: str
    fixed: str | None = None


class Report(NamedTuple):
    """One raw finding of a rule; it holds live nodes, so it never leaves the libcst engine."""

    node: cst.CSTNode
    message: str
    fix: Replacement | None
    fix_target: cst.CSTNode


class TreePosition(NamedTuple):
    """A place in CPython's tree: 1-based line, column in UTF-8 bytes (ast's `lineno`, `col_offset`)."""

    line: int
    byte_column: int


class TreeEdit(NamedTuple):
    """Replace the text between two tree positions."""

    start: TreePosition
    end: TreePosition
    new_text: str


class TreeReport(NamedTuple):
    """One finding read off CPython's own tree, with the edits of its fix (none: no fix)."""

    start: TreePosition
    end: TreePosition
    message: str
    fix: tuple[TreeEdit, ...] = ()

    @classmethod
    def at(cls, node: ast.AST, message: str, fix: tuple[TreeEdit, ...] = ()) -> TreeReport:
        """A report spanning an ast node."""
        start = TreePosition(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = TreePosition(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return cls(start, end, message, fix)


class LibcstRule(cst.BatchableCSTVisitor):
    """Base of every libcst rule: subclass it, set the class attributes, write `visit_*` methods."""

    id: ClassVar[str] = ""
    aliases: ClassVar[Sequence[str]] = ()
    severity: ClassVar[Severity] = "warning"
    message: ClassVar[str] = ""
    docs: ClassVar[str] = ""
    tags: ClassVar[Sequence[str]] = ()
    url: ClassVar[str | None] = None
    METADATA_DEPENDENCIES: ClassVar[Sequence[ProviderT]] = ()
    PREFILTER: ClassVar[tuple[str, ...]] = ()
    SAFE_FIX: ClassVar[bool] = True
    """False when the fix may change behaviour: `plan fix` then takes it only with --unsafe."""
    VALID: ClassVar[list[str]] = []
    INVALID: ClassVar[list[str | Invalid]] = []
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
    def matches_text(cls, text: str) -> bool:
        """Cheap prefilter: can this rule match a file with this text at all?"""
        return not cls.PREFILTER or any(needle in text for needle in cls.PREFILTER)

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """Prefilter run before any parse: False means this rule cannot match the file.

        Override it for a sharper test than PREFILTER's substrings; the probe's symbol table (CPython's,
        about a tenth of a libcst parse) tells which names each scope binds, imports and reads."""
        return cls.matches_text(probe.text)

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport] | None:
        """Findings taken from CPython's tree and symbol table, when the rule needs no fix and no libcst
        metadata: a tenth of a libcst parse. None (the default) means: parse with libcst and visit."""
        return None

    @classmethod
    def fixable(cls) -> bool:
        """Derived, never declared: a rule is fixable when one of its INVALID examples has `fixed`."""
        return any(isinstance(case, Invalid) and case.fixed is not None for case in cls.INVALID)

    @classmethod
    def qualified_name(cls) -> str:
        """`module:Class`, the form a config's rule-modules entry uses."""
        return f"{cls.__module__}:{cls.__qualname__}"

    @classmethod
    def valid_examples(cls) -> list[RuleExample]:
        """VALID examples as plain models, dedented."""
        return [RuleExample(code=_dedent(code)) for code in cls.VALID]

    @classmethod
    def invalid_examples(cls) -> list[RuleExample]:
        """INVALID examples as plain models, dedented, with the expected fix when given."""
        cases = [case if isinstance(case, Invalid) else Invalid(case) for case in cls.INVALID]
        return [RuleExample(code=_dedent(c.code), fixed=None if c.fixed is None else _dedent(c.fixed)) for c in cases]

    @classmethod
    def to_rule(cls) -> Rule:
        """The engine-free description of this rule (raises pydantic's ValidationError if malformed)."""
        builtin = cls.__module__ == BUILTIN_PACKAGE or cls.__module__.startswith(BUILTIN_PACKAGE + ".")
        return Rule(
            id=cls.id,
            aliases=list(cls.aliases),
            severity=cls.severity,
            message=cls.message or cls.id,
            docs=_dedent(cls.docs or inspect.getdoc(cls) or "").strip(),
            tags=list(cls.tags),
            language="python",
            engine="libcst",
            fixable=cls.fixable(),
            safe_fix=cls.SAFE_FIX,
            url=cls.url,
            source="builtin" if builtin else cls.qualified_name(),
            valid=cls.valid_examples(),
            invalid=cls.invalid_examples(),
        )


def _is_hook(method: object) -> bool:
    """A visitor method written by the rule author, not one of libcst's no-op stubs."""
    return callable(method) and not getattr(method, "_is_no_op", False)


def _dedent(code: str) -> str:
    """Examples may be written as indented triple-quoted strings."""
    return textwrap.dedent(code)


def is_rule_class(obj: object) -> bool:
    """A concrete LibcstRule subclass: a class with an id, not the base itself."""
    return inspect.isclass(obj) and issubclass(obj, LibcstRule) and obj is not LibcstRule and bool(obj.id)


def one_line(error: BaseException, limit: int = 300) -> str:
    """An exception as one bounded line: the CLI and diagnostics print single actionable lines."""
    text = " ".join(str(error).split())
    text = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _import(spec: str, name: str) -> ModuleType:
    """Import the user's module; anything it raises becomes a RuleLoadError."""
    try:
        return importlib.import_module(name)
    except (Exception, SystemExit) as error:
        raise RuleLoadError(f"rule module {spec!r}: cannot import {name!r}: {one_line(error)}") from error


def _module_rules(spec: str, module: ModuleType) -> list[type[LibcstRule]]:
    """Every rule class of a module and, for a package, of its direct non-package submodules."""
    found = [obj for _, obj in inspect.getmembers(module, is_rule_class)]
    for info in pkgutil.iter_modules(getattr(module, "__path__", None) or []):
        if not info.ispkg:
            submodule = _import(spec, f"{module.__name__}.{info.name}")
            found.extend(obj for _, obj in inspect.getmembers(submodule, is_rule_class))
    return list(dict.fromkeys(found))


def _named_rules(spec: str, module: ModuleType, attribute: str) -> list[type[LibcstRule]]:
    """The rule class (or list of rule classes) a `pkg.mod:Name` entry points at."""
    value: object = module
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise RuleLoadError(f"rule module {spec!r}: {module.__name__!r} has no attribute {attribute!r}")
        value = getattr(value, part)
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    for item in values:
        if not is_rule_class(item):
            raise RuleLoadError(f"rule module {spec!r}: {attribute!r} is not a LibcstRule subclass with an id")
    return list(dict.fromkeys(values))  # type: ignore[arg-type]


def load_rule_module(spec: str) -> list[type[LibcstRule]]:
    """Load the rules a config entry names: `pkg.mod:Rule` (one rule) or `pkg.mod` (all of them)."""
    name, colon, attribute = spec.strip().partition(":")
    if not name or (colon and not attribute) or ":" in attribute or " " in name:
        raise RuleLoadError(f"rule module {spec!r}: expected 'package.module' or 'package.module:RuleClass'")
    module = _import(spec, name)
    if attribute:
        return _named_rules(spec, module, attribute)
    rules = _module_rules(spec, module)
    if not rules:
        raise RuleLoadError(f"rule module {spec!r}: no LibcstRule subclasses found in {name!r}")
    return rules
