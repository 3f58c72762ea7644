"""`patchgate apply DECISION_ID`: write a decided plan, all files or none, and print the receipt.

Exit 0 when applied. A refusal is one line on stderr with SPEC 3's code: 10 the verdict asks
for a rewrite, 20 the plan awaits approval, 30 denied or rejected (or a path now leads out
of the workspace, into .git/.patchgate, or through a symlink), 40 already applied, stale, a
conflict (a file changed while apply ran: kept, the rest put back), a FIFO/device/socket
where a file goes, a path too long for the file system, an OS error while writing (every
file put back), an interrupted apply awaiting `connect recover`, or an unknown or damaged
decision.
"""

from __future__ import annotations

import click

from patchgate.cli.connect import emit_json, workspace_root


@click.command("apply")
@click.argument("decision_id")
@click.option("--json", "as_json", is_flag=True, help="Print the receipt (or the refusal) as JSON.")
def apply(decision_id: str, as_json: bool) -> None:
    """Apply a permitted (or approved) decision; refuses stale plans and second applies."""
    from patchgate.connect.apply.run import apply_decision
    from patchgate.connect.apply.gate import ApplyRefused

    root = workspace_root()
    try:
        receipt = apply_decision(root, decision_id)
    except ApplyRefused as refusal:
        if as_json:
            emit_json({"applied": False, "decision_id": decision_id, "reason": refusal.kind,
                       "message": refusal.message, "exit_code": refusal.exit_code})
        raise
    if as_json:
        emit_json({"applied": True, "receipt": receipt.model_dump(mode="json")})
        return
    click.echo(f"applied {receipt.decision_id}: {len(receipt.files)} file(s), plan {receipt.plan_digest[:12]}")
    for item in receipt.files:
        change = "created" if item.before_sha256 is None else "deleted" if item.after_sha256 is None else "modified"
        click.echo(f"  {change:<8} {item.path}")
