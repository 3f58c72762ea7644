"""git-style unified diffs: from two texts (difflib), or straight from known edits (linear time).

A planner that knows its edits need not rediscover them: diffing a 5,000-line test file with
difflib costs more than finding the edits did. `edit_diff` builds the same format from the edits'
line ranges; both are checked by `git apply` in the tests.
"""

from __future__ import annotations

import difflib
from bisect import bisect_right
from collections.abc import Iterable, Sequence

from patchgate.diagnostics.span import TextEdit

NO_NEWLINE = "\\ No newline at end of file\n"
CONTEXT = 3


def split_lines(text: str) -> list[str]:
    """Lines as git counts them: split after each \\n only (str.splitlines also splits on \\f, \\r, \\x1c...)."""
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def _diff_lines(lines: Iterable[str]) -> list[str]:
    """Diff body lines with git's marker after a last line that has no newline."""
    out: list[str] = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.extend((line + "\n", NO_NEWLINE))
    return out


def _header(path: str, before: str | None, after: str | None) -> list[str]:
    """`diff --git`, mode lines for new and deleted files, and the ---/+++ names."""
    header = [f"diff --git a/{path} b/{path}\n"]
    if before is None:
        header.append("new file mode 100644\n")
    elif after is None:
        header.append("deleted file mode 100644\n")
    header.append(f"--- {'/dev/null' if before is None else f'a/{path}'}\n")
    header.append(f"+++ {'/dev/null' if after is None else f'b/{path}'}\n")
    return header


def unified_diff(path: str, before: str | None, after: str | None) -> str:
    """A git-style unified diff of one file (new and deleted files included), for review and `git apply`."""
    old_lines, new_lines = split_lines(before or ""), split_lines(after or "")
    body = list(difflib.unified_diff(old_lines, new_lines, n=CONTEXT, lineterm="\n"))
    if not body:
        return ""
    return "".join(_header(path, before, after) + _diff_lines(body[2:]))


def _range(start: int, stop: int) -> str:
    """A hunk range the way difflib (and GNU diff) writes it."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start if not length else start + 1},{length}"


def _line_starts(text: str, count: int) -> list[int]:
    """Offset of each of `count` lines, plus the end of the text: count + 1 entries."""
    starts = [0]
    index = text.find("\n")
    while index >= 0:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    if len(starts) == count:
        starts.append(len(text))
    return starts


def _lines_of(edit: TextEdit, starts: list[int], count: int, open_end: bool) -> tuple[int, int]:
    """The old lines [first, stop) an edit touches; an insertion touches the line it lands in.

    `open_end`: the text does not end with a newline, so its end offset belongs to the last line."""
    start, end = edit.span.start_offset, edit.span.end_offset
    first = bisect_right(starts, start) - 1
    if first == count and open_end:
        first = count - 1
    if end > start:
        return first, bisect_right(starts, end - 1)
    return first, min(first + 1, count)


def _region_text(text: str, starts: list[int], first: int, stop: int, edits: list[TextEdit]) -> str:
    """Old lines [first, stop) with the region's edits applied."""
    pieces, cursor = [], starts[first]
    for edit in edits:
        pieces.append(text[cursor : edit.span.start_offset])
        pieces.append(edit.new_text)
        cursor = edit.span.end_offset
    pieces.append(text[cursor : starts[stop]])
    return "".join(pieces)


class _Region:
    """Consecutive old lines changed by one or more edits, grown until its new text ends a line."""

    def __init__(self, first: int, stop: int) -> None:
        self.first, self.stop, self.edits = first, stop, []

    def settle(self, text: str, starts: list[int], count: int) -> str:
        """The region's new text; a text that would run into the next old line takes that line in."""
        new = _region_text(text, starts, self.first, self.stop, self.edits)
        while new and not new.endswith("\n") and self.stop < count:
            self.stop += 1
            new = _region_text(text, starts, self.first, self.stop, self.edits)
        return new


def _changes(text: str, old: list[str], edits: Sequence[TextEdit]) -> list[tuple[int, int, list[str]]]:
    """(first, stop, new lines): old lines [first, stop) replaced by new lines, disjoint and in order."""
    count = len(old)
    starts = _line_starts(text, count)
    open_end = bool(text) and not text.endswith("\n")
    changes: list[tuple[int, int, list[str]]] = []
    region: _Region | None = None
    new = ""
    for edit in edits:
        first, stop = _lines_of(edit, starts, count, open_end)
        if region is not None and first <= region.stop:  # touching lines: one block of - then +, as diff shows it
            region.stop = max(region.stop, stop)
            region.edits.append(edit)
            new = region.settle(text, starts, count)
            continue
        if region is not None:
            changes.append(_trimmed(region.first, region.stop, split_lines(new), old))
        region = _Region(first, stop)
        region.edits.append(edit)
        new = region.settle(text, starts, count)
    if region is not None:
        changes.append(_trimmed(region.first, region.stop, split_lines(new), old))
    return [change for change in changes if change[1] > change[0] or change[2]]


def edit_diff(path: str, before: str, edits: Sequence[TextEdit]) -> str:
    """The unified diff of applying sorted, disjoint edits to `before`, without diffing whole texts."""
    old = split_lines(before)
    hunks: list[list[tuple[int, int, list[str]]]] = []
    for change in _changes(before, old, edits):
        if hunks and change[0] - hunks[-1][-1][1] <= 2 * CONTEXT:
            hunks[-1].append(change)
        else:
            hunks.append([change])
    body: list[str] = []
    shift = 0
    for hunk in hunks:
        body.extend(_hunk(old, hunk, shift))
        shift += sum(len(new) - (stop - first) for first, stop, new in hunk)
    return "".join(_header(path, before, "") + _diff_lines(body)) if body else ""


def _trimmed(first: int, stop: int, new: list[str], old: list[str]) -> tuple[int, int, list[str]]:
    """Drop lines a region leaves unchanged at either end, so the diff shows only what differs."""
    head = 0
    while first + head < stop and head < len(new) and old[first + head] == new[head]:
        head += 1
    tail = 0
    while first + head < stop - tail and head < len(new) - tail and old[stop - 1 - tail] == new[len(new) - 1 - tail]:
        tail += 1
    return first + head, stop - tail, new[head : len(new) - tail]


def _hunk(old: list[str], changes: list[tuple[int, int, list[str]]], shift: int) -> list[str]:
    """One hunk: context, then each change as removed and added lines, then context."""
    start = max(0, changes[0][0] - CONTEXT)
    stop = min(len(old), changes[-1][1] + CONTEXT)
    lines: list[str] = []
    cursor = start
    added = 0
    for first, end, new in changes:
        lines.extend(" " + line for line in old[cursor:first])
        lines.extend("-" + line for line in old[first:end])
        lines.extend("+" + line for line in new)
        added += len(new) - (end - first)
        cursor = end
    lines.extend(" " + line for line in old[cursor:stop])
    new_start = start + shift
    header = f"@@ -{_range(start, stop)} +{_range(new_start, new_start + stop - start + added)} @@\n"
    return [header, *lines]
