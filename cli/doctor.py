"""`patchgate doctor`: versions, grammars, the config in force and the cache, for bug reports."""

from __future__ import annotations

import json
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import click

from patchgate.cli.common import load_config_for
from patchgate.cli.recovery import settle_interrupted

LIBRARIES = ["ast-grep-py", "libcst", "tree-sitter", "pydantic", "click", "rich", "pathspec", "pyyaml"]


def _version(name: str) -> str | None:
    """Installed version of a distribution, or None."""
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def gather(config_file: Path | None) -> dict:
    """Everything doctor reports, as plain data."""
    from patchgate.diagnostics.engines.syntax import available_languages
    from patchgate.diagnostics.ruleset import load_ruleset, tool_version

    settle_interrupted(Path.cwd(), config_file)
    config = load_config_for(Path("."), config_file)
    ruleset = load_ruleset(config)
    report = {
        "patchgate": tool_version(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": {name: _version(name) for name in LIBRARIES},
        "grammars": available_languages(),
        "config_file": str(config.config_file) if config.config_file else None,
        "config": config.to_display_dict(),
        "rules": {"total": len(ruleset.rules), "by_engine": _count_by_engine(ruleset.rules)},
        "cache": {"enabled": config.cache.enabled, **_cache_stats(config.root / config.cache.dir, ruleset.digest)},
    }
    return report


def _cache_stats(directory: Path, digest: str) -> dict:
    """The cache's size, opened only when it exists: doctor reports, it never creates a cache (or .patchgate/)."""
    from patchgate.diagnostics.cache import DB_NAME, ResultCache
    from patchgate.diagnostics.ruleset import tool_version

    if not (directory / DB_NAME).is_file():
        return {"path": str(directory / DB_NAME), "entries": 0, "bytes": 0}
    cache = ResultCache(directory, digest, tool_version())
    try:
        return cache.stats()
    finally:
        cache.close()


def _count_by_engine(rules: list) -> dict[str, int]:
    """How many rules each engine brings."""
    counts: dict[str, int] = {}
    for rule in rules:
        counts[rule.engine] = counts.get(rule.engine, 0) + 1
    return counts


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False))
def doctor(as_json: bool, config_file: Path | None) -> None:
    """Show versions, grammars found, the config in force and the cache state."""
    report = gather(config_file)
    if as_json:
        click.echo(json.dumps(report, indent=2, default=str))
        return
    lines = [f"patchgate {report['patchgate']} on Python {report['python']} ({report['platform']})", "libraries:"]
    lines += [f"  {name} {ver or 'MISSING'}" for name, ver in report["libraries"].items()]
    lines.append("grammars: " + ", ".join(f"{lang} {ver}" for lang, ver in report["grammars"].items()))
    lines.append(f"config: {report['config_file'] or '(none found, defaults)'}")
    lines += [f"  {key} = {value}" for key, value in report["config"].items()]
    lines.append(f"rules: {report['rules']['total']} " + str(report["rules"]["by_engine"]))
    cache = report["cache"]
    lines.append(f"cache: {'on' if cache['enabled'] else 'off'}, {cache['entries']} entries, {cache['bytes']} bytes at {cache['path']}")
    click.echo("\n".join(lines))
