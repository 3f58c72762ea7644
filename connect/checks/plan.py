"""The policy checks of SPEC 7 on paths, plan freshness and size: each one a Check with its verdict.

A check that finds nothing passes; one that finds something asks for its verdict and fails,
or warns when the policy sets that verdict to permit. Details name the paths they are about.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

from patchgate.connect.governance import BuiltinPaths
from patchgate.connect.models import VERDICT_RANK, Check, ContextPack, Verdict
from patchgate.connect.paths import Globs, Target, expand, in_scope, locate
from patchgate.connect.policy import ConnectPolicy
from patchgate.rewrites.models import RewritePlan

MAX_NAMED = 8
"""Details name at most this many paths, then say how many more."""


def finding(check_id: str, verdict: Verdict, detail: str) -> Check:
    """A check that found something: fail, or warn when its verdict is permit."""
    return Check(id=check_id, status="warn" if verdict == "permit" else "fail", detail=detail, verdict=verdict)


def passed(check_id: str, detail: str) -> Check:
    """A check that found nothing."""
    return Check(id=check_id, status="pass", detail=detail, verdict="permit")


def named(items: Iterable[str]) -> str:
    """Paths or commands as one short list."""
    unique = list(dict.fromkeys(items))
    shown = ", ".join(unique[:MAX_NAMED])
    return shown + (f" and {len(unique) - MAX_NAMED} more" if len(unique) > MAX_NAMED else "")


def collapse(paths: list[str]) -> list[str]:
    """Matched paths without those inside a matched folder: `.git/` stands for everything in it."""
    folders = [p for p in paths if p.endswith("/")]
    return [p for p in paths if not any(p != f and p.startswith(f) for f in folders)]


def most_severe(verdicts: Iterable[str]) -> Verdict:
    """deny > require_review > rewrite > permit."""
    return max(verdicts, key=VERDICT_RANK.__getitem__, default="permit")  # type: ignore[return-value]


def locate_all(workspace: Path, given: list[str], runtime: Collection[str] = ()) -> list[Target]:
    """Every requested path judged once, in order, but those only a shell knows at run time."""
    return [locate(workspace, path) for path in dict.fromkeys(given) if path not in runtime]


def escape_check(targets: list[Target], runtime: list[str]) -> Check:
    """A path outside the workspace is denied; one only known at run time needs review."""
    escapes = [t.escape for t in targets if t.escape]
    if escapes:
        return finding("path-escape", "deny", named(escapes))  # type: ignore[arg-type]
    if runtime:
        return finding("path-escape", "require_review", f"writes paths whose place is only known at run time ($VAR, or relative after cd): {named(runtime)}")
    return passed("path-escape", "every path stays inside the workspace")


class PathJudge:
    """The workspace paths a candidate writes (folders expanded), matched against the context's globs."""

    def __init__(self, workspace: Path, context: ContextPack, targets: list[Target]) -> None:
        self.inside = [t for t in targets if not t.escape and t.path]
        self.expanded = {t.given: [p for name in t.names for p in expand(workspace, name)] for t in self.inside}
        self.everything = list(dict.fromkeys(p for paths in self.expanded.values() for p in paths))
        self.context = context

    def matched(self, patterns: list[str]) -> list[str]:
        """Written paths some glob matches, a matched folder standing for its contents."""
        return collapse(Globs(patterns).matched(self.everything))

    def immutable(self, builtins: BuiltinPaths) -> Check:
        """Immutable paths (and the whole workspace at once) are never written; no user glob lifts the built-ins."""
        hits = ["the whole workspace (.)" for p in self.everything if p == "."][:1]
        hits += collapse([p for p in self.everything if builtins.immutable(p)])
        hits += [p for p in self.matched(self.context.immutable_paths) if p not in hits]
        if hits:
            return finding("immutable-path", "deny", f"writes immutable paths: {named(hits)}")
        return passed("immutable-path", "no immutable path is written")

    def scope(self) -> Check:
        """Every write must fall inside the task's scope and the policy's (an empty one: the whole workspace)."""
        scopes = [Globs(list(s)) for s in dict.fromkeys((tuple(self.context.write_scope),
                                                         tuple(self.context.policy_write_scope))) if s]
        if not scopes:
            return passed("write-scope", "the task may write the whole workspace")
        shown = (f"({named(scopes[0].patterns)})" if len(scopes) == 1
                 else f"(task: {named(scopes[0].patterns)}; policy: {named(scopes[1].patterns)})")
        outside = [t.given for t in self.inside if not all(
            in_scope(globs, expand_one) for globs in scopes for expand_one in self._per_name(t))]
        if outside:
            return finding("write-scope", "deny", f"outside the write scope {shown}: {named(outside)}")
        return passed("write-scope", f"every write is inside {shown}")

    def _per_name(self, target: Target) -> list[list[str]]:
        """The expansion of a target's written and resolved names, each on its own."""
        paths = self.expanded[target.given]
        return [[p for p in paths if p == name or p.startswith(name.rstrip("/") + "/")] for name in target.names]

    def protected(self, verdict: Verdict) -> Check:
        """A protected path takes the protected_path_write threshold."""
        hits = self.matched(self.context.protected_paths)
        if hits:
            return finding("protected-path", verdict, f"writes protected paths: {named(hits)}")
        return passed("protected-path", "no protected path is written")

    def governance(self, builtins: BuiltinPaths, verdict: Verdict, exempt: Callable[[str], bool]) -> Check:
        """Files that govern patchgate, CI, hooks or agents need review at least, whatever the policy's globs say."""
        hits = [p for p in collapse([p for p in self.everything if builtins.governs(p)]) if not exempt(p)]
        if hits:
            return finding("governance-path", most_severe([verdict, "require_review"]),
                           f"writes files that govern patchgate, CI, hooks or agents: {named(hits)}")
        return passed("governance-path", "no file that governs patchgate, CI, hooks or agents is written")

    def generated(self) -> Check:
        """A generated file is changed by its generator, not by hand: rewrite."""
        hits = self.matched(self.context.generated_paths)
        if hits:
            return finding("generated-path", "rewrite", f"edits generated files: {named(hits)}")
        return passed("generated-path", "no generated file is edited")


def file_sha256(path: Path) -> str | None:
    """sha256 of a file's bytes, or None when it is missing (or not a regular file)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    except OSError:
        return None


def stale_check(workspace: Path, plan: RewritePlan | None) -> Check:
    """A plan planned on other bytes than the workspace holds must be planned again (rewrite)."""
    if plan is None:
        return passed("stale-plan", "not applicable: no file change")
    stale = [item.path for item in plan.files if file_sha256(workspace / item.path) != item.base_sha256]
    if stale:
        return finding("stale-plan", "rewrite", f"changed since the plan was made: {named(stale)}")
    return passed("stale-plan", "every file still matches the plan's base")


def large_change_check(plan: RewritePlan | None, policy: ConnectPolicy) -> Check:
    """A change over the large_change limits takes that threshold."""
    limits = policy.thresholds.large_change
    if plan is None:
        return passed("large-change", "not applicable: no file change")
    lines = plan.stats.lines_added + plan.stats.lines_removed
    size = f"{plan.stats.files} files, {lines} lines"
    if plan.stats.files > limits.max_files or lines > limits.max_lines:
        return finding("large-change", limits.verdict,
                       f"{size} is over the limits ({limits.max_files} files, {limits.max_lines} lines)")
    return passed("large-change", f"{size}, within the limits")
