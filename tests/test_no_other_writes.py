"""Apply is the only code that writes project files (SPEC 7): scan the source for every other write.

Each package module is parsed (ast) for file-writing calls: open() or Path.open() in a
writing mode, os.open (unless its flags are spelled out as read-only), write_text/write_bytes, rename/replace, copy/move, unlink/remove/
rmdir/rmtree, mkdir/makedirs, touch, chmod, truncate, symlinks and temp files. A module
that writes must be on one of the lists below, with the reason it is allowed; a new writer
fails this test by name, file and line. Project files are written only by connect/apply/files.py, and
only apply and recovery may call its writing functions.
"""

from __future__ import annotations

import ast
from fnmatch import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["diagnostics", "rewrites", "connect", "builder", "lsp_server", "cli"]
PROJECT_WRITERS = {"connect/apply/files.py": "apply and crash recovery: the only writer of project files"}
STATE_WRITERS = {
    "connect/audit/log.py": ".patchgate/audit.ndjson, audit.head and the audit lock",
    "connect/store.py": ".patchgate/decisions/ (staged folder renamed into place)",
    "connect/journal.py": ".patchgate/journal/, the quarantine folder beside it, and the apply lock",
    "connect/locks.py": "the lock files under .patchgate/ that apply and the audit log take",
    "rewrites/store.py": ".patchgate/plans/ and write_state_file for patchgate's own state",
    "diagnostics/cache.py": ".patchgate/cache/",
    "cli/common.py": "the report file named by --output-file, and .patchgate/evidence/",
    "cli/init_cmd.py": "`patchgate init`: patchgate.toml and the .gitignore line, never overwriting",
    "connect/schema_export.py": "the schemas folder a developer names (python -m ...schema_export DIR)",
    "connect/config_docs.py": "the README a developer names (python -m ...config_docs README.md)",
    "diagnostics/engines/libcst_lazy.py": "its developer main() regenerates the shipped libcst rule catalog",
    "connect/signing.py": "a signature in a temporary directory for ssh-keygen -Y verify, removed afterwards",
    "connect/verify/*.py": "scratch copies of the workspace in a temporary directory, removed afterwards",
}
WRITE_FUNCTIONS = {
    "os": {"open", "replace", "rename", "renames", "remove", "unlink", "rmdir", "removedirs", "mkdir", "makedirs",
           "truncate", "symlink", "link", "chmod", "fchmod", "mkfifo", "write"},
    "shutil": {"copy", "copy2", "copyfile", "copyfileobj", "copytree", "move", "rmtree", "copymode", "copystat"},
    "tempfile": {"mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryDirectory", "TemporaryFile", "SpooledTemporaryFile"},
}
WRITE_METHODS = {"write_text", "write_bytes", "rename", "unlink", "rmdir", "mkdir", "touch", "chmod", "symlink_to",
                 "hardlink_to", "truncate"}
WRITING_MODE = set("wax+")
WRITING_FLAGS = {"O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND", "O_TMPFILE"}
APPLY_IO_READ_ONLY = {"fsync_dir", "TEMP_MARK", "PROTECTED_NAMES", "read_current", "Current", "UnsafePath",
                      "Conflict", "kind_of", "read_all"}


def _mode_of(call: ast.Call, position: int) -> str | None:
    """The literal mode argument of an open() call, if it is one."""
    args = [kw.value for kw in call.keywords if kw.arg == "mode"] or call.args[position:position + 1]
    if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
        return args[0].value
    return "r" if not args else "?"


def _read_only_flag(node: ast.expr) -> bool:
    """A flag term that cannot write: os.O_X or getattr(os, "O_X", 0) for a non-writing X, or 0."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _read_only_flag(node.left) and _read_only_flag(node.right)
    if isinstance(node, ast.Constant):
        return node.value == 0
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os":
        return node.attr.startswith("O_") and node.attr not in WRITING_FLAGS
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) == 3:
        name = node.args[1]
        return isinstance(name, ast.Constant) and str(name.value).startswith("O_") and name.value not in WRITING_FLAGS
    return False


def _reads_only(call: ast.Call) -> bool:
    """os.open(path, flags) whose flags are spelled out and open for reading only (os.O_RDONLY, nothing that writes)."""
    flags = [kw.value for kw in call.keywords if kw.arg == "flags"] or call.args[1:2]
    text = ast.unparse(flags[0]) if flags else ""
    return bool(flags) and "O_RDONLY" in text and _read_only_flag(flags[0])


def _write_kind(call: ast.Call) -> str | None:
    """What kind of file write a call is, or None."""
    func = call.func
    if isinstance(func, ast.Name) and func.id == "open":
        mode = _mode_of(call, 1)
        return f"open(mode={mode!r})" if mode == "?" or WRITING_MODE & set(mode or "") else None
    if not isinstance(func, ast.Attribute):
        return None
    owner = func.value.id if isinstance(func.value, ast.Name) else None
    if owner == "os" and func.attr == "open" and _reads_only(call):
        return None
    if owner in WRITE_FUNCTIONS and func.attr in WRITE_FUNCTIONS[owner]:
        return f"{owner}.{func.attr}"
    if owner not in WRITE_FUNCTIONS and func.attr == "open":
        mode = _mode_of(call, 0)
        return f".open(mode={mode!r})" if mode == "?" or WRITING_MODE & set(mode or "") else None
    if owner not in WRITE_FUNCTIONS and func.attr in WRITE_METHODS:
        return f".{func.attr}()"
    return None


def file_writes(path: Path) -> list[tuple[int, str]]:
    """(line, kind) of every file-writing call in a source file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [(node.lineno, kind) for node in ast.walk(tree) if isinstance(node, ast.Call) and (kind := _write_kind(node))]


def _allowed(relative: str) -> bool:
    return any(fnmatch(relative, glob) for glob in {**PROJECT_WRITERS, **STATE_WRITERS})


def source_files() -> list[Path]:
    return sorted(p for package in PACKAGES if (ROOT / package).is_dir() for p in (ROOT / package).rglob("*.py"))


def test_no_module_writes_files_unless_listed() -> None:
    offenders = [f"{path.relative_to(ROOT).as_posix()}:{line}: {kind}"
                 for path in source_files() if not _allowed(path.relative_to(ROOT).as_posix())
                 for line, kind in file_writes(path)]
    assert not offenders, (
        "file writes outside apply: project files may only be written by `patchgate apply` (connect/apply/files.py); "
        "a module that writes only patchgate's own state or a user-named output must be added to STATE_WRITERS "
        "with its reason:\n" + "\n".join(offenders))


def test_every_listed_writer_still_exists_and_writes() -> None:
    for glob in {**PROJECT_WRITERS, **STATE_WRITERS}:
        matches = [p for p in source_files() if fnmatch(p.relative_to(ROOT).as_posix(), glob)]
        assert matches, f"{glob} is allow-listed but no longer exists: remove it from the list"
        assert any(file_writes(p) for p in matches), f"{glob} is allow-listed but writes nothing: remove it"


def test_only_apply_and_recovery_call_the_project_writer() -> None:
    callers = []
    for path in source_files():
        relative = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "patchgate.connect.apply.files":
                writers = {alias.name for alias in node.names} - APPLY_IO_READ_ONLY
                if writers and not fnmatch(relative, "connect/apply/*.py") and not fnmatch(relative, "connect/recover/*.py"):
                    callers.append(f"{relative}: {sorted(writers)}")
            elif isinstance(node, ast.ImportFrom) and node.module == "patchgate.connect.apply" and any(
                    alias.name == "files" for alias in node.names):
                callers.append(f"{relative}: imports the whole module")
            elif isinstance(node, ast.Import) and any(a.name == "patchgate.connect.apply.files" for a in node.names):
                callers.append(f"{relative}: imports the whole module")
    assert not callers, "only connect/apply/*.py and connect/recover/*.py may write project files:\n" + "\n".join(callers)


@pytest.mark.parametrize(("source", "kind"), [
    ("open(p, 'w')", "open(mode='w')"),
    ("open(p, mode='ab')", "open(mode='ab')"),
    ("open(p, m)", "open(mode='?')"),
    ("path.open('x')", ".open(mode='x')"),
    ("path.write_text('a')", ".write_text()"),
    ("p.write_bytes(b'')", ".write_bytes()"),
    ("os.replace(a, b)", "os.replace"),
    ("os.open(p, os.O_WRONLY)", "os.open"),
    ("os.open(p, os.O_RDONLY | os.O_CREAT)", "os.open"),
    ("os.open(p, os.O_RDONLY | getattr(os, 'O_TRUNC', 0))", "os.open"),
    ("os.open(p, flags)", "os.open"),
    ("os.open(p, os.O_RDONLY | flags)", "os.open"),
    ("shutil.move(a, b)", "shutil.move"),
    ("shutil.copy2(a, b)", "shutil.copy2"),
    ("Path(p).unlink()", ".unlink()"),
    ("os.remove(p)", "os.remove"),
    ("p.mkdir(parents=True)", ".mkdir()"),
    ("tempfile.mkstemp()", "tempfile.mkstemp"),
])
def test_scanner_catches_each_kind_of_write(tmp_path: Path, source: str, kind: str) -> None:
    sample = tmp_path / "sample.py"
    reads = "open(p)\nopen(p, 'rb')\npath.open()\nos.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, 'O_CLOEXEC', 0))\n"
    sample.write_text(f"import os, shutil, tempfile\n{source}\n{reads}", encoding="utf-8")
    assert file_writes(sample) == [(2, kind)]
