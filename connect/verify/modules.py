"""Does a Python plan leave every module it touches compiling and importable? (check `python-modules`)

Every touched `.py` file's after text is byte-compiled in memory (`compile()`, nothing written).
When the workspace has a package layout (packages at its root or under `src/`), the touched
modules (and the packages of deleted ones) are imported in a child process of this Python, in
the scratch copy with the plan applied: `-I -B`, sys.path starting with the copy's root and
`src/`, paths into the real workspace (but a virtualenv's site-packages there) and setuptools'
editable finders removed, a timeout, its own process group. Importing runs the modules' top-level code, so `import-check = false` in the
policy turns that step off. A failure counts only when the module imported before the plan
(the same import run on the before texts), so a dependency missing from this environment is
not the plan's fault.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from patchgate.connect.checks.plan import finding, named, passed
from patchgate.connect.models import Check
from patchgate.connect.policy import ConnectPolicy
from patchgate.rewrites.modules import module_name

Texts = dict[str, tuple[str | None, str | None]]
CHECK_ID = "python-modules"
IMPORT_ROOTS = ("", "src")
MARKER = "patchgate-import-result:"
IMPORTER = r"""
import importlib, json, os, sys
roots, workspace, modules = json.loads(sys.argv[1])
inside = lambda path: (os.path.realpath(path) + os.sep).startswith(workspace + os.sep) and "-packages" not in path
sys.path[:] = roots + [p for p in sys.path if p and not inside(p)]
sys.meta_path[:] = [f for f in sys.meta_path if not type(f).__module__.startswith("__editable__")]
failed = {}
for name in modules:
    try:
        importlib.import_module(name)
    except BaseException as error:
        text = " ".join(str(error).split())
        failed[name] = f"{type(error).__name__}: {text}"[:300] if text else type(error).__name__
print("\n""" + MARKER + r"""" + json.dumps(failed), flush=True)
"""


def compile_errors(texts: Texts) -> list[str]:
    """`path:line: SyntaxError: msg` for each touched .py file whose after text no longer compiles."""
    problems = []
    for path, (before, after) in sorted(texts.items()):
        if after is None or not path.endswith(".py"):
            continue
        error = _compile_error(path, after)
        if error is not None and (before is None or _compile_error(path, before) is None):
            problems.append(error)
    return problems


def _compile_error(path: str, text: str) -> str | None:
    """Why text does not compile, or None."""
    try:
        compile(text.removeprefix("\ufeff"), path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        line = f":{error.lineno}" if isinstance(error, SyntaxError) and error.lineno else ""
        message = error.msg if isinstance(error, SyntaxError) else str(error)
        return f"{path}{line}: {type(error).__name__}: {message}"
    return None


def importable_modules(workspace: Path, texts: Texts) -> dict[str, str]:
    """Module name -> touched path, for touched files inside packages rooted at the workspace or src/."""
    found: dict[str, str] = {}
    for path, (_, after) in sorted(texts.items()):
        module = module_name(path, workspace) if path.endswith(".py") else None
        if module is None or path.rsplit("/", 1)[-1] == "__main__.py":
            continue
        parts = module.name.split(".")
        init = path == "__init__.py" or path.endswith("/__init__.py")
        root = "/".join(path.split("/")[: -(len(parts) + init)])
        if root not in IMPORT_ROOTS or (len(parts) == 1 and not init):
            continue
        found[module.name if after is not None else module.package or parts[0]] = path
    return found


def run_imports(scratch: Path, workspace: Path, modules: list[str], timeout: float) -> dict[str, str]:
    """Import the modules in one child process in the scratch copy: module -> error, for those that failed."""
    roots = [str(scratch / root) if root else str(scratch) for root in IMPORT_ROOTS]
    argument = json.dumps([roots, os.path.realpath(workspace), modules])
    process = subprocess.Popen([sys.executable, "-I", "-B", "-c", IMPORTER, argument], cwd=scratch,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        process.wait()
        return {name: f"import timed out after {timeout:g}s" for name in modules}
    lines = [line for line in output.decode("utf-8", "replace").splitlines() if line.startswith(MARKER)]
    if not lines:
        return {name: f"the importing process died (exit {process.returncode})" for name in modules}
    result: dict[str, str] = json.loads(lines[-1][len(MARKER):])
    prefixes = sorted({str(scratch) + os.sep, os.path.realpath(scratch) + os.sep}, key=len, reverse=True)
    for prefix in prefixes:  # the scratch folder's random name would make every decision's detail differ
        result = {name: error.replace(prefix, "") for name, error in result.items()}
    return result


def modules_check(workspace: Path, texts: Texts, policy: ConnectPolicy, scratch: Path | None,
                  write: Callable[[Path, Texts], None]) -> Check:
    """Compile every touched .py file, then import the touched modules in the scratch copy."""
    verdict = policy.thresholds.broken_python_module
    problems = compile_errors(texts)
    modules = importable_modules(workspace, texts) if policy.import_check and scratch is not None else {}
    if modules and scratch is not None:
        failed = run_imports(scratch, workspace, list(modules), policy.import_timeout)
        if failed:
            write(scratch, {path: (after, before) for path, (before, after) in texts.items()})
            already = run_imports(scratch, workspace, list(failed), policy.import_timeout)
            write(scratch, texts)
            problems += [f"{modules[name]}: import {name} fails: {error}" for name, error in failed.items() if name not in already]
    if problems:
        return finding(CHECK_ID, verdict, f"{len(problems)} broken: {named(problems)}")
    imported = f", imported {len(modules)}" if modules else ""
    compiled = sum(1 for path, (_, after) in texts.items() if after is not None and path.endswith(".py"))
    return passed(CHECK_ID, f"compiled {compiled} Python file(s){imported}")
