"""Names what a shell command destroys or writes, and decides on it under SPEC 7's command rules.

Destructive (default deny): recursive or bulk delete (rm -r, rm under xargs/find -exec,
find -delete), git push --force/-f/--force-with-lease/+ref, remote ref deletion (push --delete,
:ref, --mirror, --prune), git reset --hard, git clean -f, whole-tree discards (git checkout -- .,
git checkout -f, git restore ., git switch --discard-changes), git branch -D, git stash drop/clear,
history rewrites (filter-branch, filter-repo), a download run by an interpreter (curl|sh,
bash <(curl), sh -c "$(curl)"), dd of=, mkfs/mkswap/partitioning, chmod -R to a world-writable
mode, chown/chgrp -R, shred, truncate, writes to block devices, mv to /dev/null, crontab -r,
kill -1, shutdown/reboot, fork bombs. Review-worthy (require_review): git checkout/restore of
named paths (loses their uncommitted edits), rsync --delete, git -c settings that run commands,
environment overrides such as LD_PRELOAD or PATH, run-time arguments to rm/git/chmod/...,
and any command whose name is only known at run time.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Callable, Literal

from pydantic import Field

from patchgate.connect.shell import (
    ParsedCommand, SimpleCommand, basename, is_interpreter, parse_command, reads_program_from_stdin,
)
from patchgate.diagnostics.base import SCHEMA_VERSION, Model
from patchgate.diagnostics.errors import InputError

Decision = Literal["permit", "require_review", "deny"]
Severity = Literal["destructive", "review"]
RANK: dict[str, int] = {"permit": 0, "require_review": 1, "deny": 2}
DOWNLOADERS = frozenset({"curl", "wget", "fetch", "aria2c", "http", "https", "xh", "lwp-request", "nc", "ncat"})
NOT_FILES = re.compile(r"/dev/(null|stdout|stderr|tty|fd/\d+)$|[<>]\(")
BLOCK_DEVICE = re.compile(r"/dev/(sd|hd|vd|xvd|nvme|mmcblk|disk|dm-|md|loop|sr|mapper/|mem$|kmem$|port$)")
WHOLE_TREE = frozenset({".", "./", ":/", ":/.", "*", ":(top)", "-A"})
RISKY_ENV = frozenset({"LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "DYLD_INSERT_LIBRARIES", "PATH", "BASH_ENV",
                       "ENV", "IFS", "PROMPT_COMMAND", "PYTHONPATH", "PYTHONSTARTUP", "NODE_OPTIONS",
                       "GIT_SSH_COMMAND", "GIT_EXEC_PATH", "GIT_DIR", "GIT_WORK_TREE", "SHELLOPTS"})
FLAG_SENSITIVE = frozenset({"rm", "chmod", "chown", "chgrp", "dd", "find", "shred", "truncate", "rsync", "git"})
GIT_SENSITIVE = frozenset({"push", "reset", "clean", "checkout", "restore", "switch", "branch", "stash", "rm"})


class CommandFinding(Model):
    """One thing a command would do that the policy must weigh, with the reason in words."""

    category: str = Field(description="Stable kebab-case name of the kind of action, e.g. force-push.")
    severity: Severity = Field(description="destructive (destructive_command threshold) or review.")
    reason: str = Field(description="What the command does and why it matters, for a person.")
    argv: list[str] = Field(description="The simple command it was found in.")
    index: int = Field(description="Index of that command in ParsedCommand.simple_commands.")


class CommandAssessment(Model):
    """The decision on one shell command, with everything that led to it."""

    schema_version: str = Field(default=SCHEMA_VERSION, description="Version of this object's schema.")
    command: str = Field(description="The command line judged.")
    decision: Decision = Field(description="permit, require_review or deny; the most severe reason wins.")
    reasons: list[str] = Field(description="Every reason that raised the decision above permit, most severe first.")
    parse_ok: bool = Field(description="False when the shell parser could not parse the text cleanly.")
    simple_commands: list[SimpleCommand] = Field(description="Every simple command judged.")
    destructive: list[CommandFinding] = Field(description="Destructive actions found.")
    concerns: list[CommandFinding] = Field(description="Review-worthy actions found (not destructive).")
    writes: list[str] = Field(description="Paths the command writes, deletes or truncates, as written.")


@dataclass
class Opts:
    """GNU-style options of one command: short letters, long names, option values, operands."""

    short: set[str] = field(default_factory=set)
    long: set[str] = field(default_factory=set)
    values: dict[str, str] = field(default_factory=dict)
    operands: list[str] = field(default_factory=list)

    def has(self, letters: str = "", *names: str) -> bool:
        """Whether any of the short letters or long names was given."""
        return bool(self.short & set(letters)) or bool(self.long & set(names))


def parse_opts(args: list[str], with_arg: str = "", long_with_arg: tuple[str, ...] = ()) -> Opts:
    """Options anywhere before `--` (GNU permutes them), clusters like -rf, values like -t DIR."""
    opts = Opts()
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            opts.operands.extend(args[i + 1:])
            break
        if arg.startswith("--") and len(arg) > 2:
            name, eq, value = arg[2:].partition("=")
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


def _git_split(args: list[str]) -> tuple[str, list[str], list[str]]:
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
    sub, args, configs = _git_split(cmd.argv[1:])
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


def _rule_for(name: str) -> Rule | None:
    """The rule for a command name; mkfs.ext4 and friends share mkfs's."""
    if name.startswith(("mkfs", "mke2fs", "newfs")):
        return _simple("format-disk", f"{name} formats a filesystem (mkfs)")
    return RULES.get(name)


# --- what a command writes ------------------------------------------------------------------

WRITE_OPS = frozenset({">", ">>", ">|", "&>", "&>>"})
OPERANDS_WRITTEN = {"rm": "", "rmdir": "", "unlink": "", "tee": "", "touch": "dtr", "mkdir": "m", "shred": "ns",
                    "truncate": "sr"}
"""Commands whose every operand is a path they write or delete -> their short options that take a value."""


def _flag_value(args: list[str], letter: str, long: str) -> list[str]:
    """Values of -X VALUE / -abX VALUE / -XVALUE / --long VALUE / --long=VALUE in a free-form CLI."""
    out: list[str] = []
    for i, arg in enumerate(args):
        nxt = args[i + 1] if i + 1 < len(args) else ""
        if arg == f"--{long}":
            out.append(nxt)
        elif arg.startswith(f"--{long}="):
            out.append(arg.split("=", 1)[1])
        elif arg.startswith("-") and not arg.startswith("--") and letter in arg:
            rest = arg[arg.index(letter) + 1:]
            out.append(rest or nxt)
    return [v for v in out if v and v != "-"]


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
    if name == "curl":
        return _flag_value(args, "o", "output")
    if name == "wget":
        return _flag_value(args, "O", "output-document")
    if name == "rsync":
        operands = parse_opts(args, "e", ("rsh",)).operands
        return [p for p in operands[-1:] if ":" not in p] if len(operands) > 1 else []
    if name == "git":
        sub, rest, _ = _git_split(args)
        if sub in ("checkout", "restore", "rm"):
            return rest[rest.index("--") + 1:] if "--" in rest else parse_opts(rest, "s", ("source",)).operands
    return []


def _writes_of(cmd: SimpleCommand) -> list[str]:
    """Paths written by one simple command's redirects and arguments."""
    out = [r.target for r in cmd.redirects
           if r.op in WRITE_OPS or (r.op == ">&" and not r.target.isdigit() and r.target != "-")]
    if cmd.argv and 0 not in cmd.opaque_words:
        out.extend(_command_writes(cmd.argv))
    return [p for p in out if p and p != "{}" and not NOT_FILES.search(p)]


def written_paths(parsed: ParsedCommand) -> list[str]:
    """Every path the command line writes (redirects, tee, sed -i, mv, cp, rm ...), first seen first."""
    seen: dict[str, None] = {}
    for cmd in parsed.simple_commands:
        seen.update(dict.fromkeys(_writes_of(cmd)))
    return list(seen)


# --- findings across commands ---------------------------------------------------------------

def _download_runs(parsed: ParsedCommand) -> list[int]:
    """Commands that run downloaded code: curl|sh, curl|sudo bash, bash <(curl), sh -c "$(curl)"."""
    cmds = parsed.simple_commands
    downloads = [i for i, c in enumerate(cmds) if c.argv and basename(c.argv[0]) in DOWNLOADERS]
    hits: list[int] = []
    for i, cmd in enumerate(cmds):
        if not cmd.argv or not is_interpreter(cmd.argv[0]) and basename(cmd.argv[0]) not in ("eval", "source", "."):
            continue
        stdin = reads_program_from_stdin(cmd.argv)
        for d in downloads:
            piped = stdin and any(p.pipeline == q.pipeline and p.stage < q.stage
                                  for p in cmds[d].pipes for q in cmd.pipes)
            substituted = cmds[d].parent == i and cmds[d].via in ("substitution", "process substitution")
            fed = stdin and cmd.parent == d and cmd.via == "process substitution"
            if piped or substituted or fed:
                hits.append(i)
                break
    return hits


def _fork_bombs(parsed: ParsedCommand) -> list[int]:
    """A function that calls itself in a pipeline or more than once per call."""
    cmds = parsed.simple_commands
    calls = [i for i, c in enumerate(cmds) if c.function and c.argv[:1] == [c.function]]
    return [i for i in calls if cmds[i].pipes or sum(cmds[j].function == cmds[i].function for j in calls) > 1]


def _finding(index: int, cmd: SimpleCommand, found: tuple[str, Severity, str]) -> CommandFinding:
    """A finding model for one (category, severity, reason) triple."""
    return CommandFinding(category=found[0], severity=found[1], reason=found[2], argv=cmd.argv, index=index)


def _own_findings(cmd: SimpleCommand, parsed: ParsedCommand) -> Found:
    """Findings one command earns by itself."""
    found: Found = []
    if cmd.argv and 0 in cmd.opaque_words:
        found.append(("opaque-command", "review", "command (or script) only known at run time"))
    elif cmd.argv:
        name = basename(cmd.argv[0])
        rule = _rule_for(name)
        found += rule(cmd, parsed) if rule else []
        if cmd.opaque and name in FLAG_SENSITIVE and name != "git":
            found.append(("opaque-arguments", "review", f"{name} arguments only known at run time"))
    found += [("device-write", "destructive", f"writes to a block device ({p})")
              for p in _writes_of(cmd) if BLOCK_DEVICE.match(p)]
    found += [("environment-override", "review", f"sets {k}, which changes what programs run")
              for k in cmd.env if k in RISKY_ENV]
    return found


def classify(parsed: ParsedCommand) -> list[CommandFinding]:
    """Every destructive or review-worthy action in a parsed command line, in command order."""
    cmds = parsed.simple_commands
    out = [_finding(i, c, f) for i, c in enumerate(cmds) for f in _own_findings(c, parsed)]
    out += [_finding(i, cmds[i], ("download-exec", "destructive", "downloaded code run by an interpreter "
                                  "(curl ... | sh)")) for i in _download_runs(parsed)]
    out += [_finding(i, cmds[i], ("fork-bomb", "destructive", "fork bomb: a function that calls itself "
                                  "recursively in the background")) for i in _fork_bombs(parsed)]
    return sorted(out, key=lambda f: f.index)


# --- allow / review / deny lists and the decision -------------------------------------------

def matches_prefix(argv: list[str], prefix_argv: list[str]) -> bool:
    """Whole-word argv prefix: `git status` matches `git status -s`, never `git statusx`."""
    return bool(prefix_argv) and argv[:len(prefix_argv)] == prefix_argv


def parse_prefixes(entries: list[str], list_name: str) -> list[list[str]]:
    """Split command-list entries the way the shell would; a bad entry is exit 40."""
    out: list[list[str]] = []
    for entry in entries:
        try:
            words = shlex.split(entry)
        except ValueError as exc:
            raise InputError(f"commands.{list_name}: cannot split {entry!r}: {exc}") from None
        if not words:
            raise InputError(f"commands.{list_name}: empty entry")
        out.append(words)
    return out


def _first_match(argv: list[str], prefixes: list[list[str]], by_basename: bool = False) -> list[str] | None:
    """The first prefix that matches argv (and, for deny, argv with /bin/ stripped from its name)."""
    variants = [argv, [basename(argv[0]), *argv[1:]]] if by_basename else [argv]
    return next((p for p in prefixes for v in variants if matches_prefix(v, p)), None)


def _check_threshold(name: str, value: str) -> Decision:
    """A threshold must be one of the three decisions."""
    if value not in RANK:
        raise InputError(f"thresholds.{name}: {value!r} is not one of permit, require_review, deny")
    return value  # type: ignore[return-value]


def shown(argv: list[str], limit: int = 160) -> str:
    """A simple command as shell text, shortened for a one-line reason."""
    text = shlex.join(argv)
    return text if len(text) <= limit else text[:limit - 3] + "..."


Reason = tuple[str, str, str]
"""(check id, decision, reason): which policy check a reason belongs to, what it asks, and why."""


def _list_reasons(cmd: SimpleCommand, lists: dict[str, list[list[str]]], unknown: Decision) -> list[Reason]:
    """Deny, review and allow lists for one simple command, judged on its own."""
    text = shown(cmd.argv)
    denied = _first_match(cmd.argv, lists["deny"], by_basename=True)
    if denied:
        return [("denied-command", "deny", f"on the deny list ({shlex.join(denied)}): {text}")]
    if 0 in cmd.opaque_words or cmd.transparent:
        return []
    listed = _first_match(cmd.argv, lists["review"])
    if listed:
        return [("review-command", "require_review", f"on the review list ({shlex.join(listed)}): {text}")]
    if _first_match(cmd.argv, lists["allow"]) is None:
        return [("unknown-command", unknown, f"not on the allow list: {text}")]
    return []


def _reasons(parsed: ParsedCommand, findings: list[CommandFinding], lists: dict[str, list[list[str]]],
             on_destructive: Decision, on_unknown: Decision) -> list[Reason]:
    """Tagged reasons for the parse, every simple command and every finding, in that order."""
    reasons: list[Reason] = []
    if not parsed.parse_ok:
        reasons.append(("review-command", "require_review",
                        f"cannot be parsed cleanly: {'; '.join(parsed.errors[:2])}"))
    if not parsed.simple_commands:
        reasons.append(("review-command", "require_review", "no command found"))
    for cmd in parsed.simple_commands:
        reasons += _list_reasons(cmd, lists, on_unknown) if cmd.argv else []
    for f in findings:
        if f.severity == "destructive":
            reasons.append(("destructive-command", on_destructive, f"{f.reason}: {shown(f.argv)}"))
        else:
            reasons.append(("review-command", "require_review", f"{f.reason}: {shown(f.argv)}"))
    return reasons


def assess_command(text: str, allow: list[str], review: list[str], deny: list[str], destructive: str = "deny",
                   unknown: str = "require_review") -> tuple[CommandAssessment, list[Reason]]:
    """The assessment of a command plus every reason tagged with the policy check it belongs to."""
    on_destructive = _check_threshold("destructive_command", destructive)
    on_unknown = _check_threshold("unknown_command", unknown)
    lists = {name: parse_prefixes(entries, name) for name, entries in
             (("allow", allow), ("review", review), ("deny", deny))}
    parsed = parse_command(text)
    findings = classify(parsed)
    tagged = list(dict.fromkeys(_reasons(parsed, findings, lists, on_destructive, on_unknown)))
    raised = sorted((r for r in tagged if r[1] != "permit"), key=lambda r: -RANK[r[1]])
    decision: Decision = max((r[1] for r in tagged), key=RANK.__getitem__, default="permit")  # type: ignore[assignment]
    assessment = CommandAssessment(
        command=text, decision=decision, reasons=[r[2] for r in raised], parse_ok=parsed.parse_ok,
        simple_commands=parsed.simple_commands, destructive=[f for f in findings if f.severity == "destructive"],
        concerns=[f for f in findings if f.severity == "review"], writes=written_paths(parsed))
    return assessment, tagged


def command_verdict(text: str, allow: list[str], review: list[str], deny: list[str],
                    destructive: str = "deny", unknown: str = "require_review") -> CommandAssessment:
    """Decide on a shell command by every simple command in it (SPEC 7); never permit what cannot be parsed."""
    return assess_command(text, allow, review, deny, destructive, unknown)[0]
