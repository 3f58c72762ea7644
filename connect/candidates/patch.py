"""A unified diff (git or plain) turned into whole-file rewrites of the current workspace files.

Parsed with unidiff; file names resolved as `git apply` resolves them (patch_names.py); applied
strictly like `git apply` without fuzz: every context and removed line must match at the hunk's
position, or the patch is bad input (exit 40). New and deleted files are supported; renames,
copies, mode changes and binary patches are refused. Paths that leave the workspace are
returned as requested paths but never read.
"""

from __future__ import annotations

import io
from pathlib import Path

from unidiff import PatchSet, UnidiffParseError
from unidiff.patch import Hunk, PatchedFile

from patchgate.connect.candidates.submission import plain_path, read_workspace_text
from patchgate.connect.patch_names import NameResolver
from patchgate.connect.paths import locate
from patchgate.diagnostics.errors import InputError
from patchgate.rewrites.edits import file_rewrite_for_text, split_lines
from patchgate.rewrites.models import FileRewrite


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


def _file_rewrites(patched: PatchedFile, origin: str, workspace: Path, resolver: NameResolver,
                   requested: list[str]) -> list[FileRewrite]:
    """The rewrites of one patched file: a change, a creation or a deletion."""
    names_of = resolver.names(patched)
    source, target = names_of.old, names_of.new
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
    return [file_rewrite_for_text(dst, before, after)] if after != before or src is None else []


def patch_rewrites(text: str, origin: str, workspace: Path) -> tuple[list[FileRewrite], list[str]]:
    """Every file rewrite of a patch against the workspace, plus every path it names as written."""
    patch = _parse(text, origin)
    resolver = NameResolver(io.StringIO(text).readlines(), origin)
    requested: list[str] = []
    files: dict[str, FileRewrite] = {}
    for patched in patch:
        for rewrite in _file_rewrites(patched, origin, workspace, resolver, requested):
            if rewrite.path in files:
                raise InputError(f"{origin}: {rewrite.path} is changed twice in one patch")
            files[rewrite.path] = rewrite
    if not files and not requested:
        raise InputError(f"{origin}: the patch changes no file")
    if not files and all(locate(workspace, p).escape is None for p in requested):
        raise InputError(f"{origin}: the patch changes no file")
    return list(files.values()), list(dict.fromkeys(requested))
