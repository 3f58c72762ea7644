"""The `rename` planner: a module-level Python name renamed across the workspace by qualified name.

Every Python file that mentions the old name is scanned once (in processes) for its bindings,
imports and attribute uses. A binding is renamed when it is the definition, or a plain
`from X import old` of a renamed name; a module-level one makes `module.old` a name of the target
too (a re-export), so its importers follow. `as` aliases keep their alias and only the imported
name changes; attribute uses change when libcst resolves them to a target; unrelated symbols with
the same text (another module's name, a local variable, `obj.old`) are left alone.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from pathlib import Path

from patchgate.diagnostics.errors import InputError
from patchgate.diagnostics.source import SourceFile
from patchgate.diagnostics.span import LineIndex, TextEdit
from patchgate.rewrites.edits import FileChange, sha256_text
from patchgate.rewrites.models import SkippedChange
from patchgate.rewrites.modules import module_name
from patchgate.rewrites.parallel import run_tasks
from patchgate.rewrites.planning import PlanRequest, PlanResult, plan_from_changes
from patchgate.rewrites.rename.facts import FileFacts
from patchgate.rewrites.rename.resolve import Resolution, resolve_targets
from patchgate.rewrites.rename.scan import scan_file


@dataclass(frozen=True)
class RenameTask:
    """Per-file work: scan a file that mentions the old name; plain fields, so it pickles."""

    old: str
    new: str
    root: str
    source_roots: tuple[str, ...]

    def run(self, source: SourceFile) -> FileFacts | None:
        """The file's facts, or None when the old name's text does not occur in it."""
        if source.language != "python" or not re.search(rf"\b{re.escape(self.old)}\b", source.text):
            return None
        return scan_file(source.text, module_name(source.path, Path(self.root), self.source_roots), self.old, self.new)


def check_names(qualified: str, new: str) -> tuple[str, str]:
    """(module, old name) of a valid request; InputError for anything a rename cannot mean."""
    parts = qualified.split(".")
    if len(parts) < 2 or not all(part.isidentifier() and not keyword.iskeyword(part) for part in parts):
        raise InputError(f"{qualified!r} is not a qualified name like `pkg.module.name`")
    if not new.isidentifier() or keyword.iskeyword(new):
        raise InputError(f"{new!r} is not a valid Python identifier (NEW_NAME is the bare new name, not a qualified one)")
    if new == parts[-1]:
        raise InputError(f"`{qualified}` is already called `{new}`")
    return ".".join(parts[:-1]), parts[-1]


def module_files(request: PlanRequest, source_roots: tuple[str, ...]) -> dict[str, list[str]]:
    """Module name -> the workspace files that define it."""
    found: dict[str, list[str]] = {}
    for path in request.files:
        relative = path.relative_to(request.root).as_posix()
        name = module_name(relative, request.root, source_roots)
        if name is not None:
            found.setdefault(name.name, []).append(relative)
    return found


def defining_file(qualified: str, module: str, modules: dict[str, list[str]]) -> str:
    """The one file defining the target's module; InputError when there is none or several."""
    files = modules.get(module, [])
    if qualified in modules:
        raise InputError(f"`{qualified}` is a module ({modules[qualified][0]}); rename modules by moving the file")
    if not files:
        raise InputError(f"no module `{module}` among the files planned (module names follow packages with "
                         "__init__.py; use --source-root for namespace packages)")
    if len(files) > 1:
        raise InputError(f"module `{module}` is defined by {len(files)} files ({', '.join(files[:3])}); pass the one to use "
                         "in PATHS or set --source-root")
    return files[0]


def plan_rename(qualified: str, new: str, request: PlanRequest, source_roots: tuple[str, ...] = ()) -> PlanResult:
    """The rename's plan; InputError (nothing planned) for a bad name, a clash or a star-import use."""
    module, old = check_names(qualified, new)
    python = [p for p in request.files if p.suffix in (".py", ".pyi")]
    request = PlanRequest(python, request.root, request.max_size, request.jobs, request.progress)
    definer = defining_file(qualified, module, module_files(request, source_roots))
    task = RenameTask(old, new, str(request.root), source_roots)
    outcomes = run_tasks(task, request.files, request.root, request.max_size, request.jobs, request.progress)
    facts = {o.relative: o.result for o in outcomes if isinstance(o.result, FileFacts)}
    hashes = {o.relative: o.sha256 for o in outcomes}
    failures = [(o.relative, o.problem or o.result.failure) for o in outcomes
                if o.problem or (isinstance(o.result, FileFacts) and o.result.failure)]
    resolution = resolve_targets(qualified, old, new, definer, facts)
    source = f"rename {qualified}"
    changes = [_file_change(path, hashes[path], resolution, request.root, source) for path in sorted(resolution.edits)]
    return plan_from_changes("rename", f"rename {qualified} to {new}", source, changes, failures, len(outcomes))


def _file_change(path: str, sha256: str, resolution: Resolution, root: Path, source: str) -> FileChange:
    """One file's rename edits as a single all-or-nothing proposal, on the bytes that were scanned."""
    text = (root / path).read_bytes().decode("utf-8")
    if sha256_text(text) != sha256:
        raise InputError(f"{path}: changed while the rename was planned; run it again")
    index = LineIndex(text)
    edits = [TextEdit(span=index.span(site.start, site.end), new_text=replacement)
             for site, replacement in resolution.edits[path]]
    skipped = [SkippedChange(path=path, span=index.span(site.start, site.end), source=source,
                             reason=f"{site.detail}; edit it by hand") for site in resolution.unsupported.get(path, [])]
    change = FileChange(path, text, skipped=skipped)
    change.propose(edits, source)
    return change
