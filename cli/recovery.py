"""Every command that reads or writes workspace files first settles the applies a crash cut short (SPEC 7).

Called before the command reads anything, its config included; costs one failed listdir per
folder above the start when nothing was interrupted (connect/interrupted.py).
"""

from __future__ import annotations

from pathlib import Path

import click

from patchgate.connect.interrupted import recover_around


def settle_interrupted(*starts: Path | None) -> None:
    """Roll back (or complete) interrupted applies at or above the starts, saying so on stderr."""
    for item in recover_around(start for start in starts if start is not None):
        click.echo(f"patchgate: recovered an interrupted apply of {item.decision_id}: {item.outcome} "
                   f"({len(item.restored)} file(s) restored, {item.temps_removed} temp file(s) removed)", err=True)
