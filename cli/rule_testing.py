"""The body of `patchgate rules test`: rule examples and ast-grep rule tests, one line per failure."""

from __future__ import annotations

from pathlib import Path

import click

from patchgate.cli.common import load_config_for
from patchgate.diagnostics.examples import ExampleResult, run_examples
from patchgate.diagnostics.ruleset import Ruleset, RulesetSpec, build_engines, load_ruleset


def _ruleset_for(rule_files: list[Path], config_file: Path | None) -> Ruleset:
    """The given YAML rule files alone, or every rule the config brings."""
    yaml_rules = [p for p in rule_files if p.suffix in {".yml", ".yaml"} and not _is_test_file(p)]
    if yaml_rules:
        spec = RulesetSpec(rule_files=tuple(str(p.resolve()) for p in yaml_rules), builtin_libcst=False)
        return Ruleset(spec=spec, engines=build_engines(spec))
    return load_ruleset(load_config_for(Path("."), config_file))


def _is_test_file(path: Path) -> bool:
    """ast-grep rule-test files carry `valid:`/`invalid:` lists and no `rule:`."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return "\nrule:" not in f"\n{text}" and ("valid:" in text or "invalid:" in text)


def _sg_test_results(rule_files: list[Path], ruleset: Ruleset, config_file: Path | None) -> list[ExampleResult]:
    """ast-grep's own rule tests: files named on the command line, or sgconfig's testConfigs."""
    from patchgate.diagnostics.rule_tests import discover_rule_tests, run_rule_tests

    test_files = [p for p in rule_files if _is_test_file(p)]
    if not test_files and not rule_files:
        test_files = discover_rule_tests(load_config_for(Path("."), config_file))
    return run_rule_tests(test_files, ruleset.engines) if test_files else []


def run_rule_checks(rule_files: list[Path], config_file: Path | None) -> list[ExampleResult]:
    """Run every check, print failures and a summary, and return the failures."""
    ruleset = _ruleset_for(rule_files, config_file)
    from patchgate.diagnostics.suppression import SuppressionEngine

    engines = [*ruleset.engines, SuppressionEngine()]
    results = [result for rule in ruleset.rules for result in run_examples(rule, engines)]
    results.extend(_sg_test_results(rule_files, ruleset, config_file))
    failures = [result for result in results if not result.passed]
    for failure in failures:
        click.echo(f"FAIL {failure.name}: {failure.reason}")
    click.echo(f"{len(results) - len(failures)} passed, {len(failures)} failed")
    return failures
