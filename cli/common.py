"""Helpers the CLI commands share: config loading, progress, report writing, evidence."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from patchgate.diagnostics.config import Config, load_config
from patchgate.diagnostics.errors import InputError
from patchgate.diagnostics.models import Rule
from patchgate.diagnostics.runner import CheckResult, Progress

COLOR_CHOICES = ["auto", "always", "never"]


def load_config_for(target: Path, config_file: Path | None) -> Config:
    """The config in force for a target path; a missing target is bad input."""
    if not target.exists():
        raise InputError(f"path does not exist: {target}")
    if config_file is not None and not config_file.is_file():
        raise InputError(f"config file does not exist: {config_file}")
    return load_config(target.resolve(), config_file.resolve() if config_file else None)


@contextmanager
def progress_reporter(enabled: bool) -> Iterator[Progress | None]:
    """A rich progress bar on a terminal; nothing when piped or machine-readable."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

    with Bar(TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
             console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("check", total=None, visible=False)  # shown once the total is known: never `0/?`

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, visible=True, refresh=done == 0)

        yield update


def source_texts(result: CheckResult, root: Path) -> dict[str, str]:
    """The text of every file with a finding, for code frames."""
    texts = dict(result.sources)
    for path in {d.path for d in result.diagnostics} - texts.keys():
        try:
            texts[path] = (root / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            texts[path] = ""
    return texts


def use_color(choice: str, to_terminal: bool) -> bool:
    """--color always/never win; auto follows NO_COLOR, then FORCE_COLOR, then the terminal (no-color.org)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or to_terminal


def documented_rules(rules: dict[str, Rule], docs_url: str | None) -> dict[str, Rule]:
    """Rules whose docs link is the configured `docs-url` (SARIF helpUri), one stable page per rule id."""
    if docs_url is None:
        return rules
    return {rule_id: rule.model_copy(update={"url": docs_url.replace("{rule}", rule_id)}) for rule_id, rule in rules.items()}


def write_output(result: CheckResult, output_format: str, output_file: Path | None, root: Path, color: str,
                 docs_url: str | None = None) -> None:
    """Render the report and print it, or write it to the file the user named."""
    from patchgate.diagnostics.output import render

    use = use_color(color, sys.stdout.isatty() and output_file is None)
    text = render(output_format, result.diagnostics, documented_rules(result.ruleset.by_id, docs_url), root=root,
                  sources=source_texts(result, root), color=use)
    if output_file is None:
        click.echo(text, nl=not text.endswith("\n"), color=use)  # click strips ANSI from a pipe unless told
        return
    try:
        output_file.parent.mkdir(parents=True, exist_ok=True)
        output_file.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot write {output_file}: {error.strerror}") from None


def record_check_evidence(result: CheckResult, root: Path) -> Path:
    """Store an Evidence record of this check; the same inputs give the same id and file."""
    from patchgate.diagnostics.evidence import EvidenceInput, Producer, make_evidence
    from patchgate.diagnostics.ruleset import tool_version

    payload = {"diagnostics": [d.model_dump(mode="json") for d in result.diagnostics]}
    evidence = make_evidence(
        "diagnostics",
        Producer(tool="patchgate", version=tool_version(), command="patchgate check"),
        [EvidenceInput(path=path, sha256=sha) for path, sha in result.inputs.items()],
        result.ruleset_digest,
        payload,
    )
    target = root / ".patchgate" / "evidence" / f"{evidence.id}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(evidence.model_dump_json(indent=2), encoding="utf-8")
    click.echo(f"evidence: {target.relative_to(root).as_posix()}", err=True)
    return target
