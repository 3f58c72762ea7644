"""Evidence: a content-addressed record of what a run saw and produced (SPEC 2)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import Field

from patchgate.diagnostics.base import SCHEMA_VERSION, Model, canonical_json

EvidenceKind = Literal[
    "diagnostics", "prebuild", "rewrite-plan", "verdict", "review", "approval", "apply-receipt", "run"
]


class Producer(Model):
    """The tool, version and command line that produced a piece of evidence."""

    tool: str = Field(description="Name of the producing tool.")
    version: str = Field(description="Version of the producing tool.")
    command: str = Field(description="The command that produced the evidence.")


class EvidenceInput(Model):
    """One input file and the sha256 of the bytes that were read."""

    path: str = Field(description="Workspace-relative POSIX path.")
    sha256: str = Field(description="Hex sha256 of the file's bytes.")


class Evidence(Model):
    """A tamper-evident record; its id is the digest of everything but the timestamp."""

    schema_version: Literal["1"] = Field(default=SCHEMA_VERSION, description="Version of this object's schema.")
    id: str = Field(description="sha256 of the canonical JSON of this object without id and created_at.")
    kind: EvidenceKind = Field(description="What sort of evidence this is.")
    producer: Producer = Field(description="What produced it.")
    inputs: list[EvidenceInput] = Field(description="The files it was computed from.")
    ruleset_digest: str = Field(description="Digest of the rules in force.")
    created_at: str = Field(description="ISO-8601 UTC time of creation; not part of the id.")
    payload: dict[str, Any] = Field(description="The kind-specific content, e.g. the diagnostics.")


def evidence_id(kind: str, producer: Producer, inputs: list[EvidenceInput], ruleset_digest: str, payload: dict) -> str:
    """The id of an evidence record: same inputs give the same id, whatever the time."""
    body = {
        "schema_version": SCHEMA_VERSION,
        "kind": kind,
        "producer": producer.model_dump(mode="json"),
        "inputs": [item.model_dump(mode="json") for item in sorted(inputs, key=lambda i: i.path)],
        "ruleset_digest": ruleset_digest,
        "payload": payload,
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def make_evidence(
    kind: EvidenceKind, producer: Producer, inputs: list[EvidenceInput], ruleset_digest: str, payload: dict
) -> Evidence:
    """Build an Evidence object with its content-derived id and the current time."""
    ordered = sorted(inputs, key=lambda item: item.path)
    return Evidence(
        id=evidence_id(kind, producer, ordered, ruleset_digest, payload),
        kind=kind,
        producer=producer,
        inputs=ordered,
        ruleset_digest=ruleset_digest,
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        payload=payload,
    )
