"""decide() itself: pure, every check listed in SPEC 7's order, most severe wins, thresholds, risk, review packets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_files
from test_connect_plan_cli import tree_digest
from patchgate.connect.candidates.submission import Submission, build_packet, from_command, from_write
from patchgate.connect.context import build_context
from patchgate.connect.decide import CHECK_ORDER, decide, risk_score, scored_packet
from patchgate.connect.models import content_digest
from patchgate.connect.policy import ConnectPolicy, load_policy

DECISION = "20260101T000000Z-00000000"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/feature/x\n", encoding="utf-8")
    return write_files(tmp_path, {"src/a.py": "A = 1\n", "protected/p.py": "P = 1\n", "pyproject.toml": """\
        [tool.patchgate.connect]
        protected-paths = ["protected/**"]
        commands = { allow = ["echo", "ls", "rm"] }
        """})


def judge(workspace: Path, submission: Submission, policy: ConnectPolicy | None = None):
    policy = policy or load_policy(workspace)
    context = build_context(workspace, policy, "T-1", "agent-7", "agent")
    return decide(workspace, policy, context, build_packet("T-1", None, submission), DECISION)


def written(workspace: Path, path: str, text: str) -> Submission:
    content = workspace.parent / f"{workspace.name}-content.txt"
    content.write_text(text, encoding="utf-8")
    return from_write(path, str(content), workspace, workspace)


def test_decide_writes_nothing_and_lists_every_check_in_order(workspace: Path) -> None:
    before = tree_digest(workspace)
    for submission in (written(workspace, "src/a.py", "A = 2\n"), written(workspace, "../x", "x"),
                       from_command("echo hi > protected/p.py"), from_command("rm -rf src")):
        decided = judge(workspace, submission)
        assert [c.id for c in decided.verdict.checks] == list(CHECK_ORDER)
        assert decided.verdict.decision_id == DECISION
    assert tree_digest(workspace) == before and not (workspace / ".patchgate").exists()


def test_most_severe_wins_and_deny_explains_itself(workspace: Path) -> None:
    decided = judge(workspace, from_command("echo x > protected/p.py; rm -rf src"))
    failing = {c.id: c.verdict for c in decided.verdict.checks if c.status == "fail"}
    assert failing == {"destructive-command": "deny", "protected-path": "require_review",
                       "review-command": "require_review"}  # the echo writes outside apply
    assert decided.verdict.verdict == "deny" and decided.review is not None
    assert decided.review.required_approvals == 0 and decided.review.diff.startswith("$ echo x")
    assert decided.review.reason.index("destructive-command") < decided.review.reason.index("protected-path")
    assert decided.verdict.review_packet_ref == decided.review.id
    assert decided.review.id == content_digest(decided.review.model_dump(mode="json"))
    assert decided.verdict.remediation[0].startswith("Use a non-destructive alternative")


def test_permit_threshold_turns_a_finding_into_a_warning(workspace: Path) -> None:
    policy = load_policy(workspace).model_copy(update={"thresholds": load_policy(workspace).thresholds.model_copy(
        update={"protected_path_write": "permit"})})
    decided = judge(workspace, written(workspace, "protected/p.py", "P = 2\n"), policy)
    protected = next(c for c in decided.verdict.checks if c.id == "protected-path")
    assert (protected.status, protected.verdict, decided.verdict.verdict) == ("warn", "permit", "permit")
    assert decided.review is None and risk_score(decided.verdict) == 0.1


def test_rewrite_has_no_review_packet_and_scores_between(workspace: Path) -> None:
    decided = judge(workspace, written(workspace, "src/a.py", "def f(:\n"))
    assert decided.verdict.verdict == "rewrite" and decided.review is None
    assert risk_score(decided.verdict) == 0.3


def test_verification_is_skipped_when_already_denied(workspace: Path) -> None:
    policy = load_policy(workspace).model_copy(update={"generated_paths": [], "immutable_paths": ["src/**"]})
    decided = judge(workspace, written(workspace, "src/a.py", "def f(:\n"), policy)
    checks = {c.id: c for c in decided.verdict.checks}
    assert decided.verdict.verdict == "deny"
    assert checks["new-error-diagnostics"].detail.startswith("skipped") and checks["smoke-checks"].status == "pass"


def test_scored_packet_carries_the_risk_and_a_fresh_id(workspace: Path) -> None:
    packet = build_packet("T-1", "objective", from_command("rm -rf src"))
    policy = load_policy(workspace)
    decided = decide(workspace, policy, build_context(workspace, policy, "T-1"), packet, DECISION)
    scored = scored_packet(packet, decided.verdict)
    assert scored.risk_score == 1.0 and scored.id != packet.id
    assert scored.id == content_digest(scored.model_dump(mode="json"))


def test_context_reads_the_branch_without_git(workspace: Path) -> None:
    context = build_context(workspace, load_policy(workspace), "T-1", "agent-7", "agent")
    assert context.branch == "feature/x" and context.actor.type == "agent"
    (workspace / ".git" / "HEAD").write_text("0" * 40 + "\n", encoding="utf-8")
    assert build_context(workspace, load_policy(workspace), "T-1").branch is None


def test_command_decision_loads_no_engine(workspace: Path) -> None:
    """The command path stays light: no engines, rich, pathspec, filelock, importlib.metadata or recovery."""
    code = (
        "import sys\nfrom patchgate.cli.main import main\n"
        "sys.argv = ['patchgate', 'connect', 'plan', '--task', 'T', '--command', 'ls -la', '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('libcst', 'ast_grep_py', 'rich', 'unidiff', 'pathspec',"
        " 'filelock') or m.startswith(('patchgate.diagnostics.engines', 'patchgate.diagnostics.runner',"
        " 'patchgate.rewrites.edits', 'importlib.metadata', 'patchgate.connect.recover', 'patchgate.connect.journal'))]\n"
        "print(__import__('json').dumps(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=workspace, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.splitlines()[-1]) == [], done.stdout


def test_scratch_copies_never_go_inside_the_workspace(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from patchgate.connect.verify import plan as verify

    monkeypatch.setattr(verify.tempfile, "gettempdir", lambda: str(workspace / "tmp"))
    (workspace / "tmp").mkdir()
    parent = verify.scratch_parent(workspace)
    assert parent is not None and not Path(parent).resolve().is_relative_to(workspace.resolve())
    assert verify.scratch_parent(Path("/")) is None
