"""Connect's objects (SPEC 2): what a decision saw, what it decided, who approved, what was written."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from patchgate.diagnostics.base import SCHEMA_VERSION, Model, content_digest  # noqa: F401 (the id of every Connect object)
from patchgate.rewrites.models import RewritePlan

Verdict = Literal["permit", "rewrite", "require_review", "deny"]
VERDICT_RANK: dict[str, int] = {"permit": 0, "rewrite": 1, "require_review": 2, "deny": 3}
VERDICT_EXIT: dict[str, int] = {"permit": 0, "rewrite": 10, "require_review": 20, "deny": 30}
CheckStatus = Literal["pass", "warn", "fail"]
Version = Literal["1"]


def _version() -> Version:
    return SCHEMA_VERSION  # type: ignore[return-value]


class Actor(Model):
    """A person, agent, service or tool that asks for changes."""

    id: str = Field(description="Name of the person, agent or service.")
    type: Literal["human", "agent", "service", "tool"] = Field(description="What kind of actor it is.")


class CommandLists(Model):
    """argv prefixes compared after shell parsing (SPEC 7)."""

    allow: list[str] = Field(default_factory=list, description="Commands permitted as they are.")
    review: list[str] = Field(default_factory=list, description="Commands that need a human's approval.")
    deny: list[str] = Field(default_factory=list, description="Commands never run.")


class ContextPack(Model):
    """The task-scoped context a decision is made in: who, where, and the rules in force."""

    schema_version: Version = Field(default_factory=_version, description="Version of this object's schema.")
    id: str = Field(description="sha256 of the canonical JSON of this pack without its id.")
    task_id: str = Field(description="The task this change belongs to.")
    repo: str = Field(description="Workspace root the decision was made in (absolute path).")
    workspace_id: str | None = Field(default=None, description=(
        "sha256 of the workspace's real path and git directory: a decision applies only where it was made."))
    branch: str | None = Field(description="Current git branch, if any.")
    actor: Actor = Field(description="Who asks for the change.")
    write_scope: list[str] = Field(description="Globs the task may write (--write-scope, else the policy's); empty: the whole workspace.")
    policy_write_scope: list[str] = Field(
        default_factory=list,
        description="The policy's write_scope; a write must match it too, so a task's scope only narrows it. Empty: no limit.")
    protected_paths: list[str] = Field(description="Globs whose writes need review.")
    immutable_paths: list[str] = Field(description="Globs never written.")
    generated_paths: list[str] = Field(description="Globs written only by their generator.")
    commands: CommandLists = Field(description="Command allow/review/deny lists in force.")
    acceptance_checks: list[str] = Field(description="Smoke-check commands a change must pass in a scratch copy.")


class PlanStep(Model):
    """One step of what the actor means to do."""

    id: str = Field(description="Step id, unique in the packet.")
    summary: str = Field(description="What the step does.")
    paths: list[str] = Field(default_factory=list, description="Workspace paths it touches.")
    commands: list[str] = Field(default_factory=list, description="Shell commands it runs.")


class Candidate(Model):
    """The change under decision: a file change (as a RewritePlan) or a shell command."""

    kind: Literal["plan", "patch", "write", "command"] = Field(description="How the change was submitted.")
    plan: RewritePlan | None = Field(default=None, description="The file change, for every kind but command.")
    command: str | None = Field(default=None, description="The shell command, for kind command.")
    source: str | None = Field(default=None, description="Where it came from: plan file, patch file, written path.")

    @model_validator(mode="after")
    def _one_change(self) -> "Candidate":
        if (self.kind == "command") != (self.command is not None) or (self.kind == "command") == (self.plan is not None):
            raise ValueError("a command candidate carries a command only; any other carries a plan only")
        return self


class PlanPacket(Model):
    """What is proposed, and why: the candidate plus its objective and evidence."""

    schema_version: Version = Field(default_factory=_version, description="Version of this object's schema.")
    id: str = Field(description="sha256 of the canonical JSON of this packet without its id.")
    task_id: str = Field(description="The task this change belongs to.")
    objective: str = Field(description="What the change is for.")
    steps: list[PlanStep] = Field(default_factory=list, description="The steps of the change.")
    candidate: Candidate = Field(description="The change itself.")
    evidence_refs: list[str] = Field(default_factory=list, description="Ids of evidence records backing it.")
    risk_score: float = Field(ge=0, le=1, description="0 harmless .. 1 destructive, from the checks.")


class Check(Model):
    """One policy check and how the candidate fared."""

    id: str = Field(description="Check id, e.g. path-escape, write-scope, destructive-command.")
    status: CheckStatus = Field(description="pass, warn or fail.")
    detail: str = Field(description="What was found, naming paths or commands.")
    verdict: Verdict = Field(default="permit", description="The verdict this check asks for.")


class PatchVerdict(Model):
    """Connect's answer: the most severe verdict its checks asked for."""

    schema_version: Version = Field(default_factory=_version, description="Version of this object's schema.")
    decision_id: str = Field(description="The decision this verdict belongs to.")
    verdict: Verdict = Field(description="permit, rewrite, require_review or deny.")
    plan_digest: str | None = Field(description="Id of the RewritePlan decided on, if the candidate changes files.")
    checks: list[Check] = Field(description="Every check that ran.")
    impacted_paths: list[str] = Field(description="Workspace paths the change touches.")
    remediation: list[str] = Field(description="What would make the change acceptable.")
    review_packet_ref: str | None = Field(default=None, description="Id of the review packet, if one was written.")


class ReviewPacket(Model):
    """What a reviewer needs to approve or reject a decision, or why it was denied."""

    schema_version: Version = Field(default_factory=_version, description="Version of this object's schema.")
    id: str = Field(description="sha256 of the canonical JSON of this packet without its id.")
    decision_id: str = Field(description="The decision under review.")
    objective: str = Field(description="What the change is for.")
    reason: str = Field(description="Why review (or denial) was needed.")
    diff: str = Field(description="The change as a unified diff, or the command.")
    evidence_refs: list[str] = Field(default_factory=list, description="Evidence ids.")
    required_approvals: int = Field(ge=0, description="Approvals needed before apply; 0 for a deny.")


class Approval(Model):
    """A reviewer's answer, bound to the exact plan digest it covers."""

    schema_version: Version = Field(default_factory=_version, description="Version of this object's schema.")
    decision_id: str = Field(description="The decision reviewed.")
    reviewer: str = Field(description="Who reviewed.")
    decision: Literal["approve", "reject"] = Field(description="approve or reject.")
    note: str = Field(default="", description="The reviewer's note.")
    created_at: str = Field(description="ISO-8601 UTC time.")
    plan_digest: str | None = Field(description="Id of the plan reviewed; an approval counts only for this digest.")
    signature: str | None = Field(default=None, description=(
        "Armored SSH signature (namespace patchgate) of the approval and its workspace, when signers are set."))


class FileReceipt(Model):
    """One written file, before and after."""

    path: str = Field(description="Workspace-relative POSIX path.")
    before_sha256: str | None = Field(description="sha256 before; null for a created file.")
    after_sha256: str | None = Field(description="sha256 after; null for a deleted file.")


class ApplyReceipt(Model):
    """Proof of what apply wrote."""

    schema_version: Version = Field(default_factory=_version, description="Version of this object's schema.")
    decision_id: str = Field(description="The decision applied.")
    plan_digest: str = Field(description="Id of the plan applied.")
    files: list[FileReceipt] = Field(description="Every file written.")
    created_at: str = Field(description="ISO-8601 UTC time.")


class DecisionEnvelope(Model):
    """The refs of every artifact of one decision, relative to its decision folder."""

    schema_version: Version = Field(default_factory=_version, description="Version of this object's schema.")
    decision_id: str = Field(description="The decision.")
    task_id: str = Field(description="Its task.")
    verdict: Verdict = Field(description="The verdict reached.")
    created_at: str = Field(description="ISO-8601 UTC time of the decision.")
    policy_digest: str = Field(description="sha256 of the policy in force.")
    context_pack: str = Field(description="File of the context pack.")
    plan_packet: str = Field(description="File of the plan packet.")
    plan: str | None = Field(default=None, description="File of the plan, if any.")
    verdict_ref: str = Field(description="File of the verdict.")
    review_packet: str | None = Field(default=None, description="File of the review packet, if any.")

