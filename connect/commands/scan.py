"""Options read the way a tool reads them: `--opt=value`, `--opt value`, `-ovalue`, `-xo value` in a cluster,
unique prefixes of long options, options after operands unless the tool stops at its first operand.

Pure string work on argv (no parser, no I/O), shared by the shell adapter and the command judge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from patchgate.connect.commands.table import ALIASES, Effect, Tool
from patchgate.connect.shell.models import basename

VERSIONED = re.compile(r"(python|pypy|pip|perl|ruby|node|lua|php|tclsh)[0-9.]*")


@dataclass(frozen=True)
class Hit:
    """One option (or the command itself) with an effect the judge must weigh."""

    effect: Effect
    why: str
    option: str
    value: str = ""


def tool_name(word: str) -> str:
    """A command's table name: /usr/bin/python3.12 -> python, gawk -> awk."""
    name = basename(word)
    versioned = VERSIONED.fullmatch(name)
    name = versioned.group(1) if versioned else name
    name = "python" if name == "pypy" else name
    return ALIASES.get(name, name)


def _long(tool: Tool, arg: str) -> list[tuple[str, tuple[Effect, str, str]]]:
    """Listed spellings a long option stands for: itself, else every listed option it abbreviates."""
    name = arg.split("=", 1)[0]
    if name in tool.spellings:
        return [(name, tool.spellings[name])]
    if not tool.prefixes or len(name) < 3:
        return []
    return [(s, spec) for s, spec in tool.spellings.items() if s.startswith(name) and s.startswith("--")]


def scan(tool: Tool, args: list[str], posix: bool = False) -> tuple[list[Hit], list[str]]:
    """Hits for every listed option in args, and the operands, read as the tool reads its command line;
    with posix (or a posix tool) the first operand ends the options and every word after it is an operand."""
    hits: list[Hit] = []
    operands: list[str] = []
    i = 0
    while i < len(args):
        arg, nxt = args[i], args[i + 1] if i + 1 < len(args) else ""
        i += 1
        if arg == "--":
            operands.extend(args[i:])
            break
        if arg.startswith("--") and len(arg) > 2 or tool.single_dash and arg.startswith("-") and len(arg) > 2:
            matches = _long(tool, arg)
            eq = "=" in arg
            takes = bool(matches) and all(kind == "=" for _, (_, _, kind) in matches) and not eq
            value = arg.split("=", 1)[1] if eq else nxt if takes else ""
            i += 1 if takes else 0
            hits += [Hit(effect, why, spelling, value) for spelling, (effect, why, _) in matches]
            continue
        if arg.startswith("-") and len(arg) > 1:
            i += _cluster(tool, arg, nxt, hits)
            continue
        operands.append(arg)
        if tool.posix or posix:
            operands.extend(args[i:])
            break
    return [h for h in hits if h.effect not in ("arg", "flag")], operands


def _cluster(tool: Tool, arg: str, nxt: str, hits: list[Hit]) -> int:
    """Short options clustered in one word (-xzf FILE); returns 1 when the next word was their value."""
    letters = arg[1:]
    for k, letter in enumerate(letters):
        spec = tool.spellings.get("-" + letter)
        if spec is None:
            continue
        effect, why, kind = spec
        attached = letters[k + 1:]
        if kind == "=":
            hits.append(Hit(effect, why, "-" + letter, attached or nxt))
            return 0 if attached else 1
        if kind == "=?":
            hits.append(Hit(effect, why, "-" + letter, attached))
            return 0
        hits.append(Hit(effect, why, "-" + letter))
    return 0
