"""Red team, issue 8: the policy cannot be widened by the change it governs.

Every case goes through the real decision (build_context + decide) or the real CLI; nothing
hostile is run: commands are only judged, and every written file is a marker in tmp_path.
The policy under attack is as permissive as a config can make it (protected-path-write =
"permit", no protected paths), so only the built-ins stand between the change and a permit.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from conftest import run_patchgate, write_files
from patchgate.connect.candidates.submission import Submission, build_packet, from_command, from_plan, from_write
from patchgate.connect.context import build_context
from patchgate.connect.decide import CHECK_ORDER, Decided, decide
from patchgate.connect.models import Check
from patchgate.connect.policy import ConnectPolicy, load_policy
from patchgate.rewrites.edits import assemble_plan, file_rewrite_for_text

DECISION = "20260101T000000Z-00000000"
PERMISSIVE = """\
[project]
name = "demo"
dependencies = ["requests"]

[tool.patchgate.connect]
protected-paths = []
thresholds = { protected-path-write = "permit" }
commands = { allow = ["echo", "cp", "sed", "tee", "touch", "mv", "rm"] }
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / ".git" / "hooks").mkdir(parents=True)
    (root / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    write_files(root, {"pyproject.toml": PERMISSIVE, "src/a.py": "A = 1\n", "docs/guide.md": "guide\n",
                       "vendor/lib/.git/hooks/pre-commit": "#!/bin/sh\n", "vendor/lib/code.py": "L = 1\n",
                       "sub/.git": "gitdir: ../.git/modules/sub\n", "sub/mod.py": "M = 1\n"})
    return root


def configure(root: Path, connect_extra: str = "", top: str = "") -> None:
    """Rewrite the workspace's pyproject.toml with more keys in [tool.patchgate] and its connect table."""
    text = PERMISSIVE.replace("[tool.patchgate.connect]\n", f"[tool.patchgate]\n{top}\n[tool.patchgate.connect]\n")
    (root / "pyproject.toml").write_text(text + connect_extra, encoding="utf-8")


def content(root: Path, text: str) -> str:
    path = root.parent / "content.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def judge(root: Path, submission: Submission, policy: ConnectPolicy | None = None,
          scope: list[str] | None = None) -> Decided:
    """The real decision, in a context built the way `connect plan` builds it."""
    policy = policy or load_policy(root)
    context = build_context(root, policy, "T-1", "agent", "agent", scope)
    return decide(root, policy, context, build_packet("T-1", None, submission), DECISION)


def write(root: Path, path: str, text: str = "marker = 1\n", **kwargs: object) -> Decided:
    return judge(root, from_write(path, content(root, text), root, root), **kwargs)  # type: ignore[arg-type]


def check(decided: Decided, check_id: str) -> Check:
    return next(c for c in decided.verdict.checks if c.id == check_id)


def plan_file(root: Path, path: str, after: str | None) -> str:
    """A stored-plan JSON file changing one workspace file, planned on its current bytes."""
    target = root / path
    before = target.read_text(encoding="utf-8") if target.exists() else None
    plan = assemble_plan("fix", "test", [file_rewrite_for_text(path, before, after)], [])
    out = root.parent / "plan.json"
    out.write_text(plan.model_dump_json(), encoding="utf-8")
    return str(out)


# --- governance: built in, whatever the policy says -------------------------------------------------

GOVERNING = [
    "patchgate.toml", "sub/patchgate.toml", "PatchGate.TOML", "sgconfig.yml", "tools/sgconfig.yaml",
    ".pre-commit-config.yaml", ".claude/settings.json", ".claude/settings.local.json", ".claude/hooks/guard.sh",
    ".codex/config.toml", ".cursor/hooks.json", ".cursor/rules/style.mdc", ".gemini/settings.json", "AGENTS.md",
    "pkg/CLAUDE.md", ".github/workflows/ci.yml", ".github/actions/setup/action.yml", ".mcp.json",
    ".husky/pre-commit", ".vscode/tasks.json", ".Claude/Settings.json",
]


@pytest.mark.parametrize("path", GOVERNING)
def test_writing_a_governing_file_needs_review_under_a_permit_policy(ws: Path, path: str) -> None:
    decided = write(ws, path)
    governance = check(decided, "governance-path")
    assert decided.verdict.verdict == "require_review", decided.verdict
    assert governance.status == "fail" and path.split("/")[0] in governance.detail
    assert check(decided, "protected-path").status == "pass", "no protected glob was involved"


@pytest.mark.parametrize("command", [
    "echo '[tool.patchgate.connect]' > patchgate.toml",
    "cp /dev/null .claude/settings.json",
    "sed -i s/permit/deny/ pyproject.toml",
    "echo on: push | tee .github/workflows/pwn.yml",
    "touch sub/.cursor/hooks.json",
])
def test_commands_writing_governing_files_need_review(ws: Path, command: str) -> None:
    decided = judge(ws, from_command(command))
    assert check(decided, "governance-path").status == "fail", decided.verdict
    assert decided.verdict.verdict in ("require_review", "deny")


def test_a_deny_threshold_makes_governing_writes_deny(ws: Path) -> None:
    policy = load_policy(ws).model_copy(update={"thresholds": load_policy(ws).thresholds.model_copy(
        update={"protected_path_write": "deny"})})
    decided = write(ws, "patchgate.toml", policy=policy)
    assert check(decided, "governance-path").verdict == "deny" and decided.verdict.verdict == "deny"


def test_a_negated_protected_glob_does_not_lift_governance(ws: Path) -> None:
    text = PERMISSIVE.replace("protected-paths = []", 'protected-paths = ["**", "!patchgate.toml", "!.claude/**"]')
    (ws / "pyproject.toml").write_text(text, encoding="utf-8")
    for path in ("patchgate.toml", ".claude/settings.json"):
        decided = write(ws, path)
        assert check(decided, "protected-path").status == "pass"
        assert check(decided, "governance-path").status == "fail" and decided.verdict.verdict == "require_review"


def test_governance_sits_right_after_protected_path(ws: Path) -> None:
    assert CHECK_ORDER.index("governance-path") == CHECK_ORDER.index("protected-path") + 1
    decided = write(ws, "AGENTS.md")
    assert [c.id for c in decided.verdict.checks] == list(CHECK_ORDER)
    assert decided.review is not None and "governance-path" in decided.review.reason
    assert any("govern patchgate" in line for line in decided.verdict.remediation)


@pytest.mark.parametrize(("top", "connect", "files", "path"), [
    ('rule-dirs = ["myrules"]', "", {"myrules/r.yml": "id: r\n"}, "myrules/new-rule.yml"),
    ('sgconfig = "tools/ast.yml"', "", {"tools/ast.yml": "ruleDirs: [../astrules]\nutilDirs: [../utils]\n",
                                        "astrules/a.yml": "id: a\n", "utils/u.yml": "id: u\n"}, "tools/ast.yml"),
    ('sgconfig = "tools/ast.yml"', "", {"tools/ast.yml": "ruleDirs: [../astrules]\nutilDirs: [../utils]\n",
                                        "astrules/a.yml": "id: a\n"}, "astrules/a.yml"),
    ('sgconfig = "tools/ast.yml"', "", {"tools/ast.yml": "ruleDirs: [../astrules]\nutilDirs: [../utils]\n",
                                        "utils/u.yml": "id: u\n"}, "utils/u.yml"),
    ('rule-modules = ["teamrules.checks:NoPrint"]', "", {"teamrules/__init__.py": ""}, "teamrules/checks.py"),
    ('rule-modules = ["teamrules.checks:NoPrint"]', "", {"teamrules/__init__.py": ""}, "teamrules/__init__.py"),
    ("", 'signers = "keys/allowed_signers"\n', {"keys/allowed_signers": "x\n"}, "keys/allowed_signers"),
], ids=["rule-dir", "sgconfig", "sg-rule-dir", "sg-util-dir", "rule-module", "rule-package", "signers"])
def test_paths_the_config_names_as_rule_sources_govern(ws: Path, top: str, connect: str, files: dict[str, str],
                                                       path: str) -> None:
    write_files(ws, files)
    policy = ConnectPolicy.model_validate({"commands": {"allow": ["touch"]}})  # `signers` is only read raw here
    before = judge(ws, from_command(f"touch {path}"), policy)
    assert check(before, "governance-path").status == "pass", "not named yet"
    configure(ws, connect, top)
    decided = judge(ws, from_command(f"touch {path}"), policy)
    assert check(decided, "governance-path").status == "fail", decided.verdict
    assert decided.verdict.verdict == "require_review"


def test_a_configured_state_dir_is_immutable(ws: Path) -> None:
    configure(ws, 'state-dir = "state"\n')
    decided = judge(ws, from_command("touch state/journal/forged.json"),
                    ConnectPolicy.model_validate({"commands": {"allow": ["touch"]}}))
    assert check(decided, "immutable-path").status == "fail" and decided.verdict.verdict == "deny"


# --- pyproject.toml: only a change to [tool.patchgate] (or a new file) needs review ---------------------

@pytest.mark.parametrize(("new_text", "verdict"), [
    (PERMISSIVE.replace('["requests"]', '["requests", "rich"]'), "permit"),
    (PERMISSIVE.replace('name = "demo"', 'name = "demo2"') + "\n[tool.ruff]\nline-length = 100\n", "permit"),
    (PERMISSIVE.replace('"permit"', '"require_review"'), "require_review"),
    (PERMISSIVE + 'immutable-paths = ["!.git/**"]\n', "require_review"),
    (PERMISSIVE.split("[tool.patchgate.connect]")[0], "require_review"),
    (PERMISSIVE + "[tool.patchgate.connect]\nagain = 1\n", "require_review"),
], ids=["dependency", "other-tool", "threshold", "add-key", "drop-table", "not-toml"])
def test_pyproject_needs_review_only_when_the_patchgate_table_changes(ws: Path, new_text: str,
                                                                      verdict: str) -> None:
    decided = judge(ws, from_plan(plan_file(ws, "pyproject.toml", new_text), ws))
    assert decided.verdict.verdict == verdict, decided.verdict
    assert check(decided, "governance-path").status == ("pass" if verdict == "permit" else "fail")


def test_creating_a_pyproject_anywhere_needs_review(ws: Path) -> None:
    decided = write(ws, "sub/pyproject.toml", '[project]\nname = "x"\n')
    assert check(decided, "governance-path").status == "fail" and decided.verdict.verdict == "require_review"


def test_a_pyproject_plan_whose_base_moved_is_not_exempt(ws: Path) -> None:
    plan = plan_file(ws, "pyproject.toml", PERMISSIVE.replace('["requests"]', '["requests", "rich"]'))
    (ws / "pyproject.toml").write_text(PERMISSIVE + "# edited since\n", encoding="utf-8")
    decided = judge(ws, from_plan(plan, ws))
    assert check(decided, "governance-path").status == "fail" and check(decided, "stale-plan").status == "fail"
    assert decided.verdict.verdict == "require_review"


# --- the real CLI ------------------------------------------------------------------------------------

def cli_plan(root: Path, *args: str) -> tuple[int, dict]:
    run = run_patchgate("connect", "plan", "--task", "T", "--json", *args, cwd=root)
    assert run.code in (0, 10, 20, 30), run
    return run.code, json.loads(run.stdout)


def test_cli_write_of_patchgate_toml_is_review_under_a_permit_policy(ws: Path) -> None:
    code, verdict = cli_plan(ws, "--write", "patchgate.toml", "--content-file", content(ws, "[connect]\n"))
    assert code == 20 and verdict["verdict"] == "require_review", verdict
    assert not (ws / "patchgate.toml").exists()


def test_cli_patch_adding_a_claude_hook_is_review(ws: Path) -> None:
    diff = ('diff --git a/.claude/settings.json b/.claude/settings.json\nnew file mode 100644\n--- /dev/null\n'
            '+++ b/.claude/settings.json\n@@ -0,0 +1 @@\n+{"hooks": {}}\n')
    (ws.parent / "hook.diff").write_text(diff, encoding="utf-8")
    code, verdict = cli_plan(ws, "--patch", str(ws.parent / "hook.diff"))
    assert code == 20 and verdict["impacted_paths"] == [".claude/settings.json"], verdict


def test_cli_plan_loosening_the_pyproject_table_is_review(ws: Path) -> None:
    plan = plan_file(ws, "pyproject.toml", PERMISSIVE.replace('"echo", ', '"echo", "curl", '))
    code, verdict = cli_plan(ws, "--plan", plan)
    assert code == 20 and "pyproject.toml" in next(
        c for c in verdict["checks"] if c["id"] == "governance-path")["detail"]


# --- --write-scope only narrows the policy's scope -----------------------------------------------------

def scoped(root: Path, policy_scope: str) -> None:
    text = PERMISSIVE.replace("protected-paths = []", f"protected-paths = []\nwrite-scope = {policy_scope}")
    (root / "pyproject.toml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("cli_scope", "path", "code"), [
    ("**", "docs/x.md", 30), ("docs/**", "docs/x.md", 30), ("*", "docs/x.md", 30),
    ("src/a.py", "src/a.py", 0), ("src/only/**", "src/a.py", 30), ("**", "src/a.py", 0),
])
def test_cli_write_scope_is_intersected_with_the_policy_scope(ws: Path, cli_scope: str, path: str,
                                                             code: int) -> None:
    scoped(ws, '["src/**"]')
    got, verdict = cli_plan(ws, "--write-scope", cli_scope, "--write", path, "--content-file", content(ws, "B = 2\n"))
    assert got == code, verdict
    if code == 30:
        assert next(c for c in verdict["checks"] if c["id"] == "write-scope")["status"] == "fail"


def test_cli_scope_without_a_policy_scope_narrows_the_workspace(ws: Path) -> None:
    assert write(ws, "docs/guide.md", "new\n", scope=["src/**"]).verdict.verdict == "deny"
    assert write(ws, "src/a.py", "A = 3\n", scope=["src/**"]).verdict.verdict == "permit"


def test_context_records_both_scopes_and_shows_them(ws: Path) -> None:
    scoped(ws, '["src/**"]')
    run = run_patchgate("connect", "context", "--task", "T", "--write-scope", "**", "--json", cwd=ws)
    pack = json.loads(run.stdout)
    assert run.code == 0 and pack["write_scope"] == ["**"] and pack["policy_write_scope"] == ["src/**"]
    text = run_patchgate("connect", "context", "--task", "T", "--write-scope", "**", cwd=ws).stdout
    assert any(line.split() == ["policy_write_scope", "src/**"] for line in text.splitlines()), text


def test_replay_keeps_both_scopes(ws: Path) -> None:
    scoped(ws, '["src/**"]')
    code, verdict = cli_plan(ws, "--write-scope", "**", "--write", "docs/x.md", "--content-file", content(ws, "x\n"))
    run = run_patchgate("connect", "replay", verdict["decision_id"], "--json", cwd=ws)
    assert code == 30 and run.code == 0, run
    assert json.loads(run.stdout)["replayed"]["verdict"] == "deny"


# --- built-in immutables: no `!` glob lifts them -------------------------------------------------------

@pytest.mark.parametrize(("negation", "path"), [
    ('["!.git/config"]', ".git/config"), ('["!.git/**"]', ".git/hooks/pre-commit"),
    ('["!**"]', ".git/config"), ('["!.patchgate/**"]', ".patchgate/journal/j.json"),
    ('["**/*.py", "!.git/**", "!.patchgate/**"]', ".patchgate/decisions/x/verdict.json"),
])
def test_a_negated_immutable_glob_cannot_lift_the_built_ins(ws: Path, negation: str, path: str) -> None:
    text = PERMISSIVE.replace("protected-paths = []", f"protected-paths = []\nimmutable-paths = {negation}")
    (ws / "pyproject.toml").write_text(text, encoding="utf-8")
    decided = write(ws, path, "{}\n")
    assert check(decided, "immutable-path").status == "fail" and decided.verdict.verdict == "deny"


def test_a_policy_without_any_immutable_glob_still_protects_git(ws: Path) -> None:
    policy = ConnectPolicy().model_copy(update={"immutable_paths": ["!**"]})
    assert write(ws, ".git/config", "[core]\nhooksPath = /tmp\n", policy=policy).verdict.verdict == "deny"


# --- every .git at any depth and spelling ---------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "vendor/lib/.git/hooks/pre-commit", "vendor/lib/.git/config", "sub/.git", "new/nested/.git/HEAD",
    ".GIT/config", ".Git/hooks/post-checkout", "vendor/lib/.GiT/hooks/pre-push", ".git./config", ".git /config",
    "GIT~1/config", ".g\u200cit/config", ".git::$INDEX_ALLOCATION/config", "sub/.patchgate/journal/x.json",
    ".PatchGate/audit.ndjson", ".git/hooks/$HOOK",
])
def test_every_git_folder_and_state_folder_is_immutable(ws: Path, path: str) -> None:
    decided = write(ws, path)
    assert check(decided, "immutable-path").status == "fail", decided.verdict
    assert decided.verdict.verdict == "deny"


@pytest.mark.parametrize("command", [
    "echo x > vendor/lib/.git/hooks/pre-commit", "rm -r vendor", "mv sub/mod.py sub/.git", "cp src/a.py .GIT/config",
])
def test_commands_reaching_a_nested_git_are_denied_as_immutable(ws: Path, command: str) -> None:
    decided = judge(ws, from_command(command))
    assert check(decided, "immutable-path").status == "fail" and decided.verdict.verdict == "deny"


# --- benign controls: ordinary work stays permit --------------------------------------------------------

@pytest.mark.parametrize(("path", "text"), [
    ("src/a.py", "A = 2\n"), ("src/new.py", "N = 1\n"), ("docs/guide.md", "better guide\n"),
    ("vendor/lib/code.py", "L = 2\n"), (".gitignore", "dist/\n"), ("my.git.txt", "x\n"), ("git/config", "x\n"),
    (".github/ISSUE_TEMPLATE/bug.md", "bug\n"), ("docs/agents-guide.md", "x\n"), ("src/$literal.py", "D = 1\n"),
])
def test_ordinary_writes_stay_permit(ws: Path, path: str, text: str) -> None:
    decided = write(ws, path, text)
    assert decided.verdict.verdict == "permit", decided.verdict
    assert check(decided, "governance-path").status == "pass" and check(decided, "immutable-path").status == "pass"


def test_an_ordinary_command_stays_permit(ws: Path) -> None:
    decided = judge(ws, from_command("echo hi && echo there > /dev/null"))
    assert decided.verdict.verdict == "permit", decided.verdict


def test_an_ordinary_shell_write_needs_review_for_its_contents_not_governance(ws: Path) -> None:
    decided = judge(ws, from_command("echo hi > src/out.txt"))
    assert decided.verdict.verdict == "require_review" and check(decided, "governance-path").status == "pass"
    assert "outside apply" in check(decided, "review-command").detail


def test_governance_detail_reads_well_in_a_review(ws: Path) -> None:
    decided = write(ws, ".github/workflows/ci.yml", textwrap.dedent("""\
        on: push
        jobs: {}
        """))
    assert decided.review is not None and ".github/workflows/ci.yml" in decided.review.reason
    assert decided.review.required_approvals == 1
