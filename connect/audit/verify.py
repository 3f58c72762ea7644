"""`patchgate connect audit verify`: walk the hash chain and name the first line that was tampered with.

At the first broken line the report says what most likely happened (changed, removed,
reordered, inserted, truncated), using the two signals every line carries: `seq` says where
it belongs, `prev` says which line came before it. The head anchor covers the last line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from patchgate.connect.audit.log import GENESIS, AuditEvent, AuditHead, audit_path, canonical, line_sha, parse_line, read_head

ProblemKind = Literal["changed", "removed", "reordered", "inserted", "truncated", "incomplete", "unanchored", "unsigned"]


@dataclass(frozen=True)
class Problem:
    """The first place the log stops being what was written."""

    line: int
    kind: ProblemKind
    message: str


@dataclass(frozen=True)
class VerifyResult:
    """How many events the log holds, and the first problem if there is one."""

    events: int
    problem: Problem | None

    @property
    def ok(self) -> bool:
        """True when every line chains and the head covers the last one."""
        return self.problem is None


@dataclass(frozen=True)
class _Line:
    """One raw line and the event it holds, if it holds one."""

    raw: bytes
    event: AuditEvent | None


def _seq_problem(lines: list[_Line], index: int) -> Problem:
    """Line `index` (0-based) holds the wrong seq: say whether lines were removed, moved or added."""
    number, seq = index + 1, lines[index].event.seq  # type: ignore[union-attr]
    holders = [i + 1 for i, item in enumerate(lines) if item.event is not None and item.event.seq == number]
    if seq > number and not holders:
        gone = f"event {number}" if seq == number + 1 else f"events {number}..{seq - 1}"
        return Problem(number, "removed", f"line {number}: {gone} removed (line {number} holds event {seq})")
    if seq > number:
        where = f"holds event {seq}; event {number} is at line {holders[0]}"
        return Problem(number, "reordered", f"line {number}: out of order ({where})")
    twin = next(i + 1 for i, item in enumerate(lines[:index]) if item.event is not None and item.event.seq == seq)
    if lines[twin - 1].raw == lines[index].raw:
        return Problem(number, "inserted", f"line {number}: inserted (a copy of line {twin})")
    if twin == number - 1 and _chains(lines, index + 1, index):
        why = f"line {number} also holds event {seq}, and the next line chains from it"
        return Problem(twin, "inserted", f"line {twin}: inserted ({why})")
    return Problem(number, "inserted", f"line {number}: inserted or moved (event {seq} is already at line {twin})")


def _chains(lines: list[_Line], index: int, previous: int) -> bool:
    """Whether line `index` records line `previous` as the one before it."""
    if index >= len(lines) or lines[index].event is None:
        return False
    return lines[index].event.prev == line_sha(lines[previous].raw)  # type: ignore[union-attr]


def _prev_problem(lines: list[_Line], index: int) -> Problem:
    """Line `index` has the right seq but does not chain: blame it, or the line before it."""
    number = index + 1
    following = lines[index + 1].event if index + 1 < len(lines) else None
    if following is not None and following.seq == number:
        why = f"it does not chain, and line {number + 1} holds event {number}"
        return Problem(number, "inserted", f"line {number}: inserted ({why})")
    if index == 0 or (following is not None and not _chains(lines, index + 1, index)):
        return Problem(number, "changed", f"line {number}: changed (its recorded previous hash does not match)")
    return Problem(number - 1, "changed", f"line {number - 1}: changed (line {number} records a different hash for it)")


def _line_problem(lines: list[_Line], index: int) -> Problem | None:
    """The problem at line `index`, given every line before it is sound."""
    number, item = index + 1, lines[index]
    if not item.raw.endswith(b"\n"):
        return Problem(number, "incomplete", f"line {number}: incomplete (no newline: an interrupted append or an edit)")
    if item.event is None:
        return Problem(number, "changed", f"line {number}: changed (not a valid audit event)")
    if canonical(item.event.model_dump(mode="json")).encode("utf-8") != item.raw.rstrip(b"\n"):
        return Problem(number, "changed", f"line {number}: changed (not in canonical form)")
    if item.event.seq != number:
        return _seq_problem(lines, index)
    expected = GENESIS if index == 0 else line_sha(lines[index - 1].raw)
    if item.event.prev != expected:
        return _prev_problem(lines, index)
    return None


def _head_problem(lines: list[_Line], head: AuditHead | None) -> Problem | None:
    """The last line against the head anchor: catches a removed or edited last line."""
    count = len(lines)
    if head is None:
        if not count:
            return None
        return Problem(count, "unanchored", "audit.head is missing or unreadable: the end of the log cannot be checked")
    if head.seq > count:
        missing = f"event {head.seq}" if head.seq == count + 1 else f"events {count + 1}..{head.seq}"
        why = f"audit.head records {head.seq} events"
        return Problem(count + 1, "truncated", f"line {count + 1}: {missing} removed from the end ({why})")
    if head.seq == 0:
        return None
    if line_sha(lines[head.seq - 1].raw) != head.sha256:
        why = "audit.head records a different hash for the last event"
        return Problem(head.seq, "changed", f"line {head.seq}: changed ({why})")
    return None


def verify_log(workspace: Path, signers: Path | None = None) -> VerifyResult:
    """Check every line, then the head, then (with signers) the signed checkpoints; the first problem, or none."""
    log = audit_path(workspace)
    data = log.read_bytes() if log.exists() else b""
    lines = [_Line(raw, parse_line(raw)) for raw in data.splitlines(keepends=True)]
    for index in range(len(lines)):
        problem = _line_problem(lines, index)
        if problem is not None:
            return VerifyResult(len(lines), problem)
    problem = _head_problem(lines, read_head(workspace))
    if problem is None and signers is not None:
        problem = _signature_problem(workspace, lines, signers)
    return VerifyResult(len(lines), problem)


def _signature_problem(workspace: Path, lines: list[_Line], signers: Path) -> Problem | None:
    """With signers set: every checkpoint signed by an allowed signer over the line it names, reviews covered."""
    from patchgate.connect.checkpoints import REVIEW_EVENTS, checkpoint_problem
    from patchgate.connect.context import workspace_id

    reviews = [i + 1 for i, item in enumerate(lines) if item.event is not None and item.event.event in REVIEW_EVENTS]
    message = checkpoint_problem(workspace, workspace_id(workspace), [item.raw for item in lines], reviews, signers)
    return None if message is None else Problem(len(lines), "unsigned", message)
