"""An attacker with the user's file access forges Connect's state; apply must act only on what the gate produced.

Each test plays one class of forgery through the real CLI: an edited verdict or envelope, a
hand-made approval, a decision copied from another workspace, a rewritten audit log with a
recomputed chain and head, a policy changed after the decision, and (with `signers` set) an
unsigned or wrongly signed approval and a rechained log under signed checkpoints. Keys are
made with ssh-keygen in temporary folders; nothing hostile is ever executed.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import Run, run_patchgate, write_files

from patchgate.connect.audit.log import AuditHead, canonical, line_sha
from patchgate.connect.models import Approval, PatchVerdict, content_digest
from patchgate.connect.trust import approval_digest
from patchgate.rewrites.edits import file_rewrite_for_text
from patchgate.rewrites.models import RewritePlan

CONFIG = '[connect]\nprotected-paths = ["core/**"]\n'
ORIGINAL = "value = 1\n"
CHANGED = "value = 2\n"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A workspace with an ordinary file and a protected one."""
    root = tmp_path / "ws"
    (root / ".git").mkdir(parents=True)
    write_files(root, {"patchgate.toml": CONFIG, "a.py": ORIGINAL, "core/b.py": ORIGINAL})
    return root


def cli(root: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    return run_patchgate(*args, cwd=root, env=env)


def decide(root: Path, path: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Decide writing CHANGED to `path` the way an agent asks; the exit code and decision id."""
    content = root.parent / "content.txt"
    content.write_text(CHANGED, encoding="utf-8")
    result = cli(root, "connect", "plan", "--task", "T-1", "--actor", "agent-7", "--actor-type", "agent",
                 "--write", path, "--content-file", str(content), "--json", env=env)
    assert result.code in (0, 20), result.stderr
    return result.code, json.loads(result.stdout)["decision_id"]


def refused(result: Run, code: int, *needles: str) -> None:
    """The given exit code and one line naming why."""
    assert result.code == code, (result.code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert all(needle in lines[0] for needle in needles), lines[0]


def folder(root: Path, decision_id: str) -> Path:
    return root / ".patchgate" / "decisions" / decision_id


def edit_json(path: Path, **changes: object) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


def rechain(state: Path, mutate: object) -> None:
    """Rewrite the audit log through `mutate(events)` and recompute every prev hash and the head."""
    log = state / "audit.ndjson"
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    events = mutate(events)  # type: ignore[operator]
    prev, lines = "0" * 64, []
    for seq, event in enumerate(events, start=1):
        line = canonical({**event, "seq": seq, "prev": prev}).encode("utf-8")
        prev = line_sha(line)
        lines.append(line)
    data = b"".join(line + b"\n" for line in lines)
    log.write_bytes(data)
    head = AuditHead(seq=len(lines), sha256=prev, size=len(data))
    (state / "audit.head").write_text(head.model_dump_json(), encoding="utf-8")


def forge_approval(root: Path, decision_id: str, state: Path, signature: str | None = None) -> None:
    """A hand-made approval file for the decided plan, and an approval event for it in a rechained log."""
    verdict = json.loads((folder(root, decision_id) / "verdict.json").read_text(encoding="utf-8"))
    approval = Approval(decision_id=decision_id, reviewer="alice", decision="approve", note="lgtm",
                        plan_digest=verdict["plan_digest"], created_at="2026-12-05T00:00:00Z", signature=signature)
    target = state / "decisions" / decision_id / "approvals" / "20261205T000000Z-deadbeef.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(approval.model_dump_json(), encoding="utf-8")

    def add_event(events: list[dict]) -> list[dict]:
        return [*events, {"time": "2026-12-05T00:00:00Z", "event": "approval", "decision_id": decision_id,
                          "data": {"reviewer": "alice", "approval_digest": approval_digest(approval)}}]
    rechain(state, add_event)


# --- without signers: forged verdicts, approvals and decisions from elsewhere are refused -------------

@pytest.mark.parametrize("where", ["verdict.json", "verdict.json and envelope.json"])
def test_an_edited_verdict_is_refused(ws: Path, where: str) -> None:
    code, decision_id = decide(ws, "core/b.py")
    assert code == 20
    edit_json(folder(ws, decision_id) / "verdict.json", verdict="permit", review_packet_ref=None)
    if "envelope" in where:
        edit_json(folder(ws, decision_id) / "envelope.json", verdict="permit")
    result = cli(ws, "apply", decision_id)
    assert result.code in (30, 40) and "Traceback" not in result.stderr, result.stderr
    assert (ws / "core/b.py").read_text() == ORIGINAL


def test_a_verdict_forged_in_the_files_and_a_rechained_log_is_decided_again(ws: Path) -> None:
    code, decision_id = decide(ws, "core/b.py")
    assert code == 20
    edit_json(folder(ws, decision_id) / "verdict.json", verdict="permit")
    edit_json(folder(ws, decision_id) / "envelope.json", verdict="permit")

    forged = PatchVerdict.model_validate_json((folder(ws, decision_id) / "verdict.json").read_text(encoding="utf-8"))

    def permit(events: list[dict]) -> list[dict]:
        for event in events:
            if event["event"] == "decision":
                event["data"].update(verdict="permit", verdict_digest=content_digest(forged.model_dump(mode="json")))
        return events
    rechain(ws / ".patchgate", permit)
    assert cli(ws, "connect", "audit", "verify").code == 0, "without signers a rechained log verifies"
    refused(cli(ws, "apply", decision_id), 20, "stored verdict permit", "gives require_review",
            "protected-path")
    assert (ws / "core/b.py").read_text() == ORIGINAL


def test_a_plan_swapped_after_the_decision_is_refused_even_in_a_rechained_log(ws: Path) -> None:
    code, decision_id = decide(ws, "a.py")
    assert code == 0
    here = folder(ws, decision_id)
    plan = RewritePlan.model_validate_json((here / "plan.json").read_text(encoding="utf-8"))
    evil = file_rewrite_for_text("core/b.py", ORIGINAL, "import os\n")
    data = {**plan.model_dump(mode="json", exclude={"id"}), "files": [evil.model_dump(mode="json")]}
    swapped = RewritePlan.model_validate(data)
    (here / "plan.json").write_text(swapped.model_dump_json(), encoding="utf-8")
    edit_json(here / "verdict.json", plan_digest=swapped.id)
    forged = PatchVerdict.model_validate_json((here / "verdict.json").read_text(encoding="utf-8"))

    def repin(events: list[dict]) -> list[dict]:
        for event in events:
            if event["decision_id"] == decision_id:
                event["data"].update(plan_digest=swapped.id, verdict_digest=content_digest(forged.model_dump(mode="json")))
        return events
    rechain(ws / ".patchgate", repin)
    refused(cli(ws, "apply", decision_id), 30, "plan.json was swapped")
    assert (ws / "core/b.py").read_text() == ORIGINAL and (ws / "a.py").read_text() == ORIGINAL


def test_a_hand_made_approval_without_its_audit_event_counts_for_nothing(ws: Path) -> None:
    _, decision_id = decide(ws, "core/b.py")
    verdict = json.loads((folder(ws, decision_id) / "verdict.json").read_text(encoding="utf-8"))
    approval = Approval(decision_id=decision_id, reviewer="alice", decision="approve", note="",
                        plan_digest=verdict["plan_digest"], created_at="2026-12-05T00:00:00Z")
    target = folder(ws, decision_id) / "approvals" / "20261205T000000Z-deadbeef.json"
    target.parent.mkdir(parents=True)
    target.write_text(approval.model_dump_json(), encoding="utf-8")
    refused(cli(ws, "apply", decision_id), 20, "approval")
    assert (ws / "core/b.py").read_text() == ORIGINAL
    assert "1 needed" in cli(ws, "connect", "review", "list").stdout or decision_id in cli(
        ws, "connect", "review", "list").stdout


@pytest.mark.parametrize("edit_id", [False, True], ids=["as it is", "renamed to the other decision"])
def test_an_approval_copied_to_another_decision_of_the_same_plan_counts_for_nothing(ws: Path, edit_id: bool) -> None:
    _, first = decide(ws, "core/b.py")
    _, second = decide(ws, "core/b.py")
    assert cli(ws, "connect", "review", "approve", first, "--reviewer", "alice").code == 0
    [approval] = (folder(ws, first) / "approvals").iterdir()
    copy = folder(ws, second) / "approvals" / approval.name
    copy.parent.mkdir()
    shutil.copy(approval, copy)
    if edit_id:
        edit_json(copy, decision_id=second)
        refused(cli(ws, "apply", second), 20, "0 of 1")
    else:
        refused(cli(ws, "apply", second), 40, "an approval names another decision")
    assert (ws / "core/b.py").read_text() == ORIGINAL


@pytest.mark.parametrize("copied", ["the decision folder", "the whole state folder"])
def test_a_decision_copied_from_another_workspace_is_refused(tmp_path: Path, ws: Path, copied: str) -> None:
    other = tmp_path / "other"
    (other / ".git").mkdir(parents=True)
    write_files(other, {"patchgate.toml": CONFIG, "a.py": ORIGINAL, "core/b.py": ORIGINAL})
    code, decision_id = decide(other, "a.py")
    assert code == 0
    if copied == "the decision folder":
        cli(ws, "connect", "audit", "verify")
        shutil.copytree(folder(other, decision_id), folder(ws, decision_id))
        refused(cli(ws, "apply", decision_id), 30, "refusing decision")
    else:
        shutil.copytree(other / ".patchgate", ws / ".patchgate")
        refused(cli(ws, "apply", decision_id), 30, "another workspace")
    assert (ws / "a.py").read_text() == ORIGINAL


def test_a_journal_for_a_decision_copied_from_another_workspace_is_quarantined(tmp_path: Path, ws: Path) -> None:
    other = tmp_path / "other"
    (other / ".git").mkdir(parents=True)
    write_files(other, {"patchgate.toml": CONFIG, "a.py": ORIGINAL, "core/b.py": ORIGINAL})
    _, decision_id = decide(other, "a.py")
    shutil.copytree(other / ".patchgate", ws / ".patchgate")
    plan = json.loads((folder(ws, decision_id) / "plan.json").read_text(encoding="utf-8"))
    (ws / "a.py").write_text(CHANGED, encoding="utf-8")  # as if the apply had written it
    [item] = plan["files"]
    journal = {"decision_id": decision_id, "plan_digest": plan["id"], "created_at": "2026-12-05T00:00:00Z",
               "files": [{"path": "a.py", "before_sha256": item["base_sha256"], "after_sha256": item["after_sha256"],
                          "before_b64": base64.b64encode(ORIGINAL.encode()).decode(), "mode": 0o644}]}
    entry = ws / ".patchgate" / "journal" / f"{decision_id}.json"
    entry.parent.mkdir()
    entry.write_text(json.dumps(journal), encoding="utf-8")
    refused(cli(ws, "connect", "recover"), 40, "quarantined", "another workspace")
    assert (ws / "a.py").read_text() == CHANGED, "the journal was not executed"
    assert cli(ws, "check").code in (0, 1)


def test_a_stricter_policy_after_the_decision_stops_apply(ws: Path) -> None:
    code, decision_id = decide(ws, "a.py")
    assert code == 0
    (ws / "patchgate.toml").write_text('[connect]\nprotected-paths = ["core/**", "a.py"]\n', encoding="utf-8")
    refused(cli(ws, "apply", decision_id), 20, "policy changed", "gives require_review")
    assert (ws / "a.py").read_text() == ORIGINAL
    (ws / "patchgate.toml").write_text(CONFIG, encoding="utf-8")
    assert cli(ws, "apply", decision_id).code == 0, "back under the policy it was decided in, it applies"
    assert (ws / "a.py").read_text() == CHANGED


def test_required_approvals_counts_distinct_reviewers(ws: Path) -> None:
    (ws / "patchgate.toml").write_text(CONFIG + "required-approvals = 2\n", encoding="utf-8")
    _, decision_id = decide(ws, "core/b.py")
    assert cli(ws, "connect", "review", "approve", decision_id, "--reviewer", "alice").code == 0
    refused(cli(ws, "apply", decision_id), 20, "approval")
    cli(ws, "connect", "review", "approve", decision_id, "--reviewer", "alice")
    assert cli(ws, "apply", decision_id).code == 20, "the same reviewer twice is one approval"
    assert cli(ws, "connect", "review", "approve", decision_id, "--reviewer", "bob").code == 0
    assert cli(ws, "apply", decision_id).code == 0
    assert (ws / "core/b.py").read_text() == CHANGED


# --- with signers: approvals and checkpoints are SSH-signed ------------------------------------------

def keypair(folder: Path, name: str) -> tuple[Path, str]:
    """A fresh ed25519 key without a passphrase: its private key file and public line."""
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key, (folder / f"{name}.pub").read_text(encoding="utf-8").strip()


@pytest.fixture
def signed(tmp_path: Path, ws: Path) -> dict[str, Path]:
    """alice is an allowed signer (file outside the workspace); mallory has a key nobody allowed."""
    keys = tmp_path / "keys"
    keys.mkdir()
    alice, alice_pub = keypair(keys, "alice")
    mallory, _ = keypair(keys, "mallory")
    allowed = keys / "allowed_signers"
    allowed.write_text(f'alice namespaces="patchgate" {alice_pub}\n', encoding="utf-8")
    (ws / "patchgate.toml").write_text(CONFIG + f'signers = "{allowed}"\n', encoding="utf-8")
    return {"alice": alice, "mallory": mallory, "allowed": allowed}


def test_a_signed_approval_lets_apply_go_on_and_the_log_verifies(ws: Path, signed: dict[str, Path]) -> None:
    _, decision_id = decide(ws, "core/b.py")
    approved = cli(ws, "connect", "review", "approve", decision_id, "--reviewer", "alice", "--key", str(signed["alice"]))
    assert approved.code == 0, approved.stderr
    assert cli(ws, "apply", decision_id).code == 0
    assert (ws / "core/b.py").read_text() == CHANGED
    assert cli(ws, "connect", "audit", "verify").code == 0


def test_an_approval_signed_by_an_unknown_key_is_refused_and_records_nothing(ws: Path, signed: dict[str, Path]) -> None:
    _, decision_id = decide(ws, "core/b.py")
    refused(cli(ws, "connect", "review", "approve", decision_id, "--reviewer", "alice", "--key", str(signed["mallory"])),
            40, "is not an allowed signer for 'alice'", "nothing was recorded")
    assert not (folder(ws, decision_id) / "approvals").exists() or not any((folder(ws, decision_id) / "approvals").iterdir())
    assert cli(ws, "connect", "audit", "verify").code == 0, "the log is untouched"
    refused(cli(ws, "apply", decision_id), 20, "approval")
    assert (ws / "core/b.py").read_text() == ORIGINAL


def test_an_approval_signed_by_mallory_in_a_rechained_log_counts_for_nothing(ws: Path, signed: dict[str, Path]) -> None:
    from patchgate.connect.signing import sign

    _, decision_id = decide(ws, "core/b.py")
    forge_approval(ws, decision_id, ws / ".patchgate", signature=sign(b"anything", signed["mallory"]))
    assert cli(ws, "connect", "audit", "verify").code == 1
    assert cli(ws, "apply", decision_id).code in (20, 30)
    assert (ws / "core/b.py").read_text() == ORIGINAL


def test_a_checkpoint_needs_signers_and_an_allowed_key(ws: Path, signed: dict[str, Path]) -> None:
    decide(ws, "a.py")
    refused(cli(ws, "connect", "audit", "checkpoint", "--key", str(signed["mallory"]), "--signer", "alice"), 40,
            "not an allowed signer")
    assert cli(ws, "connect", "audit", "verify").code == 0


def test_a_checkpoint_without_signers_is_bad_input(ws: Path) -> None:
    decide(ws, "a.py")
    refused(cli(ws, "connect", "audit", "checkpoint", "--key", str(ws / "nokey")), 40, "no signers are set")


def test_an_approval_without_a_key_is_refused_at_the_door(ws: Path, signed: dict[str, Path]) -> None:
    _, decision_id = decide(ws, "core/b.py")
    env = {"PATCHGATE_SIGNING_KEY": "", "HOME": str(ws.parent), "GIT_CONFIG_NOSYSTEM": "1"}
    refused(cli(ws, "connect", "review", "approve", decision_id, "--reviewer", "alice", env=env), 40, "--key")


def test_an_unsigned_approval_in_a_rechained_log_counts_for_nothing(ws: Path, signed: dict[str, Path]) -> None:
    _, decision_id = decide(ws, "core/b.py")
    forge_approval(ws, decision_id, ws / ".patchgate")
    verified = cli(ws, "connect", "audit", "verify")
    assert verified.code == 1 and "checkpoint" in verified.stdout + verified.stderr
    assert cli(ws, "apply", decision_id).code in (20, 30)
    assert (ws / "core/b.py").read_text() == ORIGINAL


def test_a_rechained_log_under_a_signed_checkpoint_fails_verify(ws: Path, signed: dict[str, Path]) -> None:
    _, reviewed = decide(ws, "core/b.py")
    _, permitted = decide(ws, "a.py")
    assert cli(ws, "connect", "audit", "checkpoint", "--key", str(signed["alice"]), "--signer", "alice").code == 0
    assert cli(ws, "connect", "audit", "verify").code == 0

    def permit(events: list[dict]) -> list[dict]:
        for event in events:
            if event["decision_id"] == reviewed:
                event["data"]["verdict"] = "permit"
        return events
    rechain(ws / ".patchgate", permit)
    verified = cli(ws, "connect", "audit", "verify")
    assert verified.code == 1 and "rewritten" in verified.stdout + verified.stderr
    refused(cli(ws, "apply", permitted), 30, "audit log does not verify")
    assert (ws / "a.py").read_text() == ORIGINAL


def test_dropping_signers_from_the_config_does_not_turn_signing_off(ws: Path, signed: dict[str, Path]) -> None:
    _, decision_id = decide(ws, "core/b.py")
    (ws / "patchgate.toml").write_text(CONFIG, encoding="utf-8")
    refused(cli(ws, "apply", decision_id), 40, "signed approvals are required here")
    refused(cli(ws, "connect", "review", "approve", decision_id, "--reviewer", "alice"), 40,
            "signed approvals are required here")
    assert (ws / "core/b.py").read_text() == ORIGINAL


# --- state-dir: what the gate recorded lives where the workspace cannot reach -------------------------

def test_state_dir_keeps_decisions_journal_and_audit_outside_the_workspace(tmp_path: Path, ws: Path) -> None:
    state = tmp_path / "state"
    env = {"PATCHGATE_STATE_DIR": str(state)}
    code, decision_id = decide(ws, "a.py", env=env)
    assert code == 0
    assert not (ws / ".patchgate" / "decisions").exists() and not (ws / ".patchgate" / "audit.ndjson").exists()
    [own] = list(state.iterdir())
    assert (own / "decisions" / decision_id).is_dir() and (own / "audit.ndjson").is_file()
    forged = ws / ".patchgate" / "journal" / "x.json"
    forged.parent.mkdir(parents=True)
    forged.write_text(json.dumps({"decision_id": decision_id, "files": [{"path": "a.py", "before_b64": ""}]}))
    assert cli(ws, "apply", decision_id, env=env).code == 0
    assert (ws / "a.py").read_text() == CHANGED, "a journal inside the workspace is never read"
    assert cli(ws, "connect", "audit", "verify", env=env).code == 0
    assert cli(ws, "apply", decision_id).code == 40, "without the setting, the decision is not found"


def test_a_configured_state_dir_is_relative_to_the_workspace_and_named_after_it(tmp_path: Path, ws: Path) -> None:
    (ws / "patchgate.toml").write_text(CONFIG + 'state-dir = "../gate-state"\n', encoding="utf-8")
    code, decision_id = decide(ws, "a.py")
    assert code == 0
    [own] = list((tmp_path / "gate-state").iterdir())
    assert own.name.startswith("ws-") and (own / "decisions" / decision_id).is_dir()
    assert cli(ws, "apply", decision_id).code == 0
