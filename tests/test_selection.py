"""Rule selection: ids, aliases, alias prefixes, tags, ALL, layers and per-path overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from patchgate.diagnostics.config import load_config
from patchgate.diagnostics.errors import ConfigError, InputError
from patchgate.diagnostics.models import Rule
from patchgate.diagnostics.selection import RuleSelector


def rule(rule_id: str, aliases: list[str] = [], tags: list[str] = []) -> Rule:  # noqa: B006 - read-only defaults
    return Rule(id=rule_id, aliases=aliases, tags=tags, severity="warning", message="m", language="python", engine="ast-grep")


RULES = [
    rule("compare-to-none", ["E711"], ["correctness"]),
    rule("compare-to-bool", ["E712"], ["correctness"]),
    rule("bare-except", ["E722"], ["style"]),
    rule("eval-used", ["S307", "PGH001"], ["security"]),
    rule("no-print", ["T201"], ["debug"]),
    rule("experimental", [], ["default-off"]),
]


def selector_for(tmp_path: Path, toml: str = "", select: list[str] | None = None, ignore: tuple[str, ...] = (),
                 extend: tuple[str, ...] = ()) -> RuleSelector:
    (tmp_path / "patchgate.toml").write_text(toml, encoding="utf-8")
    return RuleSelector(RULES, load_config(tmp_path), select, ignore, extend)


def test_default_is_every_rule_but_default_off(tmp_path: Path) -> None:
    selector = selector_for(tmp_path)
    assert selector.selected_for("a.py") == {r.id for r in RULES} - {"experimental"}
    assert selector.alias_for("compare-to-none", "a.py") is None
    assert "off by default" in selector.explain("experimental")


def test_select_by_alias_records_source_alias(tmp_path: Path) -> None:
    selector = selector_for(tmp_path, 'select = ["E711", "no-print"]\n')
    assert selector.selected_for("a.py") == {"compare-to-none", "no-print"}
    assert selector.alias_for("compare-to-none", "a.py") == "E711"
    assert selector.alias_for("no-print", "a.py") is None


def test_alias_prefix_selects_like_ruff_but_id_prefix_does_not(tmp_path: Path) -> None:
    selector = selector_for(tmp_path, 'select = ["E71"]\n')
    assert selector.selected_for("a.py") == {"compare-to-none", "compare-to-bool"}
    assert selector.alias_for("compare-to-bool", "a.py") == "E712"
    assert selector_for(tmp_path, 'select = ["E"]\n').selected_for("x.py") == {"compare-to-none", "compare-to-bool", "bare-except"}
    with pytest.raises(ConfigError, match="unknown rule selector 'compare'"):
        selector_for(tmp_path, 'select = ["compare"]\n')


def test_tag_and_all(tmp_path: Path) -> None:
    assert selector_for(tmp_path, 'select = ["correctness"]\n').selected_for("a.py") == {"compare-to-none", "compare-to-bool"}
    everything = selector_for(tmp_path, 'select = ["ALL"]\nignore = ["debug"]\n').selected_for("a.py")
    assert everything == {r.id for r in RULES} - {"no-print"}


def test_more_specific_selector_wins_and_ignore_wins_ties(tmp_path: Path) -> None:
    assert selector_for(tmp_path, 'select = ["E"]\nignore = ["E711"]\n').selected_for("a.py") == {"compare-to-bool", "bare-except"}
    assert selector_for(tmp_path, 'select = ["E711"]\nignore = ["E"]\n').selected_for("a.py") == {"compare-to-none"}
    assert selector_for(tmp_path, 'select = ["E711"]\nignore = ["E711"]\n').selected_for("a.py") == frozenset()


def test_unknown_selector_in_config_names_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        selector_for(tmp_path, 'ignore = ["E7111"]\n')
    assert str(caught.value).endswith("patchgate.toml: ignore: unknown rule selector 'E7111' (did you mean 'E711'?)")


def test_unknown_selector_on_the_cli_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        selector_for(tmp_path, select=["eval-usd"])
    assert not isinstance(caught.value, ConfigError)
    assert str(caught.value) == "--select: unknown rule selector 'eval-usd' (did you mean 'eval-used'?)"


def test_cli_select_replaces_config_and_cli_ignore_extend_add(tmp_path: Path) -> None:
    toml = 'select = ["correctness"]\nignore = ["E711"]\n'
    assert selector_for(tmp_path, toml, select=["E711", "T201"]).selected_for("a.py") == {"compare-to-none", "no-print"}
    assert selector_for(tmp_path, toml, ignore=("E712",), extend=("S307",)).selected_for("a.py") == {"eval-used"}
    extended = selector_for(tmp_path, toml, extend=("experimental",))
    assert extended.selected_for("a.py") == {"compare-to-bool", "experimental"}
    assert extended.alias_for("eval-used", "a.py") is None


def test_per_path_overrides_and_per_file_ignores(tmp_path: Path) -> None:
    toml = """
[[per-path]]
paths = ["tests/", "conftest.py"]
ignore = ["no-print"]

[[per-path]]
paths = ["legacy/**/*.py"]
select = ["S307"]

[per-file-ignores]
"scripts/*.py" = ["E7"]
"""
    selector = selector_for(tmp_path, toml)
    everything = {r.id for r in RULES} - {"experimental"}
    assert selector.selected_for("src/a.py") == everything
    # The built-in entry for tests turns security rules off there first.
    assert selector.selected_for("tests/unit/test_a.py") == everything - {"no-print", "eval-used"}
    assert selector.selected_for("pkg/conftest.py") == everything - {"no-print", "eval-used"}
    assert selector.selected_for("legacy/old/x.py") == {"eval-used"}
    assert selector.alias_for("eval-used", "legacy/old/x.py") == "S307"
    assert selector.selected_for("scripts/run.py") == everything - {"compare-to-none", "compare-to-bool", "bare-except"}
    assert selector.selected_for("") == everything
    explained = selector.explain("no-print")
    assert explained.startswith("on: on by default") and "tests/, conftest.py: off: ignored by 'no-print'" in explained


def test_unknown_selector_in_per_path_names_the_entry(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"per-path\[0\]\.ignore: unknown rule selector 'nope'"):
        selector_for(tmp_path, '[[per-path]]\npaths = ["a"]\nignore = ["nope"]\n')


def test_explain_and_digest(tmp_path: Path) -> None:
    selector = selector_for(tmp_path, 'select = ["E7"]\n')
    assert selector.explain("compare-to-none").startswith("on: selected by 'E7' (alias prefix, via E711) in ")
    assert selector.explain("compare-to-none").endswith("patchgate.toml: select")
    assert selector.explain("no-print").startswith("off: not selected by")
    assert selector.explain("missing") == "unknown rule missing"
    assert selector.digest() == selector_for(tmp_path, 'select = ["E7"]\n').digest()
    assert selector.digest() != selector_for(tmp_path, 'select = ["E711"]\n').digest()


def test_selection_is_cached_per_override_match(tmp_path: Path) -> None:
    selector = selector_for(tmp_path, '[[per-path]]\npaths = ["tests/"]\nignore = ["T201"]\n')
    first = selector.selected_for("tests/a.py")
    assert selector.selected_for("tests/b.py") is first


def test_the_built_in_entry_for_tests_goes_first_and_can_be_turned_off(tmp_path: Path) -> None:
    everything = {r.id for r in RULES} - {"experimental"}
    selector = selector_for(tmp_path, '[[per-path]]\npaths = ["tests/**"]\nextend-select = ["S307"]\n')
    assert selector.selected_for("pkg/tests/test_views.py") == everything - {"eval-used"}
    assert selector.selected_for("tests/test_views.py") == everything
    assert selector.selected_for("api_test.py") == everything - {"eval-used"}
    assert selector.selected_for("src/testing.py") == everything
    assert "off: ignored by 'security' (tag) in the built-in per-path entry" in selector.explain("eval-used")
    plain = selector_for(tmp_path, "default-per-path = false\n")
    assert plain.selected_for("tests/test_views.py") == everything and plain.digest() != selector_for(tmp_path).digest()


def test_the_built_in_entry_needs_no_security_rule(tmp_path: Path) -> None:
    selector = RuleSelector([rule("no-print", ["T201"], ["debug"])], load_config(tmp_path))
    assert selector.selected_for("tests/test_a.py") == {"no-print"}
