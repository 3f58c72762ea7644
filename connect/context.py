"""The task-scoped context a decision is made in: who asks, where, and the policy's lists in force."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from patchgate.connect.models import Actor, CommandLists, ContextPack, content_digest
from patchgate.connect.policy import ConnectPolicy
from patchgate.diagnostics.errors import InputError
from patchgate.diagnostics.globs import check_patterns

ACTOR_TYPES = ("human", "agent", "service", "tool")


def _git_dir(workspace: Path) -> Path | None:
    """The git directory: `.git` itself, or where a worktree's `.git` file points."""
    dot_git = workspace / ".git"
    if dot_git.is_dir():
        return dot_git
    try:
        text = dot_git.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith("gitdir:"):
        return None
    target = Path(text.removeprefix("gitdir:").strip())
    return target if target.is_absolute() else workspace / target


def git_branch(workspace: Path) -> str | None:
    """The checked-out branch read from HEAD (no git process); None when detached or not a repository."""
    git_dir = _git_dir(workspace)
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip() if git_dir else ""
    except (OSError, UnicodeDecodeError):
        return None
    return head.removeprefix("ref: refs/heads/") if head.startswith("ref: refs/heads/") else None


def workspace_id(workspace: Path) -> str:
    """The workspace's identity: its real path and its repository's git directory."""
    git_dir = _git_dir(workspace)
    parts = [os.path.realpath(workspace), os.path.realpath(git_dir) if git_dir else ""]
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def default_actor_id() -> str:
    """Whoever runs the command, when no actor is named."""
    return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def build_context(workspace: Path, policy: ConnectPolicy, task_id: str, actor_id: str | None = None,
                  actor_type: str = "human", write_scope: list[str] | None = None) -> ContextPack:
    """A context pack for one task: the task's write scope (default: the policy's) and every list in force.

    A scope given here narrows the policy's, never widens it: the pack keeps both and a write
    must match both (see PathJudge.scope).
    """
    if not task_id.strip():
        raise InputError("--task: the task id is empty")
    if actor_type not in ACTOR_TYPES:
        raise InputError(f"--actor-type: {actor_type!r} is not one of {', '.join(ACTOR_TYPES)}")
    try:
        scope = check_patterns(list(write_scope)) if write_scope else list(policy.write_scope)
    except ValueError as error:
        raise InputError(f"--write-scope: {error}") from None
    body = {
        "task_id": task_id, "repo": str(workspace), "workspace_id": workspace_id(workspace),
        "branch": git_branch(workspace),
        "actor": Actor(id=actor_id or default_actor_id(), type=actor_type),  # type: ignore[arg-type]
        "write_scope": scope, "policy_write_scope": list(policy.write_scope),
        "protected_paths": list(policy.protected_paths), "immutable_paths": list(policy.immutable_paths),
        "generated_paths": list(policy.generated_paths),
        "commands": CommandLists(**policy.commands.model_dump()),
        "acceptance_checks": [check.command for check in policy.smoke_checks],
    }
    data = ContextPack.model_validate({**body, "id": ""}).model_dump(mode="json")
    return ContextPack.model_validate({**data, "id": content_digest(data)})
