"""Plans on disk: `.patchgate/plans/<id>.json`, written whole or not at all, read back validated."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from patchgate.diagnostics.errors import InputError, pydantic_reason
from patchgate.rewrites.models import RewritePlan

STATE_DIR = ".patchgate"


def plans_dir(workspace: Path) -> Path:
    """Where a workspace keeps its plans (tool state, not project files)."""
    return workspace / STATE_DIR / "plans"


def write_state_file(path: Path, text: str) -> None:
    """Write one file of patchgate's own state atomically, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process umask, so state files get the mode any other new file would (mkstemp makes 0600)."""
    current = os.umask(0o022)
    os.umask(current)
    return current


def save_plan(plan: RewritePlan, workspace: Path) -> Path:
    """Store a plan under its digest; storing the same plan twice changes nothing."""
    target = plans_dir(workspace) / f"{plan.id}.json"
    if not target.exists():
        write_state_file(target, plan.model_dump_json(indent=2) + "\n")
    return target


def parse_plan(text: str, origin: str) -> RewritePlan:
    """A plan from JSON text; any defect (bad JSON, bad field, wrong digest) is one InputError."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{origin}: not valid JSON: {error.msg} at line {error.lineno}") from None
    except RecursionError:
        raise InputError(f"{origin}: not a plan: JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise InputError(f"{origin}: a plan must be a JSON object")
    if not data.get("id"):
        raise InputError(f"{origin}: the plan has no id (its content digest)")
    try:
        return RewritePlan.model_validate(data)
    except ValidationError as error:
        raise InputError(f"{origin}: invalid plan: {pydantic_reason(error)}") from None


def load_plan(reference: str, workspace: Path) -> RewritePlan:
    """A plan by file path, or by digest (or a unique digest prefix) from the plan store."""
    path = Path(reference)
    if not path.is_file():
        matches = sorted(plans_dir(workspace).glob(f"{reference}*.json")) if reference.isalnum() else []
        if len(matches) != 1:
            reason = "no such plan file or plan id" if not matches else f"ambiguous plan id ({len(matches)} match)"
            raise InputError(f"{reference}: {reason}")
        path = matches[0]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{reference}: cannot read plan: {error}") from None
    return parse_plan(text, str(reference))
