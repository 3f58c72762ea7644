"""Turning edits into plans: overlap resolution, applying edits to text, and git-applicable diffs."""

from __future__ import annotations

import difflib
import hashlib
import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from patchgate.diagnostics.span import LineIndex, Span, TextEdit, apply_edits
from patchgate.rewrites.diffs import NO_NEWLINE, edit_diff, split_lines, unified_diff  # noqa: F401 (re-exported)
from patchgate.rewrites.models import FileRewrite, PlannerName, PlanStats, RewritePlan, SkippedChange


@dataclass(frozen=True)
class ProposedEdit:
    """One planner's proposal for one file: a group of edits that stand or fall together."""

    edits: tuple[TextEdit, ...]
    source: str

    @property
    def span(self) -> Span:
        """The smallest range covering every edit of the group."""
        first = min(self.edits, key=lambda edit: edit.span.start_offset).span
        last = max(self.edits, key=lambda edit: edit.span.end_offset).span
        return Span(start_line=first.start_line, start_column=first.start_column, end_line=last.end_line,
                    end_column=last.end_column, start_offset=first.start_offset, end_offset=last.end_offset)


@dataclass
class FileChange:
    """What a planner found in one file: its base text, what to change, what it left out."""

    path: str
    base_text: str | None
    proposals: list[ProposedEdit] = field(default_factory=list)
    skipped: list[SkippedChange] = field(default_factory=list)
    after_text: str | None = None

    def propose(self, edits: Sequence[TextEdit], source: str) -> None:
        """Add a group of edits (a no-op group is dropped)."""
        if edits:
            self.proposals.append(ProposedEdit(tuple(sorted(edits, key=_edit_key)), source))


def sha256_text(text: str) -> str:
    """sha256 of a text's UTF-8 bytes: what a file holding it hashes to."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _edit_key(edit: TextEdit) -> tuple[int, int]:
    return edit.span.start_offset, edit.span.end_offset


def _collide(edits: Sequence[TextEdit], taken: list[TextEdit], starts: list[int]) -> TextEdit | None:
    """The first kept edit (disjoint, sorted by start) that one of `edits` overlaps, if any."""
    for edit in edits:
        end = edit.span.end_offset
        low, high = bisect_left(starts, end), bisect_right(starts, end)
        if low > 0:
            low = bisect_left(starts, starts[low - 1])  # the last kept edits starting before this one ends
        for other in taken[low:high]:
            if edit.span.overlaps(other.span):
                return other
    return None


def keep_disjoint(change: FileChange) -> tuple[list[TextEdit], list[SkippedChange]]:
    """A deterministic non-overlapping set: earliest first, then shortest; the rest are skipped with a reason."""
    kept: list[TextEdit] = []
    starts: list[int] = []
    skipped: list[SkippedChange] = []
    order = sorted(change.proposals, key=lambda p: (p.span.start_offset, p.span.end_offset, p.source, p.edits[0].new_text))
    for proposal in order:
        if any(a.span.overlaps(b.span) for a, b in zip(proposal.edits, proposal.edits[1:])):
            skipped.append(SkippedChange(path=change.path, span=proposal.span, source=proposal.source,
                                         reason="its own edits overlap each other"))
            continue
        other = _collide(proposal.edits, kept, starts)
        if other is None:
            for edit in proposal.edits:
                index = bisect_right(starts, edit.span.start_offset)
                starts.insert(index, edit.span.start_offset)
                kept.insert(index, edit)
            continue
        line = other.span.start_line + 1
        skipped.append(SkippedChange(path=change.path, span=proposal.span, source=proposal.source,
                                     reason=f"overlaps a change kept at line {line}; run the planner again to take it"))
    return sorted(kept, key=_edit_key), skipped


def file_rewrite(path: str, base_text: str, edits: list[TextEdit]) -> FileRewrite:
    """A FileRewrite whose hashes and diff are computed from the base text and the edits."""
    ordered = sorted(edits, key=_edit_key)
    after = apply_edits(base_text, ordered)
    return FileRewrite(path=path, base_sha256=sha256_text(base_text), edits=ordered,
                       after_sha256=sha256_text(after), diff=edit_diff(path, base_text, ordered))


def _stats(files: list[FileRewrite]) -> PlanStats:
    """Counts for review and thresholds, read off the diffs."""
    hunks = added = removed = 0
    for item in files:
        body = item.diff[item.diff.find("\n@@") + 1 :] if "\n@@" in item.diff else ""
        for line in body.split("\n"):
            if line.startswith("@@"):
                hunks += 1
            elif line.startswith("+"):
                added += 1
            elif line.startswith("-"):
                removed += 1
    return PlanStats(files=len(files), edits=sum(len(f.edits) for f in files), hunks=hunks, lines_added=added,
                     lines_removed=removed)


def resolve_change(change: FileChange) -> tuple[FileRewrite | None, list[SkippedChange]]:
    """One file's part of a plan: its rewrite (None when nothing changes) and what was left out."""
    skipped = list(change.skipped)
    if change.after_text is not None or change.base_text is None:
        rewrite: FileRewrite | None = file_rewrite_for_text(change.path, change.base_text, change.after_text)
    else:
        edits, left_out = keep_disjoint(change)
        skipped.extend(left_out)
        rewrite = file_rewrite(change.path, change.base_text, edits) if edits else None
    if rewrite is not None and rewrite.base_sha256 == rewrite.after_sha256:
        rewrite = None
    return rewrite, skipped


def assemble_plan(planner: PlannerName, description: str, files: Iterable[FileRewrite],
                  skipped: Iterable[SkippedChange]) -> RewritePlan:
    """A plan from per-file results (computed anywhere, e.g. in worker processes), sorted and hashed."""
    ordered = sorted(files, key=lambda item: item.path)
    left_out = sorted(skipped, key=lambda s: (s.path, s.span.start_offset, s.source, s.reason))
    return RewritePlan.model_validate({"planner": planner, "description": description, "files": ordered,
                                       "skipped": left_out, "stats": _stats(ordered)})


def build_plan(planner: PlannerName, description: str, changes: Iterable[FileChange]) -> RewritePlan:
    """The plan of a planner's findings: overlaps resolved, unchanged files left out, everything hashed."""
    files: list[FileRewrite] = []
    skipped: list[SkippedChange] = []
    for change in changes:
        rewrite, left_out = resolve_change(change)
        skipped.extend(left_out)
        if rewrite is not None:
            files.append(rewrite)
    return assemble_plan(planner, description, files, skipped)


def file_rewrite_for_text(path: str, before: str | None, after: str | None) -> FileRewrite:
    """A whole-file change (a write, a created or deleted file), edits trimmed to the parts that differ."""
    if before is not None and after is not None:
        return file_rewrite(path, before, text_edits(before, after))
    edits = [TextEdit(span=LineIndex("").span(0, 0), new_text=after)] if after else []  # a new file: one insertion
    return FileRewrite(
        path=path,
        base_sha256=None if before is None else sha256_text(before),
        edits=edits,
        after_sha256=None if after is None else sha256_text(after),
        diff=unified_diff(path, before, after),
    )


def text_edits(before: str, after: str) -> list[TextEdit]:
    """Edits turning `before` into `after`, one per changed run of lines, each trimmed to what differs."""
    old_lines, new_lines = split_lines(before), split_lines(after)
    old_starts = list(itertools.accumulate((len(line) for line in old_lines), initial=0))
    new_starts = list(itertools.accumulate((len(line) for line in new_lines), initial=0))
    index = LineIndex(before)
    edits: list[TextEdit] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old, new = before[old_starts[i1] : old_starts[i2]], after[new_starts[j1] : new_starts[j2]]
        prefix, suffix = _common_ends(old, new)
        start, end = old_starts[i1] + prefix, old_starts[i2] - suffix
        edits.append(TextEdit(span=index.span(start, end), new_text=new[prefix : len(new) - suffix]))
    return edits


def _common_ends(old: str, new: str) -> tuple[int, int]:
    """Lengths of the common prefix and (non-overlapping) common suffix of two texts."""
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return prefix, suffix
