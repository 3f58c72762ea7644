"""Built-in Python rules: the ones that need scope analysis or qualified names."""

from __future__ import annotations

from patchgate.diagnostics.python_rule import PythonRule
from patchgate.diagnostics.rules.libcst_rules.ambiguous_variable_name import AmbiguousVariableName
from patchgate.diagnostics.rules.libcst_rules.builtin_shadowing import BuiltinShadowing
from patchgate.diagnostics.rules.libcst_rules.call_in_default import FunctionCallInDefaultArgument
from patchgate.diagnostics.rules.libcst_rules.lambda_assignment import LambdaAssignment
from patchgate.diagnostics.rules.libcst_rules.loop_variable_closure import FunctionUsesLoopVariable
from patchgate.diagnostics.rules.libcst_rules.os_system_call import OsSystemCall
from patchgate.diagnostics.rules.libcst_rules.raise_without_from import RaiseWithoutFromInsideExcept
from patchgate.diagnostics.rules.libcst_rules.redefined_unused_name import RedefinedUnusedName
from patchgate.diagnostics.rules.libcst_rules.undefined_name import StarImportUsage, UndefinedName
from patchgate.diagnostics.rules.libcst_rules.unused_import import UnusedImport
from patchgate.diagnostics.rules.libcst_rules.unused_loop_variable import UnusedLoopControlVariable
from patchgate.diagnostics.rules.libcst_rules.unused_variable import UnusedVariable
from patchgate.diagnostics.rules.libcst_rules.useless_expression import UselessExpression

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
]

__all__ = [
    "BUILTIN_LIBCST_RULES",
    "AmbiguousVariableName",
    "BuiltinShadowing",
    "FunctionCallInDefaultArgument",
    "FunctionUsesLoopVariable",
    "LambdaAssignment",
    "OsSystemCall",
    "RaiseWithoutFromInsideExcept",
    "RedefinedUnusedName",
    "StarImportUsage",
    "UndefinedName",
    "UnusedImport",
    "UnusedLoopControlVariable",
    "UnusedVariable",
    "UselessExpression",
]
