"""The verdict policy of `[tool.patchgate.connect]` (SPEC 7), validated once with file, key and reason.

Keys are kebab-case like the rest of the config. Every threshold is a verdict; the command
thresholds are permit, require_review or deny (a command cannot be rewritten). `.patchgate`
and `.git` are immutable whatever the file says, at any depth, and files that govern patchgate
need review: both are judged in code (connect/governance.py), apart from these globs, so no
pattern here (a `!` negation included) lifts them.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import Field, StrictBool, StrictInt, ValidationError, field_validator

from patchgate.diagnostics.config import Config, Settings, load_config
from patchgate.diagnostics.errors import ConfigError
from patchgate.diagnostics.globs import check_patterns

Verdict = Literal["permit", "rewrite", "require_review", "deny"]
CommandVerdict = Literal["permit", "require_review", "deny"]
ALWAYS_IMMUTABLE: tuple[str, ...] = (".patchgate/**", ".git/**")
"""Shown in every context's immutable list; the built-in judgement itself is governance.BuiltinPaths."""


def split_entry(entry: str) -> list[str]:
    """A command-list entry as the argv prefix a shell would split it into; empty or unbalanced is an error."""
    try:
        words = shlex.split(entry)
    except ValueError as error:
        raise ValueError(f"cannot split {entry!r}: {error}") from None
    if not words:
        raise ValueError("empty command entry")
    return words


def _argv_prefixes(entries: list[str]) -> list[str]:
    """Every command-list entry must split (validated once, where the policy is read)."""
    for entry in entries:
        split_entry(entry)
    return entries


class CommandPolicy(Settings):
    """argv prefixes compared after shell parsing: `git status` allows `git status -s` only."""

    allow: list[str] = Field(default_factory=list, description="Commands permitted as they are.")
    review: list[str] = Field(default_factory=list, description="Commands that need a human's approval.")
    deny: list[str] = Field(default_factory=list, description="Commands never run.")

    _split = field_validator("allow", "review", "deny")(_argv_prefixes)


class LargeChange(Settings):
    """A change bigger than this is not judged by a machine alone."""

    max_files: StrictInt = Field(default=20, ge=1, description="Most files one change may touch.")
    max_lines: StrictInt = Field(default=400, ge=1, description="Most lines added plus removed.")
    verdict: Verdict = Field(default="require_review", description="Verdict for a change over either limit.")


class Thresholds(Settings):
    """The verdict each kind of finding asks for."""

    protected_path_write: Verdict = Field(default="require_review", description="A write to a protected path.")
    unknown_command: CommandVerdict = Field(default="require_review", description="A command on no list.")
    destructive_command: CommandVerdict = Field(default="deny", description="rm -r, git push --force, curl|sh ...")
    new_error_diagnostics: Verdict = Field(default="rewrite", description="A plan that adds error diagnostics.")
    broken_python_module: Verdict = Field(default="rewrite",
                                          description="A plan after which a touched Python module no longer compiles or imports.")
    large_change: LargeChange = Field(default_factory=LargeChange, description="Size limits and their verdict.")


class SmokeCheck(Settings):
    """A command a change must pass in a scratch copy of the workspace."""

    name: str = Field(min_length=1, description="Name shown in the verdict.")
    command: str = Field(min_length=1, description="Shell command run at the scratch copy's root.")
    timeout: float = Field(default=120.0, gt=0, le=3600, description="Seconds before the check counts as failed.")


class ConnectPolicy(Settings):
    """Everything a decision is judged by; its digest is recorded with every decision."""

    protected_paths: list[str] = Field(default_factory=list, description="Globs whose writes need review.")
    immutable_paths: list[str] = Field(default_factory=list, validate_default=True,
                                       description="Globs never written (.git, .patchgate added).")
    generated_paths: list[str] = Field(default_factory=list, description="Globs written only by their generator.")
    write_scope: list[str] = Field(default_factory=list, description="Default task write scope; empty: the workspace.")
    commands: CommandPolicy = Field(default_factory=CommandPolicy, description="Command allow/review/deny lists.")
    thresholds: Thresholds = Field(default_factory=Thresholds, description="Verdict per kind of finding.")
    smoke_checks: list[SmokeCheck] = Field(default_factory=list, description="Commands run on a scratch copy.")
    import_check: StrictBool = Field(default=True, description="Import touched Python modules in the scratch copy (runs their top-level code).")
    import_timeout: float = Field(default=60.0, gt=0, le=3600, description="Seconds the import of the touched modules may take.")
    required_approvals: StrictInt = Field(default=1, ge=1, le=20,
                                          description="Distinct reviewers a require_review decision needs.")
    state_dir: str | None = Field(default=None, min_length=1,
                                  description="Keep decisions, journal and audit here, outside the workspace.")
    signers: str | None = Field(default=None, min_length=1,
                                description="SSH allowed-signers file: approvals and audit checkpoints must be signed.")

    _patterns = field_validator("protected_paths", "generated_paths", "write_scope")(check_patterns)

    @field_validator("immutable_paths")
    @classmethod
    def _always_immutable(cls, value: list[str]) -> list[str]:
        """Tool state and git internals stay immutable even when the file leaves them out."""
        return [*ALWAYS_IMMUTABLE, *(p for p in check_patterns(value) if p not in ALWAYS_IMMUTABLE)]

    def digest(self) -> str:
        """sha256 of the policy's canonical JSON: which rules a recorded decision was made under."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _table_model(annotation: Any) -> type[Settings] | None:
    """The Settings class a field holds directly or as list items, if any."""
    if get_origin(annotation) in (list, Union):
        return next((m for m in map(_table_model, get_args(annotation)) if m), None)
    return annotation if isinstance(annotation, type) and issubclass(annotation, Settings) else None


def _check_keys(table: Any, model: type[Settings], prefix: str, label: str) -> None:
    """Unknown keys by name (snake_case spellings included), recursing into sub-tables."""
    if isinstance(table, list):
        for index, item in enumerate(table):
            _check_keys(item, model, f"{prefix.rstrip('.')}[{index}].", label)
        return
    if not isinstance(table, dict):
        return
    fields = {name.replace("_", "-"): info for name, info in model.model_fields.items()}
    for key, value in table.items():
        if key not in fields:
            import difflib

            close = difflib.get_close_matches(key.replace("_", "-"), list(fields), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(f"{label}: unknown key '{prefix}{key}'{hint}")
        inner = _table_model(fields[key].annotation)
        if inner is not None:
            _check_keys(value, inner, f"{prefix}{key}.", label)


def _reason(error: ValidationError, prefix: str) -> str:
    """Each pydantic error as 'key.path: reason'."""
    parts = []
    for item in error.errors():
        loc = prefix.rstrip(".")
        for part in item.get("loc", ()):
            loc += f"[{part}]" if isinstance(part, int) else f".{part}"
        parts.append(f"{loc}: {str(item.get('msg', 'invalid value')).removeprefix('Value error, ')}")
    return "; ".join(parts)


def policy_from_config(config: Config) -> ConnectPolicy:
    """Validate the raw `[tool.patchgate.connect]` table of a loaded config."""
    label = config.key_label("connect").rsplit(": ", 1)[0] if config.config_file else "config"
    prefix = "tool.patchgate.connect." if config.config_file and config.config_file.name == "pyproject.toml" else "connect."
    _check_keys(config.connect, ConnectPolicy, prefix, label)
    try:
        return ConnectPolicy.model_validate(config.connect)
    except ValidationError as error:
        raise ConfigError(f"{label}: {_reason(error, prefix)}") from None


def load_policy(workspace: Path) -> ConnectPolicy:
    """The policy in force for a workspace (defaults when its config has no connect table)."""
    return policy_from_config(load_config(workspace))
