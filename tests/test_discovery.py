"""File discovery (gitignore, excludes, symlinks) and reading one file safely."""

from __future__ import annotations

import builtins
import hashlib
import os
from pathlib import Path

import pytest

from patchgate.diagnostics.config import Config
from patchgate.diagnostics.discovery import FileProblem, Matcher, discover, read_source, relative_path
from patchgate.diagnostics.errors import InputError
from patchgate.diagnostics.source import SourceFile


def make(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def found(root: Path, paths: list[Path] | None = None, **settings: object) -> list[str]:
    config = Config(root=root, **settings)
    return [relative_path(p, root) for p in discover(paths or [root], config).files]


def test_finds_known_languages_sorted_and_unique(tmp_path: Path) -> None:
    make(tmp_path, {"b.py": "", "a/x.ts": "", "a/y.txt": "", "c.yaml": "", "README.rst": "", "a/z.pyi": ""})
    assert found(tmp_path, [tmp_path, tmp_path / "a"]) == ["a/x.ts", "a/z.pyi", "b.py", "c.yaml"]
    assert all(p.is_absolute() for p in discover([tmp_path], Config(root=tmp_path)).files)


def test_default_excludes(tmp_path: Path) -> None:
    make(tmp_path, {"ok.py": "", ".venv/lib/x.py": "", "node_modules/m.js": "", "pkg/__pycache__/c.py": "",
                    ".git/hooks/h.py": "", ".patchgate/x.py": "", "build/b.py": ""})
    assert found(tmp_path) == ["build/b.py", "ok.py"]


def test_exclude_replaces_defaults_but_vcs_dirs_stay_out(tmp_path: Path) -> None:
    make(tmp_path, {"ok.py": "", "vendor/v.py": "", ".venv/x.py": "", ".git/x.py": "", "gen/a_pb2.py": ""})
    assert found(tmp_path, exclude=["vendor/"]) == [".venv/x.py", "gen/a_pb2.py", "ok.py"]
    assert found(tmp_path, extend_exclude=["vendor/", "*_pb2.py"]) == ["ok.py"]


def test_gitignore_nested_and_negation(tmp_path: Path) -> None:
    make(tmp_path, {
        ".git/info/exclude": "secret.py\n",
        ".gitignore": "build/\n*.gen.py\n!keep.gen.py\n",
        "app.py": "", "secret.py": "", "build/out.py": "", "x.gen.py": "", "keep.gen.py": "",
        "pkg/.gitignore": "local_*.py\n!local_ok.py\n/only_here.py\n",
        "pkg/local_a.py": "", "pkg/local_ok.py": "", "pkg/only_here.py": "", "pkg/sub/only_here.py": "",
        "pkg/sub/.gitignore": "!x.gen.py\n", "pkg/sub/x.gen.py": "",
    })
    assert found(tmp_path) == ["app.py", "keep.gen.py", "pkg/local_ok.py", "pkg/sub/only_here.py", "pkg/sub/x.gen.py"]
    everything = found(tmp_path, respect_gitignore=False)
    assert "build/out.py" in everything and "secret.py" in everything


def test_gitignore_above_the_workspace_root_applies(tmp_path: Path) -> None:
    make(tmp_path, {".git/HEAD": "", ".gitignore": "*.tmp.py\n", "proj/a.py": "", "proj/b.tmp.py": ""})
    assert found(tmp_path / "proj") == ["a.py"]


def test_explicit_file_is_always_included(tmp_path: Path) -> None:
    make(tmp_path, {".gitignore": "ignored.py\n", "ignored.py": "", "notes.txt": "", "vendor/v.py": ""})
    named = [tmp_path / "ignored.py", tmp_path / "notes.txt", tmp_path / "vendor/v.py"]
    assert found(tmp_path, named, exclude=["vendor"]) == ["ignored.py", "notes.txt", "vendor/v.py"]


def test_explicitly_named_ignored_directory_is_walked(tmp_path: Path) -> None:
    make(tmp_path, {".gitignore": "build/\n", "build/gen.py": "", "build/.gitignore": "skip.py\n", "build/skip.py": ""})
    assert found(tmp_path) == []
    assert found(tmp_path, [tmp_path / "build"]) == ["build/gen.py"]


def test_path_outside_root_is_allowed(tmp_path: Path) -> None:
    make(tmp_path, {"root/a.py": "", "elsewhere/b.py": ""})
    files = discover([tmp_path / "elsewhere"], Config(root=tmp_path / "root")).files
    assert [relative_path(p, tmp_path / "root") for p in files] == [(tmp_path / "elsewhere/b.py").resolve().as_posix()]


def test_nonexistent_path_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="path does not exist: .*missing.py"):
        discover([tmp_path / "missing.py"], Config(root=tmp_path))


def test_symlink_loop_terminates(tmp_path: Path) -> None:
    make(tmp_path, {"pkg/a.py": ""})
    os.symlink(tmp_path, tmp_path / "pkg" / "loop")
    os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "self")
    assert found(tmp_path) == ["pkg/a.py"]


def test_file_symlinks_inside_followed_outside_reported(tmp_path: Path) -> None:
    make(tmp_path, {"root/real.py": "", "outside.py": ""})
    root = tmp_path / "root"
    os.symlink(root / "real.py", root / "alias.py")
    os.symlink(tmp_path / "outside.py", root / "escape.py")
    os.symlink(root / "gone.py", root / "broken.py")
    result = discover([root], Config(root=root))
    assert [relative_path(p, root) for p in result.files] == ["alias.py"]
    reasons = {relative_path(p.path, root): p.reason for p in result.problems}
    assert reasons["broken.py"] == "broken symlink"
    assert reasons["escape.py"].startswith("symlink points outside the workspace")


def test_matcher_fast_path_agrees_with_pathspec() -> None:
    patterns = ["build/", "*.log", "/top.py", "docs/**/gen", "a?[bc].py", "**/deep"]
    fast, slow = Matcher(patterns), Matcher([*patterns, "!never-matches"])
    assert fast.fast is not None and slow.fast is None
    for path in ["build/", "a/build/", "build", "x.log", "top.py", "a/top.py", "docs/x/gen/", "abc.py", "q/deep", "ok.py"]:
        assert fast.check(path) == slow.check(path), path


def test_read_source_text_and_sha(tmp_path: Path) -> None:
    data = "\ufeffx = 'é'\n".encode()
    make(tmp_path, {"pkg/m.py": data})
    read = read_source(tmp_path / "pkg/m.py", tmp_path, 1000)
    assert read is not None and isinstance(read.source, SourceFile)
    assert read.source == SourceFile(path="pkg/m.py", text="\ufeffx = 'é'\n", language="python")
    assert read.sha256 == hashlib.sha256(data).hexdigest()


def test_empty_file_is_fine(tmp_path: Path) -> None:
    make(tmp_path, {"e.py": ""})
    read = read_source(tmp_path / "e.py", tmp_path, 1000)
    assert read is not None and read.source == SourceFile(path="e.py", text="", language="python")


def test_binary_file_is_skipped_silently(tmp_path: Path) -> None:
    make(tmp_path, {"b.py": b"abc\x00def"})
    assert read_source(tmp_path / "b.py", tmp_path, 1000) is None


def test_non_utf8_is_a_problem(tmp_path: Path) -> None:
    make(tmp_path, {"latin.py": b"x = '\xe9'\n"})
    read = read_source(tmp_path / "latin.py", tmp_path, 1000)
    assert read is not None and read.source == FileProblem(tmp_path / "latin.py", "not valid UTF-8 at byte 5")
    assert read.sha256 == hashlib.sha256(b"x = '\xe9'\n").hexdigest()


def test_large_file_is_a_problem(tmp_path: Path) -> None:
    make(tmp_path, {"big.py": "x" * 2000})
    read = read_source(tmp_path / "big.py", tmp_path, 1000)
    assert read is not None and isinstance(read.source, FileProblem)
    assert read.source.reason == "file too large (2000 bytes > 1000)"


def test_unreadable_file_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(tmp_path, {"locked.py": "x = 1\n"})
    real_open = builtins.open

    def deny(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(file).endswith("locked.py"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", deny)
    read = read_source(tmp_path / "locked.py", tmp_path, 1000)
    assert read is not None and read.source == FileProblem(tmp_path / "locked.py", "permission denied")


def test_relative_path(tmp_path: Path) -> None:
    assert relative_path(tmp_path / "a" / "b.py", tmp_path) == "a/b.py"
    assert relative_path(Path("/elsewhere/x.py"), tmp_path) == "/elsewhere/x.py"
