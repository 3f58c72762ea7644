"""The checks added for issue 10 (ruff's UP006/UP007, B017, B028, B905, S105/S106, S608, SIM102, SIM115,
SIM118) through the CLI, on modules shaped like real code: findings, target-version, and safe fixes."""

from __future__ import annotations

import json
import py_compile
from pathlib import Path

from conftest import run_patchgate, write_files

NEW_RULES = "UP006,UP007,B017,B028,B905,S105,S106,S608,SIM102,SIM115,SIM118"

SERVICE = '''\
import warnings
from typing import Dict, List, Optional, Union

DB_PASSWORD = "hunter2"


class UserStore:
    def __init__(self, connection, cache: Optional[Dict[str, int]] = None) -> None:
        self.connection = connection
        self.cache = cache or {}

    def names(self, ids: List[int]) -> List[str]:
        rows = self.connection.execute("SELECT name FROM users WHERE id IN (%s)" % ",".join(map(str, ids)))
        return [row[0] for row in rows]

    def pairs(self, keys: List[str], values: List[int]) -> Dict[str, Union[int, str]]:
        if keys:
            if values:
                return dict(zip(keys, values))
        return {}

    def lookup(self, key: str) -> Optional[int]:
        if key in self.cache.keys():
            return self.cache[key]
        warnings.warn("lookup is slow", DeprecationWarning)
        log = open("store.log", "a", encoding="utf-8")
        log.write(key)
        log.close()
        return None


def connect(factory):
    return factory(user="app", password="s3cret")
'''

TESTS = '''\
import unittest

import pytest


class StoreTest(unittest.TestCase):
    def test_missing(self):
        with self.assertRaises(Exception):
            raise KeyError("x")


def test_bad_key():
    with pytest.raises(Exception):
        raise KeyError("x")
'''


def _findings(project: Path, *paths: str, select: str = NEW_RULES) -> list[tuple[str, int]]:
    result = run_patchgate("check", "--select", select, "--format", "json", "--no-cache", *paths, cwd=project)
    assert result.code in (0, 1), result.stderr
    return sorted((d["rule_id"], d["span"]["start_line"] + 1) for d in json.loads(result.stdout)["diagnostics"])


def test_each_new_rule_reports_its_line_of_a_realistic_module(project: Path) -> None:
    write_files(project, {"store.py": SERVICE, "test_store.py": TESTS})
    found = _findings(project, "store.py")
    assert found == sorted([
        ("hardcoded-password-string", 4),
        ("non-pep604-annotation", 8), ("non-pep585-annotation", 8),
        ("non-pep585-annotation", 12), ("non-pep585-annotation", 12),
        ("sql-string-building", 13),
        ("non-pep585-annotation", 16), ("non-pep585-annotation", 16), ("non-pep585-annotation", 16),
        ("non-pep604-annotation", 16),
        ("collapsible-if", 17),
        ("zip-without-strict", 19),
        ("non-pep604-annotation", 22),
        ("in-dict-keys", 23),
        ("warn-without-stacklevel", 25),
        ("open-without-context-manager", 26),
        ("hardcoded-password-argument", 33),
    ])
    assert _findings(project, "test_store.py") == [("assert-raises-exception", 8), ("assert-raises-exception", 13)]


def test_aliases_select_and_name_the_rules(project: Path) -> None:
    write_files(project, {"store.py": SERVICE})
    result = run_patchgate("check", "--select", "SIM118", "--format", "json", "--no-cache", "store.py", cwd=project)
    diagnostics = json.loads(result.stdout)["diagnostics"]
    assert [(d["rule_id"], d["source_alias"]) for d in diagnostics] == [("in-dict-keys", "SIM118")]


def test_annotation_rules_and_zip_strict_follow_target_version(project: Path) -> None:
    code = "from typing import List, Optional\n\ndef f(a: List[int], b: Optional[str]) -> None:\n    print(list(zip(a, b)))\n"
    write_files(project, {"mod.py": code})
    select = "UP006,UP007,B905"
    (project / "patchgate.toml").write_text('target-version = "py38"\n', encoding="utf-8")
    assert _findings(project, "mod.py", select=select) == []
    (project / "patchgate.toml").write_text('target-version = "py39"\n', encoding="utf-8")
    assert _findings(project, "mod.py", select=select) == [("non-pep585-annotation", 3)]
    (project / "patchgate.toml").write_text('target-version = "py310"\n', encoding="utf-8")
    assert _findings(project, "mod.py", select=select) == [
        ("non-pep585-annotation", 3), ("non-pep604-annotation", 3), ("zip-without-strict", 4)]


def test_a_future_import_reports_old_targets_without_a_fix(project: Path) -> None:
    code = "from __future__ import annotations\nfrom typing import List\n\nnames: List[str] = []\n"
    write_files(project, {"mod.py": code})
    (project / "patchgate.toml").write_text('target-version = "py38"\n', encoding="utf-8")
    result = run_patchgate("check", "--select", "UP006", "--format", "json", "--no-cache", "mod.py", cwd=project)
    diagnostics = json.loads(result.stdout)["diagnostics"]
    assert [(d["rule_id"], d["fix"]) for d in diagnostics] == [("non-pep585-annotation", None)]


def test_fix_applies_only_the_safe_fixes_and_the_result_compiles(project: Path) -> None:
    write_files(project, {"store.py": SERVICE})
    result = run_patchgate("check", "--select", NEW_RULES, "--fix", "--format", "json", "--no-cache", cwd=project)
    assert result.code == 0, result.stderr
    assert "1 more with --unsafe-fixes" in result.stderr
    fixed = (project / "store.py").read_text(encoding="utf-8")
    py_compile.compile(str(project / "store.py"), doraise=True)
    # `Optional[Dict[...]]`: the two rules' edits overlap, so one waits for the second run, as in ruff
    assert "def names(self, ids: list[int]) -> list[str]:" in fixed
    assert "def lookup(self, key: str) -> int | None:" in fixed
    assert "if key in self.cache.keys():" in fixed, "in-dict-keys' fix is unsafe: not taken without --unsafe-fixes"
    again = run_patchgate("check", "--select", "UP006,UP007", "--fix", "--no-cache", cwd=project)
    assert again.code == 0, again.stdout + again.stderr
    final = (project / "store.py").read_text(encoding="utf-8")
    py_compile.compile(str(project / "store.py"), doraise=True)
    assert "cache: dict[str, int] | None = None" in final
    assert "-> dict[str, int | str]:" in final
