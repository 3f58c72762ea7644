"""Commands that run other commands (sudo, env, xargs, find -exec, sh -c, eval, uv run ...), and options whose
value is a command line (git rebase -x CMD, rsync -e CMD): what they run is judged like the rest."""

from __future__ import annotations

import re
import shlex
from typing import Callable, Optional

from patchgate.connect.commands.effects import effects
from patchgate.connect.shell.models import SHELLS, Plan, Word, basename


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
            i += 2 if "=" not in value and _takes_value(value[2:], long_with_arg) else 1
            continue
        letters = value[1:]
        takes = next((k for k, c in enumerate(letters) if c in with_arg), None)
        i += 2 if takes is not None and takes == len(letters) - 1 else 1
    return i


def _takes_value(name: str, long_with_arg: frozenset[str]) -> bool:
    """Whether a long option (or a unique-prefix abbreviation of one, as getopt_long allows) takes a value."""
    return name in long_with_arg or len(name) > 1 and any(o.startswith(name) for o in long_with_arg)


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


ENV_LONG = ("ignore-environment", "null", "unset", "chdir", "split-string", "block-signal", "default-signal",
            "ignore-signal", "list-signal-handling", "debug", "argv0")
ENV_VALUE = frozenset({"unset", "chdir", "split-string", "argv0"})


def _env_option(value: str, nxt: Optional[Word]) -> tuple[Optional[Word], int]:
    """One env option: the -S/--split-string text if it is one, and how many words it took."""
    if value.startswith("--"):
        name, eq, attached = value[2:].partition("=")
        matches = [o for o in ENV_LONG if o.startswith(name)] if name else []
        full = name if name in ENV_LONG else matches[0] if len(matches) == 1 else ""
        if full == "split-string" or (not full and "split-string" in matches):
            return (Word(attached) if eq else nxt or Word("")), 1 if eq else 2
        return None, 2 if full in ENV_VALUE and not eq else 1
    letters = value[1:]
    for k, letter in enumerate(letters):
        if letter in "uCSa":
            attached = letters[k + 1:]
            text = Word(attached) if attached else nxt or Word("")
            return (text if letter == "S" else None), 1 if attached else 2
    return None, 1


def _env(args: list[Word]) -> Optional[Plan]:
    """env [-i] [-u NAME] [-C DIR] [-S STRING] [NAME=value]... COMMAND; -S text is split like env does."""
    i = 0
    while i < len(args) and args[i].value.startswith("-") and not args[i].opaque and args[i].value != "-":
        if args[i].value == "--":
            i += 1
            break
        text, taken = _env_option(args[i].value, args[i + 1] if i + 1 < len(args) else None)
        i += taken
        if text is None:
            continue
        if text.opaque or "${" in text.value:
            return Plan("env -S", True, scripts=[Word(text.value, opaque=True)])
        try:
            args = args[:i] + [Word(v) for v in shlex.split(text.value)] + args[i:]
        except ValueError:
            return Plan("env -S", True, scripts=[Word(text.value, opaque=True)])
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
    """su/runuser [-] [USER] -c COMMAND: the command is parsed again; runuser -u USER COMMAND runs COMMAND."""
    for i, word in enumerate(args):
        if word.value in ("-c", "--command") and i + 1 < len(args):
            return Plan("su -c", False, scripts=[args[i + 1]])
        if word.value.startswith("--command="):
            return Plan("su -c", False, scripts=[Word(word.value.split("=", 1)[1], word.opaque)])
    if any(w.value in ("-u", "--user") or w.value.startswith("--user=") for w in args):
        return _simple("runuser", "ugGw", ("user", "group", "supp-group", "whitelist-environment"), False)(args)
    return None


def _flock(args: list[Word]) -> Optional[Plan]:
    """flock [options] FILE -c COMMAND, or flock [options] FILE COMMAND [ARGS]."""
    start = _skip_options(args, "wE", frozenset({"timeout", "conflict-exit-code"}))
    rest = args[start + 1:]
    for i, word in enumerate(rest):
        if word.value in ("-c", "--command") and i + 1 < len(rest):
            return Plan("flock -c", False, scripts=[rest[i + 1]])
    return Plan("flock", False, [rest]) if rest else None


def _sg(args: list[Word]) -> Optional[Plan]:
    """sg GROUP [-c] COMMAND: COMMAND is a string run by /bin/sh."""
    rest = [w for w in args[1:] if w.value != "-c"]
    return Plan("sg", False, scripts=[Word(" ".join(w.value for w in rest), any(w.opaque for w in rest))]) if rest \
        else None


def _sub_wrapper(label: str, sub: str, with_arg: str = "", long_with_arg: tuple[str, ...] = ()) -> Callable[
        [list[Word]], Optional[Plan]]:
    """uv run, poetry run, direnv exec DIR ...: a subcommand that runs the command after it."""
    def plan(args: list[Word]) -> Optional[Plan]:
        start = _skip_options(args, with_arg, frozenset(long_with_arg))
        if start >= len(args) or args[start].value != sub:
            return None
        return _simple(label, with_arg, long_with_arg, False, operands=1 if label == "direnv" else 0)(args[start + 1:])
    return plan


def _exec_option(label: str, options: tuple[str, ...]) -> Callable[[list[Word]], Optional[Plan]]:
    """fd -x CMD..., parallel CMD ::: ...: the words after an option (or before :::) are a command."""
    def plan(args: list[Word]) -> Optional[Plan]:
        if label == "parallel":
            start = _skip_options(args, "jSadIE", frozenset({"jobs", "arg-file", "delimiter", "sshlogin"}))
            end = next((i for i, w in enumerate(args) if w.value in (":::", "::::", ":::+")), len(args))
            rest = args[start:end]
            opaque = any(w.opaque or "{" in w.value for w in rest)
            return Plan(label, False, scripts=[Word(" ".join(w.value for w in rest), opaque)]) if rest else None
        argvs = [_replaced(args[i + 1:next((j for j in range(i + 1, len(args)) if args[j].value == ";"), len(args))],
                           "{") for i, w in enumerate(args) if w.value in options]
        return Plan(label, False, [a for a in argvs if a], fed_args=True) if any(argvs) else None
    return plan


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


def _replaced(words: list[Word], marker: str) -> list[Word]:
    """Words the wrapper fills in at run time (`{}` in find -exec, -I STR in xargs) are opaque."""
    return [Word(w.value, w.opaque or marker in w.value, w.glob) for w in words]


def _xargs(args: list[Word]) -> Optional[Plan]:
    """xargs [options] [COMMAND [ARGS]]: COMMAND runs with arguments read from stdin (-I STR: replacing STR)."""
    start = _skip_options(args, "IEdLnPsa", frozenset({"arg-file", "delimiter", "max-args", "max-procs",
                                                       "max-chars", "process-slot-var"}))
    marker = ""
    for i, word in enumerate(args[:start]):
        value = word.value
        if value.startswith("-I"):
            marker = value[2:] or (args[i + 1].value if i + 1 < start else "")
        elif value.startswith(("-i", "--replace")):
            marker = value.split("=", 1)[1] if "=" in value else value[2:] if value.startswith("-i") else ""
            marker = marker or "{}"
    rest = args[start:] or [Word("echo")]
    return Plan("xargs", True, [_replaced(rest, marker) if marker else rest], fed_args=True)


def _find(args: list[Word]) -> Optional[Plan]:
    """find ... -exec|-execdir|-ok|-okdir COMMAND {} ; (or +): each COMMAND is a command."""
    argvs: list[list[Word]] = []
    i = 0
    while i < len(args):
        if args[i].value in ("-exec", "-execdir", "-ok", "-okdir"):
            end = next((j for j in range(i + 1, len(args)) if args[j].value in (";", "+")), len(args))
            if end > i + 1:
                argvs.append(_replaced(args[i + 1:end], "{}"))
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
    "chroot": _simple("chroot", "", ("userspec", "groups"), False, operands=1),
    "taskset": _simple("taskset", "", (), False, operands=1), "chrt": _simple("chrt", "", (), False, operands=1),
    "setarch": _simple("setarch", "", (), False, operands=1),
    "prlimit": _simple("prlimit", "p", ("pid",), False),
    "unshare": _simple("unshare", "SGR", ("setuid", "setgid", "root", "wd", "propagation", "map-user",
                                          "map-group", "kill-child"), False),
    "nsenter": _simple("nsenter", "tSGwrW", ("target", "setuid", "setgid", "wd", "root", "wdns"), False),
    "strace": _simple("strace", "eopsuEabIOSXP", ("output", "signal", "trace", "user"), False),
    "ltrace": _simple("ltrace", "eopsuaAlLwxXDFn", ("output", "library"), False),
    "valgrind": _simple("valgrind", "", (), False), "unbuffer": _simple("unbuffer", "", (), False),
    "fakeroot": _simple("fakeroot", "lsi", ("lib", "faked"), False), "firejail": _simple("firejail", "", (), False),
    "torsocks": _simple("torsocks", "aPiu", (), False), "proxychains": _simple("proxychains", "f", (), False),
    "proxychains4": _simple("proxychains4", "f", (), False), "catchsegv": _simple("catchsegv", "", (), False),
    "dbus-run-session": _simple("dbus-run-session", "", ("config-file", "dbus-daemon"), False),
    "ssh-agent": _simple("ssh-agent", "aEPt", (), False), "pkexec": _simple("pkexec", "", ("user",), False),
    "xvfb-run": _simple("xvfb-run", "nsfepw", ("server-num", "server-args", "auth-file", "error-file"), False),
    "caffeinate": _simple("caffeinate", "tw", (), False),
    "systemd-run": _simple("systemd-run", "pEuMH", ("property", "unit", "uid", "gid", "setenv", "working-directory",
                                                     "description", "slice", "machine", "host", "nice"), False),
    "flock": _flock, "sg": _sg,
    "uv": _sub_wrapper("uv", "run", "p", ("python", "with", "directory", "project", "env-file", "group", "extra",
                                           "package", "index")),
    "poetry": _sub_wrapper("poetry", "run", "C", ("directory", "project")),
    "pipenv": _sub_wrapper("pipenv", "run"), "pdm": _sub_wrapper("pdm", "run", "p", ("project",)),
    "hatch": _sub_wrapper("hatch", "run"), "conda": _sub_wrapper("conda", "run", "np", ("name", "prefix", "cwd")),
    "direnv": _sub_wrapper("direnv", "exec"),
    "fd": _exec_option("fd -x", ("-x", "--exec", "-X", "--exec-batch")),
    "fdfind": _exec_option("fd -x", ("-x", "--exec", "-X", "--exec-batch")),
    "parallel": _exec_option("parallel", ()),
}


def _script_options(words: list[Word]) -> Optional[Plan]:
    """Options whose value is a command line (git rebase -x CMD, rsync -e CMD, tar --to-command=CMD ...)."""
    hits = [h for h in effects([w.value for w in words]) if h.effect == "script"]
    if not hits:
        return None
    scripts = [Word(h.value, any(w.opaque for w in words if h.value and h.value in w.value)) for h in hits]
    return Plan(f"{basename(words[0].value)} {hits[0].option}", False, scripts=scripts)


def unwrap_plan(words: list[Word]) -> Optional[Plan]:
    """What a command runs in turn, or None when it is not a wrapper (or its name is opaque)."""
    if not words or words[0].opaque:
        return None
    name = basename(words[0].value)
    if name in SHELLS:
        return _shell(words[1:], name)
    wrapper = WRAPPERS.get(name)
    return (wrapper(words[1:]) if wrapper else None) or _script_options(words)
