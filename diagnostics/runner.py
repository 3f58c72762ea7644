"""Runs the engines over files: cache first, then a process pool for what is left."""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from pydantic import TypeAdapter

from patchgate.diagnostics.cache import ResultCache, Row
from patchgate.diagnostics.config import Config
from patchgate.diagnostics.discovery import FileProblem, discover, file_sha256, read_source, relative_path
from patchgate.diagnostics.languages import LanguageMap
from patchgate.diagnostics.models import Diagnostic
from patchgate.diagnostics.ruleset import (
    UNREADABLE_FILE_RULE, Ruleset, RulesetSpec, build_engines, cached_ruleset, load_ruleset, spec_digest, spec_for, tool_version,
)
from patchgate.diagnostics.reuse import NOTHING, FileJob, merged, plan
from patchgate.diagnostics.selection import RuleSelector
from patchgate.diagnostics.source import RuleEngine, SourceFile
from patchgate.diagnostics.suppression import apply_suppressions
from patchgate.diagnostics.workers import Progress, default_jobs, largest_first, run_batches

DIAGNOSTICS = TypeAdapter(list[Diagnostic])


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


class Outcome(NamedTuple):
    """What a worker sends back for one file: its hash, and its findings JSON or why it was unreadable."""

    relative: str
    sha256: str
    diagnostics: str | None
    problem: str | None
    raw: str = NOTHING


_WORKER_ENGINES: list[RuleEngine] = []
_WORKER_RULES: dict = {}


def _init_worker(spec: RulesetSpec) -> None:
    """Build the engines once per worker process."""
    global _WORKER_ENGINES, _WORKER_RULES
    _WORKER_ENGINES = build_engines(spec)
    _WORKER_RULES = {rule.id: rule for engine in _WORKER_ENGINES for rule in engine.rules()}


def check_source(source: SourceFile, selected: frozenset[str], engines: Sequence[RuleEngine], rules: dict) -> list[Diagnostic]:
    """Every engine's findings on one decoded file, after suppressions."""
    return finish(source, engine_findings(source, selected, engines), selected, rules)


def engine_findings(source: SourceFile, selected: frozenset[str], engines: Sequence[RuleEngine]) -> list[Diagnostic]:
    """The engines' raw findings for some rules, before suppression comments: what the cache keeps per rule."""
    found: list[Diagnostic] = []
    if selected:
        for engine in engines:
            found.extend(engine.check(source, selected))
    return found


def finish(source: SourceFile, found: list[Diagnostic], selected: frozenset[str], rules: dict) -> list[Diagnostic]:
    """Raw findings of the selected rules after suppressions, in report order."""
    found = apply_suppressions(source, found, rules, report_unused="unused-suppression" in selected, selected=selected)
    return sorted((d for d in found if d.rule_id in selected or d.engine == "patchgate"), key=Diagnostic.sort_key)


def _check_batch(jobs: list[FileJob], root: str, max_size: int, languages: LanguageMap) -> list[Outcome]:
    """Worker entry: read, hash, run the rules the cache lacks and finish each file; binary files are left out."""
    outcomes = []
    for job in jobs:
        read = read_source(Path(job.absolute), Path(root), max_size, relative=job.relative, languages=languages)
        if read is None:
            continue
        if isinstance(read.source, FileProblem):
            outcomes.append(Outcome(job.relative, read.sha256, None, read.source.reason))
            continue
        raw = engine_findings(read.source, job.compute, _WORKER_ENGINES)
        found = finish(read.source, DIAGNOSTICS.validate_json(job.prior) + raw, job.selected, _WORKER_RULES)
        outcomes.append(Outcome(job.relative, read.sha256, DIAGNOSTICS.dump_json(found).decode(), None, DIAGNOSTICS.dump_json(raw).decode()))
    return outcomes


def _run_jobs(jobs: list[FileJob], ruleset: Ruleset, root: Path, workers: int, max_size: int, progress: Progress | None) -> Iterator[Outcome]:
    """Outcomes of file jobs as batches finish (so the caller decodes results while workers are busy)."""
    global _WORKER_ENGINES, _WORKER_RULES
    if not jobs:
        return
    _WORKER_ENGINES, _WORKER_RULES = ruleset.engines, ruleset.by_id  # a forked worker inherits them
    work = functools.partial(_check_batch, root=str(root), max_size=max_size, languages=ruleset.languages)
    batches = largest_first(jobs, lambda job: job.absolute, workers)
    yield from run_batches(work, batches, workers, (_init_worker, (ruleset.spec,)), progress)


def run_check(paths: list[Path], config: Config, options: CheckOptions, progress: Progress | None = None) -> CheckResult:
    """Discover, look up the cache, check the rest; the whole `patchgate check`."""
    spec = spec_for(config)
    use_cache = options.use_cache and config.cache.enabled
    cache = ResultCache(config.root / config.cache.dir, spec_digest(spec), tool_version()) if use_cache else None
    ruleset = cached_ruleset(spec, cache)
    selector = RuleSelector(ruleset.rules, config, options.select, options.ignore, options.extend_select)
    digest = hashlib.sha256(f"{ruleset.digest}:{selector.digest()}".encode()).hexdigest()
    found = discover(paths, config, ruleset.languages)
    diagnostics = [_problem_diagnostic(problem.path, problem.reason, config.root) for problem in found.problems]
    files = [(str(path), relative, selector.selected_for(relative)) for path in found.files for relative in [relative_path(path, config.root)]]
    hashes, rows = _cache_rows(cache, files, config) if cache else ({}, {})
    hits: list[Outcome] = []
    jobs: list[FileJob] = []
    for absolute, relative, selected in files:
        planned = plan(absolute, relative, selected, rows.get(relative)) if relative in hashes else FileJob(absolute, relative, selected, selected)
        if isinstance(planned, str):
            hits.append(Outcome(relative, hashes[relative], planned, None))
        else:
            jobs.append(planned)
    workers = options.jobs or config.jobs or default_jobs()
    fresh: list[Outcome] = []
    inputs: dict[str, str] = {}
    for outcome in itertools.chain(hits, _tee(_run_jobs(jobs, ruleset, config.root, workers, config.max_file_size, progress), fresh)):
        inputs[outcome.relative] = outcome.sha256
        if outcome.diagnostics is not None:
            diagnostics.extend(DIAGNOSTICS.validate_json(outcome.diagnostics))
        else:
            diagnostics.append(_problem_diagnostic(outcome.relative, outcome.problem or "unreadable", config.root))
    if cache:
        by_path = {job.relative: job for job in jobs}
        cache.put_rows((o.relative, o.sha256, merged(rows.get(o.relative), by_path[o.relative], o.raw, o.diagnostics))
                       for o in fresh if o.diagnostics is not None and _consistent(o, by_path[o.relative], hashes))
        cache.close()
    diagnostics = [_with_alias(d, selector) for d in diagnostics if _selected(d, selector)]
    diagnostics.sort(key=Diagnostic.sort_key)
    inputs = dict(sorted(inputs.items()))
    return CheckResult(diagnostics, inputs, {}, ruleset, selector, digest, cached_files=len(files) - sum(1 for job in jobs if job.compute),
                       checked_files=sum(1 for job in jobs if job.compute))


def _tee(outcomes: Iterator[Outcome], kept: list[Outcome]) -> Iterator[Outcome]:
    """Pass outcomes through, keeping each one (for the cache)."""
    for outcome in outcomes:
        kept.append(outcome)
        yield outcome


def _consistent(outcome: Outcome, job: FileJob, hashes: dict[str, str]) -> bool:
    """Were the stored findings a job reused taken from the bytes the worker read? (A file edited mid-run is not stored.)"""
    return job.compute == job.selected and job.prior == NOTHING or hashes.get(outcome.relative) == outcome.sha256


def _cache_rows(cache: ResultCache, files: list[tuple[str, str, frozenset[str]]], config: Config) -> tuple[dict[str, str], dict[str, Row]]:
    """Each file's current hash (read here, never parsed) and its stored row when one matches those bytes."""
    hashes: dict[str, str] = {}
    for absolute, relative, _ in files:
        sha256 = file_sha256(Path(absolute), config.max_file_size)
        if sha256 is not None:
            hashes[relative] = sha256
    return hashes, cache.rows(hashes.items())


def check_text(text: str, filename: str, config: Config, options: CheckOptions) -> CheckResult:
    """Check text that is not on disk (stdin from an editor or hook) as if it were at filename."""
    ruleset = load_ruleset(config)
    selector = RuleSelector(ruleset.rules, config, options.select, options.ignore, options.extend_select)
    relative = relative_path(Path(filename).absolute(), config.root)
    source = SourceFile(path=relative, text=text, language=ruleset.languages.language(relative))
    found = check_source(source, selector.selected_for(relative), ruleset.engines, ruleset.by_id)
    digest = hashlib.sha256(f"{ruleset.digest}:{selector.digest()}".encode()).hexdigest()
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    diagnostics = [_with_alias(d, selector) for d in found]
    return CheckResult(diagnostics, {relative: sha}, {relative: text}, ruleset, selector, digest, checked_files=1)


def _selected(diagnostic: Diagnostic, selector: RuleSelector) -> bool:
    """Unreadable-file findings obey --select/--ignore and per-path config like any rule's."""
    return diagnostic.rule_id != UNREADABLE_FILE_RULE.id or diagnostic.rule_id in selector.selected_for(diagnostic.path)


def _with_alias(diagnostic: Diagnostic, selector: RuleSelector) -> Diagnostic:
    """Record the alias the user selected a rule by, as metadata only."""
    alias = selector.alias_for(diagnostic.rule_id, diagnostic.path)
    return diagnostic.model_copy(update={"source_alias": alias}) if alias else diagnostic


def _problem_diagnostic(path: Path | str, reason: str, root: Path) -> Diagnostic:
    """A file that could not be read becomes one finding of its own, never a crash."""
    from patchgate.diagnostics.span import LineIndex

    relative = relative_path(Path(path), root) if isinstance(path, Path) else path
    return Diagnostic(
        rule_id=UNREADABLE_FILE_RULE.id,
        severity=UNREADABLE_FILE_RULE.severity,
        message=reason,
        path=relative,
        span=LineIndex("").span(0, 0),
        engine="patchgate",
    )
