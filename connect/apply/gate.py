"""Everything apply checks before it writes a byte: verdict, review, containment, staleness.

Refusals carry SPEC 3 exit codes: 10 a rewrite verdict, 20 awaiting review, 30 denied
(a deny verdict, a rejection, a path that now leads outside the workspace or into `.git`/
`.patchgate`, a symlink on the way), 40 bad input (already applied, not a file change, a stale
or inconsistent plan, a FIFO, device, socket or folder where the file goes, a path too long
for the file system). Every look at a target goes through directory descriptors without
following symlinks (apply/files.py: read_current), so a FIFO is never opened for a blocking read.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from patchgate.connect.models import Approval
from patchgate.connect.apply.files import PROTECTED_NAMES, Current, UnsafePath, read_current
from patchgate.connect.paths import length_problem
from patchgate.connect.review import review_state
from patchgate.connect.store import StoredDecision
from patchgate.diagnostics.errors import PatchgateError
from patchgate.diagnostics.span import apply_edits
from patchgate.rewrites.models import FileRewrite, RewritePlan, workspace_path_problem


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
    mode: int | None = None


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


def containment_problem(root: Path, relative: str) -> str | None:
    """Why `relative` is no place to write (not plain, in `.git`/`.patchgate` at any depth, a symlink on the way), or None."""
    problem = workspace_path_problem(relative)
    if problem:
        return f"{relative} {problem}"
    parts = relative.split("/")
    state = next((part for part in parts if part in PROTECTED_NAMES), None)
    if state is not None:
        return f"{relative} leads into {state}/"
    for index in range(1, len(parts) + 1):
        shown = "/".join(parts[:index])
        try:
            if stat.S_ISLNK(os.lstat(root / shown).st_mode):
                return f"{shown} is a symlink" + (f" (on the way to {relative})" if shown != relative else "")
        except OSError:
            return None
    return None


def _look(root: Path, relative: str) -> Current | str:
    """What is at `relative` now, seen through directory descriptors; a string says why it is no place to write."""
    try:
        current = read_current(root, relative)
    except UnsafePath as error:
        return f"{error.filename} {error.strerror}"
    except OSError as error:
        raise ApplyRefused("unreadable", f"{relative}: cannot read: {error.strerror or error}", 40) from None
    return f"{relative} is a symlink" if current.kind == "symlink" else current


def _missing_dirs(root: Path, relative: str) -> tuple[str, ...]:
    """Parent folders of a new file that do not exist yet, outermost first."""
    parents = ["/".join(relative.split("/")[:index]) for index in range(1, relative.count("/") + 1)]
    missing = next((index for index, folder in enumerate(parents) if not os.path.lexists(root / folder)), len(parents))
    return tuple(parents[missing:])


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
    """Every file's before and after bytes, refusing escapes, special files and stale files (naming all of them)."""
    seen = {item.path: containment_problem(root, item.path) or _look(root, item.path) for item in plan.files}
    escapes = [found for found in seen.values() if isinstance(found, str)]
    if escapes:
        raise ApplyRefused("containment", "refusing to write outside the workspace: " + "; ".join(escapes), 30)
    currents = {path: found for path, found in seen.items() if isinstance(found, Current)}
    _refuse_impossible(root, plan, currents)
    work, stale = [], []
    for item in plan.files:
        current = currents[item.path]
        if current.sha256 != item.base_sha256:
            stale.append(f"{item.path} ({_stale_reason(item.base_sha256, current.sha256)})")
            continue
        work.append(FileWork(item.path, root / item.path, current.data, _after(item, current.data), current.sha256,
                             item.after_sha256, _missing_dirs(root, item.path) if current.data is None else (),
                             current.mode))
    if stale:
        raise ApplyRefused("stale", f"stale plan: {len(stale)} file(s) changed since the decision: {', '.join(stale)}; plan again", 40)
    return work


def _refuse_impossible(root: Path, plan: RewritePlan, seen: dict[str, Current]) -> None:
    """FIFOs, devices, sockets and folders are never written, nor are paths no file system could hold (exit 40)."""
    special = [f"{path} is a {current.kind}, not a regular file" for path, current in seen.items()
               if current.kind not in ("file", "missing")]
    special += [f"{item.path}: {problem}" for item in plan.files
                if (problem := length_problem(str(root), os.path.join(root, item.path)))]
    if special:
        raise ApplyRefused("not-a-file", "refusing to write: " + "; ".join(special), 40)


def _stale_reason(base: str | None, now: str | None) -> str:
    """How a file differs from what the plan was made on."""
    if base is None:
        return "must not exist, but does"
    if now is None:
        return "was deleted"
    return "content changed"
