"""The shell adapter's values: simple commands and their redirects, words, and the walk's context.

Pydantic models leave the adapter; the dataclasses (Word, Ctx, Plan) stay inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, Optional

from pydantic import Field

from patchgate.diagnostics.base import SCHEMA_VERSION, Model

MAX_DEPTH = 12
MAX_BRACE_WORDS = 256
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "yash", "fish", "csh", "tcsh"})
SUBSTITUTIONS = {"command_substitution": "substitution", "process_substitution": "process substitution"}
OPAQUE_NODES = {"simple_expansion", "expansion", "arithmetic_expansion", *SUBSTITUTIONS}
EVALUATING_NODES = frozenset({"arithmetic_expansion", "subscript", "expansion"})
"""Nodes whose text bash may evaluate as arithmetic or as a variable name, where a subscript runs commands."""
CONTEXTS = {
    "pipeline": "pipeline", "subshell": "subshell", "compound_statement": "group", "if_statement": "if",
    "while_statement": "while", "for_statement": "for", "c_style_for_statement": "for",
    "case_statement": "case", "function_definition": "function",
}
Via = Literal["substitution", "process substitution", "wrapper", "script"]


class Redirect(Model):
    """One redirection, so writes through `>`, `>>` or `&>` are visible to the policy."""

    op: str = Field(description="Operator as written: >, >>, <, &>, &>>, >&, >|, <&, <<, <<-, <<<.")
    target: str = Field(description="Unquoted target: a file, an fd number, a heredoc delimiter or a here-string.")
    fd: Optional[int] = Field(default=None, description="File descriptor written before the operator (2 in 2>).")


class PipeStage(Model):
    """Where a command sits in a pipeline, so a download feeding an interpreter is seen."""

    pipeline: int = Field(description="Id of the pipeline, unique within one parse.")
    stage: int = Field(description="0-based position of the stage that runs this command.")


class SimpleCommand(Model):
    """One command the shell would run, after unquoting; the unit every policy check judges."""

    argv: list[str] = Field(description="Words after unquoting and brace expansion; opaque words verbatim.")
    env: dict[str, str] = Field(default_factory=dict, description="Assignments given only to this command.")
    redirects: list[Redirect] = Field(default_factory=list, description="Redirections applying to it.")
    context: str = Field(default="top", description="Nesting, outermost first, e.g. 'pipeline > bash -c'.")
    opaque: bool = Field(default=False, description="Some argument's value is only known at run time.")
    opaque_words: list[int] = Field(default_factory=list, description="Indexes of argv words that are opaque.")
    parent: Optional[int] = Field(default=None, description="Index of the command this one is nested in.")
    via: Optional[Via] = Field(default=None, description="How it relates to parent: substitution, wrapper, script.")
    pipes: list[PipeStage] = Field(default_factory=list, description="Enclosing pipeline positions.")
    function: Optional[str] = Field(default=None, description="Name of the shell function whose body holds it.")
    transparent: bool = Field(
        default=False, description="A wrapper (env, time, bash -c ...) whose inner commands are judged instead.")
    evaluated: list[str] = Field(
        default_factory=list, description="Text bash evaluates at run time as arithmetic, a variable name or code "
                                          "(a subscript in it can run commands) and that is not a plain literal.")


class ParsedCommand(Model):
    """A whole command line as simple commands, with whether the parse was clean."""

    schema_version: str = Field(default=SCHEMA_VERSION, description="Version of this object's schema.")
    text: str = Field(description="The command line as given.")
    simple_commands: list[SimpleCommand] = Field(description="Every simple command found, outer before inner.")
    parse_ok: bool = Field(description="False when tree-sitter found ERROR or MISSING nodes anywhere.")
    errors: list[str] = Field(default_factory=list, description="One line per syntax problem found.")


@dataclass
class Word:
    """A word's value after bash's quote removal; opaque when it depends on run time."""

    value: str
    opaque: bool = False
    glob: bool = False


@dataclass(frozen=True)
class Ctx:
    """What every command found below a node inherits."""

    chain: tuple[str, ...] = ()
    pipes: tuple[PipeStage, ...] = ()
    parent: Optional[int] = None
    via: Optional[Via] = None
    function: Optional[str] = None
    redirects: tuple[Redirect, ...] = ()
    depth: int = 0

    def enter(self, name: Optional[str]) -> "Ctx":
        """The context one nesting level down."""
        return replace(self, chain=self.chain + (name,)) if name else self


@dataclass
class Plan:
    """What a wrapper command runs: inner argvs and/or scripts to parse again."""

    label: str
    transparent: bool = True
    argvs: list[list[Word]] = field(default_factory=list)
    scripts: list[Word] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    fed_args: bool = False


def basename(word: str) -> str:
    """Command name without its directory, so /bin/rm is judged as rm."""
    return word.rstrip("/").rsplit("/", 1)[-1]
