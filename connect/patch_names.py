"""Which files a unified diff changes, resolved the way `git apply` resolves them (apply.c).

A `diff --git` section takes its names from its `---`/`+++` lines (or its header, for an
empty file) with one leading component stripped (`a/x` -> `x`). A traditional diff strips
as many components as git guesses from the first file: none when the names hold no slash
(`diff -u x.orig x`), else one (`--- /dev/null` / `+++ b/x` creates `x`, not `b/x`). Renames,
copies, mode changes, symlinks and submodules are refused: apply writes file contents only,
and a patch must not mean more than what is decided on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unidiff.patch import PatchedFile

from patchgate.diagnostics.errors import InputError

DEV_NULL = "/dev/null"
FILE_MODES = ("100644", "100755")
"""A regular file, plain or executable: the only modes whose content apply can write."""
REFUSED_HEADERS = ("rename from ", "rename to ", "rename old ", "rename new ", "copy from ", "copy to ")
MODE_HEADERS = ("new file mode ", "deleted file mode ", "old mode ", "new mode ")
_INDEX_MODE = re.compile(r"index \S+ (\S+)$")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
_EPOCH = re.compile(r"(1969-12-31|1970-01-01) ([0-2][0-9]):([0-5][0-9]):00(?:\.0+)? ([-+])([0-2][0-9]):?([0-5][0-9])$")


@dataclass(frozen=True)
class FileNames:
    """The file a patch section reads (None: it creates one) and the file it writes (None: it deletes)."""

    old: str | None
    new: str | None


def unquote(name: str) -> str:
    """A name as git writes it: C-quoted ("a/\\303\\244.txt") when it holds unusual bytes."""
    if not (len(name) >= 2 and name.startswith('"') and name.endswith('"')):
        return name
    out, body, index = bytearray(), name[1:-1], 0
    while index < len(body):
        char = body[index]
        if char != "\\" or index + 1 >= len(body):
            out += char.encode("utf-8")
            index += 1
        elif body[index + 1] in _ESCAPES:
            out.append(_ESCAPES[body[index + 1]])
            index += 2
        elif re.match(r"[0-7]{3}", body[index + 1:index + 4]):
            out.append(int(body[index + 1:index + 4], 8) & 0xFF)
            index += 4
        else:
            out += body[index + 1].encode("utf-8")
            index += 2
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"the file name {name} is not valid UTF-8") from None


def _clean(raw: str) -> str:
    """A header's name without its timestamp, line end or quoting."""
    return unquote(raw.split("\t", 1)[0].rstrip("\r\n"))


def is_dev_null(raw: str) -> bool:
    """Whether a ---/+++ name stands for no file."""
    return _clean(raw).rstrip() == DEV_NULL


def strip_components(name: str, p_value: int) -> str | None:
    """git's skip_tree_prefix: the name without its first p_value components; None when it has too few."""
    name = re.sub("/+", "/", name)
    if p_value == 0:
        return None if name.startswith("/") or not name else name
    parts = name.split("/")
    if name.startswith("/") or len(parts) <= p_value:
        return None
    return "/".join(parts[p_value:]) or None


def _guess(raw: str) -> int:
    """git's guess_p_value without a prefix: 0 for a name without a slash, unknown (-1) otherwise."""
    if is_dev_null(raw):
        return -1
    return -1 if "/" in _clean(raw) else 0


def _is_epoch(timestamp: str | None) -> bool:
    """GNU diff marks a created or deleted file with the epoch as its time."""
    found = _EPOCH.match((timestamp or "").strip())
    if not found:
        return False
    day, hour, minute, sign, zone_hour, zone_minute = found.groups()
    zone = (int(zone_hour) * 60 + int(zone_minute)) * (-1 if sign == "-" else 1)
    return int(hour) * 60 + int(minute) - zone == (24 * 60 if day == "1969-12-31" else 0)


class NameResolver:
    """Per-patch state, as in git: a traditional patch's strip count is guessed once, from its first file."""

    def __init__(self, lines: list[str], origin: str) -> None:
        self.lines, self.origin = lines, origin
        self.p_value, self.p_known = 1, False

    def names(self, patched: PatchedFile) -> FileNames:
        """The files one section of the patch reads and writes."""
        info = patched.patch_info or []
        try:
            if info and str(info[0]).startswith("diff --git "):
                return self._git(patched)
            return self._traditional(patched)
        except ValueError as error:
            raise InputError(f"{self.origin}: {error}") from None

    def _name(self, raw: str, default: str | None = None) -> str:
        """A header name with the strip count applied; one that cannot be stripped is bad input."""
        name = strip_components(_clean(raw), self.p_value)
        if name is None and default is None:
            raise InputError(f"{self.origin}: cannot find a file name in {raw.strip()!r} "
                             f"(git apply strips {self.p_value} leading component{'s' if self.p_value != 1 else ''})")
        return name or default  # type: ignore[return-value]

    def _traditional(self, patched: PatchedFile) -> FileNames:
        """--- and +++ of a plain `diff -u`: one file changed, created (/dev/null, epoch) or deleted."""
        first, second = patched.source_file, patched.target_file
        if not self.p_known:
            p, q = _guess(first), _guess(second)
            p = q if p < 0 else p
            if p >= 0 and p == q:
                self.p_value, self.p_known = p, True
        if is_dev_null(first):
            return FileNames(None, self._name(second))
        if is_dev_null(second):
            return FileNames(self._name(first), None)
        old = strip_components(_clean(first), self.p_value)
        new = strip_components(_clean(second), self.p_value) or old or self._name(second)
        name = old if old and len(old) < len(new) and new.startswith(old) else new
        if _is_epoch(patched.source_timestamp):
            return FileNames(None, name)
        if _is_epoch(patched.target_timestamp):
            return FileNames(name, None)
        return FileNames(name, name)

    def _block(self, patched: PatchedFile) -> list[str]:
        """A git section's header lines: from `diff --git` to its first hunk or the next section."""
        start = (patched.diff_line_no or 1) - 1
        block = [self.lines[start]]
        for line in self.lines[start + 1:]:
            if line.startswith(("@@ ", "diff --git ")):
                break
            block.append(line)
        return block

    def _git(self, patched: PatchedFile) -> FileNames:
        """A `diff --git` section: creation and deletion are said by its headers, never guessed."""
        block = self._block(patched)
        refused = next((line for line in block if line.startswith(REFUSED_HEADERS)), None)
        if refused:
            raise InputError(f"{self.origin}: renames and copies are not supported ({refused.strip()}); "
                             "send the deletion and the new file as one patch without -M/-C")
        headers = {key: line[len(key):].strip() for line in block for key in MODE_HEADERS if line.startswith(key)}
        index = next((found.group(1) for found in map(_INDEX_MODE.match, (ln.strip() for ln in block)) if found), None)
        self._check_modes({**headers, **({"index ": index} if index else {})})
        created, deleted = "new file mode " in headers, "deleted file mode " in headers
        old_raw = next((line[4:] for line in block if line.startswith("--- ")), None)
        new_raw = next((line[4:] for line in block if line.startswith("+++ ")), None)
        created = created or (old_raw is not None and is_dev_null(old_raw))
        deleted = deleted or (new_raw is not None and is_dev_null(new_raw))
        if created and deleted:
            raise InputError(f"{self.origin}: {block[0].strip()!r} both creates and deletes the file")
        default = self._header_name(block[0])
        old = None if created else self._name(old_raw, default) if old_raw else default
        new = None if deleted else self._name(new_raw, default) if new_raw else default
        if (old is None and not created) or (new is None and not deleted):
            raise InputError(f"{self.origin}: cannot find the file names of {block[0].strip()!r}")
        if old is not None and new is not None and old != new:
            raise InputError(f"{self.origin}: {block[0].strip()!r} names two files ({old}, {new}) without a rename")
        if default is not None and default not in (old, new):
            raise InputError(f"{self.origin}: {block[0].strip()!r} does not name the file its ---/+++ lines change")
        return FileNames(old, new)

    def _check_modes(self, modes: dict[str, str]) -> None:
        """Only regular files, and no change of mode: apply writes contents, not modes or links."""
        strange = sorted({mode for mode in modes.values() if mode not in FILE_MODES})
        if strange:
            raise InputError(f"{self.origin}: mode {strange[0]} (a symlink or submodule) cannot be patched; "
                             "only regular files")
        if "old mode " in modes or "new mode " in modes:
            raise InputError(f"{self.origin}: mode changes are not supported "
                             f"(old mode {modes.get('old mode ', '?')}, new mode {modes.get('new mode ', '?')})")

    def _header_name(self, line: str) -> str | None:
        """git_header_name: the name a `diff --git a/x b/x` line gives twice, when it does."""
        rest = line[len("diff --git "):].rstrip("\r\n")
        if rest.startswith('"'):
            found = re.match(r'("(?:[^"\\]|\\.)*")\s+(.*)$', rest)
            if not found:
                return None
            first, second = (strip_components(unquote(part), self.p_value) for part in found.groups())
            return first if first and first == second else None
        for index, char in enumerate(rest):
            if char in " \t":
                first = strip_components(rest[:index], self.p_value)
                second = strip_components(unquote(rest[index + 1:]), self.p_value)
                if first and first == second:
                    return first
        return None
