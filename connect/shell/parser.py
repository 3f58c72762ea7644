"""tree-sitter-bash adapter: a command line becomes every simple command it would run, so none can hide.

Only the modules of connect/shell/ import tree_sitter; they hand out pydantic models only.
Wrappers that run another command (sudo, env, xargs, find -exec, bash -c, eval, ...) are
unwrapped: the wrapper stays in the list and the command it runs follows it. Words are unquoted
and brace-expanded as bash would; a word whose value depends on run time (`$VAR`, `$(...)`) is
kept verbatim and marked opaque.

The adapter is split by stage: models (values), words (quote removal and brace expansion),
wrappers (commands that run commands), walker (the tree walk); this module is its entry point.
"""

from __future__ import annotations

from patchgate.connect.shell.models import Ctx, ParsedCommand, PipeStage, Redirect, SimpleCommand, basename
from patchgate.connect.shell.walker import Walker, _parser
from patchgate.connect.shell.words import join_continuations
from patchgate.connect.shell.interpreters import is_interpreter, reads_program_from_stdin

__all__ = ["ParsedCommand", "PipeStage", "Redirect", "SimpleCommand", "basename", "is_interpreter",
           "join_continuations", "parse_command", "reads_program_from_stdin", "_parser"]


def parse_command(text: str) -> ParsedCommand:
    """Parse a command line into the simple commands it runs, recursing into every wrapper."""
    walker = Walker()
    try:
        walker.parse_text(text, Ctx(), None)
    except RecursionError:
        walker.errors.append("nested too deeply to analyse")
    return ParsedCommand(text=text, simple_commands=walker.commands, parse_ok=not walker.errors,
                         errors=walker.errors)
