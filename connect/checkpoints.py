"""Signed checkpoints of the audit chain: what makes a recomputed chain fail `audit verify`.

Anyone who can write the state folder can rewrite the log and recompute every hash after the
line they changed. A checkpoint is a reviewer's SSH signature over one line's position and
hash (and the workspace), kept in `audit.checkpoints` beside the log: rewriting any line at or
before a checkpoint changes the hash it signs. `review approve` and `review reject` sign a
checkpoint at their own event, and `connect audit checkpoint` seals the log on demand (in CI,
say). With signers set, every approval and rejection event must lie under a valid checkpoint.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError

from patchgate.connect.audit.log import append_line, audit_lock, canonical, line_sha, settle
from patchgate.connect.signing import require_signer, sign, signer_of
from patchgate.connect.state import state_root
from patchgate.diagnostics.base import Model

REVIEW_EVENTS = ("approval", "rejection")


class Checkpoint(Model):
    """One signed statement: line `seq` of this workspace's audit log has this hash."""

    seq: int = Field(ge=1, description="The audit line signed.")
    sha256: str = Field(description="sha256 of that line's bytes.")
    workspace_id: str = Field(description="The workspace whose log it is.")
    signer: str = Field(description="The principal who signed, as they named themselves.")
    signature: str = Field(description="Armored SSH signature (namespace patchgate) of the payload.")


def checkpoints_path(workspace: Path) -> Path:
    """The checkpoint file of a workspace's audit log."""
    return state_root(workspace) / "audit.checkpoints"


def payload(workspace_id: str, seq: int, sha256: str) -> bytes:
    """The bytes a checkpoint signs."""
    return canonical({"kind": "patchgate-audit-checkpoint", "workspace_id": workspace_id, "seq": seq,
                      "sha256": sha256}).encode("utf-8")


def write_checkpoint(workspace: Path, workspace_id: str, key: Path, signer: str, allowed: Path) -> Checkpoint | None:
    """Sign the log's last line now; None when the log is empty."""
    with audit_lock(workspace):
        head = settle(workspace)
        if head.seq == 0:
            return None
        signed = payload(workspace_id, head.seq, head.sha256)
        signature = sign(signed, key)
        require_signer(signed, signature, allowed, signer, key)
        point = Checkpoint(seq=head.seq, sha256=head.sha256, workspace_id=workspace_id, signer=signer,
                           signature=signature)
        append_line(checkpoints_path(workspace), (point.model_dump_json() + "\n").encode("utf-8"))
        return point


def read_checkpoints(workspace: Path) -> list[Checkpoint | None]:
    """Every line of the checkpoint file; None for a line that is not a checkpoint."""
    try:
        data = checkpoints_path(workspace).read_bytes()
    except OSError:
        return []
    points: list[Checkpoint | None] = []
    for raw in data.splitlines():
        try:
            points.append(Checkpoint.model_validate_json(raw))
        except ValidationError:
            points.append(None)
    return points


def checkpoint_problem(workspace: Path, workspace_id: str, lines: list[bytes], review_seqs: list[int],
                       allowed: Path) -> str | None:
    """Why the signed checkpoints do not vouch for this log, or None when they do."""
    if not allowed.is_file():
        return f"the allowed-signers file {allowed} does not exist"
    covered = 0
    for number, point in enumerate(read_checkpoints(workspace), start=1):
        where = f"checkpoint {number}"
        if point is None:
            return f"{where}: not a checkpoint (audit.checkpoints was edited)"
        if point.workspace_id != workspace_id:
            return f"{where}: signed for another workspace"
        if point.seq > len(lines) or line_sha(lines[point.seq - 1]) != point.sha256:
            return f"{where}: line {point.seq} is not the line that was signed (the chain was rewritten)"
        if signer_of(payload(workspace_id, point.seq, point.sha256), point.signature, allowed) is None:
            return f"{where}: the signature is not from an allowed signer"
        covered = max(covered, point.seq)
    unsigned = [seq for seq in review_seqs if seq > covered]
    if unsigned:
        return f"line {unsigned[0]}: a review event no signed checkpoint covers"
    return None
