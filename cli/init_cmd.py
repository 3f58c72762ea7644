"""`patchgate init`: a starter config and `.patchgate/` in .gitignore, never overwriting anything."""

from __future__ import annotations

from pathlib import Path

import click

from patchgate.cli.recovery import settle_interrupted
from patchgate.diagnostics.errors import InputError

STARTER = """\
# patchgate configuration: https://github.com/patchgate/patchgate#configuration
# Every built-in rule is on by default; narrow or widen the selection here.
# select = ["correctness", "security"]   # ids, aliases (E711), alias prefixes (E7) or tags
extend-select = []
ignore = []
# Extra ast-grep rule directories, in ast-grep's own YAML format.
rule-dirs = []
# libcst rule classes: "package.module:RuleClass" or "package.module".
rule-modules = []
exclude = []
fail-level = "error"

# Built in: rules tagged "security" are off in tests (**/tests/**, test_*.py, *_test.py, conftest.py).
# default-per-path = false   # report them in tests too

# [[per-path]]
# paths = ["tests/**"]
# ignore = ["assert-tuple"]
"""


def _existing_config(root: Path) -> Path | None:
    """A config already in this directory: patchgate.toml, or a pyproject with [tool.patchgate]."""
    if (root / "patchgate.toml").exists():
        return root / "patchgate.toml"
    pyproject = root / "pyproject.toml"
    if pyproject.exists() and "[tool.patchgate" in pyproject.read_text(encoding="utf-8", errors="replace"):
        return pyproject
    return None


def _ignore_state_dir(root: Path) -> bool:
    """Add `.patchgate/` to .gitignore unless it is already there; True when added."""
    gitignore = root / ".gitignore"
    text = gitignore.read_text(encoding="utf-8") if gitignore.exists() else ""
    if any(line.strip() in {".patchgate", ".patchgate/", "/.patchgate/"} for line in text.splitlines()):
        return False
    prefix = "" if not text or text.endswith("\n") else "\n"
    with gitignore.open("a", encoding="utf-8") as handle:
        handle.write(f"{prefix}.patchgate/\n")
    return True


@click.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path, file_okay=False))
def init(directory: Path) -> None:
    """Write patchgate.toml and ignore .patchgate/ (existing files are kept)."""
    if not directory.is_dir():
        raise InputError(f"not a directory: {directory}")
    settle_interrupted(directory)
    existing = _existing_config(directory)
    if existing is None:
        (directory / "patchgate.toml").write_text(STARTER, encoding="utf-8")
        click.echo(f"wrote {directory / 'patchgate.toml'}")
    else:
        click.echo(f"kept existing config {existing}")
    if _ignore_state_dir(directory):
        click.echo(f"added .patchgate/ to {directory / '.gitignore'}")
