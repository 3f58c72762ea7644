"""Built-in Python rules: the ones that need scope analysis, qualified names or the target version."""

from __future__ import annotations

from patchgate.diagnostics.python_rule import PythonRule
from patchgate.diagnostics.rules.libcst_rules.assert_raises_exception import AssertRaisesException
from patchgate.diagnostics.rules.libcst_rules.builtin_shadowing import BuiltinShadowing
from patchgate.diagnostics.rules.libcst_rules.collapsible_if import CollapsibleIf
from patchgate.diagnostics.rules.libcst_rules.hardcoded_password import HardcodedPasswordArgument, HardcodedPasswordString
from patchgate.diagnostics.rules.libcst_rules.open_without_context_manager import OpenWithoutContextManager
from patchgate.diagnostics.rules.libcst_rules.duplicate_dict_key import DuplicateDictKey
from patchgate.diagnostics.rules.libcst_rules.os_system_call import OsSystemCall
from patchgate.diagnostics.rules.libcst_rules.redefined_unused_name import RedefinedUnusedName
from patchgate.diagnostics.rules.libcst_rules.sql_string_building import SqlStringBuilding
from patchgate.diagnostics.rules.libcst_rules.typing_annotations import NonPep585Annotation, NonPep604Annotation
from patchgate.diagnostics.rules.libcst_rules.unused_import import UnusedImport
from patchgate.diagnostics.rules.libcst_rules.unused_variable import UnusedVariable
from patchgate.diagnostics.rules.libcst_rules.warn_without_stacklevel import WarnWithoutStacklevel
from patchgate.diagnostics.rules.libcst_rules.zip_without_strict import ZipWithoutStrict

BUILTIN_LIBCST_RULES: list[type[PythonRule]] = [
    UnusedImport,
    BuiltinShadowing,
    OsSystemCall,
    RedefinedUnusedName,
    UnusedVariable,
    ZipWithoutStrict,
    WarnWithoutStacklevel,
    AssertRaisesException,
    HardcodedPasswordString,
    HardcodedPasswordArgument,
    OpenWithoutContextManager,
    NonPep585Annotation,
    NonPep604Annotation,
    SqlStringBuilding,
    CollapsibleIf,
    DuplicateDictKey,
]

__all__ = [
    "BUILTIN_LIBCST_RULES",
    "AssertRaisesException",
    "BuiltinShadowing",
    "CollapsibleIf",
    "HardcodedPasswordArgument",
    "HardcodedPasswordString",
    "NonPep585Annotation",
    "NonPep604Annotation",
    "OpenWithoutContextManager",
    "DuplicateDictKey",
    "OsSystemCall",
    "RedefinedUnusedName",
    "SqlStringBuilding",
    "UnusedImport",
    "UnusedVariable",
    "WarnWithoutStacklevel",
    "ZipWithoutStrict",
]
