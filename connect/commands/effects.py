"""What a command's options write, run or reconfigure, by the option table (commands/table.py).

`effects(argv)` is the judge's view: every listed option with its effect, subcommands resolved
(`git diff`, `pip install`, `python -m pytest`), and the per-tool readers of commands/special.py.
"""

from __future__ import annotations

from typing import Optional

from patchgate.connect.commands.scan import Hit, scan, tool_name
from patchgate.connect.commands.special import SPECIAL
from patchgate.connect.commands.table import HARMLESS_VALUES, PYTHON_MODULES, SAFE_MODULES, SUBCOMMANDS, TOOLS, Tool

__all__ = ["Hit", "effects", "git_subcommand", "tool_name"]


def _subcommand(name: str, args: list[str]) -> tuple[Optional[str], list[str], list[Hit]]:
    """The subcommand of git/pip/npm ..., the words after it, and hits of the tool's own options."""
    tool = TOOLS.get(name, Tool())
    hits, operands = scan(tool, args, posix=True)
    if not tool.posix:
        hits, _ = scan(tool, args)
    return (operands[0] if operands else None), operands[1:], hits


def _python(args: list[str]) -> list[Hit]:
    """python: -c code is review, -m MODULE is judged as that tool (or is review when it is not a known one)."""
    hits, _ = scan(TOOLS["python"], args)
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg in ("-", "--") or not arg.startswith("-") or arg.startswith("--"):
            if arg.startswith("--") and arg != "--":
                continue
            break
        for k, letter in enumerate(arg[1:]):
            attached = arg[k + 2:]
            if letter in "WXQ":
                i += 0 if attached else 1
                break
            if letter == "c":
                return hits
            if letter == "m":
                module = attached or (args[i] if i < len(args) else "")
                rest = args[i:] if attached else args[i + 1:]
                if module in PYTHON_MODULES:
                    return hits + effects([PYTHON_MODULES[module], *rest])
                if module not in SAFE_MODULES:
                    hits.append(Hit("exec", f"runs the Python module {module or '?'}", "-m", module))
                return hits
    return hits


def effects(argv: list[str]) -> list[Hit]:
    """Every listed option of one command with its effect; the command's own effect (pip install) too."""
    if not argv:
        return []
    name = tool_name(argv[0])
    if name == "python":
        return _python(argv[1:])
    key, args = name, argv[1:]
    hits: list[Hit] = []
    if name in SUBCOMMANDS:
        sub, args, hits = _subcommand(name, argv[1:])
        key = f"{name} {sub}"
        hits += SPECIAL[f"{name} *"](argv[1:]) if f"{name} *" in SPECIAL else []
    tool = TOOLS.get(key)
    special = SPECIAL.get(key)
    if tool is not None:
        more, _ = scan(tool, args)
        hits += [Hit(tool.always[0], tool.always[1], key)] if tool.always else []
        hits += more
    hits += special(args) if special else []
    harmless = HARMLESS_VALUES.get(key, {})
    return [h for h in hits if not (h.option in harmless and h.value.startswith(harmless[h.option]))]


def git_subcommand(argv: list[str]) -> tuple[Optional[str], list[str]]:
    """git's subcommand and its arguments, past git's own options (-c k=v, -C dir, --git-dir=...)."""
    sub, rest, _ = _subcommand("git", argv[1:])
    return sub, rest
