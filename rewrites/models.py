"""Rewrite plans as values (SPEC 2): what changes where, bound to the exact bytes it was planned on."""

from __future__ import annotations

from posixpath import normpath
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from patchgate.diagnostics.base import SCHEMA_VERSION, Model, content_digest
from patchgate.diagnostics.span import Span, TextEdit

SHA256 = r"^[0-9a-f]{64}$"


def workspace_path_problem(path: str) -> str | None:
    """Why a plan path is not a plain workspace-relative POSIX path, or None when it is."""
    if not path or path.startswith("/") or "\\" in path or "\0" in path:
        return "must be a workspace-relative POSIX path"
    if len(path) > 1 and path[1] == ":":
        return "must not carry a drive letter"
    if normpath(path) != path or path == "." or path.split("/")[0] == "..":
        return "must be normalised and stay inside the workspace (no '.', '..' or '//')"
    return None


class SkippedChange(Model):
    """A change the planner found but left out, so a second run can take it."""

    path: str = Field(description="Workspace-relative POSIX path of the file.")
    span: Span = Field(description="Where the left-out change would have applied.")
    source: str = Field(description="What proposed it: a rule id, a pattern or a codemod name.")
    reason: str = Field(description="Why it was left out, e.g. which kept change it overlaps.")


class FileRewrite(Model):
    """Edits to one file, valid only against the file whose bytes hash to base_sha256."""

    path: str = Field(description="Workspace-relative POSIX path.")
    base_sha256: str | None = Field(description="sha256 of the file's bytes the edits were planned on; null: the file must not exist.")
    edits: list[TextEdit] = Field(description="Non-overlapping edits in order, offsets in code points of the UTF-8 text.")
    after_sha256: str | None = Field(description="sha256 of the file's bytes after the edits; null: the file is deleted.")
    diff: str = Field(description="Unified diff of the change, applicable with `git apply`.")

    @field_validator("path")
    @classmethod
    def _plain_path(cls, path: str) -> str:
        problem = workspace_path_problem(path)
        if problem:
            raise ValueError(f"path {path!r} {problem}")
        return path

    @field_validator("base_sha256", "after_sha256")
    @classmethod
    def _hex_digest(cls, digest: str | None) -> str | None:
        if digest is not None and (len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest)):
            raise ValueError("must be a lowercase hex sha256")
        return digest

    @model_validator(mode="after")
    def _ordered_and_disjoint(self) -> "FileRewrite":
        if self.base_sha256 is None and self.after_sha256 is None:
            raise ValueError(f"{self.path}: a file can not be both new and deleted")
        for before, after in zip(self.edits, self.edits[1:]):
            if after.span.start_offset < before.span.end_offset or before.span.overlaps(after.span):
                raise ValueError(f"{self.path}: edits overlap or are out of order at offset {after.span.start_offset}")
        return self


class PlanStats(Model):
    """How big a plan is, for review and for the large-change threshold."""

    files: int = Field(ge=0, description="Files changed.")
    edits: int = Field(ge=0, description="Text edits over all files.")
    hunks: int = Field(ge=0, description="Diff hunks over all files.")
    lines_added: int = Field(ge=0, description="Lines added over all files.")
    lines_removed: int = Field(ge=0, description="Lines removed over all files.")


PlannerName = Literal["fix", "rewrite", "codemod", "rename", "patch", "write", "quick-fix"]


class RewritePlan(Model):
    """A reviewable, replayable change; its id is the digest of everything else in it."""

    schema_version: Literal["1"] = Field(default=SCHEMA_VERSION, description="Version of this object's schema.")
    id: str = Field(description="sha256 of the canonical JSON of this plan without its id.")
    planner: PlannerName = Field(description="Which planner produced the plan.")
    description: str = Field(description="What the plan does, in one line.")
    files: list[FileRewrite] = Field(description="One entry per changed file, sorted by path.")
    skipped: list[SkippedChange] = Field(default_factory=list, description="Changes found but left out, with reasons.")
    stats: PlanStats = Field(description="Size of the change.")

    @model_validator(mode="before")
    @classmethod
    def _fill_id(cls, data: Any) -> Any:
        """A plan built in code gets its id computed; a plan read from disk must carry the right one."""
        if isinstance(data, dict) and not data.get("id"):
            data = {**data, "id": plan_digest(data)}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> "RewritePlan":
        paths = [item.path for item in self.files]
        if paths != sorted(set(paths)):
            raise ValueError("files must be sorted by path, one entry per path")
        expected = plan_digest(self.model_dump(mode="json"))
        if self.id != expected:
            raise ValueError(f"plan id {self.id[:16]}... does not match its content (digest {expected[:16]}...)")
        return self


def plan_digest(data: dict[str, Any]) -> str:
    """sha256 of a plan's canonical JSON, its id left out."""
    body = {"schema_version": SCHEMA_VERSION, "skipped": [], **data}
    return content_digest(body, default=_jsonable)


def _jsonable(value: Any) -> Any:
    """Models inside a plan dict built in code serialise as their JSON form."""
    if isinstance(value, Model):
        return value.model_dump(mode="json")
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")
