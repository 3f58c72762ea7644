"""ast-grep YAML rule files in ast-grep's own format: loading and eager validation into AstGrepRule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from patchgate.diagnostics.engines.astgrep import project
from patchgate.diagnostics.engines.astgrep.analysis import missing_kinds_reason, referenced_utils
from patchgate.diagnostics.engines.astgrep.rewriters import rewriter_config
from patchgate.diagnostics.engines.astgrep.rules import AstGrepRule, canonical_id, compile_reason, normalize_language
from patchgate.diagnostics.engines.astgrep.templates import used_vars_defined
from patchgate.diagnostics.engines.astgrep.yaml_loader import non_string_scalar
from patchgate.diagnostics.errors import ConfigError, RuleLoadError

RULE_KEYS = frozenset({"id", "language", "rule", "constraints", "utils", "transform", "fix", "rewriters", "message",
                       "note", "severity", "labels", "files", "ignores", "url", "metadata"})
SEVERITIES = {"hint": "hint", "info": "info", "warning": "warning", "error": "error", "off": "off"}


def _as_text(value: object) -> str:
    """A scalar as the text serde_yaml would hand ast-grep (YAML numbers and booleans included)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _custom_languages(rule_file: Path) -> tuple[str, ...]:
    """The customLanguages of the sgconfig.yml governing a rule file (none when it has none or is broken)."""
    found = project.find_sgconfig(rule_file.parent)
    try:
        return project.load_sgconfig(found).custom_languages if found is not None else ()
    except ConfigError:
        return ()


class _Document:
    """One YAML document being turned into an AstGrepRule; every failure names file and rule id."""

    def __init__(self, data: dict[str, Any], path: Path, index: int, utils: project.GlobalUtils | None) -> None:
        self.data, self.path, self.global_utils = data, path, utils
        default = path.stem if index == 0 else f"{path.stem}-{index}"  # ast-grep 0.51's id for a rule without one
        raw = data.get("id")
        self.sg_id = (_as_text(raw).strip() if raw is not None else "") or default

    def fail(self, reason: str) -> RuleLoadError:
        """A RuleLoadError naming the file, the rule and the reason on one line."""
        return RuleLoadError(f"{self.path}: rule `{self.sg_id or '?'}`: {reason}")

    def text(self, key: str, default: str | None = None) -> str | None:
        """A scalar field as text."""
        value = self.data.get(key, default)
        if value is None or isinstance(value, (str, int, float, bool)):
            return None if value is None else _as_text(value)
        raise self.fail(f"`{key}` must be a string")

    def mapping(self, key: str) -> dict[str, Any] | None:
        """A mapping field (constraints, utils, transform, metadata, labels)."""
        value = self.data.get(key)
        if value is not None and not isinstance(value, dict):
            raise self.fail(f"`{key}` must be a mapping")
        return value

    def globs(self, key: str) -> tuple[str, ...] | None:
        """`files` / `ignores`: a list of valid glob strings."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
            raise self.fail(f"`{key}` must be a list of glob strings")
        for glob in value:
            try:
                project.glob_regex(glob)
            except ValueError as error:
                raise self.fail(f"`{key}`: invalid glob {glob!r}: {error}") from None
        return tuple(value)

    def header(self) -> tuple[str, str]:
        """Checks id, keys and language; returns (patchgate language, ast-grep-py language)."""
        if isinstance(self.data.get("id"), (dict, list)):
            raise self.fail("`id` must be a string")
        unknown = sorted(set(self.data) - RULE_KEYS)
        if unknown:
            raise self.fail(f"unknown key `{unknown[0]}` (expected one of {', '.join(sorted(RULE_KEYS))})")
        if "language" not in self.data:
            raise self.fail("missing `language`")
        language = normalize_language(self.data["language"])
        if language is None:
            raise self.fail(project.unsupported_language(self.data["language"], _custom_languages(self.path)))
        if "rule" not in self.data:
            raise self.fail("missing `rule`")
        if not isinstance(self.data["rule"], dict):
            raise self.fail("`rule` must be a mapping of rule keys (pattern, kind, regex, has, all, ...)")
        reason = next(filter(None, (non_string_scalar(self.data.get(k), k) for k in ("rule", "constraints", "utils"))), None)
        if reason:
            raise self.fail(reason)
        return language

    def severity(self) -> str:
        """hint (ast-grep's default), info, warning, error or off."""
        value = self.data.get("severity", "hint")
        text = "off" if value is False else _as_text(value)
        if text not in SEVERITIES:
            raise self.fail(f"unknown severity {text!r} (expected one of off, hint, info, warning, error)")
        return SEVERITIES[text]

    def utils(self, language: str) -> dict[str, Any] | None:
        """Local utils plus every global util (utilDirs) the rule reaches through `matches`."""
        local = dict(self.mapping("utils") or {})
        pending = referenced_utils([self.data["rule"], self.mapping("constraints"), list(local.values())])
        if pending - set(local) and self.global_utils is None:
            self.global_utils = project.project_utils_for(self.path)
        globals_ = (self.global_utils or {}).get(language, {})
        while missing := sorted(name for name in pending - set(local) if name in globals_):
            for name in missing:
                local[name] = globals_[name]["rule"]
                local.update({k: v for k, v in (globals_[name].get("utils") or {}).items() if k not in local})
                pending |= referenced_utils([globals_[name]["rule"], list(local.values())])
        return local or None

    def build(self) -> AstGrepRule:
        """Validate eagerly (compile against an empty tree) and build the rule."""
        language, sg_language = self.header()
        fix = self.data.get("fix")
        if fix is not None and not isinstance(fix, (str, dict)):
            raise self.fail("`fix` must be a string or a mapping with `template`")
        rule = AstGrepRule(
            id=canonical_id(self.sg_id), sg_id=self.sg_id, language=language, sg_language=sg_language,
            rule=self.data["rule"], source=str(self.path), severity=self.severity(), message=self.text("message", "") or "",
            note=self.text("note"), url=self.text("url"), constraints=self.mapping("constraints"),
            utils=self.utils(language), transform=self.mapping("transform"), fix=fix,
            rewriters=self.rewriters(), files=self.globs("files"), ignores=self.globs("ignores"),
            metadata=self.mapping("metadata") or {},
        )
        self.mapping("labels")
        self.check(rule)
        return rule

    def rewriters(self) -> tuple[dict[str, Any], ...]:
        """`rewriters`: a list of mappings, each with an id, a rule and a fix."""
        value = self.data.get("rewriters") or []
        if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
            raise self.fail("`rewriters` must be a list of rule mappings")
        for item in value:
            if not isinstance(item.get("id"), str) or "rule" not in item or "fix" not in item:
                raise self.fail("each rewriter needs `id`, `rule` and `fix`")
        return tuple(value)

    def check(self, rule: AstGrepRule) -> None:
        """ast-grep's load-time checks: the matcher compiles, has AST kinds, and fix vars are defined."""
        reason = compile_reason(rule.config, rule.sg_language)
        reason = reason or missing_kinds_reason(rule.rule, rule.sg_language, rule.utils or {})
        reason = reason or self.fix_reason(rule)
        for rewriter in rule.rewriters:
            reason = reason or compile_reason(rewriter_config(rewriter), rule.sg_language)
        if reason:
            raise self.fail(reason)

    def fix_reason(self, rule: AstGrepRule) -> str | None:
        """Fix templates and expansions must be well formed and use only defined metavariables."""
        try:
            fixer = rule.fixer
        except ValueError as error:
            return f"`fix`: {error}"
        if fixer is None:
            return None
        for relation in (fixer.expand_start, fixer.expand_end):
            if relation is not None:
                reason = compile_reason({"rule": {"not": {"follows": relation}}, "utils": rule.utils or {}}, rule.sg_language)
                if reason:
                    return f"`fix` expansion: {reason}"
        return used_vars_defined(fixer, rule.rule, self.mapping("utils") or {}, rule.transform or {})


def load_rule_file(path: Path, global_utils: project.GlobalUtils | None = None) -> list[AstGrepRule]:
    """Every rule of a (multi-document) ast-grep rule file, validated; RuleLoadError on the first problem."""
    path = Path(path)
    rules = []
    for index, data in enumerate(project.read_yaml_documents(path)):
        if not isinstance(data, dict):
            raise RuleLoadError(f"{path}: document {index + 1}: a rule must be a YAML mapping, not {type(data).__name__}")
        rules.append(_Document(data, path, index, global_utils).build())
    return rules


def load_rule_dirs(dirs: list[Path], global_utils: project.GlobalUtils | None = None) -> list[AstGrepRule]:
    """Every rule under the given directories (recursive *.yml / *.yaml), in path order."""
    return [rule for d in dirs for path in project.yaml_files(Path(d)) for rule in load_rule_file(path, global_utils)]
