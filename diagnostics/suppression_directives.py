"""Finding suppression comments in a file, and the lines each one covers.

A line-level directive covers its own line; in Python it covers every line of the statement
it sits in, as flake8 does: `from m import (  # noqa: F401` silences the names on the lines
below it, and so does a `# noqa` on the closing parenthesis. A statement here is a logical
line (up to tokenize's NEWLINE), so a directive inside a function body never covers the
`def` line, and one on a `def` line covers only its header.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

from patchgate.diagnostics.source import SourceFile

DIRECTIVE_RE = re.compile(
    r"(?P<marker>#|//|--|/\*|<!--)[ \t]*(?:"
    r"patchgate:[ \t]*(?P<kind>ignore-file|ignore)(?![\w-])(?:\[(?P<codes>[^\]\n]*)\])?"
    r"|(?P<noqa>noqa)(?::[ \t]*(?P<noqa_codes>[A-Za-z]+[0-9]+(?:(?:[ \t]*,[ \t]*|[ \t]+)[A-Za-z]+[0-9]+)*))?(?![\w-])"
    r")",
    re.IGNORECASE,
)
COMMENT_MARKERS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("python", "yaml", "toml", "bash", "ruby", "elixir", "nix"), ("#",)),
    **dict.fromkeys(("javascript", "typescript", "tsx", "go", "rust", "json", "c", "cpp", "csharp", "dart", "java",
                     "kotlin", "scala", "solidity", "swift"), ("//",)),
    **dict.fromkeys(("php", "hcl"), ("#", "//")),
    **dict.fromkeys(("lua", "haskell"), ("--",)),
    "css": ("/*", "//"),  # `//` for the SCSS files ast-grep reads as CSS
    **dict.fromkeys(("html", "markdown"), ("<!--",)),
}
"""Language -> the comment openers its suppressions may use; a file of no known language takes `#` and `//`."""
BLOCK_CLOSERS = {"/*": re.compile(r"[ \t]*\*/"), "<!--": re.compile(r"[ \t]*-->")}
SKIPPED_TOKENS = frozenset({tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING})


@dataclass
class Directive:
    """One suppression comment: its kind, its codes (None = all), the lines it covers and which codes were used."""

    kind: str
    line: int
    start: int
    end: int
    marker: str
    codes: tuple[str, ...] | None
    codes_span: tuple[int, int] | None
    used: set[str] = field(default_factory=set)
    first: int = -1
    last: int = -1
    closed: int = -1
    """Where a block comment (`/* ... */`, `<!-- ... -->`) closes right after the directive, else -1."""

    def covered(self) -> range:
        """0-based lines whose findings this directive may silence (its statement's, or its own)."""
        return range(self.first if self.first >= 0 else self.line, max(self.last, self.line) + 1)


@dataclass
class PythonComments:
    """COMMENT token columns by 0-based line, each commented line's statement range, and how far tokenize got."""

    columns: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    statements: dict[int, tuple[int, int]] = field(default_factory=dict)
    clean_until: int = -1


def _markers(language: str | None) -> tuple[str, ...]:
    """The comment openers a language's suppressions may use."""
    return COMMENT_MARKERS.get(language or "", ("#", "//"))


def _split_codes(text: str) -> tuple[str, ...]:
    """Codes of `[a, b]` or `E711,E712` / `E711 E712`."""
    return tuple(code for code in re.split(r"[\s,]+", text.strip()) if code)


def _directive(match: re.Match[str], line: int) -> Directive:
    """A Directive from one regex match (with where its block comment closes, when it closes right after it)."""
    if match.group("noqa"):
        raw, group = match.group("noqa_codes"), "noqa_codes"
        kind = "noqa"
    else:
        raw, group = match.group("codes"), "codes"
        kind = match.group("kind").lower()
    codes = None if raw is None else _split_codes(raw)
    span = None if raw is None else (match.start(group), match.end(group))
    closer = BLOCK_CLOSERS.get(match.group("marker"))
    closing = closer.match(match.string, match.end()) if closer else None
    return Directive(kind, line, match.start(), match.end(), match.group("marker"), codes or None, span,
                     closed=closing.end() if closing else -1)


def python_comments(text: str, last_line: int) -> PythonComments:
    """Comments and their statements up to the end of the statement holding last_line (0-based lines)."""
    found = PythonComments()
    opened: int | None = None
    pending: list[int] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            line = token.start[0] - 1
            if line > last_line and opened is None:
                found.clean_until = max(found.clean_until, line)
                return found
            if token.type == tokenize.COMMENT:
                found.columns.setdefault(line, []).append((token.start[1], token.end[1]))
                pending.append(line)
            elif token.type == tokenize.NEWLINE and opened is not None:
                found.statements.update((commented, (opened, line)) for commented in pending if commented >= opened)
                opened, pending = None, []
            elif token.type not in SKIPPED_TOKENS and opened is None:
                opened, pending = line, [p for p in pending if p >= line]
            found.clean_until = max(found.clean_until, token.end[0] - 1)
    except (tokenize.TokenError, SyntaxError):
        found.clean_until -= 1
        return found
    found.clean_until = max(found.clean_until, last_line)
    return found


def find_directives(source: SourceFile) -> list[Directive]:
    """Every suppression comment of a file; for Python, only real comments, each covering its statement."""
    markers = _markers(source.language)
    found = []
    for match in DIRECTIVE_RE.finditer(source.text):
        if match.group("marker") in markers:
            line, _ = source.lines.position(match.start())
            found.append(_directive(match, line))
    if source.language != "python" or not found:
        return found
    comments = python_comments(source.text, max(d.line for d in found))
    kept = [d for d in found if d.line > comments.clean_until or _in_comment(source, d, comments.columns)]
    for directive in kept:
        directive.first, directive.last = comments.statements.get(directive.line, (directive.line, directive.line))
    return kept


def _in_comment(source: SourceFile, directive: Directive, comments: dict[int, list[tuple[int, int]]]) -> bool:
    """Whether the directive starts inside a COMMENT token on its line."""
    column = directive.start - source.lines.offset(directive.line, 0)
    return any(start <= column < end for start, end in comments.get(directive.line, ()))
