"""The AstGrepRule model of one validated ast-grep rule, and the compile check its loader runs (rule_files.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ast_grep_py import SgRoot

from patchgate.diagnostics.engines.astgrep import project
from patchgate.diagnostics.engines.astgrep.rewriters import parse_rewrite
from patchgate.diagnostics.engines.astgrep.templates import FixTemplate, parse_fix
from patchgate.diagnostics.languages import AST_GREP_LANGUAGES, canonical_language
from patchgate.diagnostics.models import RuleExample, Rule

LANGUAGES: dict[str, str] = AST_GREP_LANGUAGES
"""Every language name ast-grep accepts (compared case-insensitively) -> patchgate's language name."""
_KEBAB_JUNK = re.compile(r"[^a-z0-9]+")


def normalize_language(name: object) -> tuple[str, str] | None:
    """(patchgate language, ast-grep-py language) for a name ast-grep accepts, else None."""
    canonical = canonical_language(name)
    return (canonical, canonical) if canonical else None


def canonical_id(sg_id: str) -> str:
    """A kebab-case id for patchgate (`no_console.log` -> `no-console-log`); the original stays an alias."""
    return _KEBAB_JUNK.sub("-", sg_id.lower()).strip("-") or "unnamed-rule"


@dataclass(frozen=True)
class AstGrepRule:
    """One ast-grep rule document, validated; engine objects are built from it, never stored in it."""

    id: str
    sg_id: str
    language: str
    sg_language: str
    rule: dict[str, Any]
    source: str
    severity: str = "hint"
    message: str = ""
    note: str | None = None
    url: str | None = None
    constraints: dict[str, Any] | None = None
    utils: dict[str, Any] | None = None
    transform: dict[str, Any] | None = None
    fix: str | dict[str, Any] | None = None
    rewriters: tuple[dict[str, Any], ...] = ()
    files: tuple[str, ...] | None = None
    ignores: tuple[str, ...] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        """`severity: off` turns a rule off, as in ast-grep."""
        return self.severity != "off"

    @property
    def safe_fix(self) -> bool:
        """Whether the fix may be applied without --unsafe (metadata.safe_fix, default true)."""
        return self.fix is not None and self.metadata.get("safe_fix", True) is not False

    @cached_property
    def config(self) -> dict[str, Any]:
        """The matcher config ast-grep-py's find_all takes (rewrite transforms are computed by patchgate)."""
        config: dict[str, Any] = {"rule": self.rule}
        if self.constraints:
            config["constraints"] = self.constraints
        if self.utils:
            config["utils"] = self.utils
        transform = {k: v for k, v in (self.transform or {}).items() if parse_rewrite(v) is None}
        if transform:
            config["transform"] = transform
        return config

    @cached_property
    def fixer(self) -> FixTemplate | None:
        """The parsed fix (template plus optional expandStart/expandEnd), if the rule has one."""
        return parse_fix(self.fix, tuple(self.transform or ())) if self.fix is not None else None

    @cached_property
    def message_template(self) -> FixTemplate:
        """The message, interpolated like a fix template (ast-grep renders both the same way)."""
        return parse_fix(self.message, tuple(self.transform or ()))

    @cached_property
    def globs(self) -> tuple[tuple[re.Pattern[str], ...] | None, tuple[re.Pattern[str], ...] | None]:
        """Compiled `files` and `ignores` globs."""
        compile_all = lambda globs: tuple(project.glob_regex(g) for g in globs) if globs is not None else None  # noqa: E731
        return compile_all(self.files), compile_all(self.ignores)

    def applies_to(self, path: str) -> bool:
        """ast-grep's rule: a path matching `ignores` is skipped, else it must match `files` if given."""
        files, ignores = self.globs
        path = path[2:] if path.startswith("./") else path
        if ignores is not None and any(p.fullmatch(path) for p in ignores):
            return False
        return files is None or any(p.fullmatch(path) for p in files)

    def to_rule(self) -> Rule:
        """The engine-neutral Rule, with aliases, tags, docs and examples from `metadata`."""
        meta = self.metadata
        aliases = [str(a) for a in meta.get("aliases") or []]
        if self.sg_id != self.id and self.sg_id not in aliases:
            aliases.append(self.sg_id)
        return Rule(
            id=self.id, aliases=aliases, severity="hint" if self.severity == "off" else self.severity,  # type: ignore[arg-type]
            message=self.message or self.id, docs=str(meta.get("docs") or self.note or ""),
            tags=[str(t) for t in meta.get("tags") or []], language=self.language, engine="ast-grep",
            fixable=self.fix is not None, safe_fix=self.safe_fix, url=self.url, source=self.source,
            valid=[_example(e) for e in meta.get("valid") or []],
            invalid=[_example(e) for e in meta.get("invalid") or []],
        )


def _example(item: object) -> RuleExample:
    """A metadata example: a plain code string, or a mapping with `code` and an optional `fixed`."""
    if isinstance(item, dict):
        fixed = item.get("fixed")
        return RuleExample(code=str(item.get("code", "")), fixed=None if fixed is None else str(fixed))
    return RuleExample(code=str(item))


_EMPTY_ROOTS: dict[str, Any] = {}


def compile_reason(config: dict[str, Any], sg_language: str) -> str | None:
    """Compile a matcher config against an empty tree; the one-line reason it fails, or None."""
    root = _EMPTY_ROOTS.get(sg_language)
    if root is None:
        root = _EMPTY_ROOTS[sg_language] = SgRoot("", sg_language).root()
    try:
        root.find_all(config)
    except BaseException as error:  # ast-grep-py raises pyo3's PanicException, a BaseException
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        return one_line_error(error)
    return None


def one_line_error(error: BaseException) -> str:
    """ast-grep's `Caused by:` chain joined into one line, without the Rust backtrace."""
    lines = [line.strip() for line in str(error).splitlines()]
    if "Caused by:" in lines:
        chain = []
        for line in lines[lines.index("Caused by:") + 1 :]:
            if not line or line.startswith("Stack backtrace"):
                break
            chain.append(re.sub(r"^\d+:\s*", "", line).rstrip("."))
        return ": ".join(chain) or lines[0]
    return next((line for line in lines if line), type(error).__name__)
