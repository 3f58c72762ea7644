"""Findings for code a command runs that the judge cannot read: options that load or run code, programs
read from stdin or a pipe, `source FILE`, text bash evaluates (arithmetic, subscripts), environment that
changes what programs do, and command names that are globs.

All of these fail closed: they need review whatever the allow list says.
"""

from __future__ import annotations

import fnmatch
import functools
import re

from patchgate.connect.commands.effects import Hit, effects
from patchgate.connect.commands.rules import Found, rule_for
from patchgate.connect.shell.parser import ParsedCommand, SimpleCommand, basename, is_interpreter, reads_program_from_stdin
from patchgate.connect.shell.interpreters import FD_FILE
from patchgate.connect.shell.models import SHELLS

RISKY_ENV = frozenset({
    "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "DYLD_INSERT_LIBRARIES", "PATH", "BASH_ENV", "ENV", "IFS",
    "PROMPT_COMMAND", "NODE_OPTIONS", "NODE_PATH", "SHELLOPTS", "BASHOPTS", "PS4", "HOME", "XDG_CONFIG_HOME",
    "EDITOR", "VISUAL", "PAGER", "MANPAGER", "LESSOPEN", "LESSCLOSE", "SSH_ASKPASS", "SUDO_ASKPASS", "PERL5OPT",
    "PERL5LIB", "PERLLIB", "RUBYOPT", "RUBYLIB", "PYTEST_ADDOPTS", "PYTEST_PLUGINS", "MAKEFLAGS", "MFLAGS",
    "MAKEFILES", "GNUMAKEFLAGS", "TAR_OPTIONS", "GZIP", "ZSTD_CLEVEL", "CURL_HOME", "WGETRC", "SHELL", "TMOUT",
})
RISKY_PREFIXES = ("LD_", "DYLD_", "GIT_", "BASH_FUNC_", "PIP_", "NPM_CONFIG_", "PYTHON", "UV_", "CONDA_")
BENIGN_ENV = frozenset({
    "PYTHONWARNINGS", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PYTHONHASHSEED", "PYTHONIOENCODING",
    "PYTHONUTF8", "PYTHONFAULTHANDLER", "PYTHONDEVMODE", "PYTHONOPTIMIZE", "PYTHONNOUSERSITE", "PYTHONSAFEPATH",
    "PYTHONTRACEMALLOC", "PYTHONVERBOSE", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE", "GIT_TERMINAL_PROMPT", "UV_NO_CACHE",
})
SOURCES = frozenset({"source", ".", "enable", "hash"})
GLOB_CANDIDATES = ("rm", "git", "dd", "chmod", "chown", "chgrp", "shred", "truncate", "find", "mv", "kill",
                   "mkfs", "crontab", "rsync", "reboot", "shutdown", "halt", "poweroff", "sudo", "eval", "bash",
                   "sh", "zsh", "dash", "env", "xargs", "python", "python3", "perl", "curl", "wget", "tee")
"""Command names a glob in a command word is tried against (`/bin/r? -rf x` can run rm)."""


@functools.lru_cache(maxsize=512)
def cached_effects(argv: tuple[str, ...]) -> tuple[Hit, ...]:
    """effects() of one argv, computed once per judge (the writes and the findings both ask)."""
    return tuple(effects(list(argv)))


def risky_env(name: str) -> bool:
    """An environment variable that changes which code programs load or run (LD_PRELOAD, GIT_*, PYTEST_ADDOPTS)."""
    upper = name.upper()
    return upper not in BENIGN_ENV and (upper in RISKY_ENV or upper.startswith(RISKY_PREFIXES))


def _option_findings(cmd: SimpleCommand) -> Found:
    """Options that run code, change configuration, or write a file whose name the tool picks."""
    found: Found = []
    for hit in cached_effects(tuple(cmd.argv)):
        where = f"{hit.option}{'=' + hit.value if hit.value and hit.effect != 'script' else ''}"
        if hit.effect in ("exec", "script"):
            found.append(("code-execution", "review", f"{where}: {hit.why}"))
        elif hit.effect == "config":
            found.append(("config-override", "review", f"{where}: {hit.why}"))
        elif hit.effect == "write" and not hit.value:
            found.append(("unresolved-write", "review", f"{hit.option}: {hit.why} (a file it names itself)"))
    if cmd.env and basename(cmd.argv[0]) in ("make", "gmake"):
        found.append(("environment-override", "review", "environment variables override make variables"))
    return found


def _stdin_source(cmd: SimpleCommand) -> str | None:
    """Where an interpreter that reads its program from stdin gets it, when the judge could not read it."""
    shell = basename(cmd.argv[0]) in SHELLS
    heredoc = any(r.op in ("<<", "<<-", "<<<") and r.fd in (None, 0) for r in cmd.redirects)
    if heredoc:
        return None if shell else "a heredoc or here-string"
    files = [r.target for r in cmd.redirects if r.op in ("<", "<&", "<>") and r.fd in (None, 0)]
    if files:
        return f"the file {files[-1]}"
    if any(p.stage > 0 for p in cmd.pipes):
        return "a pipe"
    return "standard input"


def _program_findings(cmd: SimpleCommand) -> Found:
    """Interpreters running a program the judge cannot read, and source/. of a file."""
    name = basename(cmd.argv[0])
    if name in SOURCES:
        if name in ("source", ".") or any(a.startswith("-") and ("f" in a or "p" in a) for a in cmd.argv[1:2]):
            return [("code-execution", "review", f"{name} runs code from a file in this shell (not judged)")]
        return []
    if not is_interpreter(cmd.argv[0]):
        return []
    if reads_program_from_stdin(cmd.argv) or any(FD_FILE.fullmatch(a) for a in cmd.argv[1:2]):
        source = _stdin_source(cmd)
        return [("stdin-program", "review", f"{name} runs a program read from {source}")] if source else []
    operands = [i for i, a in enumerate(cmd.argv[1:], start=1) if not a.startswith(("-", "+"))]
    if operands and operands[0] in cmd.opaque_words:
        return [("opaque-program", "review", f"{name} runs a program only known at run time")]
    script_flag = any(re.fullmatch(r"-[a-zA-Z]*c[a-zA-Z]*", a) for a in cmd.argv[1:])
    if name in SHELLS and script_flag and not operands:
        return [("opaque-program", "review", f"{name} -c gets its script from arguments only known at run time")]
    return []


def _glob_name(cmd: SimpleCommand, parsed: ParsedCommand) -> Found:
    """A command word that is a glob is judged as every dangerous command it can match."""
    word = cmd.argv[0]
    if "$" in word or "`" in word or not re.search(r"[*?\[]", word):
        return []
    pattern = re.sub(r"\[\^", "[!", basename(word) or "*")
    found: Found = []
    for name in GLOB_CANDIDATES:
        rule = rule_for(name) if fnmatch.fnmatchcase(name, pattern) else None
        found += rule(cmd.model_copy(update={"argv": [name, *cmd.argv[1:]]}), parsed) if rule else []
    return [(c, s, f"command name {word} can match: {r}") for c, s, r in found]


def exec_findings(cmd: SimpleCommand, parsed: ParsedCommand) -> Found:
    """Everything one command runs or changes that the judge cannot read, all needing at least review."""
    found: Found = [("evaluated-code", "review", f"bash evaluates {t!r} at run time (a subscript in it can run "
                     "commands)") for t in cmd.evaluated]
    found += [("environment-override", "review", f"sets {k}, which changes what programs load or run")
              for k in cmd.env if risky_env(k)]
    if not cmd.argv:
        return found
    if 0 in cmd.opaque_words:
        return found + _glob_name(cmd, parsed)
    return found + _option_findings(cmd) + _program_findings(cmd)
