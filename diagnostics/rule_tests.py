"""ast-grep rule tests (`sg test`): YAML files with an `id` and `valid:` / `invalid:` code lists.

A valid case passes when the rule reports nothing on it, an invalid case when the rule reports at
least one match. When the test directory holds an ast-grep snapshot for an invalid case
(`__snapshots__/<id>-snapshot.yml`), the first match's text and byte range and the text after
fixing that match must equal the snapshot's; cases without a snapshot only need a match.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from patchgate.diagnostics.engines.astgrep.project import find_sgconfig, load_sgconfig
from patchgate.diagnostics.engines.astgrep.yaml_loader import error_line, load_one
from patchgate.diagnostics.errors import RuleLoadError
from patchgate.diagnostics.models import Diagnostic
from patchgate.diagnostics.source import EXTENSION_LANGUAGES, RuleEngine, SourceFile
from patchgate.diagnostics.span import apply_edits

CaseKind = Literal["valid", "invalid"]
TEST_KEYS = frozenset({"id", "valid", "invalid"})
LANGUAGE_EXTENSIONS = {language: ext for ext, language in reversed(list(EXTENSION_LANGUAGES.items()))}


@dataclass(frozen=True)
class RuleTestCase:
    """One code sample of a rule-test file, with its snapshot when ast-grep recorded one."""

    rule_id: str
    kind: CaseKind
    index: int
    code: str
    source: str
    snapshot: dict[str, Any] | None = None


@dataclass(frozen=True)
class RuleTestResult:
    """The outcome of one case: pass or fail, and a one-line reason for a failure."""

    rule_id: str
    kind: CaseKind
    index: int
    passed: bool
    reason: str = ""
    source: str = ""

    @property
    def name(self) -> str:
        """A stable name such as `no-print/invalid[0]`."""
        return f"{self.rule_id}/{self.kind}[{self.index}]"


def _load_yaml(path: Path) -> Any:
    """A YAML file's single document; RuleLoadError names the file."""
    try:
        return load_one(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise RuleLoadError(f"{path}: cannot read rule test: {str(error).splitlines()[0]}") from None
    except yaml.YAMLError as error:
        raise RuleLoadError(f"{path}: cannot read rule test: {error_line(error)}") from None


def snapshot_dir_for(test_file: Path) -> Path:
    """Where ast-grep keeps snapshots for a test file: its testConfig's snapshotDir, else __snapshots__."""
    test_file = test_file.resolve()
    config = find_sgconfig(test_file.parent)
    if config is not None:
        for test_config in load_sgconfig(config).test_configs:
            if test_config.test_dir in test_file.parents:
                return test_config.snapshot_dir
    return test_file.parent / "__snapshots__"


def _snapshots(rule_id: str, directory: Path) -> dict[str, Any]:
    """The recorded snapshots of one rule, keyed by the invalid code they belong to."""
    path = directory / f"{rule_id}-snapshot.yml"
    if not path.is_file():
        return {}
    data = _load_yaml(path) or {}
    snapshots = data.get("snapshots") if isinstance(data, dict) else None
    return snapshots if isinstance(snapshots, dict) else {}


def _code_list(data: dict[str, Any], key: str, path: Path) -> list[str]:
    """`valid` / `invalid`: a list of code strings."""
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RuleLoadError(f"{path}: `{key}` must be a list of code strings")
    return value


def load_rule_tests(paths: Iterable[Path], snapshot_dir: Path | None = None) -> list[RuleTestCase]:
    """Every case of the given rule-test files; RuleLoadError names a malformed file."""
    cases: list[RuleTestCase] = []
    for path in map(Path, paths):
        data = _load_yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise RuleLoadError(f"{path}: a rule test is a mapping with an `id` and `valid`/`invalid` lists")
        unknown = sorted(set(data) - TEST_KEYS)
        if unknown:
            raise RuleLoadError(f"{path}: rule test `{data['id']}`: unknown key `{unknown[0]}` (expected id, valid, invalid)")
        snapshots = _snapshots(data["id"], snapshot_dir or snapshot_dir_for(path))
        cases.extend(RuleTestCase(data["id"], "valid", i, code, str(path)) for i, code in enumerate(_code_list(data, "valid", path)))
        cases.extend(
            RuleTestCase(data["id"], "invalid", i, code, str(path), snapshots.get(code))
            for i, code in enumerate(_code_list(data, "invalid", path))
        )
    return cases


def discover_rule_tests(config: object) -> list[Path]:
    """Rule-test files of the sgconfig.yml a patchgate Config (or a path) names, via its testConfigs."""
    sgconfig = config if isinstance(config, (str, Path)) else getattr(config, "sgconfig", None)
    if sgconfig is None:
        return []
    return load_sgconfig(Path(sgconfig)).test_files()


@dataclass(frozen=True)
class _Target:
    """The engine and rule a test case runs against."""

    engine: RuleEngine
    rule_id: str
    language: str


def _targets(engines: Sequence[RuleEngine]) -> dict[str, _Target]:
    """Test ids (ast-grep ids, canonical ids and aliases) -> the rule they test, disabled rules included."""
    found: dict[str, _Target] = {}
    for engine in engines:
        listing = getattr(engine, "ast_grep_rules", None)
        if callable(listing):
            for rule in listing():
                target = _Target(engine, rule.id, rule.language)
                found.setdefault(rule.sg_id, target)
                found.setdefault(rule.id, target)
            continue
        for meta in engine.rules():
            found.setdefault(meta.id, _Target(engine, meta.id, meta.language))
            for alias in meta.aliases:
                found.setdefault(alias, _Target(engine, meta.id, meta.language))
    return found


def _findings(target: _Target, code: str) -> list[Diagnostic]:
    """The rule's findings on a code sample, ignoring files/ignores globs as `sg test` does."""
    extension = LANGUAGE_EXTENSIONS.get(target.language, "")
    source = SourceFile(path=f"rule-test{extension}", text=code, language=target.language)
    check = getattr(target.engine, "check_ignoring_paths", target.engine.check)
    found = [d for d in check(source, frozenset({target.rule_id})) if d.rule_id == target.rule_id]
    return sorted(found, key=lambda d: (d.span.start_offset, -d.span.end_offset))


def _snapshot_reason(case: RuleTestCase, first: Diagnostic) -> str:
    """Why the first match differs from the recorded snapshot, or '' when it agrees."""
    snapshot = case.snapshot or {}
    labels = [label for label in snapshot.get("labels") or [] if isinstance(label, dict) and label.get("style") == "primary"]
    code_bytes = case.code.encode("utf-8")
    start = len(case.code[: first.span.start_offset].encode("utf-8"))
    end = start + len(case.code[first.span.start_offset : first.span.end_offset].encode("utf-8"))
    actual = {"source": code_bytes[start:end].decode("utf-8"), "start": start, "end": end}
    if labels and {k: labels[0].get(k) for k in actual} != actual:
        return f"snapshot label differs: expected {labels[0].get('source')!r} at {labels[0].get('start')}, got {actual['source']!r} at {start}"
    if "fixed" in snapshot:
        fixed = apply_edits(case.code, first.fix or [])
        if fixed != snapshot["fixed"]:
            return f"snapshot fix differs: expected {snapshot['fixed']!r}, got {fixed!r}"
    return ""


def _run_case(case: RuleTestCase, targets: dict[str, _Target]) -> RuleTestResult:
    """One case through the engine that owns the rule."""
    def result(passed: bool, reason: str = "") -> RuleTestResult:
        return RuleTestResult(case.rule_id, case.kind, case.index, passed, reason, case.source)

    target = targets.get(case.rule_id)
    if target is None:
        return result(False, f"no loaded rule has id `{case.rule_id}`")
    found = _findings(target, case.code)
    if case.kind == "valid":
        return result(not found, "" if not found else f"reported at line {found[0].span.start_line + 1}: {found[0].message}")
    if not found:
        return result(False, "not reported")
    reason = _snapshot_reason(case, found[0]) if case.snapshot else ""
    return result(not reason, reason)


def run_rule_tests(cases: Iterable[RuleTestCase | Path | str], engine: RuleEngine | Sequence[RuleEngine]) -> list[RuleTestResult]:
    """Run test cases (or rule-test files) against one engine or a list of engines."""
    items = list(cases)
    paths = [Path(item) for item in items if isinstance(item, (str, Path))]
    loaded = [item for item in items if isinstance(item, RuleTestCase)] + load_rule_tests(paths)
    engines = list(engine) if isinstance(engine, Sequence) else [engine]
    targets = _targets(engines)
    return [_run_case(case, targets) for case in loaded]
