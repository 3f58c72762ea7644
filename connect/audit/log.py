"""The audit log: `.patchgate/audit.ndjson`, one hash-chained canonical-JSON line per event.

Each line carries `prev`, the sha256 of the previous line's bytes (without its newline; the
first line carries 64 zeros), and `seq`, its 1-based line number. Lines are appended under a
file lock and fsynced. `.patchgate/audit.head` anchors the last event (seq, sha256, size), so
removing or editing the last line is caught too, not only edits in the middle.

An append interrupted by a crash can leave one complete line the head does not cover yet, or
a torn line without its newline. Neither was ever acknowledged: the next append (or
`patchgate connect recover`) adopts a complete line that chains from the head and drops a
torn one. Nothing else in the log is ever rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from patchgate.connect.apply.files import fsync_dir
from patchgate.connect.locks import state_lock
from patchgate.diagnostics.base import Model
from patchgate.connect.state import state_root
from patchgate.rewrites.store import write_state_file

GENESIS = "0" * 64
LOCK_TIMEOUT = 60.0
EventKind = Literal["decision", "approval", "rejection", "apply", "apply-refused", "recover"]


class AuditEvent(Model):
    """One line of the audit log."""

    seq: int = Field(ge=1, description="1-based position of the event in the log.")
    time: str = Field(description="ISO-8601 UTC time of the event.")
    event: EventKind = Field(description="What happened.")
    decision_id: str | None = Field(description="The decision it concerns, if any.")
    data: dict[str, Any] = Field(description="Event details (verdict, digests, files, reasons).")
    prev: str = Field(description="sha256 of the previous line's bytes; 64 zeros for the first line.")


class AuditHead(Model):
    """The anchor of the last acknowledged event, written after every append."""

    seq: int = Field(ge=0, description="seq of the last event (0 for an empty log).")
    sha256: str = Field(description="sha256 of the last line's bytes.")
    size: int = Field(ge=0, description="Byte size of the log up to and including that line.")


def audit_path(workspace: Path) -> Path:
    """The audit log of a workspace."""
    return state_root(workspace) / "audit.ndjson"


def head_path(workspace: Path) -> Path:
    """The head anchor of a workspace's audit log."""
    return state_root(workspace) / "audit.head"


def canonical(data: dict[str, Any]) -> str:
    """The one JSON spelling of an object: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def line_sha(raw: bytes) -> str:
    """sha256 of one log line without its newline: what the next line's `prev` records."""
    return hashlib.sha256(raw.rstrip(b"\n")).hexdigest()


def now_iso() -> str:
    """The current UTC time, ISO-8601 with microseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


@contextmanager
def audit_lock(workspace: Path) -> Iterator[None]:
    """Exclusive access to the log and its head, across processes."""
    with state_lock(workspace, "audit", LOCK_TIMEOUT, "the audit log is locked by another process"):
        yield


def read_head(workspace: Path) -> AuditHead | None:
    """The head anchor, None when there is none (or it is unreadable)."""
    try:
        return AuditHead.model_validate_json(head_path(workspace).read_bytes())
    except (OSError, ValidationError):
        return None


def _last_line(log: Path, size: int) -> bytes | None:
    """The last complete line of the first `size` bytes of the log."""
    if size == 0:
        return None
    with log.open("rb") as stream:
        start = max(0, size - 65536)
        stream.seek(start)
        chunk = stream.read(size - start)
        while chunk.count(b"\n") < 2 and start > 0:
            start = max(0, start - 65536)
            stream.seek(start)
            chunk = stream.read(size - start)
    body = chunk[:-1] if chunk.endswith(b"\n") else chunk
    return body.rsplit(b"\n", 1)[-1] + b"\n"


def settle(workspace: Path) -> AuditHead:
    """Under the lock: drop a torn unacknowledged tail, anchor a complete one; the head after."""
    log, head = audit_path(workspace), read_head(workspace) or AuditHead(seq=0, sha256=GENESIS, size=0)
    size = log.stat().st_size if log.exists() else 0
    if size <= head.size:
        return head
    with log.open("rb") as stream:
        stream.seek(head.size)
        tail = stream.read()
    complete = tail[: tail.rfind(b"\n") + 1]
    if len(complete) < len(tail):
        os.truncate(log, head.size + len(complete))
    seq, sha = head.seq, head.sha256
    for raw in complete.splitlines(keepends=True):
        event = parse_line(raw)
        if event is None or event.seq != seq + 1 or event.prev != sha:
            break
        seq, sha = event.seq, line_sha(raw)
    settled = AuditHead(seq=seq, sha256=sha, size=head.size + len(complete))
    if settled != head and seq > head.seq:
        write_state_file(head_path(workspace), settled.model_dump_json() + "\n")
    return settled


def parse_line(raw: bytes) -> AuditEvent | None:
    """The event on one line, None when the line is not one."""
    try:
        return AuditEvent.model_validate_json(raw)
    except ValidationError:
        return None


def _next_position(workspace: Path, head: AuditHead) -> tuple[int, str]:
    """seq and prev for the next line: chained from the last line actually in the file."""
    log = audit_path(workspace)
    size = log.stat().st_size if log.exists() else 0
    last = _last_line(log, size)
    if last is None:
        return 1, GENESIS
    event = parse_line(last)
    seq = max(head.seq, event.seq if event else 0) + 1
    return seq, line_sha(last)


def append_line(path: Path, raw: bytes) -> int:
    """Append one line durably (the caller holds the audit lock); the file's size after it."""
    created = not path.exists()
    with path.open("ab") as stream:
        stream.write(raw)
        stream.flush()
        os.fsync(stream.fileno())
        size = stream.tell()
    if created:
        fsync_dir(path.parent)
    return size


def append_event(workspace: Path, event: EventKind, decision_id: str | None, data: dict[str, Any]) -> AuditEvent:
    """Append one event under the lock, fsync it, then move the head anchor to it."""
    with audit_lock(workspace):
        head = settle(workspace)
        seq, prev = _next_position(workspace, head)
        record = AuditEvent(seq=seq, time=now_iso(), event=event, decision_id=decision_id, data=data, prev=prev)
        raw = (canonical(record.model_dump(mode="json")) + "\n").encode("utf-8")
        size = append_line(audit_path(workspace), raw)
        anchor = AuditHead(seq=seq, sha256=line_sha(raw), size=size)
        write_state_file(head_path(workspace), anchor.model_dump_json() + "\n")
        return record


def repair(workspace: Path) -> AuditHead:
    """Take the lock and settle the log after a crash (recovery calls this)."""
    with audit_lock(workspace):
        return settle(workspace)


def has_event(workspace: Path, event: EventKind, decision_id: str) -> bool:
    """Whether the log records this event for this decision (a byte search of the canonical lines)."""
    log = audit_path(workspace)
    if not log.exists():
        return False
    needle = canonical({"decision_id": decision_id, "event": event})[1:-1].encode("utf-8") + b',"prev"'
    return needle in log.read_bytes()


def read_events(workspace: Path) -> list[AuditEvent]:
    """Every event that parses, in file order (for lookups; `verify` is the integrity check)."""
    log = audit_path(workspace)
    if not log.exists():
        return []
    return [event for raw in log.read_bytes().splitlines(keepends=True) if (event := parse_line(raw)) is not None]
