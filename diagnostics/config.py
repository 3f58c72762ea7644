"""Finds and validates `[tool.patchgate]` / `patchgate.toml` into one frozen Config (SPEC 4).

Lookup walks up from the target: in each directory `patchgate.toml` (top-level keys) wins
over a `pyproject.toml` that has a `[tool.patchgate]` table; a pyproject.toml without the
table is skipped. The directory of the file found is the workspace root, and every path
in the file is relative to it. No file at all gives the defaults, rooted at the git
toplevel (or the target's directory outside git). Every error is one line naming the
file, the key and the reason, and is raised as ConfigError (exit 40).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError, ValidationInfo, field_validator, model_validator

from patchgate.diagnostics.errors import ConfigError
from patchgate.diagnostics.globs import check_patterns
from patchgate.diagnostics.toml_files import label as _label, read_toml as _read_toml, tomllib  # noqa: F401 (re-export)


DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".git", ".hg", ".svn", ".patchgate", ".venv", "venv", "node_modules", "__pycache__",
    ".mypy_cache", ".ruff_cache", ".pytest_cache", ".tox", ".nox",
)
"""Replaced by `exclude`, like ruff; `extend-exclude` adds to it instead."""
PYTHON_TARGETS = ("py38", "py39", "py310", "py311", "py312", "py313", "py314")
DEFAULT_PYTHON_TARGET = "py310"
PythonTarget = Literal["py38", "py39", "py310", "py311", "py312", "py313", "py314"]
RULE_MODULE_RE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*$")
FINDING_KEYS = {"select", "extend_select", "ignore", "per_path", "per_file_ignores", "rule_dirs",
                "rule_modules", "sgconfig", "max_file_size", "target_version", "default_per_path"}
"""The settings that change which findings a file gets; everything else is run mechanics."""
INTERNAL_KEYS = {"root", "config-file"}
PYPROJECT = "pyproject.toml"
PATCHGATE_TOML = "patchgate.toml"
SGCONFIG_NAMES = ("sgconfig.yml", "sgconfig.yaml")


def _kebab(name: str) -> str:
    """TOML keys are kebab-case, like ruff's."""
    return name.replace("_", "-")


class Settings(BaseModel):
    """Frozen, strict base of every config table: kebab-case keys, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=_kebab, populate_by_name=True)


class CacheConfig(Settings):
    """Where the result cache lives and whether it is used."""

    enabled: StrictBool = Field(default=True, description="Read and write the result cache.")
    dir: Path = Field(default=Path(".patchgate/cache"), description="Cache directory, relative to the root.")


class PerPath(Settings):
    """Selection changes for files matching gitignore-style globs, applied in order."""

    paths: list[str] = Field(min_length=1, description="Gitignore-style globs, relative to the root.")
    select: list[str] | None = Field(default=None, description="Replaces the selection for these files.")
    extend_select: list[str] = Field(default_factory=list, description="Rules added for these files.")
    ignore: list[str] = Field(default_factory=list, description="Rules turned off for these files.")

    @field_validator("paths")
    @classmethod
    def _paths_patterns(cls, value: list[str]) -> list[str]:
        """Per-path globs are gitignore-style patterns."""
        return check_patterns(value)


TEST_PATHS = ("**/tests/**", "test_*.py", "*_test.py", "conftest.py")
"""Where tests live, as pytest and unittest find them: a tests/ folder at any depth, or a test module."""
BUILTIN_PER_PATH = (PerPath(paths=list(TEST_PATHS), ignore=["security"]),)
"""Security rules off in tests, where round trips, fake secrets and local servers are the point. Applied
before the config's own per-file-ignores and per-path entries, which may select rules back; off with
`default-per-path = false`."""


class Config(Settings):
    """The settings in force for one workspace; paths are resolved against `root`."""

    root: Path = Field(description="Workspace root: the directory of the config file.")
    config_file: Path | None = Field(default=None, description="The file these settings came from, if any.")
    select: list[str] | None = Field(default=None, description="Rules to run (ids, aliases, alias prefixes, tags, ALL); unset: every rule on by default.")
    extend_select: list[str] = Field(default_factory=list, description="Rules added to the selection.")
    ignore: list[str] = Field(default_factory=list, description="Rules removed from the selection.")
    per_path: list[PerPath] = Field(default_factory=list, description="Per-path selection overrides.")
    default_per_path: StrictBool = Field(default=True, description=(
        "Apply the built-in per-path entry first: rules tagged `security` off in tests (`**/tests/**`, "
        "`test_*.py`, `*_test.py`, `conftest.py`); a `per-path` entry may select some back, false turns it off."))
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict, description="ruff-style {glob: [rules]} ignores.")
    rule_dirs: list[Path] = Field(default_factory=list, description="Extra directories of ast-grep YAML rules.")
    rule_modules: list[str] = Field(default_factory=list, description="libcst rule classes as `pkg.mod:Rule`.")
    exclude: list[str] = Field(default_factory=lambda: list(DEFAULT_EXCLUDE), description="Gitignore-style paths never discovered.")
    extend_exclude: list[str] = Field(default_factory=list, description="More excluded paths, on top of `exclude`.")
    respect_gitignore: StrictBool = Field(default=True, description="Skip files ignored by .gitignore and .git/info/exclude.")
    fail_level: Literal["error", "warning", "info", "hint"] = Field(default="error", description="Lowest severity that fails a check.")
    jobs: StrictInt | None = Field(default=None, ge=1, description="Worker processes; unset: one per core.")
    cache: CacheConfig = Field(default_factory=CacheConfig, description="Result cache settings.")
    sgconfig: Path | None = Field(default=None, description="An ast-grep sgconfig.yml (rule dirs, languageGlobs); default: one at the root.")
    max_file_size: StrictInt = Field(default=DEFAULT_MAX_FILE_SIZE, ge=1, description="Files larger than this many bytes are not read: each is one unreadable-file warning.")
    docs_url: str | None = Field(default=None, description=(
        "Rule docs URL with a `{rule}` placeholder for the rule id (SARIF helpUri); unset: each rule's own link."))
    target_version: PythonTarget | None = Field(default=None, description=(
        "Oldest Python the code must run on, as ruff spells it (py38 ... py314): syntax is checked and "
        "annotations are judged for it; unset: the lowest version `[project] requires-python` (or Poetry's `python` "
        "dependency) allows, else py310."))
    connect: dict[str, Any] = Field(default_factory=dict, description="Connect policy; validated by patchgate.connect.")

    @property
    def python_target(self) -> tuple[int, int]:
        """(major, minor) of the oldest Python the code must run on."""
        name = self.target_version or _requires_python_target(self.root) or DEFAULT_PYTHON_TARGET
        return 3, int(name[3:])

    @model_validator(mode="before")
    @classmethod
    def _root_sgconfig(cls, data: Any) -> Any:
        """An sgconfig.yml at the workspace root is ast-grep's project file: used without a key, as ast-grep does."""
        if isinstance(data, dict) and data.get("sgconfig") is None and data.get("root") is not None:
            found = next((name for name in SGCONFIG_NAMES if (Path(data["root"]) / name).is_file()), None)
            if found is not None:
                return {**data, "sgconfig": Path(found)}
        return data

    @field_validator("rule_dirs")
    @classmethod
    def _rule_dirs_exist(cls, value: list[Path], info: ValidationInfo) -> list[Path]:
        """Rule dirs are relative to the root and must exist, or rules would silently vanish."""
        resolved = [_under_root(path, info) for path in value]
        for given, path in zip(value, resolved):
            if not path.is_dir():
                raise ValueError(f"directory does not exist: {given}")
        return resolved

    @field_validator("sgconfig")
    @classmethod
    def _sgconfig_exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        """An sgconfig.yml named in the config must be there."""
        if value is None:
            return None
        path = _under_root(value, info)
        if not path.is_file():
            raise ValueError(f"file does not exist: {value}")
        return path

    @field_validator("rule_modules")
    @classmethod
    def _module_specs(cls, value: list[str]) -> list[str]:
        """Only the shape is checked here; importing happens when engines are built."""
        for spec in value:
            if not RULE_MODULE_RE.match(spec):
                raise ValueError(f"{spec!r} is not of the form 'package.module:RuleClass'")
        return value

    @field_validator("docs_url")
    @classmethod
    def _docs_url(cls, value: str | None) -> str | None:
        """One stable page per rule id, so the URL must be absolute and name the rule."""
        if value is not None and (not re.fullmatch(r"https?://\S+", value) or "{rule}" not in value):
            raise ValueError("must be an http(s) URL with a {rule} placeholder, e.g. 'https://example.org/rules/{rule}.html'")
        return value

    @field_validator("exclude", "extend_exclude")
    @classmethod
    def _exclude_patterns(cls, value: list[str]) -> list[str]:
        """Exclusions are gitignore-style patterns."""
        return check_patterns(value)

    @field_validator("per_file_ignores")
    @classmethod
    def _per_file_globs(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        """Per-file-ignores keys are gitignore-style patterns."""
        check_patterns(list(value))
        return value

    def key_label(self, key: str) -> str:
        """'pyproject.toml: tool.patchgate.<key>' style prefix for messages about one setting."""
        if self.config_file is None:
            return f"config: {key}"
        prefix = "tool.patchgate." if self.config_file.name == PYPROJECT else ""
        return f"{_label(self.config_file)}: {prefix}{key}"

    def to_display_dict(self) -> dict[str, Any]:
        """Every setting as JSON-safe data with its TOML key, for `patchgate doctor`."""
        return self.model_dump(mode="json", by_alias=True)


def _under_root(path: Path, info: ValidationInfo) -> Path:
    """A config path made absolute against the root field validated before it."""
    root = info.data.get("root")
    return path if path.is_absolute() or root is None else Path(root) / path


def config_digest(config: Config) -> str:
    """Stable sha256 of the settings that affect findings (not jobs, cache, output or policy)."""
    data = config.model_dump(mode="json", include=FINDING_KEYS)
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _toml_keys(model: type[Settings]) -> list[str]:
    """The TOML keys a table accepts (the internal root/config-file are never read from files)."""
    return [_kebab(name) for name in model.model_fields if _kebab(name) not in INTERNAL_KEYS]


def _suggest(key: str, known: list[str]) -> str:
    """' (did you mean 'x'?)' for a close miss, else nothing."""
    if _kebab(key) in known and _kebab(key) != key:
        return f" (did you mean '{_kebab(key)}'?)"
    import difflib

    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _check_keys(table: dict[str, Any], model: type[Settings], prefix: str, label: str) -> None:
    """Reject unknown keys by name, with a did-you-mean, before pydantic sees the values."""
    known = _toml_keys(model)
    for key in table:
        if key not in known:
            raise ConfigError(f"{label}: unknown key '{prefix}{key}'{_suggest(key, known)}")
    if model is Config and isinstance(table.get("cache"), dict):
        _check_keys(table["cache"], CacheConfig, f"{prefix}cache.", label)
    if model is Config and isinstance(table.get("per-path"), list):
        for index, entry in enumerate(table["per-path"]):
            if isinstance(entry, dict):
                _check_keys(entry, PerPath, f"{prefix}per-path[{index}].", label)


def _location(prefix: str, loc: tuple[Any, ...]) -> str:
    """A pydantic error location as a TOML key path: tool.patchgate.per-path[0].select."""
    text = prefix.rstrip(".")
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = str(part) if re.fullmatch(r"[\w-]+", str(part)) else json.dumps(str(part))
            text = f"{text}.{name}" if text else name
    return text


def _value_error(error: ValidationError, prefix: str, label: str) -> ConfigError:
    """One line for every bad value: file, key path and pydantic's reason."""
    parts = []
    for item in error.errors():
        reason = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
        parts.append(f"{_location(prefix, tuple(item.get('loc', ())))}: {reason}")
    return ConfigError(f"{label}: " + "; ".join(parts))


def config_from_table(table: dict[str, Any], config_file: Path, prefix: str) -> Config:
    """Validate one settings table read from config_file (prefix: 'tool.patchgate.' or '')."""
    label = _label(config_file)
    _check_keys(table, Config, prefix, label)
    try:
        return Config.model_validate({**table, "root": config_file.parent, "config-file": config_file})
    except ValidationError as error:
        raise _value_error(error, prefix, label) from None


def _pyproject_table(path: Path, data: dict[str, Any]) -> dict[str, Any] | None:
    """The [tool.patchgate] table of a parsed pyproject.toml, or None when absent."""
    tool = data.get("tool")
    if not isinstance(tool, dict) or "patchgate" not in tool:
        return None
    table = tool["patchgate"]
    if not isinstance(table, dict):
        raise ConfigError(f"{_label(path)}: tool.patchgate: must be a table")
    return table


def read_config_file(path: Path) -> Config:
    """A config from a file the user named: pyproject.toml by its table, anything else top-level."""
    path = path.resolve()
    data = _read_toml(path)
    if path.name == PYPROJECT:
        return config_from_table(_pyproject_table(path, data) or {}, path, "tool.patchgate.")
    return config_from_table(data, path, "")


def find_config_file(start: Path) -> tuple[Path, dict[str, Any], str] | None:
    """Walk up from start to the first patchgate.toml, or pyproject.toml with [tool.patchgate]."""
    directory = start if start.is_dir() else start.parent
    for folder in (directory, *directory.parents):
        candidate = folder / PATCHGATE_TOML
        if candidate.is_file():
            return candidate, _read_toml(candidate), ""
        pyproject = folder / PYPROJECT
        if pyproject.is_file():
            table = _pyproject_table(pyproject, _read_toml(pyproject))
            if table is not None:
                return pyproject, table, "tool.patchgate."
    return None


def git_toplevel(start: Path) -> Path | None:
    """The nearest directory at or above start holding `.git` (a dir, or a file for worktrees)."""
    directory = start if start.is_dir() else start.parent
    for folder in (directory, *directory.parents):
        if (folder / ".git").exists():
            return folder
    return None


def load_config(start: Path, config_file: Path | None = None) -> Config:
    """The Config in force for start (a file or directory), or for the file the user named."""
    start = start.resolve()
    if config_file is not None:
        return read_config_file(config_file)
    found = find_config_file(start)
    if found is not None:
        path, table, prefix = found
        return config_from_table(table, path, prefix)
    root = git_toplevel(start) or (start if start.is_dir() else start.parent)
    return Config(root=root)


def _requires_python_target(root: Path) -> str | None:
    """The oldest version `[project] requires-python` admits (">=3.9", "~=3.11", "^3.10"), or Poetry's
    `[tool.poetry.dependencies] python` where a project declares it only there (rich), if one is named."""
    try:
        data = _read_toml(root / PYPROJECT)
    except (ConfigError, OSError):
        return None
    project, tool = data.get("project"), data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    dependencies = poetry.get("dependencies") if isinstance(poetry, dict) else None
    spec = project.get("requires-python") if isinstance(project, dict) else None
    if spec is None and isinstance(dependencies, dict):
        spec = dependencies.get("python")
    found = re.search(r"(?:>=|~=|\^|==)\s*3\.(\d+)", spec) if isinstance(spec, str) else None
    name = f"py3{found.group(1)}" if found else None
    return name if name in PYTHON_TARGETS else None
