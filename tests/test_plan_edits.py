"""Plan building blocks: whole-text changes as trimmed edits, and diffs git applies byte for byte."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
from patchgate.diagnostics.span import LineIndex, TextEdit, apply_edits
from patchgate.rewrites.edits import (
    FileChange,
    file_rewrite_for_text,
    resolve_change,
    split_lines,
    text_edits,
    unified_diff,
)
from patchgate.rewrites.modules import module_name, resolve_relative
from test_plan_harness import git, git_repo

AWKWARD = [
    ("form feed and vertical tab", "a = 1\n\x0c\nb = 2\x0b3\nc = 4\n", "a = 1\n\x0c\nb = 5\x0b3\nc = 4\n"),
    ("CRLF line ends", "a = 1\r\nb = 2\r\n", "a = 1\r\nb = 3\r\nc = 4\r\n"),
    ("lone CR inside a line", "s = 'x\ry'\nt = 1\n", "s = 'x\rz'\nt = 1\n"),
    ("no final newline", "a = 1\nb = 2", "a = 1\nb = 3"),
    ("final newline removed", "a = 1\n", "a = 1"),
    ("outside the BMP", "x = '😀'\ny = '𝔘'\n", "x = '😀😀'\ny = '𝔘'\n"),
    ("unicode line separators", "s = 'a\u2028b'\nt = '\x1c'\n", "s = 'a\u2028c'\nt = '\x1c'\n"),
    ("empty before", "", "x = 1\n"),
]


def test_split_lines_counts_only_newlines() -> None:
    assert split_lines("a\x0cb\r\nc\u2028d\ne") == ["a\x0cb\r\n", "c\u2028d\n", "e"]
    assert split_lines("") == [] and split_lines("\n") == ["\n"]


def test_text_edits_are_trimmed_and_rebuild_the_after_text() -> None:
    generator = random.Random(7)
    pieces = ["a\n", "b\n", "cc\n", "\x0c\n", "é\n", "😀", "\r\n", "x"]
    for _ in range(2000):
        before = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 10)))
        after = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 10)))
        edits = text_edits(before, after)
        assert apply_edits(before, edits) == after
        assert all(e.span.start_offset < e.span.end_offset or e.new_text for e in edits)
    (edit,) = text_edits("one\ntwo three\nfour\n", "one\ntwo 3\nfour\n")
    assert (edit.span.start_line, edit.span.start_column, edit.span.end_column, edit.new_text) == (1, 4, 9, "3")


@pytest.mark.parametrize(("name", "before", "after"), AWKWARD, ids=[case[0] for case in AWKWARD])
def test_git_applies_the_diff_byte_for_byte(tmp_path: Path, name: str, before: str, after: str) -> None:
    root = git_repo(tmp_path / "repo", {})
    (root / "f.py").write_bytes(before.encode("utf-8"))
    git(root, "add", "f.py")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "f")
    rewrite = file_rewrite_for_text("f.py", before, after)
    patch = tmp_path / "p.diff"
    patch.write_bytes(rewrite.diff.encode("utf-8"))
    git(root, "apply", "--check", str(patch))
    git(root, "apply", str(patch))
    assert (root / "f.py").read_bytes() == after.encode("utf-8")
    assert hashlib.sha256(after.encode("utf-8")).hexdigest() == rewrite.after_sha256


def test_new_and_deleted_files_diff_like_git() -> None:
    assert unified_diff("n.py", None, "x\n").startswith("diff --git a/n.py b/n.py\nnew file mode 100644\n--- /dev/null\n")
    assert "deleted file mode 100644\n--- a/d.py\n+++ /dev/null\n" in unified_diff("d.py", "x\n", None)
    assert unified_diff("same.py", "x\n", "x\n") == ""


def test_module_names_follow_packages_and_source_roots(tmp_path: Path) -> None:
    for folder in ("src/pkg", "src/pkg/sub", "flat"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    for init in ("src/pkg/__init__.py", "src/pkg/sub/__init__.py", "flat/__init__.py"):
        (tmp_path / init).write_text("")
    cases = {
        "src/pkg/mod.py": ("pkg.mod", "pkg"), "src/pkg/__init__.py": ("pkg", "pkg"),
        "src/pkg/sub/deep.pyi": ("pkg.sub.deep", "pkg.sub"), "flat/x.py": ("flat.x", "flat"),
        "scripts/run.py": ("run", ""), "setup.py": ("setup", ""),
    }
    for relative, (name, package) in cases.items():
        found = module_name(relative, tmp_path)
        assert found is not None and (found.name, found.package) == (name, package), relative
    assert module_name("scripts/my-tool.py", tmp_path) is None and module_name("README.md", tmp_path) is None
    namespaced = module_name("lib/ns/tool.py", tmp_path, ("lib",))
    assert namespaced is not None and namespaced.name == "ns.tool"


def test_relative_imports_resolve_like_python() -> None:
    assert resolve_relative("mod", 1, "pkg") == "pkg.mod"
    assert resolve_relative(None, 1, "pkg.sub") == "pkg.sub"
    assert resolve_relative("x", 2, "pkg.sub") == "pkg.x"
    assert resolve_relative("x", 2, "pkg") is None, "beyond the top-level package"
    assert resolve_relative("x", 1, "") is None and resolve_relative("abs", 0, "pkg") == "abs"


def test_diffs_built_from_edits_apply_with_git(tmp_path: Path) -> None:
    """Random edit sets on awkward texts: `git apply` of the edit-built diff gives exactly the edited text."""
    root = git_repo(tmp_path / "repo", {})
    generator = random.Random(11)
    pieces = ["a", "b", "\n", "\n", "xy\n", "😀", "\x0c", "\r\n", "cd\n"]
    for case in range(150):
        before = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 60)))
        index = LineIndex(before)
        change = FileChange("f.txt", before)
        for _ in range(generator.randint(1, 6)):
            start = generator.randint(0, len(before))
            end = generator.randint(start, min(len(before), start + generator.choice([0, 1, 3, 12])))
            text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 3)))
            change.propose([TextEdit(span=index.span(start, end), new_text=text)], generator.choice("pq"))
        rewrite, _ = resolve_change(change)
        if rewrite is None:
            continue
        (root / "f.txt").write_bytes(before.encode("utf-8"))
        patch = tmp_path / "p.diff"
        patch.write_bytes(rewrite.diff.encode("utf-8"))
        git(root, "apply", str(patch))
        after = (root / "f.txt").read_bytes()
        assert hashlib.sha256(after).hexdigest() == rewrite.after_sha256, (case, before, rewrite.edits)
