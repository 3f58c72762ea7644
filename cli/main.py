"""The `patchgate` command: a click group whose errors become one line and an exit code (SPEC 3)."""

from __future__ import annotations

import gc
import importlib
import sys

import click

from patchgate.cli.pydantic_plugins import skip_plugin_scan
from patchgate.diagnostics.errors import PatchgateError

INPUT_ERROR = 40
INTERNAL_ERROR = 2
COMMANDS = {
    "check": "patchgate.cli.check:check",
    "rules": "patchgate.cli.rules:rules",
    "init": "patchgate.cli.init_cmd:init",
    "doctor": "patchgate.cli.doctor:doctor",
    "connect": "patchgate.cli.connect:connect",
    "apply": "patchgate.cli.apply_cmd:apply",
    "plan": "patchgate.cli.plan:plan",
}
"""Subcommand name -> "module:attribute", imported only when that subcommand runs (startup stays fast)."""
YOUNG_GC_THRESHOLD = 100_000
"""Allocations between young collections (CPython's default is 700): a command's imports and model classes make
~40k objects that live until exit, and collecting as they came cost a decision ~10 ms to free almost nothing."""


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use, from a name -> "module:attr" table."""

    lazy_commands: dict[str, str] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.lazy_commands:
            module, _, attribute = self.lazy_commands[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, cmd_name)
        return command


class PatchgateGroup(LazyGroup):
    """Turns known errors into `patchgate: error: ...` and exit 40; bugs into exit 2."""

    lazy_commands = COMMANDS

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except PatchgateError as error:
            click.echo(f"patchgate: error: {error.message}", err=True)
            ctx.exit(error.exit_code)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except (KeyboardInterrupt, BrokenPipeError):
            ctx.exit(130)
        except RecursionError:  # a reader without its own guard met input nested too deeply (JSON, TOML, YAML)
            click.echo("patchgate: error: input nested too deeply to read (Python's recursion limit)", err=True)
            ctx.exit(INPUT_ERROR)
        except Exception as error:  # a bug: say so plainly, traceback only on request
            if ctx.params.get("debug"):
                import traceback

                traceback.print_exc()
            click.echo(f"patchgate: internal error (a bug, please report it): {type(error).__name__}: {error}", err=True)
            ctx.exit(INTERNAL_ERROR)
        return None


@click.group(cls=PatchgateGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="patchgate", prog_name="patchgate")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Precise, governed code changes: find problems, plan rewrites, gate every write."""
    if ctx.invoked_subcommand is None:  # bare `patchgate`: help on stdout, success, like git and ruff
        click.echo(ctx.get_help())
        ctx.exit(0)


def main() -> None:
    """Console-script entry point; usage errors exit 40 like any other bad input."""
    skip_plugin_scan()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("patchgate: aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        click.echo(f"patchgate: error: {error.format_message()}", err=True)
        sys.exit(INPUT_ERROR)
    sys.exit(code if isinstance(code, int) else 0)
