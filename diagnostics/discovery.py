"""Which files a check reads, and reading one safely: gitignore-aware, fast, never hangs.

Directories are walked with os.scandir and pruned as early as possible: excluded or
git-ignored directories are never entered, and directory symlinks are never followed (so
a symlink loop cannot hang the walk). A file symlink is followed when its target lies in
the workspace; one that leads outside, or nowhere, is reported as a FileProblem. Paths the
user names explicitly are always taken, even when excluded or of an unknown language.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from patchgate.diagnostics.config import DEFAULT_MAX_FILE_SIZE, Config
from patchgate.diagnostics.errors import InputError
from patchgate.diagnostics.languages import LanguageMap, language_map_for
from patchgate.diagnostics.source import SourceFile

ALWAYS_EXCLUDE = (".git", ".hg", ".svn", ".patchgate")
"""Never source, even when `exclude` replaces the defaults."""
BINARY_SNIFF = 8192


@dataclass(frozen=True)
class FileProblem:
    """A file that was found but cannot be checked, with a one-line reason."""

    path: Path
    reason: str


@dataclass
class DiscoveryResult:
    """Files to check (absolute, sorted, unique) and per-file trouble met on the way."""

    files: list[Path] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)


@dataclass(frozen=True)
class ReadResult:
    """A read file: SourceFile, or FileProblem when unusable; sha256 of its bytes ('' if unread)."""

    source: SourceFile | FileProblem
    sha256: str


def relative_path(path: Path, root: Path) -> str:
    """Workspace-relative POSIX path, or the absolute POSIX path for a file outside the root."""
    text, base = os.path.abspath(path), os.path.abspath(root)
    if text == base:
        return "."
    if text.startswith(base.rstrip(os.sep) + os.sep):
        return text[len(base.rstrip(os.sep)) + 1 :].replace(os.sep, "/")
    return Path(text).as_posix()


def _is_inside(path: str, base: str) -> bool:
    """Whether an absolute path lies at or below base."""
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


class Matcher:
    """A compiled gitignore spec; without negations all patterns run as one regex (much faster)."""

    def __init__(self, lines: list[str]) -> None:
        self.spec = pathspec.GitIgnoreSpec.from_lines(lines)
        patterns = [p for p in self.spec.patterns if p.include is not None]
        self.empty = not patterns
        self.fast: re.Pattern[str] | None = None
        if patterns and all(p.include and isinstance(p.regex, re.Pattern) for p in patterns):
            parts = (re.sub(r"\(\?P<\w+>", "(?:", p.regex.pattern) for p in patterns)  # type: ignore[union-attr]
            self.fast = re.compile("|".join(f"(?:{part})" for part in parts))

    def check(self, path: str) -> bool | None:
        """True: ignored, False: re-included by a negation, None: no pattern matched."""
        if self.empty:
            return None
        if self.fast is not None:
            return True if self.fast.match(path) else None
        return self.spec.check_file(path).include


@dataclass(frozen=True)
class Scope:
    """Where a walk's rules are anchored: excludes are relative to base, gitignores stop at floor."""

    base: str
    floor: str


class IgnoreRules:
    """Config excludes plus .gitignore files, each level matched relative to its own directory."""

    def __init__(self, config: Config, root: str) -> None:
        patterns = [*ALWAYS_EXCLUDE, *config.exclude, *config.extend_exclude]
        self.exclude = Matcher(patterns)
        self.use_git = config.respect_gitignore
        self.git_top = _git_toplevel(root) if self.use_git else None
        self._specs: dict[str, Matcher | None] = {}
        self._chains: dict[tuple[str, str], tuple[str, ...]] = {}

    def note_listing(self, directory: str, names: set[str]) -> None:
        """Skip opening a .gitignore the directory listing shows is not there."""
        if ".gitignore" not in names and directory != self.git_top:
            self._specs.setdefault(directory, None)

    def _spec(self, directory: str) -> Matcher | None:
        """The compiled .gitignore of one directory (and .git/info/exclude at the git top), once."""
        if directory not in self._specs:
            lines = _read_lines(os.path.join(directory, ".gitignore"))
            if directory == self.git_top:
                lines = _read_lines(os.path.join(directory, ".git", "info", "exclude")) + lines
            matcher = Matcher(lines) if lines else None
            self._specs[directory] = None if matcher is None or matcher.empty else matcher
        return self._specs[directory]

    def _chain(self, directory: str, floor: str) -> tuple[str, ...]:
        """Directories from directory up to floor that have a .gitignore, deepest first."""
        key = (directory, floor)
        chain = self._chains.get(key)
        if chain is None:
            parent = os.path.dirname(directory)
            above = () if directory == floor or parent == directory else self._chain(parent, floor)
            chain = (directory, *above) if self._spec(directory) is not None else above
            self._chains[key] = chain
        return chain

    def ignored(self, path: str, is_dir: bool, scope: Scope, parent: str | None = None) -> bool:
        """Whether path (absolute) is excluded by config or by git; deeper .gitignore files win."""
        suffix = "/" if is_dir else ""
        if path != scope.base and _is_inside(path, scope.base):
            if self.exclude.check(_rel(path, scope.base) + suffix):
                return True
        if not self.use_git or path == scope.floor or not _is_inside(path, scope.floor):
            return False
        for directory in self._chain(parent or os.path.dirname(path), scope.floor):
            verdict = self._spec(directory).check(_rel(path, directory) + suffix)  # type: ignore[union-attr]
            if verdict is not None:
                return verdict
        return False


def _rel(path: str, base: str) -> str:
    """POSIX path of path relative to base (path must be inside base)."""
    return path[len(base.rstrip(os.sep)) + 1 :].replace(os.sep, "/")


def _read_lines(path: str) -> list[str]:
    """Lines of an ignore file, or none when it is missing or unreadable."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read().splitlines()
    except OSError:
        return []


def _git_toplevel(start: str) -> str | None:
    """The nearest directory at or above start that holds .git."""
    current = start
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


class Walker:
    """Collects files under the named paths, pruning ignored directories before entering them."""

    def __init__(self, config: Config, languages: LanguageMap | None = None) -> None:
        self.root = os.path.abspath(config.root)
        self.languages = languages if languages is not None else language_map_for(config.sgconfig)
        self.rules = IgnoreRules(config, self.root)
        self.scope = Scope(self.root, self.rules.git_top or self.root)
        self.files: dict[str, str] = {}
        self.problems: list[FileProblem] = []
        self._seen_dirs: set[tuple[int, int]] = set()
        self._top = (self.root, self.root)

    def add_named(self, path: Path) -> None:
        """A path the user named: a file is always taken, a directory is walked."""
        if not os.path.lexists(path):
            raise InputError(f"path does not exist: {path}")
        absolute = os.path.abspath(path)
        if not _is_inside(absolute, self.root):
            absolute = os.path.realpath(absolute)
        if os.path.isdir(absolute):
            self._walk(absolute, self._scope_for(absolute))
        elif os.path.exists(absolute):
            self._keep(absolute)
        else:
            self.problems.append(FileProblem(Path(absolute), "broken symlink"))

    def _scope_for(self, directory: str) -> Scope:
        """The workspace scope, unless the named directory is outside it or itself ignored."""
        if _is_inside(directory, self.root) and not self.rules.ignored(directory, True, self.scope):
            return self.scope
        return Scope(directory, directory)

    def _walk(self, top: str, scope: Scope) -> None:
        """Depth-first scandir walk; each directory is entered at most once (by device, inode)."""
        self._top = (top, os.path.realpath(top))
        stack = [top]
        while stack:
            directory = stack.pop()
            try:
                info = os.stat(directory)
                if (info.st_dev, info.st_ino) in self._seen_dirs:
                    continue
                self._seen_dirs.add((info.st_dev, info.st_ino))
                with os.scandir(directory) as iterator:
                    entries = list(iterator)
            except OSError as error:
                self.problems.append(FileProblem(Path(directory), f"cannot list directory: {error.strerror or error}"))
                continue
            self.rules.note_listing(directory, {entry.name for entry in entries})
            for entry in entries:
                self._visit(entry, directory, scope, stack)

    def _visit(self, entry: os.DirEntry[str], parent: str, scope: Scope, stack: list[str]) -> None:
        """Queue a directory, keep a source file, or report a file symlink that cannot be used."""
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            is_link = entry.is_symlink()
            if is_link and entry.is_dir():
                return  # a directory symlink: never followed, so loops cannot happen
        except OSError:
            return
        if is_dir:
            if not self.rules.ignored(entry.path, True, scope, parent):
                stack.append(entry.path)
            return
        if self.languages.language(entry.name) is None or self.rules.ignored(entry.path, False, scope, parent):
            return
        if is_link:
            self._keep_link(entry.path, scope)
        elif entry.is_file(follow_symlinks=False):
            top, real_top = self._top  # no directory symlink is followed, so the real path is a prefix swap
            self._keep(entry.path, real_top + entry.path[len(top) :])

    def _keep_link(self, path: str, scope: Scope) -> None:
        """Follow a file symlink only when it resolves inside the workspace (or the walked tree)."""
        target = os.path.realpath(path)
        if not os.path.exists(target):
            self.problems.append(FileProblem(Path(path), "broken symlink"))
        elif not (_is_inside(target, self.root) or _is_inside(target, scope.base)):
            self.problems.append(FileProblem(Path(path), f"symlink points outside the workspace: {target}"))
        elif os.path.isfile(target):
            self._keep(path, target)

    def _keep(self, path: str, real: str | None = None) -> None:
        """Record a file once per real file; the lexically first path to it wins."""
        key = real or os.path.realpath(path)
        if key not in self.files or path < self.files[key]:
            self.files[key] = path


def discover(paths: list[Path], config: Config, languages: LanguageMap | None = None) -> DiscoveryResult:
    """Files to check under paths, honouring gitignore and exclude; missing paths are InputError."""
    walker = Walker(config, languages)
    for path in paths or [config.root]:
        walker.add_named(path)
    files = [Path(path) for path in sorted(set(walker.files.values()), key=lambda text: text.split(os.sep))]
    problems = sorted(walker.problems, key=lambda problem: str(problem.path))
    return DiscoveryResult(files=files, problems=problems)


def file_sha256(path: Path, max_size: int = DEFAULT_MAX_FILE_SIZE) -> str | None:
    """The sha256 of a checkable file's bytes, the cache key; None when it is too large or unreadable."""
    try:
        if os.stat(path).st_size > max_size:
            return None
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def read_source(path: Path, root: Path, max_size: int = DEFAULT_MAX_FILE_SIZE, relative: str | None = None,
                languages: LanguageMap | None = None) -> ReadResult | None:
    """Read and decode one file; None for a binary file (skipped silently, not a problem)."""
    relative = relative_path(path, root) if relative is None else relative
    try:
        size = os.stat(path).st_size
        if size > max_size:
            return ReadResult(FileProblem(path, f"file too large ({size} bytes > {max_size})"), "")
        with open(path, "rb") as handle:
            data = handle.read()
    except PermissionError:
        return ReadResult(FileProblem(path, "permission denied"), "")
    except OSError as error:
        return ReadResult(FileProblem(path, f"cannot read: {error.strerror or error}"), "")
    if b"\0" in data[:BINARY_SNIFF]:
        return None
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return ReadResult(FileProblem(path, f"not valid UTF-8 at byte {error.start}"), sha256)
    return ReadResult(SourceFile(path=relative, text=text, language=(languages or LanguageMap()).language(relative)), sha256)
