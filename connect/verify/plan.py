"""Verification away from the workspace: does the plan add errors, break a Python module, fail a smoke check?

Diagnostics run on the before and after texts in memory (the plan applied with the same
apply_edits apply uses), with the workspace's own config, so nothing is written anywhere.
The Python modules check (verify/modules.py) and the smoke checks run in a scratch copy of the workspace in the system temp folder: files that
.gitignore ignores are left out, and so are `.git` and `.patchgate` (a smoke check that needs
git history sees none). The copy is removed afterwards, whatever happens.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from patchgate.connect.checks.plan import finding, named, passed
from patchgate.connect.candidates.submission import read_workspace_text
from patchgate.connect.models import Check, ContextPack, Verdict
from patchgate.connect.policy import ConnectPolicy, SmokeCheck
from patchgate.diagnostics.errors import InputError
from patchgate.rewrites.models import RewritePlan

if TYPE_CHECKING:
    from patchgate.diagnostics.config import Config
    from patchgate.diagnostics.ruleset import Ruleset

Texts = dict[str, tuple[str | None, str | None]]
SKIP_DIRS = frozenset({".git", ".patchgate"})


def planned_texts(workspace: Path, plan: RewritePlan) -> Texts:
    """Each file's text before and after the plan; an after text that misses its hash is bad input."""
    from patchgate.diagnostics.span import apply_edits

    texts: Texts = {}
    for item in plan.files:
        before = read_workspace_text(workspace, item.path)
        try:
            after = apply_edits(before or "", item.edits) if item.after_sha256 is not None else None
        except ValueError as error:  # the file changed under the plan (a race): its edits no longer fit
            raise InputError(f"plan {plan.id[:12]}: the edits of {item.path} do not apply to its current text: {error}") from None
        if after is not None and hashlib.sha256(after.encode("utf-8")).hexdigest() != item.after_sha256:
            raise InputError(f"plan {plan.id[:12]}: the edits of {item.path} do not produce its after_sha256")
        texts[item.path] = (before, after)
    return texts


def _errors(config: Config, ruleset: Ruleset, texts: dict[str, str]) -> dict[str, list[tuple[str, str, int]]]:
    """Error-severity findings per file as (rule id, message, line), with the workspace's config and languageGlobs."""
    from patchgate.diagnostics.runner import check_source
    from patchgate.diagnostics.selection import RuleSelector
    from patchgate.diagnostics.source import SourceFile

    selector = RuleSelector(ruleset.rules, config)
    found: dict[str, list[tuple[str, str, int]]] = {}
    for path, text in texts.items():
        source = SourceFile(path=path, text=text, language=ruleset.languages.language(path))
        diagnostics = check_source(source, selector.selected_for(path), ruleset.engines, ruleset.by_id)
        found[path] = [(d.rule_id, d.message, d.span.start_line + 1) for d in diagnostics if d.severity == "error"]
    return found


def new_errors(workspace: Path, texts: Texts) -> list[str]:
    """Errors the plan adds: after-counts above before-counts per (file, rule, message), named by line."""
    from patchgate.diagnostics.config import load_config
    from patchgate.diagnostics.ruleset import load_ruleset

    config = load_config(workspace)
    ruleset = load_ruleset(config)
    checked = {p: t for p, t in texts.items() if t[1] is not None and ruleset.languages.language(p) is not None}
    before = _errors(config, ruleset, {p: t[0] for p, t in checked.items() if t[0] is not None})
    after = _errors(config, ruleset, {p: t[1] for p, t in checked.items() if t[1] is not None})
    added: list[str] = []
    for path, errors in after.items():
        budget = Counter((rule, message) for rule, message, _ in before.get(path, []))
        for rule, message, line in errors:
            if budget[(rule, message)] > 0:
                budget[(rule, message)] -= 1
            else:
                added.append(f"{path}:{line} {rule}: {message}")
    return added


def diagnostics_check(workspace: Path, texts: Texts, verdict: Verdict) -> Check:
    """A plan that adds error-severity diagnostics takes the new_error_diagnostics threshold."""
    added = new_errors(workspace, texts)
    if added:
        return finding("new-error-diagnostics", verdict, f"adds {len(added)} error(s): {named(added)}")
    return passed("new-error-diagnostics", "no new error-severity diagnostics")


def copy_workspace(workspace: Path, target: Path) -> None:
    """Copy the workspace without gitignored files, .git and .patchgate; symlinks stay symlinks."""
    from patchgate.diagnostics.config import Config
    from patchgate.diagnostics.discovery import IgnoreRules, Scope

    root = os.path.abspath(workspace)
    rules = IgnoreRules(Config(root=Path(root), exclude=[]), root)
    scope = Scope(root, rules.git_top or root)
    for directory, dirs, files in os.walk(root):
        relative = os.path.relpath(directory, root)
        destination = target if relative == "." else target / relative
        destination.mkdir(parents=True, exist_ok=True)
        kept = []
        for name in dirs:
            path = os.path.join(directory, name)
            if name in SKIP_DIRS or rules.ignored(path, True, scope, directory):
                continue
            if os.path.islink(path):
                os.symlink(os.readlink(path), destination / name)
            else:
                kept.append(name)
        dirs[:] = kept
        for name in files:
            path = os.path.join(directory, name)
            if not rules.ignored(path, False, scope, directory):
                shutil.copy2(path, destination / name, follow_symlinks=False)


def _write_planned(scratch: Path, texts: Texts) -> None:
    """Apply the plan's texts to the scratch copy (the workspace itself is never touched)."""
    for path, (_, after) in texts.items():
        target = scratch / path
        if after is None:
            target.unlink(missing_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(after.encode("utf-8"))


def smoke_list(policy: ConnectPolicy, context: ContextPack) -> list[SmokeCheck]:
    """The policy's smoke checks plus the context's acceptance checks, each command once."""
    checks = list(policy.smoke_checks)
    known = {c.command for c in checks}
    checks += [SmokeCheck(name=c, command=c) for c in dict.fromkeys(context.acceptance_checks) if c not in known]
    return checks


def scratch_parent(workspace: Path) -> str | None:
    """A temp folder outside the workspace (TMPDIR may point inside it), or None."""
    real = os.path.realpath(workspace)
    for folder in (tempfile.gettempdir(), "/tmp", "/var/tmp"):
        path = os.path.realpath(folder)
        if os.path.isdir(path) and not (path == real or path.startswith(real.rstrip(os.sep) + os.sep)):
            return path
    return None


def run_smoke_checks(scratch: Path, checks: list[SmokeCheck]) -> Check:
    """Run every smoke check in the scratch copy with the plan applied; any failure or timeout: rewrite."""
    from patchgate.connect.verify.smoke import run_smoke

    if not checks:
        return passed("smoke-checks", "no smoke checks configured")
    failures = [problem for check in checks if (problem := run_smoke(check, scratch))]
    if failures:
        return finding("smoke-checks", "rewrite", "; ".join(failures))
    return passed("smoke-checks", f"passed: {named(c.name for c in checks)}")


def verify_plan(workspace: Path, policy: ConnectPolicy, context: ContextPack, plan: RewritePlan) -> list[Check]:
    """The diagnostics check, the Python modules check and the smoke checks of a plan, none touching the workspace."""
    from patchgate.connect.verify.modules import CHECK_ID, importable_modules, modules_check

    texts = planned_texts(workspace, plan)
    diagnostics = diagnostics_check(workspace, texts, policy.thresholds.new_error_diagnostics)
    checks = smoke_list(policy, context)
    if not checks and not (policy.import_check and importable_modules(workspace, texts)):
        return [diagnostics, modules_check(workspace, texts, policy, None, _write_planned), run_smoke_checks(workspace, [])]
    parent = scratch_parent(workspace)
    if parent is None:
        reason = "no temp folder outside the workspace to run the checks in"
        return [diagnostics, finding(CHECK_ID, "rewrite", reason), finding("smoke-checks", "rewrite", reason)]
    scratch = Path(tempfile.mkdtemp(prefix="patchgate-scratch-", dir=parent))
    try:
        copy_workspace(workspace, scratch)
        _write_planned(scratch, texts)
        modules = modules_check(workspace, texts, policy, scratch, _write_planned)
        return [diagnostics, modules, run_smoke_checks(scratch, checks)]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
