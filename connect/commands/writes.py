"""What a command writes: redirects, the operands of rm, tee, sed -i, mv, cp, dd ..., and the values of the
write options in the option table (curl -o, git diff --output=, pytest --basetemp=, sort -o ...)."""

from __future__ import annotations

import re

from patchgate.connect.commands.execution import cached_effects
from patchgate.connect.commands.rules import Opts, git_split, parse_opts
from patchgate.connect.shell.parser import ParsedCommand, SimpleCommand, basename

NOT_FILES = re.compile(r"/dev/(null|stdout|stderr|tty|fd/\d+)$|[<>]\(")
WRITE_OPS = frozenset({">", ">>", ">|", "&>", "&>>"})
OPERANDS_WRITTEN = {"rm": "", "rmdir": "", "unlink": "", "tee": "", "touch": "dtr", "mkdir": "m", "shred": "ns",
                    "truncate": "sr", "mkfifo": "mZ", "fallocate": "lon"}
"""Commands whose every operand is a path they write or delete -> their short options that take a value."""
FIRST_WRITTEN = {"mknod": "mZ", "link": "", "chattr": "pv"}
"""Commands that create or change one operand: mknod NAME, chattr +i FILE (after the mode), link A B (the last)."""


def _in_place_targets(args: list[str], script_letters: str, takes_arg: str) -> list[str]:
    """Files edited by sed -i / perl -i: the operands after the script, when -i is given."""
    in_place, script_given, operands, i = False, False, [], 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            operands.extend(args[i + 1:])
            break
        if arg.startswith("--"):
            in_place = in_place or arg.startswith("--in-place")
            if arg in ("--expression", "--file"):
                script_given, i = True, i + 1
            script_given = script_given or arg.startswith(("--expression=", "--file="))
        elif arg.startswith("-") and len(arg) > 1:
            for k, letter in enumerate(arg[1:]):
                if letter == "i":
                    in_place = True
                    break
                if letter in script_letters + takes_arg:
                    script_given = script_given or letter in script_letters
                    i += 1 if k == len(arg) - 2 else 0
                    break
        else:
            operands.append(arg)
        i += 1
    return (operands if script_given else operands[1:]) if in_place else []


def _last_or_target(opts: Opts) -> list[str]:
    """cp/ln/install destination: -t DIR, else the last operand when there are two or more."""
    if opts.values.get("t") or opts.values.get("target-directory"):
        return [opts.values.get("t") or opts.values["target-directory"]]
    return opts.operands[-1:] if len(opts.operands) > 1 else []


def _command_writes(argv: list[str]) -> list[str]:
    """Paths one command writes, deletes or rewrites, by its own arguments."""
    name, args = basename(argv[0]), argv[1:]
    if name in OPERANDS_WRITTEN:
        return parse_opts(args, OPERANDS_WRITTEN[name], ("size", "reference", "mode", "iterations", "date")).operands
    if name in FIRST_WRITTEN:
        operands = parse_opts(args, FIRST_WRITTEN[name]).operands
        return operands[-1:] if name == "link" else operands[1:] if name == "chattr" else operands[:1]
    if name == "mv":
        opts = parse_opts(args, "tS", ("target-directory", "suffix"))
        return opts.operands + ([opts.values["t"]] if opts.values.get("t") else [])
    if name in ("cp", "ln"):
        return _last_or_target(parse_opts(args, "tS", ("target-directory", "suffix")))
    if name == "install":
        opts = parse_opts(args, "mogSt", ("mode", "owner", "group", "suffix", "target-directory"))
        return opts.operands if opts.has("d", "directory") else _last_or_target(opts)
    if name in ("chmod", "chown", "chgrp"):
        opts = parse_opts(args)
        return opts.operands if any(o.startswith("reference") for o in opts.long) else opts.operands[1:]
    if name == "sed":
        return _in_place_targets(args, "ef", "l")
    if name == "perl":
        return _in_place_targets(args, "eE", "")
    if name == "dd":
        return [a[3:] for a in args if a.startswith("of=")]
    if name == "rsync":
        operands = parse_opts(args, "e", ("rsh",)).operands
        return [p for p in operands[-1:] if ":" not in p] if len(operands) > 1 else []
    if name == "git":
        sub, rest, _ = git_split(args)
        if sub in ("checkout", "restore", "rm"):
            return rest[rest.index("--") + 1:] if "--" in rest else parse_opts(rest, "s", ("source",)).operands
    return []


def writes_of(cmd: SimpleCommand) -> list[str]:
    """Paths written by one simple command's redirects, arguments and listed options (git diff --output=F)."""
    out = [r.target for r in cmd.redirects
           if r.op in WRITE_OPS or (r.op == ">&" and not r.target.isdigit() and r.target != "-")]
    if cmd.argv and 0 not in cmd.opaque_words:
        out.extend(_command_writes(cmd.argv))
        out.extend(h.value for h in cached_effects(tuple(cmd.argv)) if h.effect == "write")
    return [p for p in out if p and p not in ("{}", "-") and not NOT_FILES.search(p)]


def written_paths(parsed: ParsedCommand) -> list[str]:
    """Every path the command line writes (redirects, tee, sed -i, mv, cp, rm ...), first seen first."""
    seen: dict[str, None] = {}
    for cmd in parsed.simple_commands:
        seen.update(dict.fromkeys(writes_of(cmd)))
    return list(seen)
