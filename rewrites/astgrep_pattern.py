"""The `rewrite` planner: an ad-hoc ast-grep pattern and fix template, run as an in-memory rule by
the same engine `check` uses, so matching, fix templating, indentation and transforms are one code."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ast_grep_py import SgNode, SgRoot

from patchgate.diagnostics.engines.astgrep.engine import AstGrepEngine
from patchgate.diagnostics.engines.astgrep.analysis import missing_kinds_reason
from patchgate.diagnostics.engines.astgrep.patterns import EXPANDO
from patchgate.diagnostics.engines.astgrep.rules import AstGrepRule, compile_reason, normalize_language, one_line_error
from patchgate.diagnostics.engines.astgrep.templates import used_vars_defined
from patchgate.diagnostics.errors import InputError
from patchgate.diagnostics.source import EXTENSION_LANGUAGES, SourceFile
from patchgate.rewrites.edits import FileChange
from patchgate.rewrites.planning import FileResult, resolve_result

RULE_ID = "plan-rewrite"
PLANNABLE = frozenset(lang for lang in EXTENSION_LANGUAGES.values() if normalize_language(lang))
"""Languages both ast-grep and patchgate's file discovery know (other files are never read)."""


def _language(name: str) -> tuple[str, str]:
    """(patchgate language, ast-grep language) for a --lang value; InputError for anything else."""
    found = normalize_language(name)
    if found is None or found[0] not in PLANNABLE:
        known = ", ".join(sorted(PLANNABLE))
        raise InputError(f"--lang: unknown language {name!r} (expected one of {known})")
    return found


def _syntax_problem(pattern: str, language: str, sg_language: str) -> str | None:
    """Where a pattern fails to parse as code of its language (ast-grep would match nonsense)."""
    expando = EXPANDO.get(language)
    text = pattern.replace("$", expando) if expando else pattern
    try:
        error = SgRoot(text, sg_language).root().find(kind="ERROR")
    except BaseException as failure:  # ast-grep-py panics are BaseExceptions
        if isinstance(failure, (KeyboardInterrupt, SystemExit)):
            raise
        return one_line_error(failure)
    if error is None or _lone_node(error, text):
        return None
    column = error.range().start.column
    return f"not valid {language} code at column {column + 1} (`{pattern[column : column + 30]}`)"


def _lone_node(error: SgNode, text: str) -> bool:
    """An ERROR that is the whole pattern around one sound node: PHP's `eval($X)`, an expression its grammar only
    takes as a statement. ast-grep matches that node, as `check` does with the same pattern in a rule."""
    children = error.children()
    return (error.text() == text.strip() and len(children) == 1 and children[0].is_named()
            and children[0].text() == error.text() and children[0].find(kind="ERROR") is None)


def pattern_rule(language: str, pattern: str, fix: str) -> AstGrepRule:
    """The validated in-memory rule for a pattern and fix; each problem is one InputError line."""
    lang, sg_lang = _language(language)
    if not pattern.strip():
        raise InputError("--pattern: the pattern is empty")
    matcher = {"pattern": pattern}
    problem = _syntax_problem(pattern, lang, sg_lang) or compile_reason({"rule": matcher}, sg_lang)
    if problem is None and missing_kinds_reason(matcher, sg_lang, {}):
        problem = "it has no syntax of its own to anchor on (a bare metavariable?); add some code around it"
    if problem:
        raise InputError(f"--pattern: invalid pattern {pattern!r}: {problem}")
    rule = AstGrepRule(id=RULE_ID, sg_id=RULE_ID, language=lang, sg_language=sg_lang, rule=matcher,
                       source="--pattern", severity="info", message=pattern, fix=fix)
    try:
        fixer = rule.fixer
    except ValueError as error:
        raise InputError(f"--fix: invalid template {fix!r}: {error}") from None
    undefined = used_vars_defined(fixer, matcher, {}, {}) if fixer is not None else None
    if undefined:
        raise InputError(f"--fix: {undefined} (the pattern defines {_pattern_vars(pattern) or 'no metavariables'})")
    return rule


def _pattern_vars(pattern: str) -> str:
    """The metavariables a pattern binds, for an error message."""
    from patchgate.diagnostics.engines.astgrep.templates import PATTERN_VARS

    return ", ".join(sorted({f"${name}" for name in PATTERN_VARS.findall(pattern)}))


@dataclass(frozen=True)
class PatternTask:
    """Per-file work of the rewrite planner: plain strings, so it pickles; the engine is built lazily."""

    language: str
    pattern: str
    fix: str

    def __getstate__(self) -> dict[str, str]:
        """Only the strings travel to a spawned worker; it builds its own engine."""
        return {"language": self.language, "pattern": self.pattern, "fix": self.fix}

    def __setstate__(self, state: dict[str, str]) -> None:
        self.__dict__.update(state)

    @cached_property
    def engine(self) -> AstGrepEngine:
        """The ast-grep engine with the one in-memory rule, built once per process."""
        return AstGrepEngine([pattern_rule(self.language, self.pattern, self.fix)])

    def run(self, source: SourceFile) -> FileResult | None:
        """Every match's fix as one proposal; overlapping matches are left for the next run."""
        try:
            found = self.engine.check(source, frozenset({RULE_ID}))
        except Exception as error:  # the engine never raises for source text; a bug must not end the run
            return FileResult(failure=f"{type(error).__name__}: {error}")
        if not found:
            return None
        change = FileChange(source.path, source.text)
        for diagnostic in found:
            change.propose(diagnostic.fix or [], self.pattern)
        return resolve_result(change)
