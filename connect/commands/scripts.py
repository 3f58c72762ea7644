"""sed and awk programs read for what they write or run: `w FILE`, `s/a/b/w FILE`, `e CMD`, `system()`, `print > F`.

The readers are small and err on the closed side: a sed script they cannot follow is reported as
not understood, and any awk output redirection, pipe or system() call is reported.
"""

from __future__ import annotations

import re

from patchgate.connect.commands.scan import Hit

SED_NO_ARGS = set("=dDgGhHnNpPxzFlLqQ")
SED_TO_EOL = set("aicrRbtT:#v")


def _sed_address(text: str, i: int) -> int:
    """Skip one sed address (number, $, /re/, \\cREc, first~step) and what may follow it (I, M)."""
    if i < len(text) and (text[i] == "/" or text[i] == "\\"):
        delim = text[i] if text[i] == "/" else text[i + 1:i + 2]
        i += 1 if text[i] == "/" else 2
        while i < len(text) and text[i] != delim:
            i += 2 if text[i] == "\\" else 1
        i += 1
        while i < len(text) and text[i] in "IM":
            i += 1
        return i
    match = re.compile(r"\$|\d+(~\d+)?").match(text, i)
    return match.end() if match else i


def _sed_delimited(text: str, i: int, parts: int) -> int:
    """Skip the delimited parts of s/re/rep/ or y/a/b/ starting at the delimiter; returns the index after."""
    delim = text[i:i + 1]
    i += 1
    for _ in range(parts):
        while i < len(text) and text[i] != delim:
            i += 2 if text[i] == "\\" else 1
        i += 1
    return i


def _rest_of_line(text: str, i: int) -> tuple[str, int]:
    """The text up to the end of the line (sed's file names and commands run to the newline)."""
    end = text.find("\n", i)
    end = len(text) if end < 0 else end
    return text[i:end].strip(), end


def sed_effects(script: str) -> list[Hit]:
    """What one sed script writes (w, W, s///w) and runs (e, s///e); an unreadable script is reported too."""
    hits: list[Hit] = []
    i = 0
    while i < len(script):
        if script[i] in " \t\n;{}!":
            i += 1
            continue
        i = _sed_address(script, i)
        if i < len(script) and script[i] == ",":
            i = _sed_address(script, i + 1) if script[i + 1:i + 2] not in "+~" else _sed_address(script, i + 2)
        while i < len(script) and script[i] in " \t!":
            i += 1
        if i >= len(script):
            break
        cmd = script[i]
        i += 1
        if cmd in "wW":
            path, i = _rest_of_line(script, i)
            hits.append(Hit("write", "the sed script writes this file", f"sed {cmd}", path))
        elif cmd == "e":
            command, i = _rest_of_line(script, i)
            hits.append(Hit("script" if command else "exec", "the sed script runs a command", "sed e", command))
        elif cmd in "sy":
            i = _sed_delimited(script, i, 2)
            flags = re.compile(r"[gpiImMe0-9]*").match(script, i)
            i = flags.end() if flags else i
            if cmd == "s" and "e" in (flags.group(0) if flags else ""):
                hits.append(Hit("exec", "the sed s///e flag runs the result as a command", "sed s///e"))
            if cmd == "s" and script[i:i + 1] == "w":
                path, i = _rest_of_line(script, i + 1)
                hits.append(Hit("write", "the sed s///w flag writes this file", "sed s///w", path))
        elif cmd in SED_TO_EOL:
            _, i = _rest_of_line(script, i)
        elif cmd in "qQlL":
            while i < len(script) and script[i].isdigit():
                i += 1
        elif cmd not in SED_NO_ARGS and cmd not in "{}":
            hits.append(Hit("exec", "a sed script that cannot be read for what it writes or runs", "sed"))
            break
    return hits


def sed_scripts(args: list[str]) -> tuple[list[str], bool]:
    """The script texts of a sed command line (-e, --expression, else the first operand), and --sandbox."""
    scripts: list[str] = []
    operands: list[str] = []
    from_file = sandbox = False
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            operands += args[i:]
            break
        if arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
            sandbox = sandbox or name == "sandbox"
            if "expression".startswith(name) and len(name) > 1:
                scripts.append(value if eq else (args[i] if i < len(args) else ""))
                i += 0 if eq else 1
            from_file = from_file or ("file".startswith(name) and len(name) > 1)
            i += 1 if "file".startswith(name) and len(name) > 1 and not eq else 0
        elif arg.startswith("-") and len(arg) > 1:
            for k, letter in enumerate(arg[1:]):
                if letter in "efl":
                    value = arg[k + 2:] or (args[i] if i < len(args) else "")
                    i += 0 if arg[k + 2:] else 1
                    scripts += [value] if letter == "e" else []
                    from_file = from_file or letter == "f"
                    break
        else:
            operands.append(arg)
    if not scripts and not from_file and operands:
        scripts.append(operands[0])
    return scripts, sandbox


AWK_EXEC = re.compile(r"\bsystem\s*\(|\|\s*&?\s*getline|\|&|\"[^\"]*\"\s*\||@load|\bprintf?\b[^;{}\n]*\|")
AWK_WRITE = re.compile(r"\bprintf?\b[^;{}\n]*?>>?\s*(\"([^\"]*)\"|\S+)")


def awk_effects(program: str) -> list[Hit]:
    """What an awk program writes (print > "f") and runs (system(), "cmd" | getline, print | "cmd")."""
    hits = [Hit("exec", "the awk program runs commands (system(), pipes)", "awk")] if AWK_EXEC.search(program) else []
    for match in AWK_WRITE.finditer(program):
        path = match.group(2)
        hits.append(Hit("write", "the awk program writes this file", "awk >", path) if path is not None
                    else Hit("exec", "the awk program writes a file named at run time", "awk >"))
    return hits


def awk_program(args: list[str]) -> tuple[list[str], list[str], bool]:
    """The program texts of an awk command line (-e/--source values, else the first operand unless -f),
    its file operands, and whether gawk's inplace extension makes it rewrite those files."""
    texts: list[str] = []
    files: list[str] = []
    from_file = inplace = False
    i = 0
    while i < len(args):
        arg, nxt = args[i], args[i + 1] if i + 1 < len(args) else ""
        i += 1
        if arg == "--":
            files += args[i:]
            break
        if arg in ("-e", "--source", "-f", "--file", "-E", "--exec", "-v", "--assign", "-F", "--field-separator",
                   "-i", "--include", "-l", "--load"):
            texts += [nxt] if arg in ("-e", "--source") else []
            from_file = from_file or arg in ("-f", "--file", "-E", "--exec")
            inplace = inplace or arg in ("-i", "--include") and nxt.startswith("inplace")
            i += 1
        elif arg.startswith("-") and len(arg) > 1:
            texts += [arg.split("=", 1)[1]] if arg.startswith("--source=") else []
            from_file = from_file or arg.startswith(("-f", "--file=", "-E", "--exec="))
            inplace = inplace or arg.startswith(("-iinplace", "--include=inplace"))
        else:
            files.append(arg)
    if not texts and not from_file and files:
        texts.append(files.pop(0))
    return texts, files, inplace
