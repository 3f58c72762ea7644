"""The decision store: `.patchgate/decisions/<id>/`, written once, read back validated.

A decision's folder is written whole under a temp name and renamed into place, so a reader
never sees half a decision; its envelope names every artifact. Approvals (approvals/) and the
apply receipt (receipt.json) are added later. Every file is validated when read back, and the
parts must agree (same decision id, the verdict's plan digest is the stored plan's id): a
stored decision that does not is bad input (exit 40), never something apply acts on.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from patchgate.connect.apply.files import fsync_dir
from patchgate.connect.audit.log import append_event, now_iso
from patchgate.connect.models import (
    ApplyReceipt, Approval, ContextPack, DecisionEnvelope, PatchVerdict, PlanPacket, ReviewPacket, content_digest,
)
from patchgate.diagnostics.errors import InputError, pydantic_reason
from patchgate.rewrites.models import RewritePlan
from patchgate.connect.state import state_root
from patchgate.rewrites.store import write_state_file

DECISION_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")
ID_PREFIX = re.compile(r"^[0-9TZa-f-]{4,}$")
ARTIFACT_NAME = re.compile(r"^[a-z][a-z_-]*\.json$")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class StoredDecision:
    """Everything stored about one decision, validated and consistent."""

    decision_id: str
    folder: Path
    envelope: DecisionEnvelope
    context: ContextPack
    packet: PlanPacket
    plan: RewritePlan | None
    verdict: PatchVerdict
    review: ReviewPacket | None
    approvals: tuple[Approval, ...]
    receipt: ApplyReceipt | None


def decisions_dir(workspace: Path) -> Path:
    """Where a workspace keeps its decisions."""
    return state_root(workspace) / "decisions"


def new_decision_id() -> str:
    """A time-sortable id, unique across processes: UTC second plus 32 random bits."""
    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def write_durable(path: Path, text: str) -> None:
    """Write one state file atomically and make its rename durable."""
    write_state_file(path, text)
    fsync_dir(path.parent)


def _dump(model: BaseModel) -> str:
    """The stored JSON form of a model."""
    return model.model_dump_json(indent=2) + "\n"


def _artifacts(context: ContextPack, packet: PlanPacket, plan: RewritePlan | None, verdict: PatchVerdict,
               review: ReviewPacket | None) -> dict[str, BaseModel]:
    """File name -> model of every artifact of a new decision."""
    files: dict[str, BaseModel] = {"context.json": context, "packet.json": packet, "verdict.json": verdict}
    if plan is not None:
        files["plan.json"] = plan
    if review is not None:
        files["review.json"] = review
    return files


def record_decision(workspace: Path, context: ContextPack, packet: PlanPacket, plan: RewritePlan | None,
                    verdict: PatchVerdict, review: ReviewPacket | None, policy_digest: str) -> DecisionEnvelope:
    """Store a decision's artifacts and envelope in one rename, then append its audit event."""
    decision_id = verdict.decision_id
    if not DECISION_ID.match(decision_id):
        raise ValueError(f"not a decision id from new_decision_id(): {decision_id!r}")
    if plan is not None and verdict.plan_digest != plan.id:
        raise ValueError(f"verdict covers plan {verdict.plan_digest}, not the plan given ({plan.id})")
    files = _artifacts(context, packet, plan, verdict, review)
    envelope = DecisionEnvelope(
        decision_id=decision_id, task_id=packet.task_id, verdict=verdict.verdict, created_at=now_iso(),
        policy_digest=policy_digest, context_pack="context.json", plan_packet="packet.json",
        plan="plan.json" if plan is not None else None, verdict_ref="verdict.json",
        review_packet="review.json" if review is not None else None,
    )
    files["envelope.json"] = envelope
    _publish(decisions_dir(workspace), decision_id, {name: _dump(model) for name, model in files.items()})
    append_event(workspace, "decision", decision_id, {
        "verdict": verdict.verdict, "task_id": packet.task_id, "plan_digest": verdict.plan_digest,
        "policy_digest": policy_digest, "actor": context.actor.id, **decision_digests(context, packet, verdict),
    })
    return envelope


def decision_digests(context: ContextPack, packet: PlanPacket, verdict: PatchVerdict) -> dict[str, str | None]:
    """What a decision's audit event pins: its workspace and the digest of each artifact as decided."""
    return {"workspace_id": context.workspace_id, "context_id": context.id, "packet_id": packet.id,
            "verdict_digest": content_digest(verdict.model_dump(mode="json"))}


def _publish(parent: Path, decision_id: str, texts: dict[str, str]) -> None:
    """Write the files into a temp folder and rename it to the decision's folder."""
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{decision_id}.{secrets.token_hex(4)}.tmp"
    staging.mkdir()
    try:
        for name, text in texts.items():
            _write_new(staging / name, text)
        fsync_dir(staging)
        os.rename(staging, parent / decision_id)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    fsync_dir(parent)


def _write_new(path: Path, text: str) -> None:
    """A file of the staging folder, fsynced; no temp file, since nothing reads it before the folder's rename."""
    with path.open("x", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())


def resolve_id(workspace: Path, reference: str) -> str:
    """A full decision id from an id, a unique prefix of one, or of its random part (`637cc8ea`); else bad input."""
    if DECISION_ID.match(reference) and (decisions_dir(workspace) / reference).is_dir():
        return reference
    matches = []
    if ID_PREFIX.match(reference) and decisions_dir(workspace).is_dir():
        matches = sorted(p.name for p in decisions_dir(workspace).iterdir() if DECISION_ID.match(p.name)
                         and (p.name.startswith(reference) or p.name.partition("-")[2].startswith(reference)))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise InputError(f"{reference}: ambiguous decision id, it matches {', '.join(matches)}")
    raise InputError(f"{reference}: no such decision (see `patchgate connect review list --all`)")


def _read(folder: Path, name: str, model: type[M]) -> M:
    """One stored artifact, validated; a missing or damaged file is bad input naming it."""
    path = folder / name
    try:
        return model.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise InputError(f"decision {folder.name}: {name} is missing") from None
    except ValidationError as error:
        raise InputError(f"decision {folder.name}: {name} is damaged: {pydantic_reason(error)}") from None
    except OSError as error:
        raise InputError(f"decision {folder.name}: cannot read {name}: {error.strerror}") from None


def load_decision(workspace: Path, decision_id: str) -> StoredDecision:
    """A stored decision with its approvals and receipt; unknown or damaged -> InputError (exit 40)."""
    folder = decisions_dir(workspace) / resolve_id(workspace, decision_id)
    envelope = _read(folder, "envelope.json", DecisionEnvelope)
    refs = [envelope.context_pack, envelope.plan_packet, envelope.plan, envelope.verdict_ref, envelope.review_packet]
    if any(ref is not None and not ARTIFACT_NAME.match(ref) for ref in refs):
        raise InputError(f"decision {folder.name}: envelope.json is damaged: an artifact name is not a plain file name")
    stored = StoredDecision(
        decision_id=folder.name, folder=folder, envelope=envelope,
        context=_read(folder, envelope.context_pack, ContextPack),
        packet=_read(folder, envelope.plan_packet, PlanPacket),
        plan=_read(folder, envelope.plan, RewritePlan) if envelope.plan else None,
        verdict=_read(folder, envelope.verdict_ref, PatchVerdict),
        review=_read(folder, envelope.review_packet, ReviewPacket) if envelope.review_packet else None,
        approvals=tuple(_read(folder, f"approvals/{p.name}", Approval) for p in _approval_files(folder)),
        receipt=_read(folder, "receipt.json", ApplyReceipt) if (folder / "receipt.json").exists() else None,
    )
    _check_consistent(stored)
    return stored


def _approval_files(folder: Path) -> list[Path]:
    """Approval files in the order they were written (their names start with the time)."""
    approvals = folder / "approvals"
    return sorted(approvals.glob("*.json")) if approvals.is_dir() else []


def _check_consistent(stored: StoredDecision) -> None:
    """The parts of a decision must describe the same decision and the same plan."""
    name, verdict = stored.decision_id, stored.verdict
    problems = []
    if stored.envelope.decision_id != name or verdict.decision_id != name:
        problems.append("envelope or verdict names another decision")
    if stored.envelope.verdict != verdict.verdict:
        problems.append(f"envelope says {stored.envelope.verdict}, verdict.json says {verdict.verdict}")
    if (stored.plan.id if stored.plan else None) != verdict.plan_digest:
        problems.append("the stored plan is not the plan the verdict covers")
    if stored.receipt is not None and (stored.receipt.decision_id != name or stored.receipt.plan_digest != verdict.plan_digest):
        problems.append("receipt.json belongs to another decision or plan")
    if any(item.decision_id != name for item in stored.approvals):
        problems.append("an approval names another decision")
    if problems:
        raise InputError(f"decision {name}: damaged: {'; '.join(problems)}")


def write_approval(stored: StoredDecision, approval: Approval) -> Path:
    """Add an approval or rejection file; names sort by time."""
    stamp = approval.created_at.replace(":", "").replace("-", "").replace(".", "")
    target = stored.folder / "approvals" / f"{stamp}-{secrets.token_hex(4)}.json"
    write_durable(target, _dump(approval))
    return target


def write_receipt(stored: StoredDecision, receipt: ApplyReceipt) -> Path:
    """Write the apply receipt: the moment an apply counts as done."""
    target = stored.folder / "receipt.json"
    write_durable(target, _dump(receipt))
    return target


def list_decision_ids(workspace: Path) -> list[str]:
    """Every stored decision id, oldest first."""
    folder = decisions_dir(workspace)
    return sorted(p.name for p in folder.iterdir() if DECISION_ID.match(p.name)) if folder.is_dir() else []
