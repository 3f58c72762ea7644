"""Runs a planner's per-file work over processes: each worker reads, decodes and plans its files.

A task is a small picklable object whose `run` turns one decoded file into a plain, picklable
result and never raises (LibCST's codemod runner has the same contract). Forked workers inherit
the task; elsewhere it is pickled once into each worker's initializer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from patchgate.diagnostics.discovery import FileProblem, read_source, relative_path
from patchgate.diagnostics.languages import LanguageMap
from patchgate.diagnostics.source import SourceFile
from patchgate.diagnostics.workers import Progress, default_jobs, largest_first, run_batches


class FileTask(Protocol):
    """Per-file planning work: picklable, and `run` never raises."""

    def run(self, source: SourceFile) -> Any:
        """The plain result of planning one decoded file."""
        ...


@dataclass(frozen=True)
class TaskOutcome:
    """One file's outcome: its bytes' hash and the task's result, or why it could not be read."""

    relative: str
    sha256: str
    result: Any
    problem: str | None = None


_TASK: FileTask | None = None


def _init_worker(task: FileTask) -> None:
    """Install the task in a spawned worker."""
    global _TASK
    _TASK = task


def _run_batch(batch: list[tuple[str, str]], root: str, max_size: int, languages: LanguageMap) -> list[TaskOutcome]:
    """Worker entry: read each file, in the language the workspace's map gives it, and plan it; binary files are left out."""
    assert _TASK is not None
    outcomes = []
    for absolute, relative in batch:
        read = read_source(Path(absolute), Path(root), max_size, relative=relative, languages=languages)
        if read is None:
            continue
        if isinstance(read.source, FileProblem):
            outcomes.append(TaskOutcome(relative, read.sha256, None, read.source.reason))
        else:
            outcomes.append(TaskOutcome(relative, read.sha256, _TASK.run(read.source)))
    return outcomes


def run_tasks(task: FileTask, files: list[Path], root: Path, max_size: int, jobs: int | None = None,
              progress: Progress | None = None, languages: LanguageMap | None = None) -> list[TaskOutcome]:
    """Every file's outcome, sorted by path; in this process when the work is small."""
    global _TASK
    _TASK = task  # a forked worker inherits it
    pairs = [(str(path), relative_path(path, root)) for path in files]
    work = functools.partial(_run_batch, root=str(root), max_size=max_size, languages=languages or LanguageMap())
    workers = jobs or default_jobs()
    batches = largest_first(pairs, lambda pair: pair[0], workers)
    outcomes = run_batches(work, batches, workers, (_init_worker, (task,)), progress)
    return sorted(outcomes, key=lambda outcome: outcome.relative)
