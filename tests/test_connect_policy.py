"""`[tool.patchgate.connect]`: defaults, kebab-case keys, and one-line errors naming file, key and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_patchgate
from patchgate.connect.policy import ALWAYS_IMMUTABLE, ConnectPolicy, load_policy
from patchgate.diagnostics.errors import ConfigError


def policy_for(root: Path, table: str, name: str = "pyproject.toml") -> ConnectPolicy:
    header = "[tool.patchgate.connect]\n" if name == "pyproject.toml" else "[connect]\n"
    (root / name).write_text(header + table, encoding="utf-8")
    return load_policy(root)


def test_defaults_follow_spec_7(tmp_path: Path) -> None:
    policy = load_policy(tmp_path)
    thresholds = policy.thresholds
    assert (thresholds.protected_path_write, thresholds.unknown_command, thresholds.destructive_command,
            thresholds.new_error_diagnostics, thresholds.large_change.verdict) == (
        "require_review", "require_review", "deny", "rewrite", "require_review")
    assert policy.immutable_paths == list(ALWAYS_IMMUTABLE)
    assert policy.write_scope == [] and policy.smoke_checks == []


def test_full_table_in_kebab_case(tmp_path: Path) -> None:
    policy = policy_for(tmp_path, """\
protected-paths = ["pyproject.toml", "src/core/**"]
immutable-paths = ["LICENSE"]
generated-paths = ["build/"]
write-scope = ["src/**"]
commands = { allow = ["git status", "ls"], review = ["git commit"], deny = ["curl"] }
thresholds = { protected-path-write = "deny", large-change = { max-files = 3, max-lines = 50 } }
[[tool.patchgate.connect.smoke-checks]]
name = "tests"
command = "pytest -q"
timeout = 30
""")
    assert policy.immutable_paths == [*ALWAYS_IMMUTABLE, "LICENSE"]
    assert policy.commands.allow == ["git status", "ls"]
    assert policy.thresholds.protected_path_write == "deny"
    assert policy.thresholds.large_change.max_files == 3
    assert policy.smoke_checks[0].timeout == 30


def test_patchgate_toml_uses_a_connect_table(tmp_path: Path) -> None:
    policy = policy_for(tmp_path, 'protected-paths = ["a.py"]\n', name="patchgate.toml")
    assert policy.protected_paths == ["a.py"]


def test_digest_is_stable_and_follows_content(tmp_path: Path) -> None:
    first = policy_for(tmp_path, 'protected-paths = ["a.py"]\n').digest()
    assert policy_for(tmp_path, 'protected-paths = ["a.py"]\n').digest() == first
    assert policy_for(tmp_path, 'protected-paths = ["b.py"]\n').digest() != first


@pytest.mark.parametrize(("table", "needles"), [
    ('protected_paths = ["a"]\n', ["tool.patchgate.connect.protected_paths", "did you mean 'protected-paths'"]),
    ('protectd-paths = ["a"]\n', ["protectd-paths", "protected-paths"]),
    ('thresholds = { large-change = { max-file = 3 } }\n', ["thresholds.large-change.max-file"]),
    ('thresholds = { unknown-command = "rewrite" }\n', ["thresholds.unknown-command", "permit"]),
    ('thresholds = { protected-path-write = "maybe" }\n', ["protected-path-write"]),
    ('thresholds = { large-change = { max-lines = 0 } }\n', ["max-lines"]),
    ('commands = { allow = ["git \\"status"] }\n', ["commands.allow", "cannot split"]),
    ('commands = { allow = [""] }\n', ["commands.allow", "empty"]),
    ('smoke-checks = [{ name = "t" }]\n', ["smoke-checks[0].command"]),
    ('smoke-checks = [{ name = "t", command = "true", timout = 3 }]\n', ["smoke-checks[0].timout"]),
    ('write-scope = "src/**"\n', ["write-scope"]),
], ids=["snake-case", "typo", "nested-unknown", "command-rewrite", "bad-verdict", "zero-limit", "unbalanced-quote",
        "empty-command", "smoke-missing-command", "smoke-typo", "scope-not-a-list"])
def test_bad_policy_names_file_key_and_reason(tmp_path: Path, table: str, needles: list[str]) -> None:
    with pytest.raises(ConfigError) as error:
        policy_for(tmp_path, table)
    message = str(error.value)
    assert message.startswith("pyproject.toml: ") or "pyproject.toml" in message
    for needle in needles:
        assert needle in message, message


def test_policy_error_is_exit_40_one_line_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.patchgate.connect]\nthresholds = { destructive-command = "nope" }\n',
                                             encoding="utf-8")
    for args in (["connect", "context", "--task", "t"], ["connect", "plan", "--task", "t", "--command", "ls"]):
        run = run_patchgate(*args, cwd=tmp_path)
        assert run.code == 40, run
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and "pyproject.toml" in lines[0] and "destructive-command" in lines[0], run.stderr
    assert not (tmp_path / ".patchgate").exists()
