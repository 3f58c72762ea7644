"""The allowed-signers file in force, pinned in the state folder the first time it is set.

Kept apart from trust.py so that `connect plan --command`, which pins it, stays light.
"""

from __future__ import annotations

from pathlib import Path

from patchgate.connect.state import signers_file, state_root
from patchgate.diagnostics.errors import InputError
from patchgate.rewrites.store import write_state_file

PIN_NAME = "signers.pin"


def signers_in_force(workspace: Path) -> Path | None:
    """The allowed-signers file; once set, the state folder holds it to that file, so a config edit cannot drop it."""
    configured = signers_file(workspace)
    pin = state_root(workspace) / PIN_NAME
    try:
        pinned = pin.read_text(encoding="utf-8").strip() or None
    except OSError:
        pinned = None
    if configured is not None and pinned is None:
        write_state_file(pin, f"{configured}\n")
        return configured
    if pinned is not None and str(configured) != pinned:
        now = "no signers" if configured is None else f"signers {configured}"
        raise InputError(f"signed approvals are required here ({pin} names {pinned}) but the config gives {now}; "
                         f"restore it, or delete {pin} to change it")
    return configured
