"""Runs the engines over files: cache first, then a process pool for what is left."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter

from patchgate.diagnostics.cache import ResultCache
from patchgate.diagnostics.config import Config
from patchgate.diagnostics.discovery import discover, read_source, relative_path
from patchgate.diagnostics.models import Diagnostic
from patchgate.diagnostics.ruleset import Ruleset, RulesetSpec, build_engines, load_ruleset, tool_version
from patchgate.diagnostics.selection import RuleSelector
from patchgate.diagnostics.source import RuleEngine, SourceFile
from patchgate.diagnostics.suppression import apply_suppressions

DIAGNOSTICS = TypeAdapter(list[Diagnostic])
IN_PROCESS_LIMIT = 24
BATCH_SIZE = 16
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CheckOptions:
    """What the user asked of one check run, beyond the config file."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    jobs: int | None = None
    use_cache: bool = True


@dataclass
class CheckResult:
    """The findings of a run, the files it read (with hashes) and the rules in force."""

    diagnostics: list[Diagnostic]
    inputs: dict[str, str]
    sources: dict[str, str]
    ruleset: Ruleset
    selector: RuleSelector
    ruleset_digest: str
    cached_files: int = 0
    checked_files: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FileJob:
    """One file for a worker: where to read it and which rules apply to it."""

    absolute: str
    relative: str
    selected: frozenset[str]


_WORKER_ENGINES: list[RuleEngine] = []
_WORKER_RULES: dict = {}


def _init_worker(spec: RulesetSpec) -> None:
    """Build the engines once per worker process."""
    global _WORKER_ENGINES, _WORKER_RULES
    _WORKER_ENGINES = build_engines(spec)
    _WORKER_RULES = {rule.id: rule for engine in _WORKER_ENGINES for rule in engine.rules()}


def check_source(source: SourceFile, selected: frozenset[str], engines: Sequence[RuleEngine], rules: dict) -> list[Diagnostic]:
    """Every engine's findings on one decoded file, after suppressions."""
    found: list[Diagnostic] = []
    for engine in engines:
        found.extend(engine.check(source, selected))
    found = apply_suppressions(source, found, rules, report_unused="unused-suppression" in selected, selected=selected)
    return sorted((d for d in found if d.rule_id in selected or d.engine == "patchgate"), key=Diagnostic.sort_key)


def _check_batch(jobs: list[FileJob], root: str, max_size: int) -> list[tuple[str, str, str]]:
    """Worker entry: (relative path, sha256, diagnostics JSON) for each readable file."""
    results = []
    for job in jobs:
        read = read_source(Path(job.absolute), Path(root), max_size)
        if read is None or not isinstance(read.source, SourceFile):
            continue
        found = check_source(read.source, job.selected, _WORKER_ENGINES, _WORKER_RULES)
        results.append((job.relative, read.sha256, DIAGNOSTICS.dump_json(found).decode()))
    return results


def _default_jobs() -> int:
    """One worker per usable core: threads would not help, the GIL holds."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _pool_context() -> multiprocessing.context.BaseContext:
    """fork where it exists (fast start, engines inherited), spawn elsewhere."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _run_jobs(jobs: list[FileJob], ruleset: Ruleset, root: Path, workers: int, max_size: int, progress: Progress | None) -> list[tuple[str, str, str]]:
    """Run file jobs in this process or over a pool, reporting progress as batches finish."""
    done: list[tuple[str, str, str]] = []
    batches = [jobs[i : i + BATCH_SIZE] for i in range(0, len(jobs), BATCH_SIZE)]
    if workers <= 1 or len(jobs) <= IN_PROCESS_LIMIT:
        global _WORKER_ENGINES, _WORKER_RULES
        _WORKER_ENGINES, _WORKER_RULES = ruleset.engines, ruleset.by_id
        for batch in batches:
            done.extend(_check_batch(batch, str(root), max_size))
            if progress:
                progress(len(done), len(jobs))
        return done
    with ProcessPoolExecutor(workers, mp_context=_pool_context(), initializer=_init_worker, initargs=(ruleset.spec,)) as pool:
        futures = [pool.submit(_check_batch, batch, str(root), max_size) for batch in batches]
        for future in futures:
            done.extend(future.result())
            if progress:
                progress(len(done), len(jobs))
    return done


def run_check(paths: list[Path], config: Config, options: CheckOptions, progress: Progress | None = None) -> CheckResult:
    """Discover, read, look up the cache, check the rest; the whole `patchgate check`."""
    ruleset = load_ruleset(config)
    selector = RuleSelector(ruleset.rules, config, options.select, options.ignore, options.extend_select)
    digest = hashlib.sha256(f"{ruleset.digest}:{selector.digest()}".encode()).hexdigest()
    found = discover(paths, config)
    diagnostics = [_problem_diagnostic(problem.path, problem.reason, config.root) for problem in found.problems]
    inputs: dict[str, str] = {}
    jobs: list[FileJob] = []
    for path in found.files:
        relative = relative_path(path, config.root)
        read = read_source(path, config.root, config.max_file_size)
        if read is None:
            continue
        inputs[relative] = read.sha256
        if not isinstance(read.source, SourceFile):
            diagnostics.append(_problem_diagnostic(path, read.source.reason, config.root))
            continue
        jobs.append(FileJob(str(path), relative, selector.selected_for(relative)))
    cache = ResultCache(config.root / config.cache.dir, digest, tool_version()) if options.use_cache and config.cache.enabled else None
    cached = cache.get_many((job.relative, inputs[job.relative]) for job in jobs) if cache else {}
    misses = [job for job in jobs if job.relative not in cached]
    fresh = _run_jobs(misses, ruleset, config.root, options.jobs or config.jobs or _default_jobs(), config.max_file_size, progress)
    if cache:
        cache.put_many(fresh)
        cache.close()
    for text in [*cached.values(), *(data for _, _, data in fresh)]:
        diagnostics.extend(DIAGNOSTICS.validate_json(text))
    diagnostics = [_with_alias(d, selector) for d in diagnostics]
    diagnostics.sort(key=Diagnostic.sort_key)
    return CheckResult(diagnostics, inputs, {}, ruleset, selector, digest, cached_files=len(cached), checked_files=len(misses))


def check_text(text: str, filename: str, config: Config, options: CheckOptions) -> CheckResult:
    """Check text that is not on disk (stdin from an editor or hook) as if it were at filename."""
    from patchgate.diagnostics.source import language_for

    ruleset = load_ruleset(config)
    selector = RuleSelector(ruleset.rules, config, options.select, options.ignore, options.extend_select)
    relative = relative_path(Path(filename).absolute(), config.root)
    source = SourceFile(path=relative, text=text, language=language_for(relative))
    found = check_source(source, selector.selected_for(relative), ruleset.engines, ruleset.by_id)
    digest = hashlib.sha256(f"{ruleset.digest}:{selector.digest()}".encode()).hexdigest()
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    diagnostics = [_with_alias(d, selector) for d in found]
    return CheckResult(diagnostics, {relative: sha}, {relative: text}, ruleset, selector, digest, checked_files=1)


def _with_alias(diagnostic: Diagnostic, selector: RuleSelector) -> Diagnostic:
    """Record the alias the user selected a rule by, as metadata only."""
    alias = selector.alias_for(diagnostic.rule_id, diagnostic.path)
    return diagnostic.model_copy(update={"source_alias": alias}) if alias else diagnostic


def _problem_diagnostic(path: Path | str, reason: str, root: Path) -> Diagnostic:
    """A file that could not be read becomes one finding of its own, never a crash."""
    from patchgate.diagnostics.span import LineIndex

    relative = relative_path(Path(path), root) if isinstance(path, Path) else path
    return Diagnostic(
        rule_id="unreadable-file",
        severity="error",
        message=reason,
        path=relative,
        span=LineIndex("").span(0, 0),
        engine="patchgate",
    )
