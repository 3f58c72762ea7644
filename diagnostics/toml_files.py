"""Reading TOML config files: every failure becomes one ConfigError line naming the file (and line)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from patchgate.diagnostics.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


def label(path: Path) -> str:
    """A config path as the user would type it: relative to the cwd when inside it."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file; any failure is a one-line ConfigError with the line number."""
    name = label(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise ConfigError(f"{name}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{name}: invalid TOML: not valid UTF-8 at byte {error.start}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{name}: invalid TOML: {toml_reason(error, text)}") from None
    except RecursionError:
        raise ConfigError(f"{name}: invalid TOML: arrays or tables nested too deeply") from None


def toml_reason(error: Exception, text: str) -> str:
    """'reason (line N)' from tomllib's '<reason> (at line N, column M)' message."""
    message = str(error)
    found = re.match(r"(?s)(.*?) \(at line (\d+), column \d+\)$", message)
    if found:
        return f"{found.group(1)} (line {found.group(2)})"
    if message.endswith("(at end of document)"):
        return f"{message[: -len(' (at end of document)')]} (line {text.count(chr(10)) + 1})"
    return message
