"""A written path with glob characters (`> .gi?/config`, `cp x s*/`) stands for every path it can match.

bash expands an unquoted glob in a redirect target or an argument when it matches, so the write lands
on whatever matches at run time. The judge cannot know that set, so a glob target needs review, and
it is also judged as every path it could match: the files in the workspace now, and the names the
policy's own globs spell out (`.git`, `pyproject.toml`, `protected/...`) even when they do not exist yet.
"""

from __future__ import annotations

import fnmatch
import os
import re

GLOB = re.compile(r"[*?\[]|[@!+]\(")
ALWAYS_NAMES = (".git", ".patchgate", "pyproject.toml", "patchgate.toml", ".github", ".claude", ".cursor",
                ".codex", ".gemini", ".pre-commit-config.yaml", "sgconfig.yml")
MAX_ENTRIES = 500
MAX_TARGETS = 200


def is_glob(path: str) -> bool:
    """Whether a written path holds glob characters bash may expand."""
    return bool(GLOB.search(path))


def policy_names(patterns: list[str]) -> set[str]:
    """Literal path components the policy's globs name (`.git` from `.git/**`), plus tool and git names."""
    names = set(ALWAYS_NAMES)
    for pattern in patterns:
        names.update(part for part in pattern.strip("/!").split("/") if part and not is_glob(part))
    return names


def _listing(directory: str) -> list[str]:
    """Names in a workspace directory (bounded); none when it does not exist."""
    try:
        with os.scandir(directory) as entries:
            return [entry.name for _, entry in zip(range(MAX_ENTRIES), entries)]
    except OSError:
        return []


def _matches(component: str, names: set[str]) -> list[str]:
    """Names a glob component matches (bash [^...] is [!...]); dot files included (dotglob may be set)."""
    pattern = re.sub(r"\[\^", "[!", component)
    return sorted(n for n in names if fnmatch.fnmatchcase(n, pattern))


def glob_targets(pattern: str, root: str, patterns: list[str]) -> list[str]:
    """Workspace-relative paths a written glob can stand for, now or once the policy's names exist."""
    prefix = root.rstrip("/") + "/"
    relative = pattern[len(prefix):] if pattern.startswith(prefix) else pattern
    if relative.startswith(("/", "~")):
        return []
    known = policy_names(patterns)
    partial = [""]
    for component in relative.split("/"):
        if not is_glob(component):
            partial = [f"{p}{component}/" for p in partial]
            continue
        grown: list[str] = []
        for base in partial:
            names = known | set(_listing(os.path.join(root, base) if base else root))
            grown += [f"{base}{n}/" for n in _matches(component.replace("**", "*"), names)]
            grown += [base] if component == "**" else []
        partial = grown[:MAX_TARGETS]
    return [p.rstrip("/") or "." for p in partial if p]
