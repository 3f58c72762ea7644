"""`patchgate plan fix|rewrite|codemod|rename`: plan a change, store it, print its digest.

Planners never touch project files: the plan goes to `.patchgate/plans/<id>.json` under the
workspace root (the folder of the config in force, else the git toplevel, as for `check`). When
nothing would change, no plan is written and the command says so (exit 0).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from patchgate.cli.common import load_config_for, progress_reporter
from patchgate.cli.recovery import settle_interrupted
from patchgate.diagnostics.config import Config
from patchgate.diagnostics.discovery import discover
from patchgate.diagnostics.errors import InputError
from patchgate.diagnostics.languages import language_map_for
from patchgate.rewrites.planning import PlanRequest, PlanResult
from patchgate.rewrites.store import save_plan

LISTED = 20


def _options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every planner shares: output, workers and config."""
    for option in reversed([
        click.option("--diff", "show_diff", is_flag=True, help="Also print the plan's unified diff."),
        click.option("--json", "as_json", is_flag=True, help="Print the plan itself as JSON."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes [default: the core count]."),
        click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), help="Use this config file."),
    ]):
        command = option(command)
    return command


def _workspace(paths: tuple[Path, ...] | list[Path], config_file: Path | None) -> tuple[Config, list[Path]]:
    """The config in force for the first target, and every target checked to lie inside its root."""
    targets = list(paths) or [Path(".")]
    settle_interrupted(*targets, config_file)
    config = load_config_for(targets[0], config_file)
    for target in targets:
        if not target.exists():
            raise InputError(f"path does not exist: {target}")
        resolved = target.resolve()
        if resolved != config.root and config.root not in resolved.parents:
            raise InputError(f"{target} is outside the workspace {config.root}; plan each workspace on its own")
    return config, targets


def _request(config: Config, targets: list[Path], jobs: int | None, languages: set[str] | None,
             progress: Any) -> PlanRequest:
    """The files a planner reads: discovered as `check` discovers them, narrowed to its languages (sgconfig's
    languageGlobs first, then extensions, as ast-grep maps them)."""
    language_map = language_map_for(config.sgconfig)
    found = discover(targets, config, language_map)
    for problem in found.problems:
        click.echo(f"warning: {problem.path}: {problem.reason}", err=True)
    files = [path for path in found.files if languages is None or language_map.language(path.name) in languages]
    return PlanRequest(files, config.root, config.max_file_size, jobs or config.jobs, progress, language_map)


def _print_diff(text: str) -> None:
    """The diff, with syntax colours on a terminal."""
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.syntax import Syntax

        Console().print(Syntax(text, "diff", theme="ansi_dark", background_color="default"))
    else:
        click.echo(text, nl=False)


def _report_extras(result: PlanResult) -> None:
    """Skipped changes, failures and codemod notes, on stderr so stdout stays the digest."""
    plan = result.plan
    failed = {path for path, _ in result.failures}
    left_out = [s for s in plan.skipped if not (s.path in failed and s.reason.startswith("not planned:"))]
    for item in left_out[:LISTED]:
        click.echo(f"skipped: {item.path}:{item.span.start_line + 1}:{item.span.start_column + 1}: {item.source}: {item.reason}", err=True)
    if len(left_out) > LISTED:
        click.echo(f"skipped: ... and {len(left_out) - LISTED} more (see the plan's `skipped`)", err=True)
    for path, reason in result.failures[:LISTED]:
        click.echo(f"failed: {path}: {reason}", err=True)
    if len(result.failures) > LISTED:
        click.echo(f"failed: ... and {len(result.failures) - LISTED} more", err=True)
    for path, note in result.notes[:LISTED]:
        click.echo(f"note: {path}: {note}", err=True)


def _emit(result: PlanResult, root: Path, as_json: bool, show_diff: bool) -> None:
    """Store the plan (when it changes something) and print its digest and summary, or the JSON."""
    plan = result.plan
    _report_extras(result)
    if plan.files:
        target = save_plan(plan, root)
        where = target.relative_to(root).as_posix()
    if as_json:
        click.echo(plan.model_dump_json(indent=2))
        return
    stats = plan.stats
    skipped = f", {len(plan.skipped)} skipped" if plan.skipped else ""
    if not plan.files:
        click.echo(f"{plan.planner}: no changes found ({result.files_seen} files searched{skipped}); no plan written")
        return
    click.echo(plan.id)
    click.echo(f"{plan.planner}: {stats.files} files, {stats.edits} edits (+{stats.lines_added} -{stats.lines_removed} lines)"
               f"{skipped} -> {where}")
    if show_diff:
        _print_diff("".join(item.diff for item in plan.files))


def _run(as_json: bool, show_diff: bool, planner: Callable[[Any], PlanResult], root: Path) -> None:
    """Run a planner under a progress bar (terminal only) and emit its plan."""
    if as_json and show_diff:
        raise InputError("--json and --diff cannot be combined (the JSON holds each file's diff)")
    with progress_reporter(enabled=not as_json and sys.stderr.isatty()) as progress:
        result = planner(progress)
    _emit(result, root, as_json, show_diff)


def _source_root(root: Path, given: str) -> str:
    """A --source-root as a workspace-relative POSIX folder; it must exist."""
    folder = (Path.cwd() / given).resolve()
    if not folder.is_dir() or (folder != root and root not in folder.parents):
        raise InputError(f"--source-root {given}: not a folder inside the workspace {root}")
    return folder.relative_to(root).as_posix()


@click.group()
def plan() -> None:
    """Plan a change (never written to project files): fixes, rewrites, codemods, renames."""


@plan.command("fix")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rule", "rules", multiple=True, help="Only this rule's fixes (id or alias; repeatable).")
@click.option("--unsafe", is_flag=True, help="Also take fixes their rules mark unsafe.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the check's result cache.")
@_options
def plan_fix(paths: tuple[Path, ...], rules: tuple[str, ...], unsafe: bool, no_cache: bool, show_diff: bool,
             as_json: bool, jobs: int | None, config_file: Path | None) -> None:
    """Plan the fixes of a check run (safe fixes of the selected rules by default)."""
    from patchgate.rewrites.fixes import FixOptions, plan_fixes

    config, targets = _workspace(paths, config_file)
    selected = tuple(item.strip() for value in rules for item in value.split(",") if item.strip())
    options = FixOptions(rules=selected, unsafe=unsafe, jobs=jobs, use_cache=not no_cache)
    _run(as_json, show_diff, lambda progress: plan_fixes(targets, config, options, progress), config.root)


@plan.command("rewrite")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--lang", "language", required=True, help="Language of the pattern (python, javascript, go, ...).")
@click.option("--pattern", required=True, help="ast-grep pattern with metavariables, e.g. 'print($$$ARGS)'.")
@click.option("--fix", "fix", required=True, help="Replacement template, e.g. 'logger.info($$$ARGS)'.")
@_options
def plan_rewrite(paths: tuple[Path, ...], language: str, pattern: str, fix: str, show_diff: bool, as_json: bool,
                 jobs: int | None, config_file: Path | None) -> None:
    """Plan an ad-hoc ast-grep rewrite of every match of a pattern."""
    from patchgate.rewrites.astgrep_pattern import PatternTask, pattern_rule
    from patchgate.rewrites.planning import plan_with_task

    rule = pattern_rule(language, pattern, fix)
    config, targets = _workspace(paths, config_file)
    task = PatternTask(rule.language, pattern, fix)
    description = f"rewrite {rule.language} `{pattern}` to `{fix}`"

    def planner(progress: Any) -> PlanResult:
        request = _request(config, targets, jobs, {rule.language}, progress)
        return plan_with_task("rewrite", description, pattern, task, request)

    _run(as_json, show_diff, planner, config.root)


@plan.command("codemod", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": True})
@click.argument("command_spec", metavar="MODULE.CLASS")
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED, metavar="[ARGS]... [PATHS]...")
@click.option("--include-generated", is_flag=True, help="Also change files marked @generated.")
@_options
def plan_codemod(command_spec: str, arguments: tuple[str, ...], include_generated: bool, show_diff: bool, as_json: bool,
                 jobs: int | None, config_file: Path | None) -> None:
    """Plan a LibCST codemod (a CodemodCommand: your own, or one of LibCST's) over Python files."""
    from patchgate.rewrites.codemod import describe, load_command, parse_arguments
    from patchgate.rewrites.codemod_task import CodemodTask
    from patchgate.rewrites.planning import plan_with_task

    settle_interrupted(Path.cwd(), config_file)
    spec, command = load_command(command_spec, [Path.cwd()])
    values, paths = parse_arguments(command_spec, command, list(arguments))
    config, targets = _workspace([Path(p) for p in paths], config_file)
    task = CodemodTask(spec, tuple(sorted(values.items())), str(config.root), (str(Path.cwd().resolve()),), include_generated)

    def planner(progress: Any) -> PlanResult:
        request = _request(config, targets, jobs, {"python"}, progress)
        return plan_with_task("codemod", describe(spec, command, values), spec, task, request)

    _run(as_json, show_diff, planner, config.root)


@plan.command("rename")
@click.argument("qualified_name", metavar="OLD_QUALIFIED_NAME")
@click.argument("new_name")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--source-root", "source_roots", multiple=True,
              help="Folder that import names start from (e.g. src), for namespace packages; repeatable.")
@_options
def plan_rename(qualified_name: str, new_name: str, paths: tuple[Path, ...], source_roots: tuple[str, ...],
                show_diff: bool, as_json: bool, jobs: int | None, config_file: Path | None) -> None:
    """Plan renaming a module-level function, class or name by qualified name (pkg.mod.name)."""
    from patchgate.rewrites.rename.planner import check_names
    from patchgate.rewrites.rename.planner import plan_rename as rename

    check_names(qualified_name, new_name)
    config, targets = _workspace(paths, config_file)
    roots = tuple(_source_root(config.root, root) for root in source_roots)

    def planner(progress: Any) -> PlanResult:
        return rename(qualified_name, new_name, _request(config, targets, jobs, {"python"}, progress), roots)

    _run(as_json, show_diff, planner, config.root)
