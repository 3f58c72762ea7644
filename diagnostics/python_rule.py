"""The base of every Python rule: metadata, docs and examples in the class, in the spirit of Fixit.

A rule answers from CPython's own tree and symbol table (`check_tree`), which costs a tenth of a libcst
parse and needs no libcst import; a LibcstRule (libcst_rule.py) visits libcst's tree instead, for fixes
and metadata only libcst gives.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import ClassVar, NamedTuple

from patchgate.diagnostics.errors import RuleLoadError
from patchgate.diagnostics.models import Rule, RuleExample, Severity
from patchgate.diagnostics.prefilter import Probe

BUILTIN_PACKAGE = "patchgate.diagnostics.rules.libcst_rules"
"""Rules defined under this package are reported with source "builtin"."""


@dataclass(frozen=True)
class Invalid:
    """An INVALID example; `fixed` is the whole text expected after applying the rule's fixes."""

    code: str
    fixed: str | None = None



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
    note: str | None = None
    """Shown under the message: what to do about the finding."""

    @classmethod
    def at(cls, node: ast.AST, message: str, fix: tuple[TreeEdit, ...] = (), note: str | None = None) -> TreeReport:
        """A report spanning an ast node."""
        start = TreePosition(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = TreePosition(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return cls(start, end, message, fix, note)



class PythonRule:
    """Base of every Python rule: subclass it, set the class attributes, write `check_tree`."""

    id: ClassVar[str] = ""
    aliases: ClassVar[Sequence[str]] = ()
    severity: ClassVar[Severity] = "warning"
    message: ClassVar[str] = ""
    docs: ClassVar[str] = ""
    tags: ClassVar[Sequence[str]] = ()
    url: ClassVar[str | None] = None
    PREFILTER: ClassVar[tuple[str, ...]] = ()
    SAFE_FIX: ClassVar[bool] = True
    """False when the fix may change behaviour: `plan fix` then takes it only with --unsafe."""
    VALID: ClassVar[list[str]] = []
    INVALID: ClassVar[list[str | Invalid]] = []

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
        """Findings read off CPython's tree (`probe.tree`) and symbol table (`probe.table`); a LibcstRule
        returns None here, meaning: parse with libcst and visit."""
        raise NotImplementedError(f"{cls.__name__} must define check_tree")

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


def _dedent(code: str) -> str:
    """Examples may be written as indented triple-quoted strings."""
    return textwrap.dedent(code)


def is_rule_class(obj: object) -> bool:
    """A concrete rule class: a PythonRule (or LibcstRule) subclass with an id, not a base itself."""
    return inspect.isclass(obj) and issubclass(obj, PythonRule) and bool(obj.id)


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


def _module_rules(spec: str, module: ModuleType) -> list[type[PythonRule]]:
    """Every rule class of a module and, for a package, of its direct non-package submodules."""
    found = [obj for _, obj in inspect.getmembers(module, is_rule_class)]
    for info in pkgutil.iter_modules(getattr(module, "__path__", None) or []):
        if not info.ispkg:
            submodule = _import(spec, f"{module.__name__}.{info.name}")
            found.extend(obj for _, obj in inspect.getmembers(submodule, is_rule_class))
    return list(dict.fromkeys(found))


def _named_rules(spec: str, module: ModuleType, attribute: str) -> list[type[PythonRule]]:
    """The rule class (or list of rule classes) a `pkg.mod:Name` entry points at."""
    value: object = module
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise RuleLoadError(f"rule module {spec!r}: {module.__name__!r} has no attribute {attribute!r}")
        value = getattr(value, part)
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    for item in values:
        if not is_rule_class(item):
            raise RuleLoadError(f"rule module {spec!r}: {attribute!r} is not a PythonRule or LibcstRule subclass with an id")
    return list(dict.fromkeys(values))  # type: ignore[arg-type]


def load_rule_module(spec: str) -> list[type[PythonRule]]:
    """Load the rules a config entry names: `pkg.mod:Rule` (one rule) or `pkg.mod` (all of them)."""
    name, colon, attribute = spec.strip().partition(":")
    if not name or (colon and not attribute) or ":" in attribute or " " in name:
        raise RuleLoadError(f"rule module {spec!r}: expected 'package.module' or 'package.module:RuleClass'")
    module = _import(spec, name)
    if attribute:
        return _named_rules(spec, module, attribute)
    rules = _module_rules(spec, module)
    if not rules:
        raise RuleLoadError(f"rule module {spec!r}: no PythonRule or LibcstRule subclasses found in {name!r}")
    return rules
