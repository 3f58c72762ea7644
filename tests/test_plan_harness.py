"""Shared helpers for the `patchgate plan` tests: real git repositories, tree digests, applying plans."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from conftest import Run, run_patchgate, write_files


def git(root: Path, *args: str) -> str:
    """Run git in root; a failure fails the test with git's own message."""
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def git_repo(root: Path, files: dict[str, str], config: str = "") -> Path:
    """A committed git repository holding the files and a patchgate.toml."""
    write_files(root, {"patchgate.toml": config, **files})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base")
    return root


def tree_digest(root: Path) -> str:
    """sha256 over every project file's path and bytes (git and patchgate state left out)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if relative.parts[0] in {".git", ".patchgate"} or "__pycache__" in relative.parts:
            continue
        digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def plan_cli(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[Run, dict | None]:
    """Run `patchgate plan ...`; returns the run and the stored plan it printed the id of (if any)."""
    before = tree_digest(root)
    run = run_patchgate("plan", *args, cwd=root, env=env)
    assert tree_digest(root) == before, "a planner changed project files"
    lines = run.stdout.splitlines()
    if run.code != 0 or not lines or len(lines[0]) != 64:
        return run, None
    return run, stored_plan(root, lines[0])


def stored_plan(root: Path, plan_id: str) -> dict:
    """The plan as stored under .patchgate/plans."""
    return json.loads((root / ".patchgate" / "plans" / f"{plan_id}.json").read_text(encoding="utf-8"))


def apply_plan(root: Path, plan: dict, tmp_path: Path) -> None:
    """Apply the plan's diff with git (checked first); every file must then hash to its after_sha256."""
    patch = tmp_path / f"{plan['id'][:12]}.patch"
    patch.write_bytes("".join(item["diff"] for item in plan["files"]).encode("utf-8"))
    git(root, "apply", "--check", str(patch))
    git(root, "apply", str(patch))
    for item in plan["files"]:
        assert hashlib.sha256((root / item["path"]).read_bytes()).hexdigest() == item["after_sha256"], item["path"]


def one_error_line(run: Run) -> str:
    """A bad-input run: exit 40, one line on stderr, nothing on stdout."""
    assert run.code == 40, (run.stdout, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("patchgate: error: "), run.stderr
    assert "Traceback" not in run.stderr and not run.stdout
    return lines[0]


def test_tree_digest_sees_content_and_ignores_state(tmp_path: Path) -> None:
    root = git_repo(tmp_path, {"a.py": "x = 1\n"})
    first = tree_digest(root)
    (root / ".patchgate" / "plans").mkdir(parents=True)
    (root / ".patchgate" / "plans" / "p.json").write_text("{}")
    assert tree_digest(root) == first
    (root / "a.py").write_text("x = 2\n")
    assert tree_digest(root) != first
