"""Workspace containment: `..`, absolute paths and symlinks (file or parent) that lead out; glob matching."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from patchgate.connect.paths import Globs, expand, in_scope, is_runtime_path, locate


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "src").mkdir(parents=True)
    (root / "src" / "a.py").write_text("x = 1\n", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("s\n", encoding="utf-8")
    os.symlink(outside, root / "out_dir")
    os.symlink(outside / "secret.txt", root / "out_file")
    os.symlink(root / "src", root / "src_link")
    os.symlink("src/a.py", root / "a_link.py")
    return root


@pytest.mark.parametrize(("given", "needle"), [
    ("../x", "outside the workspace"),
    ("src/../../x", "outside the workspace"),
    ("/etc/passwd", "absolute path outside"),
    ("~/.bashrc", "home directory"),
    ("out_file", "symlink out_file leads outside"),
    ("out_dir/new.txt", "symlink out_dir leads outside"),
])
def test_escapes(workspace: Path, given: str, needle: str) -> None:
    target = locate(workspace, given)
    assert target.escape and needle in target.escape, target


@pytest.mark.parametrize(("given", "path", "real"), [
    ("src/a.py", "src/a.py", None),
    ("src/./b.py", "src/b.py", None),
    ("src/../new.py", "new.py", None),
    ("src_link/a.py", "src_link/a.py", "src/a.py"),
    ("a_link.py", "a_link.py", "src/a.py"),
])
def test_inside(workspace: Path, given: str, path: str, real: str | None) -> None:
    target = locate(workspace, given)
    assert (target.escape, target.path, target.real) == (None, path, real)


def test_absolute_path_inside_the_workspace_is_that_path(workspace: Path) -> None:
    assert locate(workspace, str(workspace / "src" / "a.py")).path == "src/a.py"


def test_relative_to_a_working_directory(workspace: Path) -> None:
    assert locate(workspace, "a.py", workspace / "src").path == "src/a.py"
    assert locate(workspace, "../../x", workspace / "src").escape


def test_runtime_paths() -> None:
    assert is_runtime_path("$HOME/x") and is_runtime_path("`pwd`/x") and not is_runtime_path("a/b.py")


def test_globs_are_gitignore_style() -> None:
    globs = Globs(["build/", "*.lock", "/top.txt"])
    assert globs.match("build/out.py") and globs.match("sub/poetry.lock") and globs.match("top.txt")
    assert not globs.match("sub/top.txt") and not globs.match("src/a.py")
    assert not Globs([]).match("anything")


def test_directory_targets_expand_to_their_contents(workspace: Path) -> None:
    paths = expand(workspace, "src")
    assert paths[0] == "src/" and "src/a.py" in paths
    assert expand(workspace, "missing/file") == ["missing/file"]
    assert in_scope(Globs(["src/**"]), paths) and not in_scope(Globs(["lib/**"]), paths)
    assert in_scope(Globs([]), ["anything"])


def test_a_link_removed_while_it_is_resolved_is_an_escape_not_a_crash(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def vanished(path: str, *args: object, **kwargs: object) -> str:
        raise FileNotFoundError(2, "No such file or directory", path)
    monkeypatch.setattr(os.path, "realpath", vanished)  # as when a thread unlinks between lstat and readlink
    target = locate(workspace, "src_link/a.py")
    assert target.escape and "changed while it was being checked" in target.escape
