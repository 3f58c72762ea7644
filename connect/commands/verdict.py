"""Names what a shell command destroys or writes, and decides on it under SPEC 7's command rules.

Destructive (default deny): recursive or bulk delete (rm -r, rm under xargs/find -exec,
find -delete), git push --force/-f/--force-with-lease/+ref, remote ref deletion (push --delete,
:ref, --mirror, --prune), git reset --hard, git clean -f, whole-tree discards (git checkout -- .,
git checkout -f, git restore ., git switch --discard-changes), git branch -D, git stash drop/clear,
history rewrites (filter-branch, filter-repo), a download run by an interpreter (curl|sh,
bash <(curl), sh -c "$(curl)"), dd of=, mkfs/mkswap/partitioning, chmod -R to a world-writable
mode, chown/chgrp -R, shred, truncate, writes to block devices, mv to /dev/null, crontab -r,
kill -1, shutdown/reboot, fork bombs. Review-worthy (require_review): git checkout/restore of
named paths (loses their uncommitted edits), rsync --delete, git -c and other configuration
overrides, options that run code (the table of commands/table.py: git diff --ext-diff, pytest -p,
make --eval, pip install ...), programs read from stdin or a pipe, text bash evaluates
(arithmetic, subscripts), environment overrides such as LD_PRELOAD, PATH or PYTEST_ADDOPTS,
run-time arguments to rm/git/chmod/..., and any command whose name is only known at run time
(commands/execution.py). A command name that is a glob is judged as every dangerous name it can match.

The per-command rules live in commands/rules.py, what a command writes in commands/writes.py; this
module holds the findings across commands and the allow/review/deny decision.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
from typing import Literal

from pydantic import Field

from patchgate.connect.commands.execution import exec_findings
from patchgate.connect.commands.rules import Found, Severity, rule_for
from patchgate.connect.commands.writes import writes_of, written_paths
from patchgate.connect.policy import split_entry
from patchgate.connect.shell.parser import (
    ParsedCommand, SimpleCommand, basename, is_interpreter, parse_command, reads_program_from_stdin,
)
from patchgate.diagnostics.base import SCHEMA_VERSION, Model
from patchgate.diagnostics.errors import InputError

__all__ = ["CommandAssessment", "CommandFinding", "assess_command", "classify", "command_verdict", "matches_prefix",
           "parse_prefixes", "written_paths"]

Decision = Literal["permit", "require_review", "deny"]
RANK: dict[str, int] = {"permit": 0, "require_review": 1, "deny": 2}
DOWNLOADERS = frozenset({"curl", "wget", "fetch", "aria2c", "http", "https", "xh", "lwp-request", "nc", "ncat"})
FLAG_SENSITIVE = frozenset({"rm", "chmod", "chown", "chgrp", "dd", "find", "shred", "truncate", "rsync", "git"})
BLOCK_DEVICE = re.compile(r"/dev/(sd|hd|vd|xvd|nvme|mmcblk|disk|dm-|md|loop|sr|mapper/|mem$|kmem$|port$)")


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
        rule = rule_for(name)
        found += rule(cmd, parsed) if rule else []
        if cmd.opaque and name in FLAG_SENSITIVE and name != "git":
            found.append(("opaque-arguments", "review", f"{name} arguments only known at run time"))
    found += [("device-write", "destructive", f"writes to a block device ({p})")
              for p in writes_of(cmd) if BLOCK_DEVICE.match(p)]
    return found + exec_findings(cmd, parsed)


def classify(parsed: ParsedCommand) -> list[CommandFinding]:
    """Every destructive or review-worthy action in a parsed command line, in command order."""
    cmds = parsed.simple_commands
    downloads = _download_runs(parsed)
    out = [_finding(i, c, f) for i, c in enumerate(cmds) for f in _own_findings(c, parsed)
           if not (i in downloads and f[0] == "stdin-program")]
    out += [_finding(i, cmds[i], ("download-exec", "destructive", "downloaded code run by an interpreter "
                                  "(curl ... | sh)")) for i in downloads]
    out += [_finding(i, cmds[i], ("fork-bomb", "destructive", "fork bomb: a function that calls itself "
                                  "recursively in the background")) for i in _fork_bombs(parsed)]
    return sorted(out, key=lambda f: f.index)


# --- allow / review / deny lists and the decision -------------------------------------------

def matches_prefix(argv: list[str], prefix_argv: list[str]) -> bool:
    """Whole-word argv prefix: `git status` matches `git status -s`, never `git statusx`."""
    return bool(prefix_argv) and argv[:len(prefix_argv)] == prefix_argv


def parse_prefixes(entries: list[str], list_name: str) -> list[list[str]]:
    """Split command-list entries the way the shell would; a bad entry is exit 40."""
    try:
        return [split_entry(entry) for entry in entries]
    except ValueError as error:
        raise InputError(f"commands.{list_name}: {error}") from None


def _first_match(argv: list[str], prefixes: list[list[str]], by_basename: bool = False) -> list[str] | None:
    """The first prefix that matches argv (and, for deny, argv with /bin/ stripped from its name, or a glob
    name such as /bin/r? standing for any name it matches)."""
    variants = [argv, [basename(argv[0]), *argv[1:]]] if by_basename else [argv]
    if by_basename and argv and re.search(r"[*?\[]", argv[0]) and "$" not in argv[0]:
        pattern = re.sub(r"\[\^", "[!", basename(argv[0]))
        variants += [[p[0], *argv[1:]] for p in prefixes if fnmatch.fnmatchcase(basename(p[0]), pattern)]
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
