"""What every planner returns, and the shared path from per-file results to one RewritePlan."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from patchgate.diagnostics.languages import LanguageMap
from patchgate.diagnostics.span import LineIndex
from patchgate.rewrites.edits import FileChange, assemble_plan, resolve_change
from patchgate.rewrites.models import FileRewrite, PlannerName, RewritePlan, SkippedChange
from patchgate.rewrites.parallel import FileTask, Progress, TaskOutcome, run_tasks

FILE_START = LineIndex("").span(0, 0)
"""The span of a whole-file problem (a failure has no better place)."""


@dataclass(frozen=True)
class FileResult:
    """One file planned in a worker: its rewrite, the changes left out, or why planning failed."""

    rewrite: FileRewrite | None = None
    skipped: tuple[SkippedChange, ...] = ()
    failure: str | None = None
    note: str | None = None


@dataclass
class PlanResult:
    """A plan plus what a user should hear about the run: files seen, failures, per-file notes (codemod
    warnings and skips)."""

    plan: RewritePlan
    files_seen: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class PlanRequest:
    """Where and how to plan: the files, the workspace they belong to (and its languageGlobs), and the run mechanics."""

    files: list[Path]
    root: Path
    max_size: int
    jobs: int | None = None
    progress: Progress | None = None
    languages: LanguageMap = LanguageMap()


def resolve_result(change: FileChange) -> FileResult:
    """A FileChange resolved in the worker: overlaps settled and the diff computed off the main process."""
    rewrite, skipped = resolve_change(change)
    return FileResult(rewrite=rewrite, skipped=tuple(skipped))


def failure_entry(path: str, source: str, reason: str) -> SkippedChange:
    """A file the planner could not handle, recorded in the plan so a reviewer knows it is partial."""
    return SkippedChange(path=path, span=FILE_START, source=source, reason=f"not planned: {reason}")


def plan_from_outcomes(planner: PlannerName, description: str, source: str, outcomes: Iterable[TaskOutcome]) -> PlanResult:
    """Assemble worker outcomes into a plan; unreadable files and failures are listed, never fatal."""
    files: list[FileRewrite] = []
    skipped: list[SkippedChange] = []
    failures: list[tuple[str, str]] = []
    notes: list[tuple[str, str]] = []
    seen = 0
    for outcome in outcomes:
        seen += 1
        result: FileResult | None = outcome.result
        reason = outcome.problem or (result.failure if result else None)
        if reason:
            failures.append((outcome.relative, reason))
            skipped.append(failure_entry(outcome.relative, source, reason))
            continue
        if result is None:
            continue
        skipped.extend(result.skipped)
        if result.rewrite is not None:
            files.append(result.rewrite)
        if result.note:
            notes.append((outcome.relative, result.note))
    return PlanResult(assemble_plan(planner, description, files, skipped), seen, failures, notes)


def plan_from_changes(planner: PlannerName, description: str, source: str, changes: Iterable[FileChange],
                      failures: list[tuple[str, str]], files_seen: int) -> PlanResult:
    """A plan from changes prepared in this process, with the files that could not be planned listed."""
    files: list[FileRewrite] = []
    skipped = [failure_entry(path, source, reason) for path, reason in failures]
    for change in changes:
        rewrite, left_out = resolve_change(change)
        skipped.extend(left_out)
        if rewrite is not None:
            files.append(rewrite)
    return PlanResult(assemble_plan(planner, description, files, skipped), files_seen, list(failures))


def plan_with_task(planner: PlannerName, description: str, source: str, task: FileTask, request: PlanRequest) -> PlanResult:
    """Run a per-file task over the request's files (in processes) and assemble the plan."""
    outcomes = run_tasks(task, request.files, request.root, request.max_size, request.jobs, request.progress, request.languages)
    return plan_from_outcomes(planner, description, source, outcomes)
