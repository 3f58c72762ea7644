"""Every command that reads or writes workspace files first settles the applies a crash cut short (SPEC 7).

Called before the command reads anything, its config included; costs a few stats and one
failed listdir when nothing was interrupted (connect/interrupted.py). It looks only in the
workspace root of each start, never above it. A journal patchgate did not write is
quarantined and named in one line; a recovery that fails (a full disk, a read-only folder)
keeps its journal and says so in one line. Either way the command itself goes on: only
`patchgate apply` refuses while a journal is pending, and `patchgate connect recover` exits 40.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from patchgate.connect.interrupted import recover_around

if TYPE_CHECKING:
    from patchgate.connect.recover.settle import Recovered


def one_line(text: str) -> str:
    """Text with control characters escaped, so a hostile file name cannot break the one-line report."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def outcome_line(item: Recovered) -> str:
    """A rolled-back or completed apply as one line, conflicts included."""
    line = (f"{item.outcome} ({len(item.restored)} file(s) restored, {item.temps_removed} temp file(s) removed)")
    if item.conflicts:
        line += f"; left as they are, changed by someone else since the apply (conflict): {', '.join(item.conflicts)}"
    return line


def problem_lines(outcomes: Iterable[Recovered]) -> list[str]:
    """One line for every quarantined journal together, one per recovery that failed."""
    outcomes = list(outcomes)
    quarantined = [f"{item.entry} ({item.detail})" for item in outcomes if item.outcome == "quarantined"]
    lines = [f"quarantined {len(quarantined)} apply journal(s) patchgate did not write, never acting on them: "
             + "; ".join(quarantined)] if quarantined else []
    lines += [f"could not recover {item.entry or item.decision_id or 'the workspace'}: {item.detail}; the journal is "
              "kept: fix the cause and run `patchgate connect recover`" for item in outcomes if item.outcome == "failed"]
    return [one_line(line) for line in lines]


def settle_interrupted(*starts: Path | None) -> None:
    """Roll back (or complete) interrupted applies in the starts' workspaces, saying so on stderr."""
    outcomes = recover_around(start for start in starts if start is not None)
    for item in outcomes:
        if item.outcome in ("rolled-back", "completed"):
            click.echo(one_line(f"patchgate: recovered an interrupted apply of {item.decision_id}: {outcome_line(item)}"),
                       err=True)
    for line in problem_lines(outcomes):
        click.echo(f"patchgate: warning: {line}", err=True)
