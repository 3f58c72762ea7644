"""The change under decision, however it was submitted: a plan, a patch, a whole-file write, a command.

Patches and writes become RewritePlans (planner "patch" / "write") so apply has one path. A path
that leaves the workspace is never read and never put in a plan: it is kept in the packet's
step, as written, where the decision denies it. A plan whose base no longer matches the
workspace is not refused here; the decision gives it a failing stale-plan check.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import NamedTuple

from patchgate.connect.models import Candidate, PlanPacket, PlanStep, content_digest
from patchgate.connect.paths import locate
from patchgate.diagnostics.errors import InputError
from patchgate.rewrites.models import FileRewrite, RewritePlan, workspace_path_problem


class Submission(NamedTuple):
    """A candidate plus every path it asks to write, as given (escaping ones included)."""

    candidate: Candidate
    paths: list[str]
    summary: str


def decode_text(data: bytes, origin: str) -> str:
    """UTF-8 text exactly as stored (no newline translation, so hashes match the bytes)."""
    if b"\0" in data:
        raise InputError(f"{origin}: binary content is not supported")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{origin}: not valid UTF-8 at byte {error.start}") from None


def _not_regular(path: Path, origin: str, mode: int | None = None) -> InputError | None:
    """The error for a FIFO, device, socket or folder (a socket cannot even be opened), None for a file."""
    try:
        mode = os.stat(path).st_mode if mode is None else mode
    except OSError:
        return None
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))
    kind = next((name for test, name in kinds if test(mode)), None if stat.S_ISREG(mode) else "not a file")
    return None if kind is None else InputError(f"{origin}: is {kind}, not a regular file")


def read_regular(path: Path, origin: str) -> bytes:
    """A regular file's bytes; a FIFO, device, socket or folder is bad input, found without blocking (O_NONBLOCK)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(handle, "rb") as stream:
            refusal = _not_regular(path, origin, os.fstat(stream.fileno()).st_mode)
            if refusal is not None:
                raise refusal
            return stream.read()
    except OSError as error:
        raise _not_regular(path, origin) or InputError(f"{origin}: cannot read: {error.strerror or error}") from None


def read_workspace_text(workspace: Path, relative: str) -> str | None:
    """A workspace file's current text, or None when there is no such file."""
    path = workspace / relative
    if not path.exists():
        return None
    return decode_text(read_regular(path, relative), relative)


def plain_path(relative: str, origin: str) -> str:
    """A workspace path fit for a plan; '.' or a folder name with odd parts is bad input."""
    problem = workspace_path_problem(relative)
    if problem:
        raise InputError(f"{origin}: path {relative!r} {problem}")
    return relative


def plan_from_rewrites(planner: str, description: str, files: list[FileRewrite]) -> RewritePlan:
    """A plan of whole-file rewrites, sorted, counted and hashed like every other plan."""
    from patchgate.rewrites.edits import assemble_plan

    return assemble_plan(planner, description, files, [])  # type: ignore[arg-type]


def from_plan(reference: str, workspace: Path) -> Submission:
    """A stored plan by file or digest; its JSON and digest are checked on the way in."""
    from patchgate.rewrites.store import load_plan

    plan = load_plan(reference, workspace)
    if not plan.files:
        raise InputError(f"{reference}: the plan changes no file")
    paths = [item.path for item in plan.files]
    return Submission(Candidate(kind="plan", plan=plan, source=reference), paths, plan.description)


def from_write(given: str, content_file: str, workspace: Path, cwd: Path) -> Submission:
    """A whole-file write of content_file's text to a workspace path ('-' reads stdin)."""
    from patchgate.rewrites.edits import file_rewrite_for_text

    after = _read_content(content_file)
    target = locate(workspace, given, cwd)
    summary = f"write {given}"
    if target.escape or target.path is None:
        plan = plan_from_rewrites("write", summary, [])
        return Submission(Candidate(kind="write", plan=plan, source=given), [given], summary)
    relative = plain_path(target.path, given)
    before = read_workspace_text(workspace, relative)
    rewrite = file_rewrite_for_text(relative, before, after)
    changed = [rewrite] if rewrite.base_sha256 != rewrite.after_sha256 else []
    if not changed:
        raise InputError(f"{given}: the content is identical to the current file; nothing to decide")
    plan = plan_from_rewrites("write", summary, changed)
    return Submission(Candidate(kind="write", plan=plan, source=relative), [relative], summary)


def _read_content(content_file: str) -> str:
    """The text of --content-file (or stdin for '-')."""
    if content_file == "-":
        return decode_text(sys.stdin.buffer.read(), "stdin")
    return decode_text(read_regular(Path(content_file), content_file), content_file)


def from_patch(patch_file: str, workspace: Path) -> Submission:
    """A unified diff applied (strictly, no fuzz) to the current files, as a plan."""
    from patchgate.connect.candidates.patch import patch_rewrites

    text = decode_text(read_regular(Path(patch_file), patch_file), patch_file)
    files, paths = patch_rewrites(text, patch_file, workspace)
    summary = f"patch {Path(patch_file).name}"
    plan = plan_from_rewrites("patch", summary, files)
    return Submission(Candidate(kind="patch", plan=plan, source=patch_file), paths, summary)


def from_command(command: str) -> Submission:
    """A shell command; what it writes is found by the decision's shell parser."""
    if not command.strip():
        raise InputError("--command: the command is empty")
    try:
        command.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InputError(f"--command: not valid UTF-8 text (a lone surrogate at character {error.start + 1})") from None
    return Submission(Candidate(kind="command", command=command), [], command)


def build_packet(task_id: str, objective: str | None, submission: Submission,
                 evidence_refs: list[str] | None = None) -> PlanPacket:
    """The plan packet: one step naming the paths and command; risk_score is set by the decision."""
    candidate = submission.candidate
    step = PlanStep(id="1", summary=submission.summary, paths=submission.paths,
                    commands=[candidate.command] if candidate.command else [])
    data = {"task_id": task_id, "objective": objective or submission.summary, "steps": [step],
            "candidate": candidate, "evidence_refs": evidence_refs or [], "risk_score": 0.0}
    body = PlanPacket.model_validate({**data, "id": ""}).model_dump(mode="json")
    return PlanPacket.model_validate({**body, "id": content_digest(body)})
