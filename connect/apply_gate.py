"""Everything apply checks before it writes a byte: verdict, review, containment, staleness.

Refusals carry SPEC 3 exit codes: 10 a rewrite verdict, 20 awaiting review, 30 denied
(a deny verdict, a rejection, a path that now leads outside the workspace), 40 bad input
(already applied, not a file change, a stale or inconsistent plan).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from patchgate.connect.models import Approval
from patchgate.connect.review import review_state
from patchgate.connect.store import StoredDecision
from patchgate.diagnostics.errors import PatchgateError
from patchgate.diagnostics.span import apply_edits
from patchgate.rewrites.models import FileRewrite, RewritePlan

STATE_FOLDERS = (".git", ".patchgate")


class ApplyRefused(PatchgateError):
    """Apply will not write this decision; `kind` says why, `exit_code` follows SPEC 3."""

    def __init__(self, kind: str, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.kind = kind
        self.exit_code = exit_code


@dataclass(frozen=True)
class FileWork:
    """One file as apply will write it: what is there now and what goes there."""

    path: str
    target: Path
    before: bytes | None
    after: bytes | None
    before_sha256: str | None
    after_sha256: str | None
    missing_dirs: tuple[str, ...]


def check_allowed(stored: StoredDecision, counted: tuple[Approval, ...]) -> RewritePlan:
    """The plan to write, if this decision may be applied at all (counting only the approvals given)."""
    name, verdict = stored.decision_id, stored.verdict.verdict
    if stored.receipt is not None:
        raise ApplyRefused("already-applied", f"decision {name} was already applied at {stored.receipt.created_at}", 40)
    if stored.plan is None:
        raise ApplyRefused("no-plan", f"decision {name} is about a command, not a file change: there is nothing to apply", 40)
    if verdict == "deny":
        raise ApplyRefused("denied", f"decision {name} was denied: {_why(stored)}", 30)
    if verdict == "rewrite":
        raise ApplyRefused("rewrite", f"decision {name} asks for a rewrite first: {_why(stored)}", 10)
    if verdict == "require_review":
        state = review_state(stored, counted)
        if state.status == "rejected":
            raise ApplyRefused("rejected", f"decision {name} was rejected by {state.rejected_by}", 30)
        if state.status != "approved":
            have = f"{len(state.approvers)} of {state.needed}"
            raise ApplyRefused("awaiting-review", f"decision {name} needs approval of plan {stored.plan.id[:12]} "
                               f"({have}): patchgate connect review approve {name}", 20)
    return stored.plan


def _why(stored: StoredDecision) -> str:
    """The failing checks' details, for a refusal message."""
    failing = [check.detail for check in stored.verdict.checks if check.status != "pass"]
    return "; ".join(failing) or (stored.review.reason if stored.review else "see the verdict")


def containment_problem(root: Path, relative: str, real_root: str | None = None) -> str | None:
    """Why writing `relative` now would leave the workspace (a symlink swapped in), or None."""
    real_root = real_root or os.path.realpath(root)
    target = root / relative
    if target.is_symlink():
        return f"{relative} is a symlink"
    real = os.path.realpath(target)
    if os.path.commonpath([real_root, real]) != real_root:
        return f"{relative} leads outside the workspace (to {real})"
    inside = Path(os.path.relpath(real, real_root)).parts
    if inside and inside[0] in STATE_FOLDERS:
        return f"{relative} leads into {inside[0]}/"
    return None


def _current(target: Path) -> bytes | None:
    """The file's bytes now, None when it does not exist."""
    try:
        return target.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError:
        return b"\0<directory>"


def _missing_dirs(root: Path, target: Path) -> tuple[str, ...]:
    """Parent folders of a new file that do not exist yet, outermost first."""
    missing = []
    parent = target.parent
    while parent != root and not parent.exists():
        missing.append(parent.relative_to(root).as_posix())
        parent = parent.parent
    return tuple(reversed(missing))


def _after(item: FileRewrite, before: bytes | None) -> bytes | None:
    """The file's new bytes from its base and the edits; None for a deletion."""
    if item.after_sha256 is None:
        return None
    try:
        text = "" if before is None else before.decode("utf-8")
        data = apply_edits(text, item.edits).encode("utf-8")
    except (UnicodeDecodeError, ValueError) as error:
        raise ApplyRefused("inconsistent", f"{item.path}: the edits cannot be applied: {error}", 40) from None
    if hashlib.sha256(data).hexdigest() != item.after_sha256:
        raise ApplyRefused("inconsistent", f"{item.path}: the edits do not give the planned after_sha256", 40)
    return data


def prepare(root: Path, plan: RewritePlan) -> list[FileWork]:
    """Every file's before and after bytes, refusing escapes and stale files (naming all of them)."""
    real_root = os.path.realpath(root)
    escapes = [problem for item in plan.files if (problem := containment_problem(root, item.path, real_root))]
    if escapes:
        raise ApplyRefused("containment", "refusing to write outside the workspace: " + "; ".join(escapes), 30)
    work, stale = [], []
    for item in plan.files:
        target = root / item.path
        before = _current(target)
        digest = None if before is None else hashlib.sha256(before).hexdigest()
        if digest != item.base_sha256:
            stale.append(f"{item.path} ({_stale_reason(item.base_sha256, digest)})")
            continue
        work.append(FileWork(item.path, target, before, _after(item, before), digest, item.after_sha256,
                             _missing_dirs(root, target) if before is None else ()))
    if stale:
        raise ApplyRefused("stale", f"stale plan: {len(stale)} file(s) changed since the decision: {', '.join(stale)}; plan again", 40)
    return work


def _stale_reason(base: str | None, now: str | None) -> str:
    """How a file differs from what the plan was made on."""
    if base is None:
        return "must not exist, but does"
    if now is None:
        return "was deleted"
    return "content changed"
