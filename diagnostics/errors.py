"""One error hierarchy for the project, each class carrying the exit code a user sees (SPEC 3)."""

from __future__ import annotations


class PatchgateError(Exception):
    """Base of every error patchgate raises on purpose; the CLI turns it into one line."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(PatchgateError):
    """Bad input from the user (paths, payloads, plans): exit 40, nothing written."""

    exit_code = 40


class ConfigError(InputError):
    """A configuration file that cannot be used; the message names file, key and reason."""


class RuleLoadError(InputError):
    """A rule file or rule module that cannot be loaded; the message names the rule source."""


def pydantic_reason(error: Exception) -> str:
    """Flatten a pydantic ValidationError into 'key: reason' text a person can act on."""
    errors = getattr(error, "errors", None)
    if not callable(errors):
        return str(error)
    parts = []
    for item in errors():
        loc = ".".join(str(p) for p in item.get("loc", ()))
        parts.append(f"{loc}: {item.get('msg', 'invalid')}" if loc else str(item.get("msg")))
    return "; ".join(parts)
