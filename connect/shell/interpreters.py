"""Interpreters and where they read their program from: `sh`, `bash -s`, `python -`, `bash /dev/stdin`.

A program read from stdin is only known when stdin is a heredoc or here-string the judge can read;
from a pipe, a file redirect or the terminal it is not, and the judge fails closed.
"""

from __future__ import annotations

import re

from typing import Optional

from patchgate.connect.shell.models import SHELLS, SimpleCommand, basename

INTERPRETER = re.compile(r"(python|pypy|perl|ruby|node|nodejs|deno|bun|php|lua|tclsh|pwsh|osascript|irb|jshell|"
                         r"Rscript|julia)[0-9.]*")
CODE_FLAGS = {"python": "cm", "pypy": "cm", "perl": "eE", "ruby": "e", "node": "ep", "nodejs": "ep",
              "deno": "e", "bun": "e", "php": "rR", "lua": "e", "Rscript": "e"}
STDIN_FILES = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0", "/dev/tty", "fd:0"})
FD_FILE = re.compile(r"/dev/fd/\d+|/proc/(self|thread-self|\d+)/fd/\d+|/dev/stdin|-")
"""A program file that is a file descriptor: whatever another command (or stdin) feeds it."""
INFO_FLAGS = frozenset({"--version", "-V", "--help", "-h", "-VV"})
SHELL_VALUE_OPTIONS = frozenset({"--rcfile", "--init-file"})


def is_interpreter(name: str) -> bool:
    """A shell or a language runtime: something that runs the code it is given."""
    return basename(name) in SHELLS or bool(INTERPRETER.fullmatch(basename(name)))


def reads_program_from_stdin(argv: list[str]) -> bool:
    """True when an interpreter would read its program from stdin (`sh`, `bash -s`, `python -`, `sh /dev/stdin`)."""
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
        if value in STDIN_FILES or FD_FILE.fullmatch(value):
            return True
        if value in INFO_FLAGS and not shell:
            return False
        if value == "--":
            return i + 1 >= len(args) or args[i + 1] in STDIN_FILES
        if value.startswith("--"):
            if value.startswith(("--eval", "--print", "--command", "--version", "--help")):
                return False
            i += 2 if value in SHELL_VALUE_OPTIONS else 1
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


def echoed_text(cmd: SimpleCommand) -> Optional[str]:
    """What a literal echo/printf writes to stdout (approximately: its words joined), None when unknown."""
    if not cmd.argv or cmd.opaque or basename(cmd.argv[0]) not in ("echo", "printf"):
        return None
    words = cmd.argv[1:]
    while words and basename(cmd.argv[0]) == "echo" and re.fullmatch(r"-[neE]+", words[0]):
        words = words[1:]
    text = " ".join(words)
    return text.replace("\\n", "\n").replace("%s", " ") if basename(cmd.argv[0]) == "printf" else text
