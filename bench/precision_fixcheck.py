"""Fix check: every safe fix applied (through Connect, `check --fix`) to a temporary copy of each
project, then every touched file byte-compiled and the package and its touched modules imported,
each judged against the unfixed copy so breakage that was already there is not blamed on a fix.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from precision_corpus import BIN, Project, fetch  # noqa: E402

# Let every safe fix through: the bench, not the gate, judges whether a fix broke a module.
GATE_OPEN = """# precision bench fix check
[connect]
import-check = false

[connect.thresholds]
new-error-diagnostics = "permit"
broken-python-module = "permit"

[connect.thresholds.large-change]
verdict = "permit"
"""

IMPORTER = """import importlib, json, sys
root, names = sys.argv[1], sys.argv[2:]
result = {}
for name in names:
    try:
        module = importlib.import_module(name)
        where = getattr(module, "__file__", "") or ""
        outside = not where.startswith(root)
        result[name] = [f"imported from outside the copy: {where}" if outside else None,
                        sorted(n for n in vars(module) if not n.startswith("_"))]
    except BaseException as error:
        result[name] = [f"{type(error).__name__}: {error}"[:300], []]
print(json.dumps(result))
"""


def digests(root: Path) -> dict[str, str]:
    """sha256 of every file under root (Connect's own state left out), to see what a fix touched."""
    found = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not relative.startswith(".patchgate/") and "__pycache__" not in relative:
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def compiles(path: Path) -> str | None:
    """None when the file byte-compiles, else CPython's message."""
    try:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
        return None
    except (SyntaxError, ValueError) as error:
        return f"{type(error).__name__}: {error}"


def modules(project: Project, touched: list[str]) -> list[str]:
    """The top-level packages, then every touched module inside them, as dotted names."""
    names = list(project.imports)
    prefix = "" if project.src == "." else project.src.rstrip("/") + "/"
    for path in touched:
        if path.endswith(".py") and path.startswith(prefix):
            dotted = path[len(prefix):-3].replace("/", ".").removesuffix(".__init__")
            if dotted.split(".")[0] in project.imports and dotted not in names:
                names.append(dotted)
    return names


def imports(root: Path, project: Project, names: list[str]) -> dict[str, list]:
    """Import each name in a fresh interpreter with the copy first on sys.path: [error or None, public names]."""
    path = str(root / project.src)
    env = {**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.TemporaryDirectory() as cwd:
        result = subprocess.run([sys.executable, "-c", IMPORTER, str(root.resolve()), *names], cwd=cwd, env=env,
                                capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        return {name: [f"importer crashed: {result.stderr[-300:]}", []] for name in names}
    return json.loads(result.stdout)


def ruff_counts(root: Path, touched: list[str]) -> Counter[str]:
    """ruff's findings (every code, no project config) in the touched files, to see what a fix adds."""
    files = [p for p in touched if p.endswith(".py")]
    if not files:
        return Counter()
    result = subprocess.run([str(BIN / "ruff"), "check", "--isolated", "--no-cache", "--exit-zero", "--select", "ALL",
                             "--output-format", "json", *files], cwd=root, capture_output=True, text=True)
    return Counter(item["code"] or "syntax" for item in json.loads(result.stdout or "[]"))


def per_rule(diagnostics: list[dict]) -> Counter[str]:
    """Findings per rule, to see which rules' findings a fix made go away."""
    return Counter(d["rule_id"] for d in diagnostics)


def check_one(project: Project, baseline: list[dict], jobs: int) -> dict:
    """Copy, fix through Connect, then compile and import against the unfixed copy (`baseline`: its
    findings, from the run cache)."""
    source = fetch(project)
    with tempfile.TemporaryDirectory(prefix="patchgate-fixcheck-") as scratch:
        root = Path(scratch) / source.name
        shutil.copytree(source, root, symlinks=True)
        (root / "patchgate.toml").write_text(GATE_OPEN, encoding="utf-8")
        before = digests(root)
        pristine = Path(scratch) / "pristine"
        shutil.copytree(source, pristine / source.name, symlinks=True)
        command = [str(BIN / "patchgate"), "check", "--no-cache", "-j", str(jobs), "--format", "json"]
        fixed = subprocess.run([*command, "--fix"], cwd=root, capture_output=True, text=True)
        if fixed.returncode not in (0, 1):
            return {"error": f"check --fix exited {fixed.returncode}: {fixed.stderr[-1000:]}"}
        after = digests(root)
        touched = sorted(p for p in after if before.get(p) != after[p] and p != "patchgate.toml")
        said = re.search(r"fixed (\d+) problem", fixed.stderr)
        gone = per_rule(baseline) - per_rule(json.loads(fixed.stdout)["diagnostics"])
        compile_failures = {p: compiles(root / p) for p in touched if p.endswith(".py")}
        compile_failures = {p: e for p, e in compile_failures.items() if e}
        names = modules(project, touched)
        added = ruff_counts(root, touched) - ruff_counts(pristine / source.name, touched)
        was = imports(pristine / source.name, project, names)
        now = imports(root, project, names)
        broken = {n: now[n][0] for n in names if was[n][0] is None and now[n][0] is not None}
        lost = {n: sorted(set(was[n][1]) - set(now[n][1])) for n in names if was[n][0] is None and now[n][0] is None}
        return {"fixes_applied": int(said.group(1)) if said else 0, "findings_gone_by_rule": dict(gone),
                "files_touched": len(touched), "touched": touched, "compile_failures": compile_failures,
                "modules_imported": names, "import_failures": broken,
                "ruff_findings_added": dict(added), "public_names_lost": {n: v for n, v in lost.items() if v},
                "not_importable_before_fix": {n: e for n, (e, _) in was.items() if e is not None},
                "fix_stderr": fixed.stderr.strip()[-500:]}


def fix_check(projects: list[Project], baselines: dict[str, list[dict]], jobs: int) -> dict[str, dict]:
    """Run the fix check on every project; print one line each and return the details."""
    results: dict[str, dict] = {}
    print(f"{'project':10} {'fixes':>5} {'files':>5} {'compile fail':>12} {'import fail':>11}  modules importable")
    for project in projects:
        result = check_one(project, baselines[project.name], jobs)
        results[project.name] = result
        if "error" in result:
            print(f"{project.name:10} ERROR {result['error']}")
            continue
        print(f"{project.name:10} {result['fixes_applied']:>5} {result['files_touched']:>5} "
              f"{len(result['compile_failures']):>12} {len(result['import_failures']):>11}  "
              f"{len(result['modules_imported']) - len(result['not_importable_before_fix'])}"
              f"/{len(result['modules_imported'])}")
        for path, error in result["compile_failures"].items():
            print(f"    compile {path}: {error}")
        for name, error in result["import_failures"].items():
            print(f"    import {name}: {error}")
        for name, lost in result["public_names_lost"].items():
            print(f"    {name} no longer has: {', '.join(lost)} (a re-export or public name removed)")
        if result["ruff_findings_added"]:
            added = ", ".join(f"{c} +{n}" for c, n in sorted(result["ruff_findings_added"].items()))
            print(f"    ruff findings the fixes added in touched files: {added}")
        if result["findings_gone_by_rule"]:
            gone = ", ".join(f"{r} {n}" for r, n in sorted(result["findings_gone_by_rule"].items()))
            print(f"    findings gone: {gone}")
    return results
