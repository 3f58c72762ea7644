"""The process pool under check and the planners: order, progress, and spawn-only platforms (Windows)."""

from __future__ import annotations

import functools
import multiprocessing
from pathlib import Path

import pytest

from patchgate.diagnostics import workers

_FACTOR: int | None = None


def _set_factor(factor: int) -> None:
    """What a spawned worker's initializer rebuilds (a forked one inherits it)."""
    global _FACTOR
    _FACTOR = factor


def _scale(batch: list[int], offset: int) -> list[int]:
    assert _FACTOR is not None, "worker state was neither inherited nor rebuilt"
    return [item * _FACTOR + offset for item in batch]


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_pool_results_come_back_in_batch_order_with_progress(monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} on this platform")
    monkeypatch.setattr(workers, "_pool_context", lambda: multiprocessing.get_context(method))
    _set_factor(3)
    batches = [list(range(start, start + 10)) for start in range(0, 100, 10)]
    seen: list[tuple[int, int]] = []
    work = functools.partial(_scale, offset=1)
    results = list(workers.run_batches(work, batches, 2, (_set_factor, (3,)), lambda done, total: seen.append((done, total))))
    assert results == [item * 3 + 1 for item in range(100)]
    assert seen[-1] == (100, 100) and [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_small_work_runs_in_process_and_big_files_go_first(tmp_path: Path) -> None:
    sizes = {"a.txt": 10, "b.txt": 5000, "c.txt": 300}
    for name, size in sizes.items():
        (tmp_path / name).write_text("x" * size)
    paths = [str(tmp_path / name) for name in sizes] + [str(tmp_path / "missing.txt")]
    (batch,) = workers.largest_first(paths, lambda path: path)
    assert [Path(path).name for path in batch] == ["b.txt", "c.txt", "a.txt", "missing.txt"]
    _set_factor(2)
    assert list(workers.run_batches(functools.partial(_scale, offset=0), [[1, 2], [3]], 8, (_set_factor, (2,)))) == [2, 4, 6]
