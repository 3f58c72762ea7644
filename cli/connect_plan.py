"""`patchgate connect context` and `patchgate connect plan`: build the context, decide, record, exit by verdict.

Imports stay inside the commands so a command candidate loads only what its decision needs
(no libcst, ast-grep, rich or diagnostics engines). Bad input is exit 40 before anything is
written; the verdict's exit code is 0 permit, 10 rewrite, 20 require_review, 30 deny.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from patchgate.connect.candidates.submission import Submission
    from patchgate.connect.models import PatchVerdict

ACTOR_TYPES = ["human", "agent", "service", "tool"]
BUILT_IN = ("a write must match write_scope and policy_write_scope; .git and .patchgate at any depth are immutable; "
            "patchgate, CI, hook and agent config files need review")


def _task_options(command: click.Command) -> click.Command:
    """The options that name a task and its actor, shared by context and plan."""
    for option in reversed([
        click.option("--task", "task_id", required=True, help="The task this change belongs to."),
        click.option("--actor", "actor_id", help="Who asks (default: the login name)."),
        click.option("--actor-type", type=click.Choice(ACTOR_TYPES), default="human", show_default=True,
                     help="What kind of actor asks."),
        click.option("--write-scope", multiple=True, help="Glob the task may write (repeatable; default: the policy's)."),
        click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text."),
    ]):
        command = option(command)
    return command


def _workspace() -> Path:
    """The workspace of the current directory (an apply a crash cut short is settled first)."""
    from patchgate.cli.connect import workspace_root

    return workspace_root()


@click.command("context")
@_task_options
def connect_context(task_id: str, actor_id: str | None, actor_type: str, write_scope: tuple[str, ...],
                    as_json: bool) -> None:
    """Print the context pack a decision for this task would be made in."""
    from patchgate.connect.context import build_context
    from patchgate.connect.policy import load_policy

    workspace = _workspace()
    context = build_context(workspace, load_policy(workspace), task_id, actor_id, actor_type, list(write_scope))
    if as_json:
        click.echo(context.model_dump_json(indent=2))
        return
    data = context.model_dump(mode="json")
    for key in ("id", "task_id", "repo", "branch"):
        click.echo(f"{key:<18} {data[key] if data[key] is not None else '-'}")
    click.echo(f"{'actor':<18} {context.actor.id} ({context.actor.type})")
    for key in ("write_scope", "policy_write_scope", "protected_paths", "immutable_paths", "generated_paths",
                "acceptance_checks"):
        click.echo(f"{key:<18} {', '.join(data[key]) or '-'}")
    for key, values in data["commands"].items():
        click.echo(f"{'commands.' + key:<18} {', '.join(values) or '-'}")
    click.echo(f"{'built in':<18} {BUILT_IN}")


def _submission(workspace: Path, plan: str | None, patch: str | None, write: str | None, content_file: str | None,
                command: str | None) -> Submission:
    """Exactly one candidate from the options; anything else is bad input."""
    from patchgate.connect.candidates import submission as candidates
    from patchgate.diagnostics.errors import InputError

    given = [name for name, value in (("--plan", plan), ("--patch", patch), ("--write", write),
                                      ("--command", command)) if value is not None]
    if len(given) != 1:
        raise InputError("give exactly one of --plan, --patch, --write or --command" + (
            f" (got {', '.join(given)})" if given else ""))
    if (write is None) != (content_file is None):
        raise InputError("--write and --content-file go together")
    if plan is not None:
        return candidates.from_plan(plan, workspace)
    if patch is not None:
        return candidates.from_patch(patch, workspace)
    if write is not None:
        return candidates.from_write(write, content_file, workspace, Path.cwd())  # type: ignore[arg-type]
    return candidates.from_command(command)  # type: ignore[arg-type]


def print_verdict(verdict: PatchVerdict, err: bool = False) -> None:
    """The human form: verdict and id, every failing or warning check, then what to do."""
    lines = [f"{verdict.verdict}  decision {verdict.decision_id}"]
    lines += [f"  [{check.status}] {check.id} ({check.verdict}): {check.detail}"
              for check in verdict.checks if check.status != "pass"]
    lines += [f"  review packet {verdict.review_packet_ref}"] if verdict.review_packet_ref else []
    lines += [f"  remediation: {line}" for line in verdict.remediation]
    click.echo("\n".join(lines), err=err)


@click.command("plan")
@_task_options
@click.option("--objective", help="What the change is for (default: a summary of the candidate).")
@click.option("--plan", "plan_ref", help="A rewrite plan: its JSON file, or its id in the plan store.")
@click.option("--patch", help="A unified diff to decide on.")
@click.option("--write", help="A workspace path to write whole (with --content-file).")
@click.option("--content-file", help="The new content for --write ('-' reads stdin).")
@click.option("--command", help="A shell command to decide on.")
@click.pass_context
def connect_plan(ctx: click.Context, task_id: str, actor_id: str | None, actor_type: str, write_scope: tuple[str, ...],
                 as_json: bool, objective: str | None, plan_ref: str | None, patch: str | None, write: str | None,
                 content_file: str | None, command: str | None) -> None:
    """Decide on a change (plan, patch, write or command), record the decision, exit by its verdict."""
    from patchgate.connect.models import VERDICT_EXIT
    from patchgate.connect.submit import decide_and_record

    workspace = _workspace()
    submission = _submission(workspace, plan_ref, patch, write, content_file, command)
    decided = decide_and_record(workspace, task_id, actor_id, actor_type, submission, objective, list(write_scope))
    if as_json:
        click.echo(json.dumps(decided.verdict.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        print_verdict(decided.verdict)
    ctx.exit(VERDICT_EXIT[decided.verdict.verdict])
