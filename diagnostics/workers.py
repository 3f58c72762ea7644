"""Per-file work over processes, shared by `check` and the planners: threads would not help, the GIL holds.

Files go in batches, largest first, so no worker is left alone with one big file at the end.
Forked workers inherit whatever the parent set up (engines, a planner's task); where fork does
not exist, the initializer rebuilds it in each spawned worker. Results come back as batches
finish, so the parent can decode them while the workers are still busy.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

IN_PROCESS_LIMIT = 24
"""Fewer files than this are not worth a pool's start-up."""
BATCH_SIZE = 16
Item = TypeVar("Item")
Result = TypeVar("Result")
Progress = Callable[[int, int], None]
SpawnSetup = tuple[Callable[..., None], tuple[Any, ...]]


def default_jobs() -> int:
    """One worker per usable core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def largest_first(items: Sequence[Item], path_of: Callable[[Item], str], workers: int = 1) -> list[list[Item]]:
    """Batches of items ordered by their file's size, biggest first (a file that cannot be stat'ed counts 0).

    For several workers the first batches are small (1, 1, 2, 2, 4, 4, ... files): the biggest files,
    usually the costliest, go to different workers instead of all landing in the first batch."""
    def size(item: Item) -> int:
        try:
            return os.stat(path_of(item)).st_size
        except OSError:
            return 0

    ordered = sorted(items, key=size, reverse=True)
    batches, start, count = [], 0, 0
    while start < len(ordered):
        width = BATCH_SIZE if workers <= 1 else min(BATCH_SIZE, 2 ** (count // workers))
        batches.append(ordered[start : start + width])
        start, count = start + width, count + 1
    return batches


def _pool_context() -> multiprocessing.context.BaseContext:
    """fork where it exists (fast start, state inherited), spawn elsewhere."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def run_batches(work: Callable[[list[Item]], list[Result]], batches: list[list[Item]], workers: int,
                spawn_setup: SpawnSetup, progress: Progress | None = None) -> Iterator[Result]:
    """Every batch's results, in batch order, in this process when the work is small, else over a pool.

    `work` must be picklable (a module-level function, or a functools.partial of one)."""
    total = sum(len(batch) for batch in batches)
    if workers <= 1 or total <= IN_PROCESS_LIMIT:
        yield from _counted((work(batch) for batch in batches), batches, total, progress)
        return
    context = _pool_context()
    initializer, initargs = spawn_setup if context.get_start_method() != "fork" else (None, ())
    with ProcessPoolExecutor(workers, mp_context=context, initializer=initializer, initargs=initargs) as pool:
        futures = [pool.submit(work, batch) for batch in batches]
        yield from _counted((future.result() for future in futures), batches, total, progress)


def _counted(results: Iterator[list[Result]], batches: list[list[Item]], total: int,
             progress: Progress | None) -> Iterator[Result]:
    """Pass results through, reporting files done of total before the first batch and after each one."""
    done = 0
    if progress:
        progress(0, total)
    for batch, result in zip(batches, results):
        yield from result
        done += len(batch)
        if progress:
            progress(done, total)
