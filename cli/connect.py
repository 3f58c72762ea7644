"""`patchgate connect ...`: review, replay, audit verify and recover (context and plan come from connect_plan).

Every subcommand first finishes or undoes an apply a crash cut short (a few stats and one failed
listdir when there was none). `recover` exits 40 with one line when it quarantined a journal
patchgate did not write, left a file changed since the crash as it is, or could not finish. `audit verify` exits 0 when the log is intact and 1
when it was tampered with (like a check with findings), naming the first line that was
changed, removed, reordered or inserted. `replay` exits 0 when today's policy reaches the same verdict through the
same checks and 1 when anything differs; it stores nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from patchgate.cli.recovery import one_line, outcome_line, problem_lines, settle_interrupted
from patchgate.diagnostics.config import load_config
from patchgate.diagnostics.errors import InputError

if TYPE_CHECKING:
    from patchgate.connect.replay import Replay
    from patchgate.connect.review import ReviewState
    from patchgate.connect.store import StoredDecision

PLAN_MODULE = "patchgate.cli.connect_plan"
LAZY_COMMANDS = {"context": "connect_context", "plan": "connect_plan"}
TAMPERED = 1
DIFFERS = 1


class ConnectGroup(click.Group):
    """Loads the context/plan commands only when asked for, and only once their module exists."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        extra = list(LAZY_COMMANDS) if importlib.util.find_spec(PLAN_MODULE) is not None else []
        return sorted({*super().list_commands(ctx), *extra})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in LAZY_COMMANDS or importlib.util.find_spec(PLAN_MODULE) is None:
            return command
        return getattr(importlib.import_module(PLAN_MODULE), LAZY_COMMANDS[cmd_name], None)


def workspace_root() -> Path:
    """The workspace of the current directory, after recovering any interrupted apply."""
    settle_interrupted(Path.cwd())
    return load_config(Path.cwd()).root


def emit_json(data: object) -> None:
    """Machine-readable output, one document."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.group(cls=ConnectGroup)
def connect() -> None:
    """Connect, the review gate: decide, review, replay, audit and recover changes."""


@connect.group()
def audit() -> None:
    """The hash-chained audit log of decisions, reviews and applies."""


@audit.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def audit_verify(ctx: click.Context, as_json: bool) -> None:
    """Check every line of .patchgate/audit.ndjson; exit 1 naming the first tampered line."""
    from patchgate.connect.audit.verify import verify_log
    from patchgate.connect.signers import signers_in_force

    workspace = workspace_root()
    result = verify_log(workspace, signers_in_force(workspace))
    problem = result.problem
    if as_json:
        emit_json({"ok": result.ok, "events": result.events, "problem": None if problem is None else
                   {"line": problem.line, "kind": problem.kind, "message": problem.message}})
    elif problem is None:
        click.echo(f"ok, {result.events} events")
    else:
        click.echo(f"audit log tampered: {problem.message}")
    if problem is not None:
        ctx.exit(TAMPERED)


@audit.command("checkpoint")
@click.option("--key", help="SSH key to sign with (default: $PATCHGATE_SIGNING_KEY, git's user.signingkey).")
@click.option("--signer", help="Your principal in the allowed-signers file (default: the login name).")
def audit_checkpoint(key: str | None, signer: str | None) -> None:
    """Sign the audit log's last line, so rewriting anything up to it fails `audit verify`."""
    from patchgate.connect.checkpoints import write_checkpoint
    from patchgate.connect.context import workspace_id
    from patchgate.connect.review import default_reviewer
    from patchgate.connect.signing import signing_key
    from patchgate.connect.signers import signers_in_force

    workspace = workspace_root()
    allowed = signers_in_force(workspace)
    if allowed is None:
        raise InputError("no signers are set: a checkpoint is checked against [tool.patchgate.connect] signers "
                         "(an SSH allowed-signers file)")
    point = write_checkpoint(workspace, workspace_id(workspace), signing_key(key), signer or default_reviewer(), allowed)
    click.echo("the audit log is empty: nothing to sign" if point is None else
               f"signed audit line {point.seq} ({point.sha256[:12]}) as {point.signer}")


@connect.group()
def review() -> None:
    """List, show, approve and reject decisions that need a human."""


@review.command("list")
@click.option("--all", "include_all", is_flag=True, help="Every decision, not only those awaiting review.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def review_list(include_all: bool, as_json: bool) -> None:
    """Decisions awaiting review (require_review, not yet approved, rejected or applied)."""
    from patchgate.connect.review import list_reviews

    rows, damaged = list_reviews(workspace_root(), include_all)
    for message in damaged:
        click.echo(f"patchgate: warning: {message}", err=True)
    if as_json:
        emit_json([_row(stored, state) for stored, state in rows])
        return
    for stored, state in rows:
        item = _row(stored, state)
        click.echo(f"{item['decision_id']}  {item['verdict']:<14} {item['status']:<14} {item['files']:>3} file(s)  {item['objective']}")
    if not rows:
        click.echo("no decisions" if include_all else "nothing awaiting review")


def _row(stored: StoredDecision, state: ReviewState) -> dict:
    """One decision as a listing row."""
    plan = stored.plan
    return {"decision_id": stored.decision_id, "verdict": stored.verdict.verdict,
            "status": state.status, "approvers": list(state.approvers), "needed": state.needed,
            "plan_digest": stored.verdict.plan_digest, "files": len(plan.files) if plan else 0,
            "objective": stored.packet.objective, "task_id": stored.packet.task_id,
            "actor": stored.context.actor.id}


@review.command("show")
@click.argument("decision_id")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
def review_show(decision_id: str, as_json: bool) -> None:
    """A decision's verdict, reason, checks, diff and reviews."""
    from patchgate.connect.review import trusted_state
    from patchgate.connect.store import load_decision

    workspace = workspace_root()
    stored = load_decision(workspace, decision_id)
    state = trusted_state(workspace, stored)
    if as_json:
        emit_json({**_row(stored, state), "verdict": stored.verdict.model_dump(mode="json"),
                   "review": stored.review.model_dump(mode="json") if stored.review else None,
                   "approvals": [a.model_dump(mode="json") for a in stored.approvals],
                   "receipt": stored.receipt.model_dump(mode="json") if stored.receipt else None})
        return
    click.echo(_show_text(stored, state))


def _show_text(s: StoredDecision, state: ReviewState) -> str:
    """The human form of `review show`."""
    lines = [f"decision  {s.decision_id}", f"verdict   {s.verdict.verdict} ({state.status})",
             f"task      {s.packet.task_id} by {s.context.actor.id} ({s.context.actor.type})",
             f"objective {s.packet.objective}", f"plan      {s.verdict.plan_digest or '-'}"]
    if s.review is not None:
        lines.append(f"reason    {s.review.reason}")
    lines += [f"  [{c.status}] {c.id}: {c.detail}" for c in s.verdict.checks]
    lines += [f"  {a.decision} by {a.reviewer} at {a.created_at}" + (f": {a.note}" if a.note else "")
              + ("" if a.plan_digest == s.verdict.plan_digest else " (another plan: does not count)")
              for a in s.approvals]
    diff = s.review.diff if s.review is not None else "".join(f.diff for f in s.plan.files) if s.plan else ""
    return "\n".join(lines) + ("\n\n" + diff.rstrip("\n") if diff else "")


def _review(decision: str, decision_id: str, note: str, reviewer: str | None, key: str | None, as_json: bool) -> None:
    """Record an approval or rejection and say where the decision stands."""
    from patchgate.connect.review import default_reviewer, record_review

    approval, state = record_review(workspace_root(), decision_id, decision, reviewer or default_reviewer(), note,  # type: ignore[arg-type]
                                    key)
    if as_json:
        emit_json({"approval": approval.model_dump(mode="json"), "status": state.status})
        return
    verb = "approved" if decision == "approve" else "rejected"
    click.echo(f"{verb} {approval.decision_id} (plan {approval.plan_digest or '-'}) as {approval.reviewer}: now {state.status}")


@review.command("approve")
@click.argument("decision_id")
@click.option("--note", default="", help="Why it is fine.")
@click.option("--reviewer", help="Reviewer name (default: the login name).")
@click.option("--key", help="SSH key to sign with when signers are set (default: $PATCHGATE_SIGNING_KEY, git's user.signingkey).")
@click.option("--json", "as_json", is_flag=True, help="Print the approval as JSON.")
def review_approve(decision_id: str, note: str, reviewer: str | None, key: str | None, as_json: bool) -> None:
    """Approve the exact plan a require_review decision covers."""
    _review("approve", decision_id, note, reviewer, key, as_json)


@review.command("reject")
@click.argument("decision_id")
@click.option("--note", default="", help="Why not.")
@click.option("--reviewer", help="Reviewer name (default: the login name).")
@click.option("--key", help="SSH key to sign with when signers are set (default: $PATCHGATE_SIGNING_KEY, git's user.signingkey).")
@click.option("--json", "as_json", is_flag=True, help="Print the rejection as JSON.")
def review_reject(decision_id: str, note: str, reviewer: str | None, key: str | None, as_json: bool) -> None:
    """Reject a require_review decision; earlier approvals stop counting."""
    _review("reject", decision_id, note, reviewer, key, as_json)


@connect.command("recover")
@click.option("--json", "as_json", is_flag=True, help="Print what was recovered as JSON.")
def recover_cmd(as_json: bool) -> None:
    """Roll back (or complete) applies a crash cut short; quarantine journals patchgate did not write."""
    from patchgate.connect.interrupted import root_of
    from patchgate.connect.recover.settle import recover

    outcomes = recover(root_of(Path.cwd()))
    if as_json:
        emit_json([{"decision_id": o.decision_id, "outcome": o.outcome, "restored": list(o.restored),
                    "temps_removed": o.temps_removed, "conflicts": list(o.conflicts), "journal": o.entry,
                    "detail": o.detail} for o in outcomes])
    else:
        for o in outcomes:
            if o.outcome in ("rolled-back", "completed"):
                click.echo(one_line(f"{o.decision_id}: {outcome_line(o)}"))
        if not outcomes:
            click.echo("nothing to recover")
    problems = problem_lines(outcomes) + [f"{o.decision_id}: conflict: {', '.join(o.conflicts)} changed since the apply "
                                          "and left as they are" for o in outcomes if o.conflicts]
    if problems:
        raise InputError(one_line("; ".join(problems)))


@connect.command("replay")
@click.argument("decision_id")
@click.option("--json", "as_json", is_flag=True, help="Print both verdicts and the differences as JSON.")
@click.pass_context
def replay_cmd(ctx: click.Context, decision_id: str, as_json: bool) -> None:
    """Decide a stored decision again under today's policy; exit 1 when anything differs (stores nothing)."""
    from patchgate.connect.replay import replay

    result = replay(workspace_root(), decision_id)
    if as_json:
        emit_json({"decision_id": result.decision_id, "same": result.same, "policy_changed": result.policy_changed,
                   "stored": result.stored.model_dump(mode="json"), "replayed": result.replayed.model_dump(mode="json"),
                   "changes": [{"id": c.id, "before": c.before and c.before.model_dump(mode="json"),
                                "after": c.after and c.after.model_dump(mode="json")} for c in result.changes]})
    else:
        click.echo(_replay_text(result))
    if not result.same:
        ctx.exit(DIFFERS)


def _replay_text(result: Replay) -> str:
    """The human form of a replay: both verdicts, then each check that changed."""
    policy = "changed since" if result.policy_changed else "unchanged since"
    lines = [(f"decision {result.decision_id}: stored {result.stored.verdict}, today {result.replayed.verdict} "
              f"(policy {policy} the decision)")]
    for change in result.changes:
        before = f"{change.before.status}/{change.before.verdict}" if change.before else "absent"
        after = f"{change.after.status}/{change.after.verdict}: {change.after.detail}" if change.after else "absent"
        lines.append(f"  {change.id}: {before} -> {after}")
    if result.same:
        lines.append("  same verdict through the same checks")
    return "\n".join(lines)
