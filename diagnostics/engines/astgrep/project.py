"""ast-grep project files: sgconfig.yml, global utility rules, YAML 1.2 reading and path globs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from patchgate.diagnostics.engines.astgrep.yaml_loader import error_line, load_all, load_one
from patchgate.diagnostics.errors import ConfigError, RuleLoadError

SGCONFIG_NAMES = ("sgconfig.yml", "sgconfig.yaml")
SGCONFIG_KEYS = frozenset({"ruleDirs", "testConfigs", "utilDirs", "languageGlobs", "customLanguages", "languageInjections"})
YAML_SUFFIXES = (".yml", ".yaml")
SNAPSHOT_DIR = "__snapshots__"


def read_yaml_documents(path: Path) -> list[Any]:
    """Every non-empty document of a YAML file; RuleLoadError (one line) when the file cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RuleLoadError(f"{path}: cannot read rule file: {error}") from None
    try:
        return load_all(text)
    except yaml.YAMLError as error:
        raise RuleLoadError(f"{path}: {error_line(error)}") from None


def yaml_files(directory: Path) -> list[Path]:
    """Every *.yml / *.yaml file under a directory, recursively, in a stable order."""
    return sorted(p for p in directory.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())


@dataclass(frozen=True)
class TestConfig:
    """One `testConfigs` entry: where rule tests live and where their snapshots are kept."""

    test_dir: Path
    snapshot_dir: Path


@dataclass(frozen=True)
class SgProject:
    """A parsed sgconfig.yml with every directory resolved against the file's own folder."""

    path: Path
    rule_dirs: tuple[Path, ...]
    test_configs: tuple[TestConfig, ...]
    util_dirs: tuple[Path, ...]
    language_globs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    custom_languages: tuple[str, ...] = ()

    @property
    def root(self) -> Path:
        """The project directory: ast-grep resolves every path in the file from here."""
        return self.path.parent

    def rule_files(self) -> list[Path]:
        """Every rule file of every rule directory."""
        return [p for d in self.rule_dirs if d.is_dir() for p in yaml_files(d)]

    def test_files(self) -> list[Path]:
        """Every rule-test file, skipping the snapshot folders."""
        found = []
        for config in self.test_configs:
            if config.test_dir.is_dir():
                found.extend(p for p in yaml_files(config.test_dir) if config.snapshot_dir not in p.parents)
        return found


def _dir_list(data: dict, key: str, path: Path) -> tuple[Path, ...]:
    """A list of directory names, resolved against the sgconfig's folder."""
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{path}: {key}: expected a list of directory names")
    return tuple((path.parent / item).resolve() for item in value)


def _test_configs(data: dict, path: Path) -> tuple[TestConfig, ...]:
    """The `testConfigs` list; snapshotDir is relative to testDir and defaults to __snapshots__."""
    value = data.get("testConfigs") or []
    if not isinstance(value, list):
        raise ConfigError(f"{path}: testConfigs: expected a list")
    configs = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("testDir"), str):
            raise ConfigError(f"{path}: testConfigs: each entry needs a testDir string")
        unknown = set(item) - {"testDir", "snapshotDir"}
        if unknown:
            raise ConfigError(f"{path}: testConfigs: unknown key {sorted(unknown)[0]!r}")
        test_dir = (path.parent / item["testDir"]).resolve()
        configs.append(TestConfig(test_dir, (test_dir / str(item.get("snapshotDir") or SNAPSHOT_DIR)).resolve()))
    return tuple(configs)


def load_sgconfig(path: Path) -> SgProject:
    """Read an sgconfig.yml; ConfigError names the file, the key and the reason."""
    path = Path(path).resolve()
    try:
        data = load_one(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read sgconfig: {str(error).splitlines()[0]}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: {error_line(error)}") from None
    data = data or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: sgconfig must be a mapping")
    unknown = set(data) - SGCONFIG_KEYS
    if unknown:
        raise ConfigError(f"{path}: {sorted(unknown)[0]}: unknown sgconfig key")
    custom = _custom_languages(data, path)
    return SgProject(path, _dir_list(data, "ruleDirs", path), _test_configs(data, path), _dir_list(data, "utilDirs", path),
                     _language_globs(data, path, custom), custom)


def _custom_languages(data: dict, path: Path) -> tuple[str, ...]:
    """The names `customLanguages` declares (each needs a tree-sitter dynamic library patchgate does not load)."""
    value = data.get("customLanguages") or {}
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: customLanguages: expected a mapping of language name to settings")
    return tuple(str(name) for name in value)


def _language_globs(data: dict, path: Path, custom: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`languageGlobs`: language -> globs on the file name, checked and normalised to ast-grep's language names."""
    from patchgate.diagnostics.languages import canonical_language

    value = data.get("languageGlobs") or {}
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: languageGlobs: expected a mapping of language to a list of globs")
    found = []
    for name, globs in value.items():
        language = canonical_language(name)
        if language is None:
            raise ConfigError(f"{path}: languageGlobs: {unsupported_language(name, custom)}")
        if not isinstance(globs, list) or not all(isinstance(g, str) for g in globs):
            raise ConfigError(f"{path}: languageGlobs.{name}: expected a list of glob strings")
        for glob in globs:
            try:
                glob_regex(glob)
            except ValueError as error:
                raise ConfigError(f"{path}: languageGlobs.{name}: invalid glob {glob!r}: {error}") from None
        found.append((language, tuple(globs)))
    return tuple(found)


def unsupported_language(name: object, custom: tuple[str, ...] = ()) -> str:
    """Why a language name cannot run: a custom (dynamic library) language, or one ast-grep does not know."""
    if isinstance(name, str) and name in custom:
        return f"custom language {name!r} needs a tree-sitter dynamic library (customLanguages), which patchgate does not load"
    return f"unknown language {name!r} (not one ast-grep-py supports)"


def find_sgconfig(start: Path) -> Path | None:
    """The nearest sgconfig.yml in start or one of its parents, as ast-grep discovers it."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        for name in SGCONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
    return None


GlobalUtils = dict[str, dict[str, dict]]
"""Language -> util id -> the util's rule core (rule, plus its own utils/constraints)."""


@lru_cache(maxsize=32)
def load_global_utils(util_dirs: tuple[Path, ...]) -> GlobalUtils:
    """The global utility rules of utilDirs, grouped by language (names normalised by the caller)."""
    from patchgate.diagnostics.engines.astgrep.rules import normalize_language

    found: GlobalUtils = {}
    for directory in util_dirs:
        for path in yaml_files(directory) if directory.is_dir() else []:
            for doc in read_yaml_documents(path):
                if not isinstance(doc, dict) or not isinstance(doc.get("id"), str) or "rule" not in doc:
                    raise RuleLoadError(f"{path}: a utility rule needs `id`, `language` and `rule`")
                language = normalize_language(doc.get("language"))
                if language is None:
                    raise RuleLoadError(f"{path}: utility `{doc['id']}`: {unsupported_language(doc.get('language'))}")
                core = {key: doc[key] for key in ("rule", "utils", "constraints") if key in doc}
                found.setdefault(language[0], {})[doc["id"]] = core
    return found


def project_utils_for(rule_file: Path) -> GlobalUtils:
    """The global utils of the sgconfig.yml that governs a rule file, or none."""
    config = find_sgconfig(rule_file.parent)
    if config is None:
        return {}
    return load_global_utils(load_sgconfig(config).util_dirs)


def _glob_class(glob: str, start: int) -> tuple[str, int]:
    """Translate a `[...]` character class starting at `start`; returns (regex, index after `]`)."""
    end = start + 1
    if end < len(glob) and glob[end] in "!^":
        end += 1
    if end < len(glob) and glob[end] == "]":
        end += 1
    while end < len(glob) and glob[end] != "]":
        end += 1
    if end >= len(glob):
        raise ValueError("unclosed character class")
    body = glob[start + 1 : end]
    negate = body[:1] in ("!", "^")
    body = body[1:] if negate else body
    return "[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]", end + 1


def _glob_stars(glob: str, index: int) -> tuple[str, int]:
    """Translate `*` or a `**` path component (globset semantics: `*` also crosses `/`)."""
    if not glob.startswith("**", index):
        return ".*", index + 1
    before_ok = index == 0 or glob[index - 1] == "/"
    after = index + 2
    if not before_ok or (after < len(glob) and glob[after] != "/"):
        raise ValueError("`**` must be a whole path component")
    if after >= len(glob):
        return ".*", after
    return "(?:.*/)?", after + 1


def glob_regex(glob: str) -> re.Pattern[str]:
    """Compile a glob as ast-grep's globset does (literal_separator off); ValueError when invalid."""
    parts: list[str] = []
    index, depth = 0, 0
    while index < len(glob):
        char = glob[index]
        if char == "*":
            piece, index = _glob_stars(glob, index)
            parts.append(piece)
            continue
        if char == "[":
            piece, index = _glob_class(glob, index)
            parts.append(piece)
            continue
        if char == "\\" and index + 1 < len(glob):
            parts.append(re.escape(glob[index + 1]))
            index += 2
            continue
        parts.append({"?": ".", "{": "(?:", "}": ")", ",": "|" if depth else ","}.get(char, re.escape(char)))
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0 or (char == "{" and depth > 1):
            raise ValueError("unbalanced or nested `{}`")
        index += 1
    if depth:
        raise ValueError("unclosed `{`")
    return re.compile("".join(parts), re.DOTALL)
