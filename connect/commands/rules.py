"""Per-command rules: which spellings of rm, git, chmod, dd ... destroy work, in GNU option syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Literal

from patchgate.connect.shell.parser import ParsedCommand, SimpleCommand, basename

Severity = Literal["destructive", "review"]
WHOLE_TREE = frozenset({".", "./", ":/", ":/.", "*", ":(top)", "-A"})
GIT_SENSITIVE = frozenset({"push", "reset", "clean", "checkout", "restore", "switch", "branch", "stash", "rm"})


@dataclass
class Opts:
    """GNU-style options of one command: short letters, long names, option values, operands."""

    short: set[str] = field(default_factory=set)
    long: set[str] = field(default_factory=set)
    values: dict[str, str] = field(default_factory=dict)
    operands: list[str] = field(default_factory=list)

    def has(self, letters: str = "", *names: str) -> bool:
        """Whether any of the short letters or long names was given; a long name also counts when an
        abbreviation of it was given (`--har` for --hard), as getopt_long and git accept unique prefixes."""
        return bool(self.short & set(letters)) or any(n.startswith(g) for g in self.long for n in names if g)


def _full_name(name: str, long_with_arg: tuple[str, ...]) -> str:
    """A long option's full name when it abbreviates exactly one option that takes a value."""
    if name in long_with_arg:
        return name
    matches = [o for o in long_with_arg if o.startswith(name)] if name else []
    return matches[0] if len(matches) == 1 else name


def parse_opts(args: list[str], with_arg: str = "", long_with_arg: tuple[str, ...] = ()) -> Opts:
    """Options anywhere before `--` (GNU permutes them), clusters like -rf, values like -t DIR, abbreviations."""
    opts = Opts()
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            opts.operands.extend(args[i + 1:])
            break
        if arg.startswith("--") and len(arg) > 2:
            name, eq, value = arg[2:].partition("=")
            name = _full_name(name, long_with_arg)
            opts.long.add(name)
            if not eq and name in long_with_arg and i + 1 < len(args):
                value, i = args[i + 1], i + 1
            opts.values[name] = value
        elif arg.startswith("-") and len(arg) > 1:
            for k, letter in enumerate(arg[1:]):
                opts.short.add(letter)
                if letter in with_arg:
                    attached = arg[k + 2:]
                    if not attached and i + 1 < len(args):
                        attached, i = args[i + 1], i + 1
                    opts.values[letter] = attached
                    break
        else:
            opts.operands.append(arg)
        i += 1
    return opts


Found = list[tuple[str, Severity, str]]
Rule = Callable[[SimpleCommand, ParsedCommand], Found]


def _rm(cmd: SimpleCommand, parsed: ParsedCommand) -> Found:
    """rm -r/-R/--recursive in any spelling; rm fed by xargs or find -exec is a bulk delete."""
    opts = parse_opts(cmd.argv[1:])
    found: Found = []
    if opts.has("rR", "recursive"):
        found.append(("recursive-delete", "destructive", "recursive delete (rm -r)"))
    if opts.has("", "no-preserve-root"):
        found.append(("recursive-delete", "destructive", "rm --no-preserve-root can delete the whole system"))
    parent = parsed.simple_commands[cmd.parent] if cmd.parent is not None and cmd.via == "wrapper" else None
    if parent and parent.argv and basename(parent.argv[0]) in ("xargs", "find"):
        found.append(("bulk-delete", "destructive", f"bulk delete: rm over paths from {basename(parent.argv[0])}"))
    return found


def git_split(args: list[str]) -> tuple[str, list[str], list[str]]:
    """git's global options (-C, -c k=v, --git-dir ...) apart from the subcommand and its args."""
    configs: list[str] = []
    i = 0
    while i < len(args) and args[i].startswith("-"):
        arg = args[i]
        if arg in ("-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env", "--super-prefix"):
            if arg == "-c" and i + 1 < len(args):
                configs.append(args[i + 1])
            i += 2
            continue
        if arg.startswith("-c") and len(arg) > 2:
            configs.append(arg[2:])
        i += 1
    return (args[i], args[i + 1:], configs) if i < len(args) else ("", [], configs)


def _git_discard(sub: str, opts: Opts, paths: list[str]) -> Found:
    """checkout/restore over paths: the whole tree is destructive, named paths are review."""
    spelled = f"git {sub} -- {' '.join(paths)}"
    if any(p in WHOLE_TREE for p in paths):
        return [("discard-changes", "destructive", f"discards every uncommitted change ({spelled})")]
    if paths:
        return [("discard-changes", "review", f"overwrites uncommitted changes to the named paths ({spelled})")]
    return []


def _git(cmd: SimpleCommand, parsed: ParsedCommand) -> Found:
    """The git subcommands that lose work or rewrite shared history."""
    sub, args, configs = git_split(cmd.argv[1:])
    config_operands = parse_opts(args, "f", ("file", "blob", "type", "default")).operands if sub == "config" else []
    if len(config_operands) > 1:
        configs.append(f"{config_operands[0]}={config_operands[1]}")
    found: Found = [("git-config-exec", "review", f"git config {c} can run arbitrary commands") for c in configs
                    if re.match(r"(core\.(sshcommand|pager|editor|fsmonitor|hookspath)|.*\.command=)", c,
                                re.I) or "=!" in c]
    if cmd.opaque and (sub in GIT_SENSITIVE or sub.startswith("$")):
        found.append(("opaque-arguments", "review", f"git {sub} arguments only known at run time"))
    opts = parse_opts(args, "osbB", ("repo", "receive-pack", "exec", "push-option", "source", "orphan"))
    if sub == "push":
        refspecs = opts.operands[1:] if len(opts.operands) > 1 else opts.operands
        if opts.has("f", "force", "force-with-lease", "force-if-includes"):
            found.append(("force-push", "destructive", "git push --force rewrites remote history"))
        if any(r.startswith("+") for r in refspecs):
            found.append(("force-push", "destructive", "git push +refspec force-pushes (like git push --force)"))
        if opts.has("d", "delete", "mirror", "prune") or any(r.startswith(":") for r in opts.operands[1:]):
            found.append(("remote-delete", "destructive", "git push deletes remote refs (--delete/:ref/--mirror)"))
    elif sub == "reset" and opts.has("", "hard"):
        found.append(("hard-reset", "destructive", "git reset --hard discards uncommitted changes"))
    elif sub == "clean" and opts.has("f", "force") and not opts.has("n", "dry-run"):
        found.append(("git-clean", "destructive", "git clean -f deletes untracked files"))
    elif sub == "checkout":
        if opts.has("f", "force"):
            found.append(("discard-changes", "destructive", "git checkout -f discards local changes"))
        paths = args[args.index("--") + 1:] if "--" in args else [p for p in opts.operands if p in WHOLE_TREE]
        found += _git_discard(sub, opts, paths)
    elif sub == "restore" and not (opts.has("S", "staged") and not opts.has("W", "worktree")):
        found += _git_discard(sub, opts, opts.operands)
    elif sub == "switch" and opts.has("f", "force", "discard-changes"):
        found.append(("discard-changes", "destructive", "git switch --discard-changes discards local changes"))
    elif sub == "branch" and (opts.has("D") or (opts.has("d", "delete") and opts.has("f", "force"))):
        found.append(("branch-delete", "destructive", "git branch -D deletes a branch even when unmerged"))
    elif sub == "stash" and opts.operands[:1] in (["drop"], ["clear"]):
        found.append(("stash-drop", "destructive", f"git stash {opts.operands[0]} loses stashed work"))
    elif sub in ("filter-branch", "filter-repo"):
        found.append(("history-rewrite", "destructive", f"git {sub} rewrites history"))
    elif sub == "reflog" and opts.operands[:1] in (["expire"], ["delete"]):
        found.append(("reflog-expire", "review", "git reflog expire/delete drops recovery points"))
    return found


def _world_writable(mode: str) -> bool:
    """Whether a chmod mode gives others write access: 777, 0666, o+w, a=rwx."""
    if re.fullmatch(r"[0-7]{3,4}", mode):
        return mode[-1] in "2367"
    clauses = [re.fullmatch(r"([ugoa]*)([-+=])([rwxXst]*)", c) for c in mode.split(",")]
    return any(m and m.group(2) != "-" and "w" in m.group(3) and set(m.group(1)) & {"o", "a"} for m in clauses)


def _chmod(cmd: SimpleCommand, parsed: ParsedCommand) -> Found:
    """chmod -R to a world-writable mode (777, a+w, o+rwx), flags in any order."""
    opts = parse_opts(cmd.argv[1:])
    mode = opts.operands[0] if opts.operands else ""
    if opts.has("R", "recursive") and _world_writable(mode):
        return [("world-writable", "destructive", f"chmod -R {mode} makes a whole tree world-writable")]
    return []


def _chown(cmd: SimpleCommand, parsed: ParsedCommand) -> Found:
    """chown/chgrp -R changes ownership of a whole tree."""
    if parse_opts(cmd.argv[1:]).has("R", "recursive"):
        name = basename(cmd.argv[0])
        return [("recursive-chown", "destructive", f"recursive ownership change ({name} -R)")]
    return []


def _simple(category: str, reason: str) -> Rule:
    """A command that is destructive whatever its arguments."""
    return lambda cmd, parsed: [(category, "destructive", reason)]


def _dd(cmd: SimpleCommand, parsed: ParsedCommand) -> Found:
    """dd of=... overwrites a file or a whole device with raw data."""
    if any(a.startswith("of=") for a in cmd.argv[1:]):
        return [("raw-write", "destructive", "dd of= writes raw data over a file or device")]
    return []


def _find(cmd: SimpleCommand, parsed: ParsedCommand) -> Found:
    """find -delete removes every match."""
    return [("bulk-delete", "destructive", "find -delete deletes every match")] if "-delete" in cmd.argv else []


def _mv(cmd: SimpleCommand, parsed: ParsedCommand) -> Found:
    """mv into /dev/null destroys the source."""
    if cmd.argv[-1] == "/dev/null" and len(cmd.argv) > 2:
        return [("discard-file", "destructive", "mv to /dev/null destroys the file")]
    return []


def _crontab(cmd: SimpleCommand, parsed: ParsedCommand) -> Found:
    """crontab -r deletes every scheduled job without asking."""
    return [("crontab-remove", "destructive", "crontab -r deletes the crontab")] if "r" in parse_opts(
        cmd.argv[1:]).short else []


def _kill(cmd: SimpleCommand, parsed: ParsedCommand) -> Found:
    """kill -1 (every process the user may signal)."""
    return [("kill-all", "destructive", "kill -1 signals every process")] if "-1" in cmd.argv[2:] or (
        len(cmd.argv) == 2 and cmd.argv[1] == "-1") else []


def _rsync(cmd: SimpleCommand, parsed: ParsedCommand) -> Found:
    """rsync --delete removes files at the destination that the source lacks."""
    if any(a.startswith(("--delete", "--remove-source-files")) for a in cmd.argv[1:]):
        return [("mirror-delete", "review", "rsync --delete removes files at the destination")]
    return []


RULES: dict[str, Rule] = {
    "rm": _rm, "git": _git, "chmod": _chmod, "chown": _chown, "chgrp": _chown, "dd": _dd, "find": _find,
    "mv": _mv, "crontab": _crontab, "kill": _kill, "rsync": _rsync,
    "shred": _simple("shred", "shred destroys file contents"),
    "truncate": _simple("truncate", "truncate destroys file contents"),
    "mkswap": _simple("format-disk", "mkswap formats a device"),
    "wipefs": _simple("format-disk", "wipefs erases filesystem signatures"),
    "blkdiscard": _simple("format-disk", "blkdiscard erases a device"),
    **{name: _simple("partition-disk", f"{name} repartitions a disk") for name in
       ("fdisk", "sfdisk", "cfdisk", "parted", "sgdisk", "gdisk")},
    **{name: _simple("shutdown", f"{name} stops or restarts the machine") for name in
       ("shutdown", "reboot", "halt", "poweroff")},
}


def rule_for(name: str) -> Rule | None:
    """The rule for a command name; mkfs.ext4 and friends share mkfs's."""
    if name.startswith(("mkfs", "mke2fs", "newfs")):
        return _simple("format-disk", f"{name} formats a filesystem (mkfs)")
    return RULES.get(name)
