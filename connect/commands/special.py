"""Per-tool readers the option table cannot express: archives that extract, files replaced in place,
make variable overrides, git subcommands that write or run, sed and awk programs.

Each reader takes the arguments after the command (or subcommand) and returns Hits like the table's.
"""

from __future__ import annotations

import functools
import re
import shlex
from typing import Callable

from patchgate.connect.commands.scan import Hit, scan
from patchgate.connect.commands.scripts import awk_effects, awk_program, sed_effects, sed_scripts
from patchgate.connect.commands.table import FORMATTERS, TOOLS, Tool

Reader = Callable[[list[str]], list[Hit]]
GIT_GLOBAL_FLAGS = frozenset({
    "--no-pager", "--paginate", "--bare", "--literal-pathspecs", "--glob-pathspecs", "--noglob-pathspecs",
    "--icase-pathspecs", "--no-replace-objects", "--no-optional-locks", "--no-advice", "--no-lazy-fetch",
    "--version", "--help", "--html-path", "--man-path", "--info-path", "-p", "-P", "-v", "-h",
})
TAR_MODES = Tool((
    ("-x --extract --get", "config", "extract"),
    ("-c --create -r --append -u --update -A --catenate --concatenate --delete", "config", "create"),
    ("-f= --file= -C= --directory=", "write", ""),
    ("-T= --files-from= -X= --exclude-from= -b= -V= -K= -N= -L= -H= -I= -F= -g=", "arg", ""),
))
SSH_COMMANDS = re.compile(r"\s*(proxycommand|localcommand|knownhostscommand)\s*[= ]\s*(.*)", re.I | re.S)


def _tar(args: list[str]) -> list[Hit]:
    """tar x extracts names chosen by the archive; tar c/r/u writes the -f archive (old style `tar xf a` too)."""
    if args and not args[0].startswith("-"):
        args = ["-" + args[0], *args[1:]]
    hits, _ = scan(TAR_MODES, args)
    modes = {h.why for h in hits if h.effect == "config"}
    values = {h.option: h.value for h in hits if h.effect == "write"}
    archive = values.get("-f") or values.get("--file", "")
    directory = values.get("-C") or values.get("--directory", "")
    out: list[Hit] = []
    if "extract" in modes and not any(a in ("-O", "--to-stdout") or re.fullmatch(r"-[A-Za-z]*O[A-Za-z]*", a)
                                      for a in args):
        out.append(Hit("config", "extracts files named inside the archive (they can overwrite any file)", "tar -x"))
        out += [Hit("write", "extracts into this directory", "tar -C", directory)] if directory else []
    if "create" in modes and archive:
        out.append(Hit("write", "writes the archive", "tar -f", archive))
    actions = [a.split("=", 1)[1] for a in args if a.startswith("--checkpoint-action=")]
    out += [Hit("script", "runs this command at each checkpoint", "--checkpoint-action", a.split("=", 1)[1])
            for a in actions if a.startswith("exec=")]
    return out


def _script(args: list[str]) -> list[Hit]:
    """script [options] [FILE] writes FILE (default typescript)."""
    _, operands = scan(TOOLS["script"], args)
    return [Hit("write", "records the session there", "script", operands[0] if operands else "typescript")]


def _su(args: list[str]) -> list[Hit]:
    """su without -c opens a shell that reads commands from stdin."""
    if any(a in ("-c", "--command", "--session-command") or a.startswith("--command=") for a in args):
        return []
    return [Hit("exec", "opens a shell that reads commands from stdin", "su")]


def _unzip(args: list[str]) -> list[Hit]:
    """unzip extracts unless it only lists, tests or prints (-l -t -v -z -Z -p -c)."""
    letters = "".join(a[1:] for a in args if a.startswith("-") and not a.startswith("--") and len(a) > 1)
    if set(letters) & set("ltvzZpc"):
        return []
    return [Hit("config", "extracts files named inside the archive (they can overwrite any file)", "unzip")]


def _zip(args: list[str]) -> list[Hit]:
    """zip writes its archive, the first operand (and -TT runs a command)."""
    _, operands = scan(TOOLS["zip"], [a for a in args if not a.startswith("-TT")])
    return _zip_tt(args) + ([Hit("write", "writes the archive", "zip", operands[0])] if operands else [])


def _in_place(args: list[str]) -> list[Hit]:
    """gzip/xz/bzip2 ... replace each file operand unless they write to stdout, test or list."""
    letters = "".join(a[1:] for a in args if a.startswith("-") and not a.startswith("--"))
    if set(letters) & set("ctlhV") or any(a in ("--stdout", "--to-stdout", "--test", "--list") for a in args):
        return []
    _, operands = scan(TOOLS.get("gzip", Tool()), args)
    return [Hit("write", "replaces the file with its (de)compressed form", "in place", p) for p in operands]


def _uniq(args: list[str]) -> list[Hit]:
    """uniq INPUT OUTPUT writes OUTPUT."""
    _, operands = scan(Tool((("-f= -s= -w=", "arg", ""),)), args)
    return [Hit("write", "writes its output there", "uniq", operands[1])] if len(operands) > 1 else []


def _split(args: list[str]) -> list[Hit]:
    """split/csplit write PREFIXaa, PREFIXab ...: judged as the glob PREFIX*."""
    hits, operands = scan(Tool((("-f= --prefix=", "write", ""), ("-a= -b= -l= -n= -C= -d= -t=", "arg", ""))), args)
    prefix = next((h.value for h in hits), "") or (operands[1] if len(operands) > 1 else "x")
    return [Hit("write", "writes numbered pieces", "split", prefix + "*")]


def _make(args: list[str]) -> list[Hit]:
    """make NAME=value overrides a variable, which can change what every recipe runs."""
    _, operands = scan(TOOLS["make"], args)
    return [Hit("exec", f"overrides the make variable {o.split('=', 1)[0]} (it can change what recipes run)", o)
            for o in operands if re.match(r"[^=\s]+=", o)]


def _wget(args: list[str]) -> list[Hit]:
    """wget without -O saves under a name the server chooses."""
    hits, _ = scan(TOOLS["wget"], args)
    if any(h.option in ("-O", "--output-document") for h in hits) or any(a.startswith("--spider") for a in args):
        return []
    return [Hit("config", "saves a file named by the URL", "wget")]


def _ssh(args: list[str]) -> list[Hit]:
    """ssh/scp -o ProxyCommand=... and LocalCommand run a local command."""
    values = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "-o"] + [a[2:] for a in args if
                                                                           a.startswith("-o") and len(a) > 2]
    found = [m.group(2) for v in values for m in [SSH_COMMANDS.match(v)] if m]
    return [Hit("script", "ssh runs this local command", "-o", value) for value in found]


def _git_global(args: list[str]) -> list[Hit]:
    """git options before the subcommand that are not known to be harmless are reviewed."""
    hits: list[Hit] = []
    spellings = TOOLS["git"].spellings
    i = 0
    while i < len(args) and args[i].startswith("-"):
        name = args[i].split("=", 1)[0]
        if name not in GIT_GLOBAL_FLAGS and name not in spellings:
            hits.append(Hit("config", "an unknown git option before the subcommand", name))
        i += 2 if name in spellings and spellings[name][2] == "=" and "=" not in args[i] else 1
    return hits


def _git_config(args: list[str]) -> list[Hit]:
    """git config that sets, unsets or edits (not get/list)."""
    _, operands = scan(Tool((("-f= --file= --blob= --type= --default= --comment=", "arg", ""),)), args)
    writes = {"--unset", "--unset-all", "--add", "--replace-all", "--rename-section", "--remove-section", "-e",
              "--edit"}
    if len(operands) > 1 or writes & set(args) or operands[:1] in (["set"], ["unset"], ["edit"]):
        return [Hit("config", "changes git configuration (which can run commands)", "git config")]
    return []


def _git_clone(args: list[str]) -> list[Hit]:
    """git clone REPO [DIR] writes DIR (by default the repository's name)."""
    _, operands = scan(TOOLS["git clone"], args)
    if not operands:
        return []
    target = operands[1] if len(operands) > 1 else re.sub(r"(\.git)?/*$", "", operands[0]).rsplit("/", 1)[-1]
    return [Hit("write", "clones into this directory", "git clone", target or operands[0])]


def _git_worktree(args: list[str]) -> list[Hit]:
    """git worktree add PATH writes PATH."""
    _, operands = scan(Tool((("-b= -B= --reason=", "arg", ""),)), args)
    return [Hit("write", "creates a work tree there", "git worktree add", operands[1])] if operands[:1] == [
        "add"] and len(operands) > 1 else []


def _git_runs(args: list[str], sub: str) -> list[Hit]:
    """git submodule foreach CMD / git bisect run CMD... / git hook run NAME run commands."""
    operands = [a for a in args if not a.startswith("-")]
    if sub == "submodule" and operands[:1] == ["foreach"]:
        rest = args[args.index("foreach") + 1:]
        rest = [a for a in rest if a not in ("--recursive", "-q", "--quiet")]
        return [Hit("script", "runs this command in every submodule", "foreach", " ".join(rest))]
    if sub == "bisect" and operands[:1] == ["run"]:
        return [Hit("script", "runs this command at each bisection step", "run", shlex.join(args[args.index("run") + 1:]))]
    if sub == "hook" and operands[:1] == ["run"]:
        return [Hit("exec", "runs a git hook", "hook run")]
    return []


def _git_patches(args: list[str]) -> list[Hit]:
    """git apply/am write the files a patch names (apply --check/--stat only read)."""
    if any(a in ("--check", "--stat", "--numstat", "--summary") for a in args):
        return []
    return [Hit("config", "writes the files the patch names", "git apply")]


def _git_init(args: list[str]) -> list[Hit]:
    """git init writes a repository: its .git folder (config, hooks)."""
    _, operands = scan(Tool((("-b= --initial-branch= --template= --separate-git-dir= --object-format= "
                              "--shared=?", "arg", ""),)), args)
    return [Hit("write", "creates or reinitialises a repository", "git init", f"{operands[0] if operands else '.'}/.git/config")]


def _formatter(name: str, args: list[str]) -> list[Hit]:
    """black, prettier --write, ruff --fix ...: each operand is written (a folder: every file below it); none,
    or `.`, means every file of the workspace, which needs review."""
    writing, reading = FORMATTERS[name]
    given = {a.split("=", 1)[0] for a in args}
    if reading and given & set(reading) or writing and not given & set(writing):
        return []
    operands = [a for a in args if not a.startswith("-") and a not in writing and a not in ("check", "format")]
    operands = operands[1:] if name == "yq" else operands
    hits = [Hit("write", f"{name} rewrites it in place", name, o) for o in operands if o not in (".", "./")]
    if len(hits) == len(operands) and operands:
        return hits
    return hits + [Hit("config", f"{name} rewrites every file under the current directory in place", name)]


def _awk(args: list[str]) -> list[Hit]:
    """awk: what the program text writes or runs; with gawk -i inplace, every file operand is rewritten."""
    texts, files, inplace = awk_program(args)
    hits = [hit for text in texts for hit in awk_effects(text)]
    return hits + [Hit("write", "gawk -i inplace rewrites this file", "-i inplace", f) for f in files if inplace]


def _pytest(args: list[str]) -> list[Hit]:
    """pytest --cov-report=KIND[:PATH] writes PATH (or the kind's default file)."""
    defaults = {"html": "htmlcov", "xml": "coverage.xml", "json": "coverage.json", "lcov": "coverage.lcov"}
    values = [a.split("=", 1)[1] for a in args if a.startswith("--cov-report=")]
    values += [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--cov-report"]
    out = []
    for value in values:
        kind, _, path = value.partition(":")
        target = path or defaults.get(kind, "")
        out += [Hit("write", "writes a coverage report there", "--cov-report", target)] if target else []
    return out


def _scp(args: list[str]) -> list[Hit]:
    """scp SOURCE... DEST writes DEST when it is local; -o ProxyCommand runs a command."""
    _, operands = scan(TOOLS["scp"], args)
    local = operands[-1] if len(operands) > 1 and not re.match(r"[^/]*:", operands[-1]) else ""
    return _ssh(args) + ([Hit("write", "copies into this local path", "scp", local)] if local else [])


def _sudo(args: list[str]) -> list[Hit]:
    """sudo -e/sudoedit edits (writes) files; sudo -s/-i without a command opens a shell reading stdin."""
    _, operands = scan(Tool((("-u= -g= -p= -C= -h= -D= -r= -t= -U= -T= -R=", "arg", ""),)), args, posix=True)
    flags = "".join(a[1:] for a in args[:len(args) - len(operands)] if a.startswith("-") and not a.startswith("--"))
    longs = {a.split("=", 1)[0] for a in args if a.startswith("--")}
    if "e" in flags or "--edit" in longs:
        return [Hit("write", "sudo -e edits this file", "sudo -e", o) for o in operands]
    if not operands and (set(flags) & {"s", "i"} or longs & {"--shell", "--login"}):
        return [Hit("exec", "opens a root shell that reads commands from stdin", "sudo -s")]
    return []


def _sudoedit(args: list[str]) -> list[Hit]:
    """sudoedit FILE... is sudo -e FILE...."""
    return _sudo(["-e", *args])


def _zip_tt(args: list[str]) -> list[Hit]:
    """zip -TT CMD (two letters, so not a cluster) runs CMD to test the archive."""
    values = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "-TT"]
    values += [a[3:] for a in args if a.startswith("-TT") and len(a) > 3]
    return [Hit("script", "runs this command to test the archive", "-TT", v) for v in values]


def _sed(args: list[str]) -> list[Hit]:
    """sed: what each script writes or runs, unless --sandbox forbids it."""
    scripts, sandbox = sed_scripts(args)
    return [] if sandbox else [hit for text in scripts for hit in sed_effects(text)]


def _crontab(args: list[str]) -> list[Hit]:
    """crontab FILE (or -) installs scheduled commands; -l only lists."""
    if any(a in ("-l", "-r") for a in args):
        return []
    return [Hit("exec", "installs a crontab (commands run later)", "crontab")]


def _sqlite(args: list[str]) -> list[Hit]:
    """sqlite3 DB [SQL or .dot-commands]: writes DB; .shell/.system/.output run or write."""
    operands = [a for a in args if not a.startswith("-")]
    hits = [Hit("write", "opens (and may write) this database", "sqlite3", operands[0])] if operands else []
    return hits + [Hit("exec", "runs sqlite dot-commands (.shell, .output)", o) for o in operands[1:] if "." in o[:2]]


def _vim(args: list[str]) -> list[Hit]:
    """vim +CMD runs an editor command."""
    return [Hit("exec", "runs editor commands (they can run shell commands)", a) for a in args if a.startswith("+")]


SPECIAL: dict[str, Reader] = {
    "tar": _tar, "unzip": _unzip, "zip": _zip, "gzip": _in_place, "zstd": _in_place, "uniq": _uniq,
    "split": _split, "csplit": _split, "make": _make, "wget": _wget, "ssh": _ssh, "awk": _awk,
    "sed": _sed, "crontab": _crontab, "sqlite3": _sqlite, "vim": _vim, "pytest": _pytest, "scp": _scp,
    "sudo": _sudo, "sudoedit": _sudoedit, "script": _script, "su": _su,
    **{name: functools.partial(_formatter, name) for name in FORMATTERS},
    "git *": _git_global, "git config": _git_config, "git clone": _git_clone, "git worktree": _git_worktree,
    "git init": _git_init, "git apply": _git_patches, "git am": _git_patches,
    **{f"git {sub}": functools.partial(_git_runs, sub=sub) for sub in ("submodule", "bisect", "hook")},
}
