"""The `fix` planner: the fixes attached to diagnostics of a normal check run, as one plan.

The check runs exactly as `patchgate check` would (config, selection, suppressions, cache). Each
diagnostic's fix is one proposal whose edits stand or fall together. A fix is safe unless its rule
says otherwise: ast-grep rules with `metadata: {safe_fix: false}`, libcst rules with the class
attribute `SAFE_FIX = False`; and a fix that removes a re-exported import is unsafe whatever its
rule (rewrites/fix_exports.py). Unsafe fixes are listed as skipped unless `--unsafe` is given.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from patchgate.diagnostics.config import Config
from patchgate.diagnostics.discovery import discover
from patchgate.diagnostics.models import Diagnostic
from patchgate.diagnostics.ruleset import Ruleset
from patchgate.diagnostics.runner import CheckOptions, Progress, run_check
from patchgate.rewrites.edits import FileChange, sha256_text
from patchgate.rewrites.fix_exports import ExportGuard
from patchgate.rewrites.models import SkippedChange, workspace_path_problem
from patchgate.rewrites.planning import PlanResult, plan_from_changes

UNSAFE_REASON = "the rule marks this fix unsafe; pass --unsafe to take it"


@dataclass(frozen=True)
class FixOptions:
    """Which fixes to plan, and how to run the check that finds them."""

    rules: tuple[str, ...] = ()
    unsafe: bool = False
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    jobs: int | None = None
    use_cache: bool = True


def fix_safety(ruleset: Ruleset, rule_ids: set[str]) -> dict[str, bool]:
    """rule id -> whether its fixes may be applied without --unsafe (rules not named are safe)."""
    return {rule_id: rule.safe_fix if (rule := ruleset.by_id.get(rule_id)) else True for rule_id in rule_ids}


def _description(options: FixOptions) -> str:
    """The plan's one line: which fixes of which rules."""
    kind = "all fixes" if options.unsafe else "safe fixes"
    return f"{kind} of " + (", ".join(options.rules) if options.rules else "the selected rules")


def _read(path: str, root: Path, sha256: str | None) -> str | tuple[str]:
    """A fixed file's text as it was checked, or (why it cannot be planned,)."""
    problem = workspace_path_problem(path)
    if problem:
        return (f"outside the workspace ({problem})",)
    try:
        text = (root / path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return (f"cannot read it again: {error}",)
    if sha256 is not None and sha256_text(text) != sha256:
        return ("changed since it was checked; run the planner again",)
    return text


def _file_change(path: str, text: str, found: list[Diagnostic], safe: dict[str, bool], unsafe: bool,
                 guard: ExportGuard) -> FileChange:
    """One file's fixes as proposals; unsafe ones (by rule, or removing a re-export) skipped unless --unsafe."""
    change = FileChange(path, text)
    for index, diagnostic in enumerate(found):
        why = None if safe.get(diagnostic.rule_id, True) else UNSAFE_REASON
        export = guard.reason(path, index) if why is None else None
        why = why or (f"{export}; pass --unsafe to take it" if export else None)
        if why is None or unsafe:
            change.propose(diagnostic.fix or [], diagnostic.rule_id)
        else:
            change.skipped.append(SkippedChange(path=path, span=diagnostic.span, source=diagnostic.rule_id, reason=why))
    return change


def plan_fixes(paths: list[Path], config: Config, options: FixOptions, progress: Progress | None = None) -> PlanResult:
    """Run the check, then turn every (selected, safe unless --unsafe) fix into the plan."""
    check = CheckOptions(select=options.rules or None, ignore=options.ignore, extend_select=options.extend_select,
                         jobs=options.jobs, use_cache=options.use_cache)
    result = run_check(paths, config, check, progress)
    by_path: dict[str, list[Diagnostic]] = defaultdict(list)
    for diagnostic in result.diagnostics:
        if diagnostic.fix:
            by_path[diagnostic.path].append(diagnostic)
    safe = fix_safety(result.ruleset, {d.rule_id for found in by_path.values() for d in found})
    texts: dict[str, str] = {}
    failures: list[tuple[str, str]] = []
    guard = ExportGuard(config)
    for path, found in sorted(by_path.items()):
        text = _read(path, config.root, result.inputs.get(path))
        if isinstance(text, tuple):
            failures.append((path, text[0]))
        else:
            texts[path] = text
            guard.add(path, text, found)
    if guard.removals and not options.unsafe:
        guard.find_importers(discover([config.root], config).files)
    changes = [_file_change(path, text, by_path[path], safe, options.unsafe, guard) for path, text in texts.items()]
    return plan_from_changes("fix", _description(options), "fix", changes, failures, len(result.inputs))
