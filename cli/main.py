"""The `patchgate` command: a click group whose errors become one line and an exit code (SPEC 3)."""

from __future__ import annotations

import sys
import traceback

import click

from patchgate.diagnostics.errors import PatchgateError
from patchgate.diagnostics.ruleset import tool_version

INPUT_ERROR = 40
INTERNAL_ERROR = 2


class PatchgateGroup(click.Group):
    """Turns known errors into `patchgate: error: ...` and exit 40; bugs into exit 2."""

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
        except Exception as error:  # a bug: say so plainly, traceback only on request
            if ctx.params.get("debug"):
                traceback.print_exc()
            click.echo(f"patchgate: internal error (a bug, please report it): {type(error).__name__}: {error}", err=True)
            ctx.exit(INTERNAL_ERROR)
        return None


@click.group(cls=PatchgateGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(tool_version(), prog_name="patchgate")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def cli(debug: bool) -> None:
    """Precise, governed code changes: find problems, plan rewrites, gate every write."""


def _register() -> None:
    """Attach the subcommands; each lives in its own module."""
    from patchgate.cli.check import check
    from patchgate.cli.doctor import doctor
    from patchgate.cli.init_cmd import init
    from patchgate.cli.rules import rules
    from patchgate.cli.apply_cmd import apply
    from patchgate.cli.connect import connect
    from patchgate.cli.plan import plan

    for command in (check, rules, init, doctor, connect, apply, plan):
        cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point; usage errors exit 40 like any other bad input."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("patchgate: aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        click.echo(f"patchgate: error: {error.format_message()}", err=True)
        sys.exit(INPUT_ERROR)
    sys.exit(code if isinstance(code, int) else 0)
