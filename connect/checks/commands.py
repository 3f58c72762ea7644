"""The command checks of SPEC 7: denied, destructive, unlisted and review-worthy commands.

The shell parser and classifier live in shell/ and commands/; this module turns their tagged reasons
into one Check per kind, and hands back the paths the command writes so they are judged
like any other write (relative to the workspace root). After a cd, pushd or popd a relative
path's place is only known at run time, so such writes are judged like `$VAR/x`; so is a glob
target (`> .gi?/config`), which is also judged as every path it can match. A command that writes
a file at all needs review: it writes outside apply, and its new contents cannot be checked.
"""

from __future__ import annotations

from typing import NamedTuple

from patchgate.connect.checks.plan import finding, most_severe, named, passed
from patchgate.connect.models import Check, ContextPack
from patchgate.connect.policy import ConnectPolicy

COMMAND_CHECKS = ("denied-command", "destructive-command", "unknown-command", "review-command")
PASS_DETAIL = {
    "denied-command": "no command is on the deny list",
    "destructive-command": "nothing destructive found",
    "unknown-command": "every command is on the allow list",
    "review-command": "no command needs review",
}


DIRECTORY_CHANGERS = frozenset({"cd", "pushd", "popd"})
"""After one of these, a relative path no longer names a place in the workspace root."""


class CommandChecks(NamedTuple):
    """The checks of one command, the paths it writes as written, and those whose place is unknown."""

    checks: dict[str, Check]
    writes: list[str]
    floating: list[str]


def not_a_command() -> dict[str, Check]:
    """The command checks of a candidate that runs no command."""
    return {check_id: passed(check_id, "not applicable: no command") for check_id in COMMAND_CHECKS}


def _write_reasons(writes: list[str]) -> list[tuple[str, str, str]]:
    """A command that writes files does so outside apply, with contents nobody can check: review."""
    if not writes:
        return []
    return [("review-command", "require_review",
             f"writes {named(writes)} itself, outside apply (the new contents cannot be checked)")]


def _glob_writes(writes: list[str], context: ContextPack) -> tuple[list[str], list[str]]:
    """Written globs (`> .gi?/config`), and every path each can stand for, judged like any write."""
    from patchgate.connect.commands.globs import glob_targets, is_glob

    globs = [p for p in writes if is_glob(p)]
    patterns = [*context.immutable_paths, *context.protected_paths, *context.generated_paths]
    return globs, [t for p in globs for t in glob_targets(p, context.repo, patterns)]


def command_checks(command: str, context: ContextPack, policy: ConnectPolicy) -> CommandChecks:
    """Judge a command by every simple command in it, with the context's lists and the policy's thresholds."""
    from patchgate.connect.commands.verdict import assess_command
    from patchgate.connect.shell.parser import basename

    lists = context.commands
    thresholds = policy.thresholds
    assessment, reasons = assess_command(command, lists.allow, lists.review, lists.deny,
                                         thresholds.destructive_command, thresholds.unknown_command)
    reasons = reasons + _write_reasons(assessment.writes)
    checks: dict[str, Check] = {}
    for check_id in COMMAND_CHECKS:
        mine = [r for r in reasons if r[0] == check_id]
        if not mine:
            checks[check_id] = passed(check_id, PASS_DETAIL[check_id])
            continue
        checks[check_id] = finding(check_id, most_severe(r[1] for r in mine), named(r[2] for r in mine))
    moves = any(c.argv and basename(c.argv[0]) in DIRECTORY_CHANGERS for c in assessment.simple_commands)
    floating = [p for p in assessment.writes if moves and not p.startswith(("/", "~"))]
    globs, matched = _glob_writes(assessment.writes, context)
    writes = [p for p in assessment.writes if p not in floating] + [p for p in matched if not moves]
    return CommandChecks(checks, list(dict.fromkeys(writes)), list(dict.fromkeys(floating + globs)))
