"""Runs a planner's per-file work over processes: each worker reads, decodes and plans its files.

A task is a small picklable object whose `run` turns one decoded file into a plain, picklable
result and never raises (LibCST's codemod runner has the same contract). Forked workers inherit
the task; elsewhere it is pickled once into each worker's initializer.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from patchgate.diagnostics.discovery import FileProblem, read_source, relative_path
from patchgate.diagnostics.runner import default_jobs
from patchgate.diagnostics.source import SourceFile

IN_PROCESS_LIMIT = 24
BATCH_SIZE = 16
Progress = Callable[[int, int], None]


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


def _run_batch(batch: list[tuple[str, str]], root: str, max_size: int) -> list[TaskOutcome]:
    """Worker entry: read each file and run the task on it; binary files are left out."""
    assert _TASK is not None
    outcomes = []
    for absolute, relative in batch:
        read = read_source(Path(absolute), Path(root), max_size, relative=relative)
        if read is None:
            continue
        if isinstance(read.source, FileProblem):
            outcomes.append(TaskOutcome(relative, read.sha256, None, read.source.reason))
        else:
            outcomes.append(TaskOutcome(relative, read.sha256, _TASK.run(read.source)))
    return outcomes


def _batches(files: list[Path], root: Path) -> list[list[tuple[str, str]]]:
    """Largest files first, so no worker is left alone with one big file at the end."""
    def size(path: Path) -> int:
        try:
            return path.stat().st_size
        except OSError:
            return 0

    ordered = sorted(files, key=size, reverse=True)
    pairs = [(str(path), relative_path(path, root)) for path in ordered]
    return [pairs[i : i + BATCH_SIZE] for i in range(0, len(pairs), BATCH_SIZE)]


def run_tasks(task: FileTask, files: list[Path], root: Path, max_size: int, jobs: int | None = None,
              progress: Progress | None = None) -> list[TaskOutcome]:
    """Every file's outcome, sorted by path; in this process when the work is small."""
    global _TASK
    batches = _batches(files, root)
    workers = jobs or default_jobs()
    _TASK = task
    outcomes: list[TaskOutcome] = []
    if workers <= 1 or len(files) <= IN_PROCESS_LIMIT:
        results = ((len(batch), _run_batch(batch, str(root), max_size)) for batch in batches)
        _collect(results, outcomes, len(files), progress)
    else:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        forked = context.get_start_method() == "fork"
        initializer, initargs = (None, ()) if forked else (_init_worker, (task,))
        with ProcessPoolExecutor(workers, mp_context=context, initializer=initializer, initargs=initargs) as pool:
            futures = [pool.submit(_run_batch, batch, str(root), max_size) for batch in batches]
            done = ((len(batch), future.result()) for batch, future in zip(batches, futures))
            _collect(done, outcomes, len(files), progress)
    return sorted(outcomes, key=lambda outcome: outcome.relative)


def _collect(batches: Iterator[tuple[int, list[TaskOutcome]]], into: list[TaskOutcome], total: int,
             progress: Progress | None) -> None:
    """Gather outcomes, reporting progress (files done of total) after each batch."""
    done = 0
    for size, batch in batches:
        into.extend(batch)
        done += size
        if progress:
            progress(done, total)
