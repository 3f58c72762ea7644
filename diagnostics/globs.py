"""Validating gitignore-style patterns at config load, importing pathspec only for a pattern it could reject.

pathspec rejects a pattern only for a dangling backslash escape, a bad bracket range, or a
negation of nothing ('!'); a pattern with no backslash, no '[' and no leading '!' compiles
whatever else it holds (tests/test_globs.py checks this against pathspec). Importing pathspec
costs a command decision ~12 ms, so such patterns are accepted without it; the rest are
compiled by pathspec as before.
"""

from __future__ import annotations

import re

_PLAIN = re.compile(r"[^\\\[]*")
"""No escape and no bracket expression: the only places a pathspec error can come from."""


def is_plain(pattern: str) -> bool:
    """Whether pathspec is sure to accept the pattern (so there is no need to compile it now)."""
    return not pattern.startswith("!") and _PLAIN.fullmatch(pattern) is not None


def check_patterns(patterns: list[str]) -> list[str]:
    """Every pattern must compile as gitignore-style, so a bad one fails at load, not mid-run."""
    for pattern in patterns:
        if is_plain(pattern):
            continue
        import pathspec

        try:
            pathspec.GitIgnoreSpec.from_lines([pattern])
        except (ValueError, re.error) as error:
            raise ValueError(f"invalid gitignore-style pattern {pattern!r}") from error
    return patterns
