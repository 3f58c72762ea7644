"""`patchgate check --fix [--unsafe-fixes] [--diff]`: ruff's one-step fix, with Connect still the only writer.

--fix plans the fixes, decides them as actor `cli` (type tool) and applies them when the verdict
is permit; a fix the policy sends to review (a protected path, a governance file) is left for a
human with its decision id, and the command exits by that verdict. --diff prints what --fix would
change and writes nothing (exit 1 when there is something to fix, as ruff does). Either way the
messages go to stderr, so stdout stays the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from patchgate.diagnostics.config import Config
from patchgate.diagnostics.runner import CheckOptions
from patchgate.connect.submit import Judged
from patchgate.rewrites.models import FileRewrite, RewritePlan
from patchgate.rewrites.store import save_plan

TASK = "check --fix"
ACTOR = "cli"


@dataclass(frozen=True)
class FixOutcome:
    """What --fix did: the exit code it asks for (None: let the check decide)."""

    exit_code: int | None


def fix_first(targets: list[Path], config: Config, options: CheckOptions, unsafe: bool, diff_only: bool) -> FixOutcome:
    """Plan the selected fixes; print them (--diff) or decide and apply them (--fix)."""
    from patchgate.rewrites.fixes import UNSAFE_REASON, FixOptions, plan_fixes

    fix_options = FixOptions(rules=options.select or (), unsafe=unsafe, ignore=options.ignore,
                             extend_select=options.extend_select, jobs=options.jobs, use_cache=options.use_cache)
    result = plan_fixes(targets, config, fix_options)
    plan = result.plan
    held_back = sum(1 for item in plan.skipped if item.reason == UNSAFE_REASON)
    hint = f"; {held_back} more with --unsafe-fixes" if held_back and not unsafe else ""
    if diff_only:
        click.echo("".join(item.diff for item in plan.files), nl=False)
        click.echo(f"would fix {plan.stats.edits} problem(s) in {plan.stats.files} file(s){hint}", err=True)
        return FixOutcome(1 if plan.files else 0)
    if not plan.files:
        click.echo(f"nothing to fix{hint}", err=True)
        return FixOutcome(None)
    return _decide_and_apply(config.root, plan, hint)


def _decide_and_apply(workspace: Path, plan: RewritePlan, hint: str) -> FixOutcome:
    """Through the gate: apply what it permits; what needs a human is recorded for review, and named."""
    from patchgate.connect.submit import record

    save_plan(plan, workspace)
    whole = _judge(workspace, plan)
    if whole.verdict.verdict == "permit" or len(plan.files) == 1:
        return _settle(workspace, plan, whole, hint)
    permitted = [item for item in plan.files if _judge(workspace, _part(plan, [item])).verdict.verdict == "permit"]
    held = [item for item in plan.files if item not in permitted]
    if not permitted or not held:
        return _settle(workspace, plan, whole, hint)
    allowed = _judge(workspace, _part(plan, permitted))
    if allowed.verdict.verdict != "permit":
        return _settle(workspace, plan, whole, hint)
    record(workspace, allowed)
    _apply(workspace, _part(plan, permitted), allowed.verdict.decision_id, hint)
    rest = _part(plan, held)
    return _settle(workspace, rest, _judge(workspace, rest), "")


def _part(plan: RewritePlan, files: list[FileRewrite]) -> RewritePlan:
    """The plan narrowed to some of its files (a plan of its own, with its own digest)."""
    from patchgate.connect.candidates.submission import plan_from_rewrites

    return plan_from_rewrites(plan.planner, plan.description, files)


def _judge(workspace: Path, plan: RewritePlan) -> Judged:
    """Decide a fix plan as the `cli` tool, without storing it yet."""
    from patchgate.connect.candidates.submission import Submission
    from patchgate.connect.models import Candidate
    from patchgate.connect.submit import judge

    submission = Submission(Candidate(kind="plan", plan=plan, source=TASK), [f.path for f in plan.files],
                            plan.description)
    return judge(workspace, TASK, ACTOR, "tool", submission)


def _settle(workspace: Path, plan: RewritePlan, judged: Judged, hint: str) -> FixOutcome:
    """Record the decision; apply it on permit, else name what it needs and exit by its verdict."""
    from patchgate.cli.connect_plan import print_verdict
    from patchgate.connect.models import VERDICT_EXIT
    from patchgate.connect.submit import record

    verdict = record(workspace, judged)
    if verdict.verdict == "permit":
        _apply(workspace, plan, verdict.decision_id, hint)
        return FixOutcome(None)
    click.echo(f"fixes left for a human ({', '.join(f.path for f in plan.files)}): the gate says {verdict.verdict}",
               err=True)
    print_verdict(verdict, err=True)
    if verdict.verdict == "require_review":
        click.echo(f"  once approved: patchgate apply {verdict.decision_id}", err=True)
    return FixOutcome(VERDICT_EXIT[verdict.verdict])


def _apply(workspace: Path, plan: RewritePlan, decision_id: str, hint: str) -> None:
    """Apply a permitted fix decision (Connect's apply is the only writer) and say what it did."""
    from patchgate.connect.apply.run import apply_decision

    receipt = apply_decision(workspace, decision_id)
    click.echo(f"fixed {plan.stats.edits} problem(s) in {len(receipt.files)} file(s) (decision {decision_id}){hint}",
               err=True)
