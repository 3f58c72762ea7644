"""`patchgate rules list|show|test`: what rules exist, why each is on, and whether they hold."""

from __future__ import annotations

import json
from pathlib import Path

import click

from patchgate.cli.common import load_config_for
from patchgate.cli.recovery import settle_interrupted
from patchgate.diagnostics.errors import InputError
from patchgate.diagnostics.models import Rule
from patchgate.diagnostics.ruleset import Ruleset, load_ruleset
from patchgate.diagnostics.selection import RuleSelector


def _context(config_file: Path | None) -> tuple[Ruleset, RuleSelector]:
    """The ruleset and selection in force for the current directory."""
    settle_interrupted(Path.cwd(), config_file)
    config = load_config_for(Path("."), config_file)
    ruleset = load_ruleset(config)
    return ruleset, RuleSelector(ruleset.rules, config, None, (), ())


def _find_rule(ruleset: Ruleset, key: str) -> Rule:
    """A rule by id or alias; an unknown one is bad input."""
    for rule in ruleset.rules:
        if key == rule.id or key in rule.aliases:
            return rule
    raise InputError(f"unknown rule: {key} (see `patchgate rules list`)")


config_option = click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False))


@click.group()
def rules() -> None:
    """List, explain and test rules."""


@rules.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
@config_option
def list_rules(as_json: bool, config_file: Path | None) -> None:
    """Every rule patchgate knows, and whether it is on here."""
    ruleset, selector = _context(config_file)
    enabled = selector.selected_for("")
    ordered = sorted(ruleset.rules, key=lambda r: r.id)
    if as_json:
        rows = [{**r.model_dump(mode="json", include={"id", "aliases", "severity", "engine", "tags", "fixable", "language"}),
                 "enabled": r.id in enabled} for r in ordered]
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "aliases", "severity", "engine", "language", "fix", "on", box=None, pad_edge=False)
    for rule in ordered:
        table.add_row(rule.id, ",".join(rule.aliases), rule.severity, rule.engine, rule.language,
                      "yes" if rule.fixable else "", "on" if rule.id in enabled else "off")
    Console(width=140).print(table)


@rules.command("show")
@click.argument("rule_id")
@click.option("--json", "as_json", is_flag=True, help="Print the rule as JSON.")
@config_option
def show_rule(rule_id: str, as_json: bool, config_file: Path | None) -> None:
    """A rule's docs, examples, and why it is on or off."""
    ruleset, selector = _context(config_file)
    rule = _find_rule(ruleset, rule_id)
    if as_json:
        click.echo(rule.model_dump_json(indent=2))
        return
    lines = [f"{rule.id}  ({rule.engine}, {rule.language}, {rule.severity})"]
    if rule.aliases:
        lines.append(f"aliases: {', '.join(rule.aliases)}")
    if rule.tags:
        lines.append(f"tags: {', '.join(rule.tags)}")
    lines += [f"source: {rule.source}", f"status: {selector.explain(rule.id)}", "", rule.title, ""]
    if rule.docs:
        lines += [rule.docs.strip(), ""]
    for title, examples in (("valid", rule.valid), ("invalid", rule.invalid)):
        for example in examples:
            lines.append(f"{title}:")
            lines.extend(f"    {line}" for line in example.code.rstrip("\n").splitlines())
            if example.fixed is not None:
                lines.append("  fixed:")
                lines.extend(f"    {line}" for line in example.fixed.rstrip("\n").splitlines())
    click.echo("\n".join(lines))


@rules.command("test")
@click.argument("rule_files", nargs=-1, type=click.Path(path_type=Path, exists=True))
@config_option
@click.pass_context
def test_rules(ctx: click.Context, rule_files: tuple[Path, ...], config_file: Path | None) -> None:
    """Run rules' own examples, and ast-grep rule tests (`sg test` YAML), reporting each case."""
    from patchgate.cli.rule_testing import run_rule_checks

    settle_interrupted(Path.cwd(), config_file, *rule_files)
    failures = run_rule_checks(list(rule_files), config_file)
    ctx.exit(1 if failures else 0)
