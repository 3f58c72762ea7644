"""Imports point one way (SPEC 1), and engine objects stay inside their adapter modules."""

from __future__ import annotations

import ast
from fnmatch import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["diagnostics", "rewrites", "connect", "builder"]
FRONT_ENDS = ["cli", "lsp_server"]
PACKAGES = LAYERS + FRONT_ENDS
# Engine libraries and the only modules allowed to import them (globs relative to the root).
ADAPTERS = {
    "ast_grep_py": ["diagnostics/engines/astgrep/*.py", "rewrites/astgrep*.py"],
    "libcst": [
        "diagnostics/engines/libcst*.py",
        "diagnostics/libcst_rule.py",
        "diagnostics/rules/libcst_rules/*.py",
        "rewrites/libcst*.py",
        "rewrites/codemod*.py",
        "rewrites/rename/*.py",
    ],
    "tree_sitter": ["diagnostics/engines/syntax.py", "diagnostics/engines/grammars.py", "connect/shell/*.py"],
    "pygls": ["lsp_server/*.py"],
    "lsprotocol": ["lsp_server/lsp_types.py", "lsp_server/*.py"],
}


def imported_modules(path: Path) -> list[str]:
    """Every module name a source file imports, absolute or relative."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def source_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def allowed_targets(package: str) -> set[str]:
    if package in FRONT_ENDS:
        return set(LAYERS)
    return set(LAYERS[: LAYERS.index(package) + 1])


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_one_way(path: Path) -> None:
    package = path.relative_to(ROOT).parts[0]
    for name in imported_modules(path):
        parts = name.split(".")
        assert parts[0] not in PACKAGES, f"bare import of a root folder: {name} (use patchgate.{name})"
        if parts[0] == "patchgate" and len(parts) > 1:
            target = parts[1]
            assert target in allowed_targets(package) or target == package, f"{package} must not import {name}"


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_engine_libraries_stay_in_adapters(path: Path) -> None:
    relative = path.relative_to(ROOT).as_posix()
    for name in imported_modules(path):
        library = next((lib for lib in ADAPTERS if name == lib or name.startswith(lib)), None)
        if library is None:
            continue
        assert any(fnmatch(relative, glob) for glob in ADAPTERS[library]), (
            f"{relative} imports {name}; only {ADAPTERS[library]} may"
        )


def test_checker_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import diagnostics\nfrom patchgate.connect import x\n", encoding="utf-8")
    assert imported_modules(bad) == ["diagnostics", "patchgate.connect"]
