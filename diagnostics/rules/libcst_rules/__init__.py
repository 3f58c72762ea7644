"""Built-in Python rules: the ones that need scope analysis or qualified names."""

from __future__ import annotations

from patchgate.diagnostics.python_rule import PythonRule
from patchgate.diagnostics.rules.libcst_rules.builtin_shadowing import BuiltinShadowing
from patchgate.diagnostics.rules.libcst_rules.duplicate_dict_key import DuplicateDictKey
from patchgate.diagnostics.rules.libcst_rules.os_system_call import OsSystemCall
from patchgate.diagnostics.rules.libcst_rules.redefined_unused_name import RedefinedUnusedName
from patchgate.diagnostics.rules.libcst_rules.unused_import import UnusedImport
from patchgate.diagnostics.rules.libcst_rules.unused_variable import UnusedVariable

BUILTIN_LIBCST_RULES: list[type[PythonRule]] = [
    UnusedImport,
    BuiltinShadowing,
    OsSystemCall,
    RedefinedUnusedName,
    UnusedVariable,
    DuplicateDictKey,
]

__all__ = [
    "BUILTIN_LIBCST_RULES",
    "BuiltinShadowing",
    "DuplicateDictKey",
    "OsSystemCall",
    "RedefinedUnusedName",
    "UnusedImport",
    "UnusedVariable",
]
