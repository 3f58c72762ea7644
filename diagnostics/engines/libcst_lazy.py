"""Stands in for the libcst engine until a selected libcst rule meets a Python file.

Importing libcst costs about 0.2 s, as much as the rest of start-up: a run whose selection has no
libcst rule (an editor's single-rule check, a hook, a benchmark) never pays it. The built-in rules'
metadata comes from a catalog generated from the rule classes, checked for staleness by a test;
regenerate it with `python -m patchgate.diagnostics.engines.libcst_lazy`.
"""

from __future__ import annotations

import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import TypeAdapter

from patchgate.diagnostics.models import Diagnostic, Rule
from patchgate.diagnostics.source import SourceFile

if TYPE_CHECKING:
    from patchgate.diagnostics.engines.libcst_engine import LibcstEngine

CATALOG = Path(__file__).resolve().parent.parent / "rules" / "libcst_rules" / "catalog.json"
RULES = TypeAdapter(list[Rule])


def render_catalog() -> str:
    """The catalog's text for the built-in rule classes as they are now (imports libcst)."""
    from patchgate.diagnostics.engines.libcst_engine import LibcstEngine
    from patchgate.diagnostics.rules.libcst_rules import BUILTIN_LIBCST_RULES

    return RULES.dump_json(LibcstEngine(BUILTIN_LIBCST_RULES).rules(), indent=2).decode() + "\n"


class LazyLibcstEngine:
    """The RuleEngine protocol over a LibcstEngine that is built on first real use."""

    def __init__(self, builtin: bool, rule_modules: tuple[str, ...], python_target: tuple[int, int] = (3, 10)) -> None:
        self._builtin, self._modules, self._target = builtin, rule_modules, python_target
        if rule_modules:
            self.engine  # a user's rule module must fail to load now (exit 40), not mid-run

    def rules(self) -> list[Rule]:
        """Every rule the engine can run, without importing libcst when only built-ins are asked for."""
        if "engine" in self.__dict__:
            return self.engine.rules()
        catalog = RULES.validate_json(CATALOG.read_bytes())
        return catalog if self._builtin else [rule for rule in catalog if rule.engine == "patchgate"]

    @cached_property
    def rule_ids(self) -> frozenset[str]:
        """Ids of the libcst rules proper (not the engine's own skipped/crashed findings)."""
        return frozenset(rule.id for rule in self.rules() if rule.engine == "libcst")

    @cached_property
    def engine(self) -> LibcstEngine:
        """The real engine, with libcst imported."""
        from patchgate.diagnostics.engines.libcst_engine import LibcstEngine
        from patchgate.diagnostics.python_rule import load_rule_module

        classes = []
        if self._builtin:
            from patchgate.diagnostics.rules.libcst_rules import BUILTIN_LIBCST_RULES

            classes.extend(BUILTIN_LIBCST_RULES)
        for module_spec in self._modules:
            classes.extend(load_rule_module(module_spec))
        return LibcstEngine(classes, self._target)

    def check(self, source: SourceFile, selected: frozenset[str]) -> list[Diagnostic]:
        """Findings of the selected libcst rules; builds the engine only when one could run here."""
        if source.language != "python" or self.rule_ids.isdisjoint(selected):
            return []
        return self.engine.check(source, selected)


def main(argv: list[str] | None = None) -> int:
    """Rewrite the catalog from the rule classes."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else CATALOG
    target.write_text(render_catalog(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
