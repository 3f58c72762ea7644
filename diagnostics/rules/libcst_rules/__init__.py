"""Built-in Python rules: the ones that need scope analysis, qualified names or the target version."""

from __future__ import annotations

from patchgate.diagnostics.python_rule import PythonRule
from patchgate.diagnostics.rules.libcst_rules.ambiguous_variable_name import AmbiguousVariableName
from patchgate.diagnostics.rules.libcst_rules.assert_raises_exception import AssertRaisesException
from patchgate.diagnostics.rules.libcst_rules.builtin_shadowing import BuiltinShadowing
from patchgate.diagnostics.rules.libcst_rules.call_in_default import FunctionCallInDefaultArgument
from patchgate.diagnostics.rules.libcst_rules.collapsible_if import CollapsibleIf
from patchgate.diagnostics.rules.libcst_rules.duplicate_dict_key import DuplicateDictKey
from patchgate.diagnostics.rules.libcst_rules.hardcoded_password import HardcodedPasswordArgument, HardcodedPasswordString
from patchgate.diagnostics.rules.libcst_rules.lambda_assignment import LambdaAssignment
from patchgate.diagnostics.rules.libcst_rules.loop_variable_closure import FunctionUsesLoopVariable
from patchgate.diagnostics.rules.libcst_rules.open_without_context_manager import OpenWithoutContextManager
from patchgate.diagnostics.rules.libcst_rules.os_system_call import OsSystemCall
from patchgate.diagnostics.rules.libcst_rules.raise_without_from import RaiseWithoutFromInsideExcept
from patchgate.diagnostics.rules.libcst_rules.redefined_unused_name import RedefinedUnusedName
from patchgate.diagnostics.rules.libcst_rules.sql_string_building import SqlStringBuilding
from patchgate.diagnostics.rules.libcst_rules.typing_annotations import NonPep585Annotation, NonPep604Annotation
from patchgate.diagnostics.rules.libcst_rules.undefined_name import StarImportUsage, UndefinedName
from patchgate.diagnostics.rules.libcst_rules.unused_import import UnusedImport
from patchgate.diagnostics.rules.libcst_rules.unused_loop_variable import UnusedLoopControlVariable
from patchgate.diagnostics.rules.libcst_rules.unused_variable import UnusedVariable
from patchgate.diagnostics.rules.libcst_rules.useless_expression import UselessExpression
from patchgate.diagnostics.rules.libcst_rules.warn_without_stacklevel import WarnWithoutStacklevel
from patchgate.diagnostics.rules.libcst_rules.zip_without_strict import ZipWithoutStrict
from patchgate.diagnostics.rules.libcst_rules.process_start import StartProcessWithPartialPath, SubprocessWithoutShell
from patchgate.diagnostics.rules.libcst_rules.string_formatting import FormatLiterals, PrintfStringFormatting

BUILTIN_LIBCST_RULES: list[type[PythonRule]] = [
    UnusedImport,
    BuiltinShadowing,
    OsSystemCall,
    RedefinedUnusedName,
    UnusedVariable,
    UndefinedName,
    StarImportUsage,
    RaiseWithoutFromInsideExcept,
    AmbiguousVariableName,
    LambdaAssignment,
    UselessExpression,
    FunctionCallInDefaultArgument,
    UnusedLoopControlVariable,
    FunctionUsesLoopVariable,
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
    SubprocessWithoutShell,
    StartProcessWithPartialPath,
    PrintfStringFormatting,
    FormatLiterals,
]

__all__ = [
    "BUILTIN_LIBCST_RULES",
    "AmbiguousVariableName",
    "AssertRaisesException",
    "BuiltinShadowing",
    "CollapsibleIf",
    "DuplicateDictKey",
    "FunctionCallInDefaultArgument",
    "FunctionUsesLoopVariable",
    "HardcodedPasswordArgument",
    "HardcodedPasswordString",
    "LambdaAssignment",
    "NonPep585Annotation",
    "NonPep604Annotation",
    "OpenWithoutContextManager",
    "OsSystemCall",
    "RaiseWithoutFromInsideExcept",
    "RedefinedUnusedName",
    "SqlStringBuilding",
    "StarImportUsage",
    "UndefinedName",
    "UnusedImport",
    "UnusedLoopControlVariable",
    "UnusedVariable",
    "UselessExpression",
    "WarnWithoutStacklevel",
    "ZipWithoutStrict",
    "SubprocessWithoutShell",
    "StartProcessWithPartialPath",
    "PrintfStringFormatting",
    "FormatLiterals",
]
