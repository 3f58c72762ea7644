"""A unified diff (git or plain) turned into whole-file rewrites of the current workspace files.

Parsed with unidiff; applied strictly like `git apply` without fuzz: every context and removed
line must match at the hunk's position, or the patch is bad input (exit 40). New, deleted and
renamed files are supported; binary patches are refused. Paths that leave the workspace are
returned as requested paths but never read.
"""

from __future__ import annotations

from pathlib import Path

from unidiff import PatchSet, UnidiffParseError
from unidiff.patch import Hunk, PatchedFile

from patchgate.connect.candidates import plain_path, read_workspace_text
from patchgate.connect.paths import locate
from patchgate.diagnostics.errors import InputError
from patchgate.rewrites.edits import file_rewrite_for_text, split_lines
from patchgate.rewrites.models import FileRewrite

DEV_NULL = "/dev/null"


def _strip_prefix(name: str, strip: bool) -> str | None:
    """The path a diff header names, without git's a/ b/ prefix; None for /dev/null."""
    name = name.split("\t", 1)[0]
    if name == DEV_NULL:
        return None
    if strip and name[:2] in ("a/", "b/"):
        return name[2:]
    return name


def _hunk_texts(hunk: Hunk) -> tuple[list[str], list[str]]:
    """The lines a hunk expects and the lines it leaves, 'No newline at end of file' honoured."""
    old: list[str] = []
    new: list[str] = []
    last = " "
    for line in hunk:
        kind = line.line_type
        if kind == "\\":
            for side in ([old] if last == "-" else [new] if last == "+" else [old, new]):
                if side:
                    side[-1] = side[-1].removesuffix("\n")
            continue
        if kind in (" ", "-"):
            old.append(line.value)
        if kind in (" ", "+"):
            new.append(line.value)
        last = kind
    return old, new


def apply_hunks(before: str, patched: PatchedFile, origin: str) -> str:
    """The text after the file's hunks, each checked line by line at its stated position."""
    lines = split_lines(before)
    out: list[str] = []
    cursor = 0
    for hunk in patched:
        start = hunk.source_start - 1 if hunk.source_length else hunk.source_start
        if start < cursor or start > len(lines):
            raise InputError(f"{origin}: hunk at line {hunk.source_start} of {patched.path} is out of order or past the end")
        out.extend(lines[cursor:start])
        cursor = start
        old, new = _hunk_texts(hunk)
        for expected in old:
            if cursor >= len(lines) or lines[cursor] != expected:
                raise InputError(f"{origin}: does not apply to {patched.path} at line {cursor + 1}")
            cursor += 1
        out.extend(new)
    out.extend(lines[cursor:])
    return "".join(out)


def _parse(text: str, origin: str) -> PatchSet:
    """The files of a patch; unparseable, empty or binary patches are bad input."""
    try:
        patch = PatchSet(text)
    except UnidiffParseError as error:
        raise InputError(f"{origin}: not a unified diff: {error}") from None
    if not len(patch):
        raise InputError(f"{origin}: no file changes found (not a unified diff?)")
    for patched in patch:
        if patched.is_binary_file:
            raise InputError(f"{origin}: binary patches are not supported ({patched.path})")
    return patch


def _file_rewrites(patched: PatchedFile, origin: str, workspace: Path, git_style: bool,
                   requested: list[str]) -> list[FileRewrite]:
    """The rewrites of one patched file: a change, a creation, a deletion, or a rename (both)."""
    strip = git_style or (patched.source_file.startswith("a/") and patched.target_file.startswith("b/"))
    source = None if patched.is_added_file else _strip_prefix(patched.source_file, strip)
    target = None if patched.is_removed_file else _strip_prefix(patched.target_file, strip)
    if source and target and not (git_style and patched.is_rename):
        source = target  # plain `diff -u old new` names two files for one change
    names = list(dict.fromkeys(n for n in (source, target) if n))
    located = {name: locate(workspace, name) for name in names}
    requested.extend(names)
    if any(t.escape or t.path is None for t in located.values()):
        return []
    src = plain_path(located[source].path, origin) if source else None  # type: ignore[arg-type]
    dst = plain_path(located[target].path, origin) if target else None  # type: ignore[arg-type]
    before = read_workspace_text(workspace, src) if src else None
    if src and before is None:
        raise InputError(f"{origin}: does not apply: {src} does not exist")
    if dst and dst != src and read_workspace_text(workspace, dst) is not None:
        raise InputError(f"{origin}: does not apply: {dst} already exists")
    after = apply_hunks(before or "", patched, origin)
    if dst is None:
        if after:
            raise InputError(f"{origin}: does not apply: deleting {src} leaves lines the patch did not remove")
        return [file_rewrite_for_text(src, before, None)]  # type: ignore[arg-type]
    if src == dst:
        return [file_rewrite_for_text(dst, before, after)] if after != before else []
    gone = [file_rewrite_for_text(src, before, None)] if src else []
    return [*gone, file_rewrite_for_text(dst, None, after)]


def patch_rewrites(text: str, origin: str, workspace: Path) -> tuple[list[FileRewrite], list[str]]:
    """Every file rewrite of a patch against the workspace, plus every path it names as written."""
    patch = _parse(text, origin)
    git_style = any(line.startswith("diff --git ") for line in text.splitlines())
    requested: list[str] = []
    files: dict[str, FileRewrite] = {}
    for patched in patch:
        for rewrite in _file_rewrites(patched, origin, workspace, git_style, requested):
            if rewrite.path in files:
                raise InputError(f"{origin}: {rewrite.path} is changed twice in one patch")
            files[rewrite.path] = rewrite
    if not files and not requested:
        raise InputError(f"{origin}: the patch changes no file")
    if not files and all(locate(workspace, p).escape is None for p in requested):
        raise InputError(f"{origin}: the patch changes no file")
    return list(files.values()), list(dict.fromkeys(requested))
