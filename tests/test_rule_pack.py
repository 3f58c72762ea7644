"""The built-in ast-grep rule pack is correct under ast-grep itself.

Every YAML file in `diagnostics/rules/ast_grep/` is run by the real `ast-grep` CLI (the
binary next to the interpreter) on its own VALID and INVALID examples: valid code gives no
match, invalid code gives at least one, and where an INVALID example carries `fixed`,
`ast-grep scan --update-all` turns it into exactly that text. patchgate's own engine runs
the same files in its own tests; this one proves the pack is plain ast-grep.

To stay fast, each rule is run at most twice (one scan over all its examples, one
`--update-all` over the examples that carry a fix), with the examples batched into one
directory and the JSON matches mapped back by file name.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
import yaml

from patchgate.diagnostics.rules.libcst_rules import BUILTIN_LIBCST_RULES

ROOT = Path(__file__).resolve().parents[1]
RULE_DIR = ROOT / "diagnostics" / "rules" / "ast_grep"
AST_GREP = Path(sys.executable).parent / "ast-grep"
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TAGS = {"correctness", "deprecated", "security", "style"}
SEVERITIES = {"error", "warning", "info", "hint"}
LIBCST_RULE_IDS = {rule.id for rule in BUILTIN_LIBCST_RULES}
"""Built-in rules of the libcst engine: the YAML pack must not duplicate them."""
EXTENSIONS = {"python": ".py", "javascript": ".js", "typescript": ".ts", "tsx": ".tsx", "go": ".go", "rust": ".rs"}
MIN_RULES = 28


@dataclass(frozen=True)
class Example:
    """One VALID or INVALID example of a rule."""

    code: str
    fixed: str | None = None


@dataclass(frozen=True)
class PackRule:
    """A rule file of the pack, parsed."""

    path: Path
    data: dict

    @property
    def id(self) -> str:
        return str(self.data.get("id"))

    @property
    def metadata(self) -> dict:
        return self.data.get("metadata") or {}

    @property
    def valid(self) -> list[Example]:
        return [_example(item) for item in self.metadata.get("valid") or []]

    @property
    def invalid(self) -> list[Example]:
        return [_example(item) for item in self.metadata.get("invalid") or []]

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(str(self.data.get("language", "python")).lower(), ".py")


def _example(item: object) -> Example:
    """Examples are either a plain string or a mapping with `code` and an optional `fixed`."""
    if isinstance(item, str):
        return Example(item)
    assert isinstance(item, dict) and isinstance(item.get("code"), str), f"bad example: {item!r}"
    fixed = item.get("fixed")
    assert fixed is None or isinstance(fixed, str), f"bad fixed text: {item!r}"
    return Example(item["code"], fixed)


def _load_pack() -> dict[str, PackRule]:
    rules: dict[str, PackRule] = {}
    for path in sorted(RULE_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict), f"{path.name}: not a YAML mapping"
        rules[path.stem] = PackRule(path, data)
    return rules


PACK = _load_pack()


@dataclass(frozen=True)
class RuleRun:
    """What ast-grep reported for one rule over its batched examples."""

    matches: dict[str, list[dict]]
    """File name -> matches, for every example file (valid_N, invalid_N, fixed_N)."""
    fixed: dict[str, str]
    """File name -> text after `--update-all`, for every invalid example that carries `fixed`."""


def _ast_grep(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(AST_GREP), *args], cwd=cwd, capture_output=True, text=True, timeout=60)


@lru_cache(maxsize=None)
def run_rule(stem: str) -> RuleRun:
    """Run one rule over all of its examples: one scan, plus one --update-all if it has fixes."""
    rule = PACK[stem]
    ext = rule.extension
    with TemporaryDirectory(prefix="rule-pack-") as tmp:
        scan_dir = Path(tmp) / "scan"
        fix_dir = Path(tmp) / "fix"
        scan_dir.mkdir()
        fix_dir.mkdir()
        for i, example in enumerate(rule.valid):
            (scan_dir / f"valid_{i}{ext}").write_text(example.code, encoding="utf-8")
        for i, example in enumerate(rule.invalid):
            (scan_dir / f"invalid_{i}{ext}").write_text(example.code, encoding="utf-8")
            if example.fixed is not None:
                (scan_dir / f"fixed_{i}{ext}").write_text(example.fixed, encoding="utf-8")
                (fix_dir / f"invalid_{i}{ext}").write_text(example.code, encoding="utf-8")
        done = _ast_grep("scan", "-r", str(rule.path), "--json=compact", ".", cwd=scan_dir)
        try:
            found = json.loads(done.stdout)
        except json.JSONDecodeError:
            pytest.fail(f"ast-grep rejected {rule.path.name} (exit {done.returncode}): {done.stderr.strip()}", pytrace=False)
        matches: dict[str, list[dict]] = {}
        for match in found:
            matches.setdefault(Path(match["file"]).name, []).append(match)
        fixed: dict[str, str] = {}
        if any(f.is_file() for f in fix_dir.iterdir()):
            update = _ast_grep("scan", "-r", str(rule.path), "--update-all", ".", cwd=fix_dir)
            assert update.returncode in (0, 1), f"ast-grep --update-all failed: {update.stderr.strip()}"
            fixed = {f.name: f.read_text(encoding="utf-8") for f in fix_dir.iterdir()}
        return RuleRun(matches, fixed)


def _example_cases() -> list:
    cases = []
    for stem, rule in PACK.items():
        for i in range(len(rule.valid)):
            cases.append(pytest.param(stem, "valid", i, id=f"{stem}/valid[{i}]"))
        for i in range(len(rule.invalid)):
            cases.append(pytest.param(stem, "invalid", i, id=f"{stem}/invalid[{i}]"))
    return cases


def _describe(matches: list[dict]) -> str:
    return "; ".join(f"line {m['range']['start']['line'] + 1}: {m['text']!r}" for m in matches)


def test_ast_grep_cli_is_installed() -> None:
    assert AST_GREP.is_file(), f"the ast-grep CLI is not next to the interpreter: {AST_GREP}"


def test_pack_size_and_no_overlap_with_libcst_rules() -> None:
    assert len(PACK) >= MIN_RULES, f"only {len(PACK)} rules in {RULE_DIR}"
    assert not LIBCST_RULE_IDS & set(PACK), "these rules belong to the libcst engine"
    assert not [p.name for p in RULE_DIR.iterdir() if p.suffix == ".yaml"], "use the .yml suffix"


@pytest.mark.parametrize("stem", sorted(PACK))
def test_rule_metadata(stem: str) -> None:
    rule = PACK[stem]
    data, meta = rule.data, rule.metadata
    assert rule.id == stem, f"id {rule.id!r} differs from the file name"
    assert KEBAB.match(rule.id), f"id {rule.id!r} is not kebab-case"
    assert data.get("language") in {"python", "Python"}, "the built-in pack is a Python pack"
    assert data.get("severity") in SEVERITIES
    assert isinstance(data.get("message"), str) and data["message"].strip()
    assert isinstance(data.get("note"), str) and data["note"].strip()
    assert "rule" in data
    assert isinstance(meta.get("aliases"), list) and all(isinstance(a, str) and a for a in meta["aliases"])
    assert isinstance(meta.get("tags"), list) and meta["tags"] and set(meta["tags"]) <= TAGS, meta.get("tags")
    assert isinstance(meta.get("docs"), str) and len(meta["docs"].strip()) >= 40, "docs: a short rationale paragraph"
    assert len(rule.valid) >= 2, "at least two VALID examples"
    assert len(rule.invalid) >= 2, "at least two INVALID examples"
    if "fix" in data:
        assert isinstance(meta.get("safe_fix"), bool), "a rule with a fix says whether it is safe"
        missing = [i for i, example in enumerate(rule.invalid) if example.fixed is None]
        assert not missing, f"invalid examples {missing} of a fixable rule lack `fixed`"
    else:
        assert not meta.get("safe_fix"), "safe_fix without a fix"
        assert all(example.fixed is None for example in rule.invalid), "`fixed` given but the rule has no fix"


def test_aliases_are_unique_across_the_pack() -> None:
    """An alias names one rule, so `--select E711` and `# noqa: E711` are unambiguous."""
    owners: dict[str, list[str]] = {}
    for stem, rule in PACK.items():
        for alias in rule.metadata.get("aliases") or []:
            owners.setdefault(alias, []).append(stem)
    assert {a: o for a, o in owners.items() if len(o) > 1} == {}


def test_aliases_are_unique_across_both_engines() -> None:
    """A YAML rule and a Python rule never answer to the same ruff code."""
    owners: dict[str, list[str]] = {}
    for stem, rule in PACK.items():
        for alias in rule.metadata.get("aliases") or []:
            owners.setdefault(alias, []).append(stem)
    for cls in BUILTIN_LIBCST_RULES:
        for alias in cls.aliases:
            owners.setdefault(alias, []).append(cls.id)
    assert {a: o for a, o in owners.items() if len(o) > 1} == {}


@pytest.mark.parametrize(("stem", "kind", "index"), _example_cases())
def test_example(stem: str, kind: str, index: int) -> None:
    rule = PACK[stem]
    result = run_rule(stem)
    name = f"{kind}_{index}{rule.extension}"
    found = result.matches.get(name, [])
    if kind == "valid":
        assert not found, f"valid example reported: {_describe(found)}\n---\n{rule.valid[index].code}"
        return
    example = rule.invalid[index]
    assert found, f"invalid example not reported:\n---\n{example.code}"
    if example.fixed is None:
        return
    assert result.fixed.get(name) == example.fixed, "the fix gave a different text"
    left = result.matches.get(f"fixed_{index}{rule.extension}", [])
    assert not left, f"the fixed text is still reported: {_describe(left)}"
