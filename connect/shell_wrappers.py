"""Commands that run other commands (sudo, env, xargs, find -exec, sh -c, eval ...) and interpreters."""

from __future__ import annotations

import re
import shlex
from typing import Callable, Optional

from patchgate.connect.shell_models import SHELLS, Plan, Word, basename


def _skip_options(args: list[Word], with_arg: str = "", long_with_arg: frozenset[str] = frozenset()) -> int:
    """Index of the first operand after GNU-style options (short clusters, --long[=v], --)."""
    i = 0
    while i < len(args):
        word, value = args[i], args[i].value
        if word.opaque or value == "-" or not value.startswith("-"):
            return i
        if value == "--":
            return i + 1
        if value.startswith("--"):
            i += 2 if "=" not in value and value[2:] in long_with_arg else 1
            continue
        letters = value[1:]
        takes = next((k for k, c in enumerate(letters) if c in with_arg), None)
        i += 2 if takes is not None and takes == len(letters) - 1 else 1
    return i


def _split_env(args: list[Word]) -> tuple[dict[str, str], list[Word]]:
    """Leading NAME=value words (env, sudo) and the command after them."""
    env: dict[str, str] = {}
    for i, word in enumerate(args):
        name, eq, value = word.value.partition("=")
        if not eq or word.opaque or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            return env, args[i:]
        env[name] = value
    return env, []


def _simple(label: str, with_arg: str = "", long_with_arg: tuple[str, ...] = (), transparent: bool = True,
            operands: int = 0) -> Callable[[list[Word]], Optional[Plan]]:
    """A wrapper that takes options, `operands` fixed operands, then the command it runs."""
    def plan(args: list[Word]) -> Optional[Plan]:
        start = _skip_options(args, with_arg, frozenset(long_with_arg)) + operands
        env, rest = _split_env(args[start:]) if label in ("sudo", "doas") else ({}, args[start:])
        return Plan(label, transparent, [rest], env=env) if rest else None
    return plan


def _env(args: list[Word]) -> Optional[Plan]:
    """env [-i] [-u NAME] [-C DIR] [-S STRING] [NAME=value]... COMMAND."""
    i = 0
    while i < len(args) and args[i].value.startswith("-") and not args[i].opaque:
        value = args[i].value
        if value == "--":
            i += 1
            break
        split = value in ("-S", "--split-string") or value.startswith(("--split-string=", "-S"))
        if split:
            text, i = (args[i + 1], i + 2) if value in ("-S", "--split-string") and i + 1 < len(args) else (
                Word(value.split("=", 1)[1] if value.startswith("--") else value[2:]), i + 1)
            if text.opaque:
                return Plan("env -S", True, scripts=[text])
            try:
                args = args[:i] + [Word(v) for v in shlex.split(text.value)] + args[i:]
            except ValueError:
                return Plan("env -S", True, scripts=[Word(text.value, opaque=True)])
            continue
        i += 2 if value in ("-u", "-C", "--unset", "--chdir") else 1
    env, rest = _split_env(args[i:])
    return Plan("env", True, [rest] if rest else [], env=env) if rest or env else None


def _shell(args: list[Word], label: str) -> Optional[Plan]:
    """sh/bash/zsh ... -c SCRIPT: the script is parsed again as a command line."""
    has_c, i = False, 0
    while i < len(args) and not args[i].opaque and args[i].value[:1] in "-+" and len(args[i].value) > 1:
        value = args[i].value
        if value == "--":
            i += 1
            break
        if value.startswith("--"):
            i += 2 if value in ("--rcfile", "--init-file") else 1
            continue
        has_c = has_c or (value[0] == "-" and "c" in value)
        i += 2 if value[-1] in "oO" else 1
    if not has_c or i >= len(args):
        return None
    return Plan(f"{label} -c", True, scripts=[args[i]])


def _su(args: list[Word]) -> Optional[Plan]:
    """su/runuser [-] [USER] -c COMMAND: the command is parsed again."""
    for i, word in enumerate(args):
        if word.value in ("-c", "--command") and i + 1 < len(args):
            return Plan("su -c", False, scripts=[args[i + 1]])
        if word.value.startswith("--command="):
            return Plan("su -c", False, scripts=[Word(word.value.split("=", 1)[1], word.opaque)])
    return None


def _joined(label: str, with_arg: str = "") -> Callable[[list[Word]], Optional[Plan]]:
    """eval/watch/trap: the arguments joined by spaces are a script."""
    def plan(args: list[Word]) -> Optional[Plan]:
        if label == "watch" and any(w.value in ("-x", "--exec") for w in args):
            return _simple("watch", "n", ("interval",))(args)
        rest = args[_skip_options(args, with_arg):] if with_arg or label == "watch" else args
        if label == "trap":
            rest = rest[:1] if len(rest) > 1 else []
        if not rest:
            return None
        return Plan(label, True, scripts=[Word(" ".join(w.value for w in rest), any(w.opaque for w in rest))])
    return plan


def _xargs(args: list[Word]) -> Optional[Plan]:
    """xargs [options] [COMMAND [ARGS]]: COMMAND runs with arguments read from stdin."""
    start = _skip_options(args, "IEdLnPsa", frozenset({"arg-file", "delimiter", "max-args", "max-procs",
                                                       "max-chars", "process-slot-var"}))
    rest = args[start:] or [Word("echo")]
    return Plan("xargs", True, [rest], fed_args=True)


def _find(args: list[Word]) -> Optional[Plan]:
    """find ... -exec|-execdir|-ok|-okdir COMMAND {} ; (or +): each COMMAND is a command."""
    argvs: list[list[Word]] = []
    i = 0
    while i < len(args):
        if args[i].value in ("-exec", "-execdir", "-ok", "-okdir"):
            end = next((j for j in range(i + 1, len(args)) if args[j].value in (";", "+")), len(args))
            if end > i + 1:
                argvs.append(args[i + 1:end])
            i = end
        i += 1
    return Plan("find -exec", False, argvs, fed_args=True) if argvs else None


def _alias(args: list[Word]) -> Optional[Plan]:
    """alias NAME=VALUE: VALUE runs wherever NAME is used, so it is parsed as a script."""
    scripts = [Word(w.value.split("=", 1)[1], w.opaque) for w in args if "=" in w.value]
    return Plan("alias", True, scripts=scripts) if scripts else None


def _command(args: list[Word]) -> Optional[Plan]:
    """command [-p] CMD runs CMD; command -v/-V only looks it up."""
    if any(w.value.startswith("-") and ("v" in w.value or "V" in w.value) for w in args[:2]):
        return None
    return _simple("command")(args)


WRAPPERS: dict[str, Callable[[list[Word]], Optional[Plan]]] = {
    "sudo": _simple("sudo", "ugpChDrtUTR", ("user", "group", "host", "prompt", "close-from", "chdir", "role",
                                             "type", "other-user", "command-timeout", "chroot"), False),
    "doas": _simple("doas", "uC", (), False),
    "env": _env, "nohup": _simple("nohup"), "setsid": _simple("setsid"), "builtin": _simple("builtin"),
    "time": _simple("time", "fo", ("format", "output")),
    "nice": _simple("nice", "n", ("adjustment",)),
    "timeout": _simple("timeout", "sk", ("signal", "kill-after"), operands=1),
    "stdbuf": _simple("stdbuf", "ioe", ("input", "output", "error")),
    "ionice": _simple("ionice", "cnpPu", ("class", "classdata")),
    "exec": _simple("exec", "a"), "command": _command, "busybox": _simple("busybox"), "alias": _alias,
    "coproc": _simple("coproc"),
    "xargs": _xargs, "find": _find, "su": _su, "runuser": _su,
    "eval": _joined("eval"), "watch": _joined("watch", "n"), "trap": _joined("trap"),
}


def unwrap_plan(words: list[Word]) -> Optional[Plan]:
    """What a command runs in turn, or None when it is not a wrapper (or its name is opaque)."""
    if not words or words[0].opaque:
        return None
    name = basename(words[0].value)
    if name in SHELLS:
        return _shell(words[1:], name)
    wrapper = WRAPPERS.get(name)
    return wrapper(words[1:]) if wrapper else None


INTERPRETER = re.compile(r"(python|pypy|perl|ruby|node|nodejs|deno|bun|php|lua|tclsh|pwsh|osascript)[0-9.]*")
CODE_FLAGS = {"python": "cm", "pypy": "cm", "perl": "eE", "ruby": "e", "node": "ep", "nodejs": "ep",
              "deno": "e", "bun": "e", "php": "rR", "lua": "e"}


def is_interpreter(name: str) -> bool:
    """A shell or a language runtime: something that runs the code it is given."""
    return basename(name) in SHELLS or bool(INTERPRETER.fullmatch(basename(name)))


def reads_program_from_stdin(argv: list[str]) -> bool:
    """True when an interpreter would read its program from stdin (`sh`, `bash -s`, `python -`)."""
    if not argv or not is_interpreter(argv[0]):
        return False
    name = basename(argv[0])
    shell = name in SHELLS
    family = re.sub(r"[0-9.]+$", "", name)
    code = "c" if shell else CODE_FLAGS.get(family, "ec")
    args = argv[1:]
    i = 0
    while i < len(args):
        value = args[i]
        if value == "-":
            return True
        if value == "--":
            return i + 1 >= len(args)
        if value.startswith("--"):
            if value.startswith(("--eval", "--print", "--command")):
                return False
            i += 2 if value in ("--rcfile", "--init-file") else 1
            continue
        if value[:1] not in "-+" or len(value) == 1:
            return False
        letters = value[1:]
        if shell and value[0] == "-" and "s" in letters:
            return True
        if value[0] == "-" and any(c in letters for c in code):
            return False
        i += 2 if shell and letters[-1:] in ("o", "O") else 1
    return True
