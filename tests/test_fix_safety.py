"""Every safe fix of the built-in pack keeps code working (issue 10: "fixes that never break code").

`patchgate check --fix` (safe fixes only, through the gate, as a user runs it) is applied to every
INVALID example of every rule whose fix is safe, and to a package shaped like application code
(tests/data/fix_safety). Each result must compile; the package must also import, pass its own unittest
suite and print exactly what it printed before. Rules are read from the ruleset, so a rule added to the
pack with a safe fix is covered without touching this file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from conftest import run_patchgate, write_files

from patchgate.diagnostics.config import Config
from patchgate.diagnostics.models import Rule
from patchgate.diagnostics.ruleset import load_ruleset

FIXTURE = Path(__file__).parent / "data" / "fix_safety"
EXAMPLES_CONFIG = "[connect]\nimport-check = false\n\n[connect.thresholds.large-change]\nmax-files = 10000\nmax-lines = 100000\n"
"""Examples are snippets with free names (the gate's own import check would rightly hold them back), and
one file each (far over the review limit of a normal change)."""


def safe_fix_rules(root: Path) -> list[Rule]:
    """Every built-in rule that has a fix `check --fix` takes without --unsafe-fixes."""
    rules = load_ruleset(Config(root=root)).rules
    return sorted((rule for rule in rules if rule.fixable and rule.safe_fix and rule.invalid), key=lambda rule: rule.id)


def assert_compiles(path: Path) -> None:
    """The file is still Python: CPython compiles it (its SyntaxWarnings are not failures)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


def fix(root: Path, *args: str) -> None:
    """One `patchgate check --fix` run; the gate must permit it (exit 0/1, never rewrite/review/deny): a fix
    that added an error finding, or broke a module's import, would make it say rewrite (exit 10)."""
    result = run_patchgate("check", "--fix", "--no-cache", *args, cwd=root)
    assert result.code in (0, 1), result.stdout + result.stderr
    assert "fixed " in result.stderr or "nothing to fix" in result.stderr, result.stderr


def test_every_safe_fix_compiles_on_every_invalid_example(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    rules = safe_fix_rules(tmp_path)
    assert {"unused-import", "not-in-test", "getattr-with-constant"} <= {rule.id for rule in rules}
    assert "compare-to-none" not in {rule.id for rule in rules}
    files = {f"examples/{rule.id.replace('-', '_')}/case_{index}.py": example.code
             for rule in rules for index, example in enumerate(rule.invalid)}
    write_files(tmp_path, {"patchgate.toml": EXAMPLES_CONFIG})
    for name, code in files.items():  # written as they are: write_files would dedent them
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(code, encoding="utf-8")
    fix(tmp_path, "--select", ",".join(rule.id for rule in rules))
    changed = set()
    for name, code in files.items():
        path = tmp_path / name
        assert_compiles(path)
        if path.read_text(encoding="utf-8") != code:
            changed.add(name.split("/")[1])
    fixed_rules = {rule.id.replace("-", "_") for rule in rules if any(example.fixed for example in rule.invalid)}
    assert fixed_rules <= changed, f"no fix was applied for {sorted(fixed_rules - changed)}"


def run_main(root: Path) -> str:
    """The fixture's main.py in a fresh interpreter: what it prints, which must not change."""
    done = subprocess.run([sys.executable, "-W", "ignore", "main.py"], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """The real-shaped package in a workspace of its own, with an empty config."""
    root = tmp_path / "ws"
    shutil.copytree(FIXTURE, root)
    (root / ".git").mkdir()
    (root / "patchgate.toml").write_text("", encoding="utf-8")
    return root


def test_safe_fixes_keep_a_real_shaped_package_importable_and_its_output_unchanged(shop: Path) -> None:
    before = run_main(shop)
    assert before.rstrip().endswith("tests ok")
    sources = {path: path.read_text(encoding="utf-8") for path in shop.rglob("*.py")}
    # Fixes that overlap (`not x is 0`: not-is-test around is-literal) land on the next run: at most three.
    for _ in range(3):
        fix(shop)
    for path in sources:
        assert_compiles(path)
    assert run_main(shop) == before
    modules = "import shop, shop.orders, shop.report, shop.order_checks; from shop import Order, OrderLine, summary"
    imported = subprocess.run([sys.executable, "-W", "ignore", "-c", modules], cwd=shop, capture_output=True, text=True, timeout=60)
    assert imported.returncode == 0, imported.stderr

    orders, report, tests = (shop / "shop" / name for name in ("orders.py", "report.py", "order_checks.py"))
    orders_text = orders.read_text(encoding="utf-8")
    assert "import os" not in orders_text and 'logger.warning("order %s' in orders_text
    assert "self.code not in DISCOUNT_CODES" in orders_text and "sku: str" in orders_text
    assert 'sum(line.total for line in' in orders_text and 'prefix = "ORDER"' in orders_text
    # Left alone: the unsafe compare-to-none fix, and the getattr probe whose fix would be a useless expression.
    assert "not self.notes == None" in orders_text and 'getattr(module, "summary")' in orders_text
    assert "from shop.orders import Order, OrderLine" in (shop / "shop" / "__init__.py").read_text(encoding="utf-8")
    assert "-> str:" in report.read_text(encoding="utf-8") and "import json" not in report.read_text(encoding="utf-8")
    assert "self.assertEqual(self.order.total(), 7.5)" in tests.read_text(encoding="utf-8")


def test_nothing_safe_is_left_to_fix_on_the_package(shop: Path) -> None:
    """After the runs converge, no finding of a safe-fix rule still carries a fix the next run would take."""
    for _ in range(3):
        fix(shop)
    safe = {rule.id for rule in safe_fix_rules(shop)}
    result = run_patchgate("check", "--no-cache", "--format", "json", cwd=shop)
    left = [(d["path"], d["rule_id"]) for d in json.loads(result.stdout)["diagnostics"] if d["rule_id"] in safe and d["fix"]]
    assert left == []
