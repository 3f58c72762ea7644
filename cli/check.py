"""`patchgate check`: find problems, print them in the chosen format, exit by the fail level."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from patchgate.cli.common import COLOR_CHOICES, load_config_for, progress_reporter, write_output
from patchgate.cli.recovery import settle_interrupted
from patchgate.diagnostics.config import Config
from patchgate.diagnostics.errors import InputError
from patchgate.diagnostics.models import SEVERITY_RANK
from patchgate.diagnostics.runner import CheckOptions, CheckResult, check_text, run_check

FORMATS = ["text", "json", "sarif", "github"]
LEVELS = ["error", "warning", "info", "hint"]
STDIN_NAME = "stdin.py"
"""The path stdin is reported as (and configured by) without --stdin-filename: Python, like ruff's default."""


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    """Accept both `--select a,b` and `--select a --select b`."""
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, help="Rules to run (id, alias, alias prefix, tag or ALL); replaces the config's.")
@click.option("--ignore", multiple=True, help="Rules to skip (id, alias or tag).")
@click.option("--extend-select", multiple=True, help="Rules to run in addition to the selection.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output-file", type=click.Path(path_type=Path), help="Write the report here instead of stdout.")
@click.option("--fail-level", type=click.Choice(LEVELS), help="Lowest severity that makes the exit code 1 [config: error].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes [default: the core count].")
@click.option("--evidence", is_flag=True, help="Record an Evidence object under .patchgate/evidence/.")
@click.option("--stdin-filename", help=f"Report stdin as this path: it picks the language and per-path config [default: {STDIN_NAME}].")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), help="Use this config file.")
@click.option("--color", type=click.Choice(COLOR_CHOICES), default="auto", show_default=True,
              help="Colour the text report: auto is a terminal unless NO_COLOR is set, or FORCE_COLOR.")
@click.option("--no-color", "no_color", is_flag=True, hidden=True, help="Same as --color never.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes through Connect first, then report what is left.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff: also the fixes rules mark unsafe.")
@click.option("--diff", "diff_only", is_flag=True, help="Print the fixes --fix would make as a diff; write nothing.")
@click.pass_context
def check(ctx: click.Context, paths: tuple[Path, ...], select: tuple[str, ...], ignore: tuple[str, ...],
          extend_select: tuple[str, ...], output_format: str, output_file: Path | None, fail_level: str | None,
          no_cache: bool, jobs: int | None, evidence: bool, stdin_filename: str | None, config_file: Path | None,
          color: str, no_color: bool, fix: bool, unsafe_fixes: bool, diff_only: bool) -> None:
    """Check files for problems (default: the current directory; `-` reads one file from stdin)."""
    from_stdin = stdin_filename is not None or any(str(p) == "-" for p in paths)
    files = [p for p in paths if str(p) != "-"]
    if from_stdin and files:
        raise click.UsageError("stdin (`-` or --stdin-filename) is checked on its own: give no other paths")
    stdin_filename = stdin_filename or STDIN_NAME
    targets = files or [_nearest_existing(Path(stdin_filename)) if from_stdin else Path(".")]
    settle_interrupted(*targets, config_file)
    config = load_config_for(targets[0], config_file)
    options = CheckOptions(
        select=_split(select) or None, ignore=_split(ignore), extend_select=_split(extend_select),
        jobs=jobs, use_cache=not no_cache,
    )
    fixed = _fix_first(targets, config, options, from_stdin, fix, unsafe_fixes, diff_only)
    if diff_only:
        ctx.exit(fixed or 0)
    if from_stdin:
        result = check_text(_read_stdin(), stdin_filename, config, options)
    else:
        machine = output_format != "text" or output_file is not None
        with progress_reporter(enabled=not machine and sys.stderr.isatty()) as progress:
            result = run_check(targets, config, options, progress)
    write_output(result, output_format, output_file, config.root, "never" if no_color else color, config.docs_url)
    if evidence:
        from patchgate.cli.common import record_check_evidence

        record_check_evidence(result, config.root)
    ctx.exit(fixed or _exit_code(result, fail_level or config.fail_level))


def _fix_first(targets: list[Path], config: Config, options: CheckOptions, from_stdin: bool, fix: bool,
               unsafe: bool, diff_only: bool) -> int | None:
    """--fix / --diff before the report: the exit code they ask for, if any."""
    if not (fix or diff_only):
        if unsafe:
            raise InputError("--unsafe-fixes goes with --fix or --diff")
        return None
    if from_stdin:
        raise InputError("--fix and --diff work on files, not on stdin")
    from patchgate.cli.check_fix import fix_first

    return fix_first(targets, config, options, unsafe, diff_only).exit_code


def _nearest_existing(path: Path) -> Path:
    """The closest existing folder above a stdin filename, where its config is looked up."""
    folder = path.absolute().parent
    while not folder.exists():
        folder = folder.parent
    return folder


def _read_stdin() -> str:
    """Read stdin as UTF-8; anything else is bad input."""
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"stdin is not valid UTF-8 at byte {error.start}") from None


def _exit_code(result: CheckResult, fail_level: str) -> int:
    """1 when any finding is at or above the fail level, else 0."""
    threshold = SEVERITY_RANK[fail_level]
    return int(any(SEVERITY_RANK[d.severity] >= threshold for d in result.diagnostics))
