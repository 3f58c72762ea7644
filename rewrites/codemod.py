"""The `codemod` planner's front half: find a LibCST CodemodCommand by name and parse its own arguments.

`pkg.mod.Class` (or `pkg.mod:Class`) is imported with the current directory and the workspace root
on sys.path, so a user's own module works like LibCST's built-ins; a name LibCST's tool knows by its
short form (`convert_format_to_fstring.ConvertFormatStringCommand`) is tried under
`libcst.codemod.commands` too. Everything that goes wrong is one InputError line.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from pathlib import Path
from typing import Any, NoReturn

from libcst.codemod import CodemodCommand, CodemodContext

from patchgate.diagnostics.errors import InputError
from patchgate.diagnostics.python_rule import one_line

BUILTIN_PACKAGE = "libcst.codemod.commands"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument as an InputError instead of exiting with code 2."""

    def error(self, message: str) -> NoReturn:
        raise InputError(f"{self.prog}: {message}")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise InputError(f"{self.prog}: {(message or 'stopped').strip()}")


def search_path(extra: list[Path]) -> list[str]:
    """The folders a user's codemod module is imported from, ahead of the rest of sys.path."""
    return [str(path.resolve()) for path in extra if str(path.resolve()) not in sys.path]


def _import(name: str) -> Any | None:
    """A module by name; None when that module (not one it imports) does not exist."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name and (name == error.name or name.startswith(error.name + ".")):
            return None
        raise InputError(f"codemod module `{name}`: cannot import it: {one_line(error)}") from None
    except (Exception, SystemExit) as error:
        raise InputError(f"codemod module `{name}`: cannot import it: {one_line(error)}") from None


def split_spec(spec: str) -> tuple[str, str]:
    """(module, class name) of `pkg.mod.Class` or `pkg.mod:Class`."""
    module, colon, name = spec.partition(":")
    if not colon:
        module, _, name = spec.rpartition(".")
    if not module or not name or not all(part.isidentifier() for part in [*module.split("."), name]):
        raise InputError(f"codemod {spec!r}: expected `package.module.CommandClass`")
    return module, name


def load_command(spec: str, paths: list[Path]) -> tuple[str, type[CodemodCommand]]:
    """The command class a spec names, and its canonical `module:Class` spelling for workers."""
    module_name, class_name = split_spec(spec)
    sys.path[:0] = search_path(paths)
    module = _import(module_name)
    if module is None and not module_name.startswith("libcst."):
        module_name = f"{BUILTIN_PACKAGE}.{module_name}"
        module = _import(module_name)
    if module is None:
        raise InputError(f"codemod {spec!r}: no module `{split_spec(spec)[0]}` (not importable from here, nor under {BUILTIN_PACKAGE})")
    command = getattr(module, class_name, None)
    if command is None:
        raise InputError(f"codemod {spec!r}: module `{module_name}` has no `{class_name}`")
    if not (inspect.isclass(command) and issubclass(command, CodemodCommand)):
        raise InputError(f"codemod {spec!r}: `{class_name}` is not a libcst CodemodCommand subclass")
    if inspect.isabstract(command):
        raise InputError(f"codemod {spec!r}: `{class_name}` is abstract (it does not implement transform_module_impl)")
    return f"{module_name}:{class_name}", command


def parse_arguments(spec: str, command: type[CodemodCommand], argv: list[str]) -> tuple[dict[str, Any], list[str]]:
    """(keyword arguments for the command, paths) from what followed the command's name."""
    parser = _Parser(prog=f"codemod {spec}", add_help=False)
    try:
        command.add_args(parser)
        parser.add_argument("paths", nargs="*", metavar="PATHS")
    except argparse.ArgumentError as error:
        raise InputError(f"codemod {spec!r}: its arguments clash with patchgate's: {error}") from None
    namespace = parser.parse_args(argv)
    values = vars(namespace)
    paths = values.pop("paths")
    try:
        command(CodemodContext(), **values)  # as LibCST's tool does: bad arguments fail here, not in every file
    except Exception as error:
        raise InputError(f"codemod {spec!r}: cannot be constructed with these arguments: {one_line(error)}") from None
    return values, paths


def describe(spec: str, command: type[CodemodCommand], values: dict[str, Any]) -> str:
    """The plan's one-line description: the command and its arguments."""
    arguments = " ".join(f"{key}={value!r}" for key, value in sorted(values.items()))
    return f"codemod {spec}" + (f" ({arguments})" if arguments else "")
