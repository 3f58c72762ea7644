"""Assembles every rule source the config names into engines, with one digest for caching."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from patchgate.diagnostics.cache import ResultCache
from patchgate.diagnostics.config import Config
from patchgate.diagnostics.languages import LanguageGlobs, LanguageMap
from patchgate.diagnostics.models import Rule
from patchgate.diagnostics.source import RuleEngine

BUILTIN_RULE_DIR = Path(__file__).resolve().parent / "rules" / "ast_grep"
RULES = TypeAdapter(list[Rule])
BUILTIN_LIBCST_DIR = Path(__file__).resolve().parent / "rules" / "libcst_rules"


def tool_version() -> str:
    """The installed patchgate version; part of every cache key and evidence record."""
    try:
        return version("patchgate")
    except PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True)
class RulesetSpec:
    """Plain, picklable description of the rules: what a worker process needs to rebuild engines."""

    rule_files: tuple[str, ...]
    rule_modules: tuple[str, ...] = ()
    builtin_libcst: bool = True
    language_globs: LanguageGlobs = ()
    python_target: tuple[int, int] = (3, 10)
    """The oldest Python the checked code must run on: syntax and version-dependent rules follow it."""


def rule_files_for(config: Config, sg_dirs: tuple[Path, ...] = ()) -> tuple[str, ...]:
    """Built-in YAML rules, then the config's rule dirs and the sgconfig.yml's, each real file once."""
    files: dict[str, str] = {}
    for directory in [BUILTIN_RULE_DIR, *config.rule_dirs, *sg_dirs]:
        for path in sorted(Path(directory).rglob("*")):
            if path.suffix in {".yml", ".yaml"}:
                files.setdefault(os.path.realpath(path), str(path))  # a folder named twice is one folder
    return tuple(files.values())


def spec_for(config: Config) -> RulesetSpec:
    """The ruleset spec a config asks for, with the languageGlobs of its sgconfig.yml."""
    sg_dirs: tuple[Path, ...] = ()
    globs: LanguageGlobs = ()
    if config.sgconfig is not None:
        from patchgate.diagnostics.engines.astgrep.project import load_sgconfig

        project = load_sgconfig(config.sgconfig)
        sg_dirs, globs = project.rule_dirs, project.language_globs
    return RulesetSpec(rule_files=rule_files_for(config, sg_dirs), rule_modules=tuple(config.rule_modules), language_globs=globs,
                       python_target=config.python_target)


def build_engines(spec: RulesetSpec) -> list[RuleEngine]:
    """Construct every engine; raises RuleLoadError (exit 40) for a broken rule source."""
    from patchgate.diagnostics.engines.astgrep.engine import AstGrepEngine
    from patchgate.diagnostics.engines.astgrep.rule_files import load_rule_file
    from patchgate.diagnostics.engines.libcst_lazy import LazyLibcstEngine
    from patchgate.diagnostics.engines.syntax import SyntaxEngine

    yaml_rules = [rule for path in spec.rule_files for rule in load_rule_file(Path(path))]
    return [SyntaxEngine(spec.python_target), AstGrepEngine(yaml_rules), LazyLibcstEngine(spec.builtin_libcst, spec.rule_modules, spec.python_target)]


def _module_source_digest(module_spec: str) -> str:
    """Digest of a rule module's source file, so editing the module invalidates the cache."""
    name = module_spec.split(":", 1)[0]
    try:
        found = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        found = None
    origin = found.origin if found is not None else None
    if origin and Path(origin).is_file():
        return hashlib.sha256(Path(origin).read_bytes()).hexdigest()
    return "missing"


def spec_digest(spec: RulesetSpec) -> str:
    """sha256 over the tool version and the bytes of every rule source."""
    digest = hashlib.sha256(tool_version().encode())
    sources = [Path(p) for p in spec.rule_files]
    if spec.builtin_libcst:
        sources.extend(sorted(BUILTIN_LIBCST_DIR.glob("*.py")))
    for path in sources:
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for module_spec in spec.rule_modules:
        digest.update(module_spec.encode() + _module_source_digest(module_spec).encode())
    digest.update(repr(spec.language_globs).encode() + repr(spec.python_target).encode())
    return digest.hexdigest()


class Ruleset:
    """Engines plus the metadata of every rule they can run; the engines are built on first use, so a
    run answered from the cache with known metadata never builds them."""

    def __init__(self, spec: RulesetSpec, engines: list[RuleEngine] | None = None, rules: list[Rule] | None = None,
                 digest: str | None = None) -> None:
        self.spec = spec
        self._engines = engines
        self._known = rules
        self._digest = digest

    @property
    def engines(self) -> list[RuleEngine]:
        """The rule engines, built now if they were not (raises RuleLoadError for a broken rule source)."""
        if self._engines is None:
            self._engines = build_engines(self.spec)
        return self._engines

    @cached_property
    def rules(self) -> list[Rule]:
        """Every known rule, including the tool's own (unused-suppression, unreadable-file)."""
        from patchgate.diagnostics.suppression import suppression_rules

        if self._known is not None:
            return self._known
        collected = [rule for engine in self.engines for rule in engine.rules()]
        collected.extend(suppression_rules())
        collected.append(UNREADABLE_FILE_RULE)
        return collected

    @cached_property
    def languages(self) -> LanguageMap:
        """Which language each file is in: the sgconfig's languageGlobs, then extensions (one map per run)."""
        return LanguageMap(self.spec.language_globs)

    @cached_property
    def by_id(self) -> dict[str, Rule]:
        """Rules keyed by canonical id."""
        return {rule.id: rule for rule in self.rules}

    @cached_property
    def digest(self) -> str:
        """Content digest of the rule sources (selection is digested separately); given when already known."""
        return self._digest or spec_digest(self.spec)


UNREADABLE_FILE_RULE = Rule(
    id="unreadable-file",
    severity="warning",
    message="file could not be checked",
    docs="A file patchgate was asked to check could not be read as UTF-8 text: it is not valid "
    "UTF-8, cannot be read, or is larger than `max-file-size` (default 2 MiB). The rest of the run is "
    "unaffected. It is a warning: `fail-level = \"warning\"` makes it fail a check, and it is "
    "selected and ignored like any rule (`ignore = [\"unreadable-file\"]`).",
    tags=["patchgate"],
    language="*",
    engine="patchgate",
)


def load_ruleset(config: Config) -> Ruleset:
    """Build the ruleset for a config in this process."""
    spec = spec_for(config)
    return Ruleset(spec=spec, engines=build_engines(spec))


def cached_ruleset(spec: RulesetSpec, cache: ResultCache | None) -> Ruleset:
    """The ruleset of a spec, its metadata from the cache when these rule sources were built before;
    otherwise built now (a broken rule source fails here, exit 40) and its metadata remembered."""
    known = cache.known_rules() if cache is not None else None
    digest = cache.ruleset if cache is not None else None  # the cache is keyed by it: no second read of every rule file
    if known is not None:
        try:
            return Ruleset(spec, rules=RULES.validate_json(known), digest=digest)
        except ValidationError:
            pass
    ruleset = Ruleset(spec, engines=build_engines(spec), digest=digest)
    if cache is not None:
        cache.remember_rules(RULES.dump_json(ruleset.rules).decode())
    return ruleset
