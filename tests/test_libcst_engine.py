"""The libcst engine: built-in rules run on their own examples, prefilter, lazy metadata, failures, spans."""

from __future__ import annotations

import functools
import pickle
import sys
import textwrap
import uuid
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import BatchableMetadataProvider, PositionProvider, QualifiedNameProvider, ScopeProvider

from patchgate.diagnostics.engines import libcst_engine, libcst_positions, libcst_run
from patchgate.diagnostics.engines.libcst_engine import LibcstEngine
from patchgate.diagnostics.errors import RuleLoadError
from patchgate.diagnostics.libcst_rule import Invalid, LibcstRule, load_rule_module
from patchgate.diagnostics.models import Diagnostic, RuleExample
from patchgate.diagnostics.rules.libcst_rules import BUILTIN_LIBCST_RULES
from patchgate.diagnostics.source import SourceFile
from patchgate.diagnostics.span import apply_edits

BUILTIN_IDS = frozenset(cls.id for cls in BUILTIN_LIBCST_RULES)
EXAMPLES = [
    pytest.param(cls, kind, example, id=f"{cls.id}/{kind}[{index}]")
    for cls in BUILTIN_LIBCST_RULES
    for kind, examples in (("valid", cls.valid_examples()), ("invalid", cls.invalid_examples()))
    for index, example in enumerate(examples)
]


def python(text: str, path: str = "example.py") -> SourceFile:
    return SourceFile(path=path, text=text, language="python")


def check(engine: LibcstEngine, text: str, selected: frozenset[str] | set[str], path: str = "example.py") -> list[Diagnostic]:
    return engine.check(python(text, path), frozenset(selected))


class NeedleRule(LibcstRule):
    """Reports every name `needle`; cheap to prefilter."""

    id = "needle"
    message = "a needle"
    PREFILTER = ("needle",)
    VALID = ["hay = 1\n"]
    INVALID = ["needle = 1\n"]

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "needle":
            self.report(node)


class UnreadNeedleRule(NeedleRule):
    """Reports a `needle` binding nothing reads: needs scope analysis."""

    id = "unread-needle"
    METADATA_DEPENDENCIES = (ScopeProvider,)

    def visit_Name(self, node: cst.Name) -> None:
        scope = self.get_metadata(ScopeProvider, node, None)
        if node.value == "needle" and scope is not None and not any(a.references for a in scope.assignments["needle"]):
            self.report(node)


class QualifiedNeedleRule(NeedleRule):
    """Reports calls of `os.needle` however imported: needs qualified names (which need scopes)."""

    id = "qualified-needle"
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def visit_Name(self, node: cst.Name) -> None:
        pass

    def visit_Call(self, node: cst.Call) -> None:
        if any(q.name == "os.needle" for q in self.get_metadata(QualifiedNameProvider, node.func, set())):
            self.report(node)


class CountingProvider(BatchableMetadataProvider[int]):
    """A spy: counts how often metadata is computed."""

    runs = 0

    def visit_Module(self, node: cst.Module) -> None:
        CountingProvider.runs += 1


class CountingRule(LibcstRule):
    """Depends on the spy provider; runs only on files that mention `spy`."""

    id = "needs-spy"
    METADATA_DEPENDENCIES = (CountingProvider,)
    PREFILTER = ("spy",)

    def visit_Module(self, node: cst.Module) -> None:
        self.get_metadata(CountingProvider, node, None)


class BrokenRule(LibcstRule):
    """A rule with a bug: it raises on the first name it sees."""

    id = "broken"

    def visit_Name(self, node: cst.Name) -> None:
        raise ZeroDivisionError("boom")


@pytest.fixture
def builtin_engine() -> LibcstEngine:
    return LibcstEngine(BUILTIN_LIBCST_RULES)


# --- every built-in rule against its own VALID and INVALID examples -------------------------------

@pytest.mark.parametrize(("cls", "kind", "example"), EXAMPLES)
def test_builtin_rule_examples(builtin_engine: LibcstEngine, cls: type[LibcstRule], kind: str, example: RuleExample) -> None:
    found = [d for d in check(builtin_engine, example.code, {cls.id}) if d.rule_id == cls.id]
    if kind == "valid":
        assert not found, [d.message for d in found]
        return
    assert found, "the rule did not report its INVALID example"
    if example.fixed is not None:
        edits = [edit for d in found for edit in d.fix or []]
        assert apply_edits(example.code, edits) == example.fixed


@pytest.mark.parametrize("cls", BUILTIN_LIBCST_RULES, ids=lambda cls: cls.id)
def test_builtin_rule_metadata(cls: type[LibcstRule]) -> None:
    rule = cls.to_rule()
    assert rule.engine == "libcst" and rule.language == "python" and rule.source == "builtin"
    assert rule.aliases and rule.docs and rule.valid and rule.invalid and rule.tags
    assert rule.fixable == any(example.fixed is not None for example in rule.invalid)


def test_fixable_is_derived_and_rules_include_the_engines_own(builtin_engine: LibcstEngine) -> None:
    rules = {rule.id: rule for rule in builtin_engine.rules()}
    assert len(BUILTIN_LIBCST_RULES) >= 5
    assert rules["unused-import"].fixable and not rules["os-system-call"].fixable
    assert rules["unused-import"].aliases == ["F401"] and rules["builtin-shadowing"].aliases == ["A001", "A002"]
    assert rules["libcst-skipped"].severity == "info" and rules["rule-crashed"].severity == "error"
    assert NeedleRule.fixable() is False
    assert type("Fixing", (NeedleRule,), {"id": "fixing", "INVALID": [Invalid("needle", "hay")]}).fixable()


# --- one parse, one traversal, and only for files a rule can match --------------------------------

def test_prefilter_keeps_libcst_from_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    parses: list[str] = []
    real_parse = cst.parse_module
    monkeypatch.setattr(cst, "parse_module", lambda text, *a, **k: parses.append(text) or real_parse(text, *a, **k))
    engine = LibcstEngine([NeedleRule])
    assert check(engine, "hay = 1\n", {"needle"}) == []
    assert check(engine, "needle = 1\n", set()) == []  # not selected
    assert engine.check(SourceFile("a.js", "needle = 1", "javascript"), frozenset({"needle"})) == []
    assert engine.stats.parsed == 0 and parses == []
    assert [d.rule_id for d in check(engine, "needle = 1\n", {"needle"})] == ["needle"]
    assert engine.stats.parsed == 1 and len(parses) == 1


def test_builtin_prefilters_skip_files_without_their_text(builtin_engine: LibcstEngine) -> None:
    assert check(builtin_engine, "", BUILTIN_IDS) == []
    assert check(builtin_engine, "# just a comment\n", BUILTIN_IDS) == []
    assert check(builtin_engine, "print(platform_system())\n", {"os-system-call"}) == []
    assert builtin_engine.stats.parsed == 0 and builtin_engine.stats.prefiltered == 3


def test_all_rules_share_one_parse_and_one_traversal(monkeypatch: pytest.MonkeyPatch, builtin_engine: LibcstEngine) -> None:
    traversals: list[object] = []
    real_init = libcst_run._Dispatcher.__init__
    monkeypatch.setattr(libcst_run._Dispatcher, "__init__", lambda self, *a: traversals.append(self) or real_init(self, *a))
    text = "import os, json\nlist = 1\nos.system('x')\nneedle = 1\nos.needle()\ndef f():\n    unused = 1\n"
    found = check(builtin_engine, text, BUILTIN_IDS)
    assert {"unused-import", "builtin-shadowing", "os-system-call", "unused-variable"} <= {d.rule_id for d in found}
    assert builtin_engine.stats.parsed == 0 and traversals == []  # the built-in rules read CPython's tree
    engine = LibcstEngine([*BUILTIN_LIBCST_RULES, NeedleRule, UnreadNeedleRule, QualifiedNeedleRule])
    found = check(engine, text, BUILTIN_IDS | {"needle", "unread-needle", "qualified-needle"})
    assert {"unused-import", "needle", "unread-needle", "qualified-needle"} <= {d.rule_id for d in found}
    assert engine.stats.parsed == 1 and len(traversals) == 1


# --- metadata is computed only when a surviving rule asks for it ----------------------------------

def test_metadata_only_for_rules_that_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CountingProvider, "runs", 0)
    engine = LibcstEngine([CountingRule, NeedleRule])
    check(engine, "needle = 1\n", {"needle", "needs-spy"})  # the spy rule's prefilter fails
    check(engine, "needle = spy\n", {"needle"})  # the spy rule is not selected
    assert CountingProvider.runs == 0 and engine.stats.parsed == 2
    check(engine, "needle = spy\n", {"needle", "needs-spy"})
    assert CountingProvider.runs == 1


def _spy(monkeypatch: pytest.MonkeyPatch, provider: type, method: str) -> list[int]:
    calls: list[int] = []
    real = getattr(provider, method)

    @functools.wraps(real)  # keeps the name: libcst collects visit_* methods by name
    def counting(self: object, *args: object) -> object:
        calls.append(1)
        return real(self, *args)

    monkeypatch.setattr(provider, method, counting)
    return calls


def test_scope_and_qualified_names_are_computed_only_when_declared(monkeypatch: pytest.MonkeyPatch, builtin_engine: LibcstEngine) -> None:
    scopes = _spy(monkeypatch, ScopeProvider, "visit_Module")
    qualified = _spy(monkeypatch, QualifiedNameProvider, "visit_Module")
    positions: list[int] = []
    real_positions = libcst_positions.both_positions
    monkeypatch.setattr(libcst_positions, "both_positions", lambda module: positions.append(1) or real_positions(module))
    text = "import os\nos.getcwd()\nneedle = 1\n"
    check(LibcstEngine([NeedleRule]), text, {"needle"})
    assert (len(scopes), len(qualified), len(positions)) == (0, 0, 1)  # positions: only to place the finding
    check(LibcstEngine([UnreadNeedleRule]), "needle = 1\nprint(needle)\n", {"unread-needle"})
    assert (len(scopes), len(qualified), len(positions)) == (1, 0, 1)  # nothing reported: no positions either
    assert len(check(LibcstEngine([QualifiedNeedleRule]), "import os\nos.needle()\n", {"qualified-needle"})) == 1
    assert (len(scopes), len(qualified), len(positions)) == (2, 1, 2)


def test_one_pass_positions_are_libcsts_own() -> None:
    from libcst.metadata import MetadataWrapper, WhitespaceInclusivePositionProvider

    from patchgate.diagnostics.engines.libcst_positions import both_positions

    text = "import os, sys  # c\r\n\r\nclass A(B):\r\n    x: 'int' = f(a, *b, **c)[1:2]\r\n    def g(self): return lambda y: (y, )\r\n"
    wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
    syntactic, inclusive = both_positions(wrapper.module)
    assert dict(syntactic) == dict(wrapper.resolve(PositionProvider))
    assert dict(inclusive) == dict(wrapper.resolve(WhitespaceInclusivePositionProvider))


# --- files and rules that go wrong ----------------------------------------------------------------

def test_syntax_error_gives_exactly_one_skipped_diagnostic() -> None:
    found = check(LibcstEngine([NeedleRule, UnreadNeedleRule]), "needle = 1\nx = = 1\n", {"needle", "unread-needle"})
    assert len(found) == 1
    (skipped,) = found
    assert (skipped.rule_id, skipped.severity) == ("libcst-skipped", "info")
    assert skipped.message == "libcst rules skipped: syntax error at line 2"
    assert skipped.span.start_line == 1


@pytest.mark.parametrize("text", ["def f(:\n", "\x00\n", "if x:\n  a\n b\n", "x = '\n", "x = [" + "[" * 150 + "]" * 150 + "]\n"])
def test_bad_text_never_raises(builtin_engine: LibcstEngine, text: str) -> None:
    found = check(LibcstEngine([NeedleRule]), "needle = 1\n" + text, {"needle"})
    assert [d.rule_id for d in found] == ["libcst-skipped"]
    found = check(builtin_engine, "import os\nlist = 1\n" + text, BUILTIN_IDS)  # rules answered from CPython's tree
    try:
        compile(text, "<text>", "exec")
    except (SyntaxError, ValueError):
        assert {d.rule_id for d in found} <= {"libcst-skipped"}
    else:  # too deep for libcst, fine for CPython: the tree still answers
        assert {d.rule_id for d in found} == {"unused-import", "builtin-shadowing"}


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "(" * 3000 + ")" * 3000 + "\n",  # libcst's native parser segfaults on these
        "x = (\n" + " + \n".join(["1"] * 20000) + ")\n",
        "x = f" + "(0)" * 5000 + "\n",
    ],
    ids=["brackets", "operator-chain", "call-chain"],
)
def test_pathological_nesting_is_skipped_before_parsing(text: str) -> None:
    (skipped,) = check(LibcstEngine([NeedleRule]), "needle = 1\n" + text, {"needle"})
    assert skipped.rule_id == "libcst-skipped" and "nested too deeply" in skipped.message


def test_depth_estimate_ignores_strings_comments_and_long_flat_literals() -> None:
    assert not libcst_engine.too_deep('s = "' + "(" * 2000 + '"  # ' + "[" * 2000 + "\n")
    assert not libcst_engine.too_deep('s = """' + ")" * 2000 + '"""\n' + "t = '((((' * 500\n")
    assert not libcst_engine.too_deep("data = [\n" + "".join(f"    {i} + 1,\n" for i in range(5000)) + "]\n")
    assert libcst_engine.too_deep("x = " + " + ".join(["1"] * 600) + "\n")


def test_crashing_rule_is_reported_and_the_others_still_run(builtin_engine: LibcstEngine) -> None:
    engine = LibcstEngine([*BUILTIN_LIBCST_RULES, BrokenRule, NeedleRule])
    found = check(engine, "list = needle\n", {"broken", "needle", "builtin-shadowing"})
    crashes = [d for d in found if d.rule_id == "rule-crashed"]
    assert len(crashes) == 1 and crashes[0].severity == "error"
    assert "broken" in crashes[0].message and "ZeroDivisionError: boom" in crashes[0].message
    assert crashes[0].span.start_offset == 0 and crashes[0].span.end_offset == 4  # the name it choked on
    assert {"needle", "builtin-shadowing"} <= {d.rule_id for d in found}
    assert not [d for d in found if d.rule_id == "broken"]


class BadInit(NeedleRule):
    id = "bad-init"

    def __init__(self, path: str = "") -> None:
        raise RuntimeError("no")


class BadReport(NeedleRule):
    id = "bad-report"

    def visit_Module(self, node: cst.Module) -> None:
        self.report(cst.Name("elsewhere"))  # a node that is not part of the parsed module


class FailingProvider(BatchableMetadataProvider[int]):
    def visit_Module(self, node: cst.Module) -> None:
        raise ValueError("provider bug")


class BadMetadata(NeedleRule):
    id = "bad-metadata"
    METADATA_DEPENDENCIES = (FailingProvider,)


@pytest.mark.parametrize("cls", [BadInit, BadReport, BadMetadata], ids=lambda cls: cls.id)
def test_every_kind_of_rule_failure_is_contained(cls: type[LibcstRule]) -> None:
    found = check(LibcstEngine([cls, NeedleRule]), "needle = 1\n", {cls.id, "needle"})
    assert sorted(d.rule_id for d in found) == ["needle", "rule-crashed"]
    assert cls.id in next(d.message for d in found if d.rule_id == "rule-crashed")


def test_diagnostics_are_plain_data(builtin_engine: LibcstEngine) -> None:
    found = check(builtin_engine, "import os, sys\nprint(sys)\n", BUILTIN_IDS)
    assert pickle.loads(pickle.dumps(found)) == found
    assert found[0].engine == "libcst" and found[0].fix is not None


# --- positions: code points, BOM, line endings ----------------------------------------------------

def test_spans_count_code_points_after_non_bmp_characters(builtin_engine: LibcstEngine) -> None:
    text = "import os\nlabel = '😀🎉'; os.system('ls')\n"
    (finding,) = check(builtin_engine, text, {"os-system-call"})
    span = finding.span
    assert (span.start_line, span.start_column, span.end_line, span.end_column) == (1, 14, 1, 29)
    assert text[span.start_offset : span.end_offset] == "os.system('ls')"
    assert python(text).lines.utf16_column(1, span.start_column) == 16  # what an editor would be sent


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("import os, sys  # 😀\nprint(sys)\n", "import sys  # 😀\nprint(sys)\n"),
        ("\ufeffs = '😀'; import os\n", "\ufeffs = '😀'\n"),
        ("x = '😀'\r\nimport os\r\nimport sys\r\nprint(sys)\r\n", "x = '😀'\r\nimport sys\r\nprint(sys)\r\n"),
        ("x = '😀'\rimport os\rprint(x)\r", "x = '😀'\rprint(x)\r"),
    ],
    ids=["emoji-comment", "bom", "crlf", "lone-cr"],
)
def test_fix_offsets_survive_odd_text(builtin_engine: LibcstEngine, text: str, fixed: str) -> None:
    found = check(builtin_engine, text, {"unused-import"})
    (finding,) = found
    assert text[finding.span.start_offset : finding.span.end_offset] == "os"
    assert apply_edits(text, finding.fix or []) == fixed


# --- unused-import specifics ----------------------------------------------------------------------

def test_unused_import_skips_init_files_and_exports(builtin_engine: LibcstEngine) -> None:
    assert check(builtin_engine, "import os\n", {"unused-import"}, path="pkg/__init__.py") == []
    assert check(builtin_engine, "from m import a\n__all__ = ('a',)\n", {"unused-import"}) == []
    assert [d.message for d in check(builtin_engine, "import os\n", {"unused-import"}, path="pkg/mod.py")] == [
        "`os` imported but unused"
    ]


def test_unused_import_fix_regenerates_indented_multiline_imports(builtin_engine: LibcstEngine) -> None:
    text = "def f():\n    from m import (\n        # keep\n        a,\n        b,\n    )\n    return a\n"
    (finding,) = check(builtin_engine, text, {"unused-import"})
    fixed = apply_edits(text, finding.fix or [])
    assert fixed == "def f():\n    from m import (\n        # keep\n        a,\n    )\n    return a\n"


def test_only_the_first_unused_name_of_a_line_carries_the_fix(builtin_engine: LibcstEngine) -> None:
    found = check(builtin_engine, "from m import a, b, c\nprint(b)\n", {"unused-import"})
    assert [d.message for d in found] == ["`a` imported but unused", "`c` imported but unused"]
    assert found[0].fix and not found[1].fix


# --- construction and rule modules ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("attributes", "reason"),
    [
        ({"id": "Not Kebab"}, "id"),
        ({"id": "libcst-skipped"}, "reserved"),
        ({"id": "needle"}, "also used by"),
        ({"id": "fine", "PREFILTER": "needle"}, "PREFILTER"),
        ({"id": "fine", "severity": "fatal"}, "severity"),
    ],
)
def test_malformed_rule_classes_fail_at_construction(attributes: dict, reason: str) -> None:
    cls = type("Malformed", (NeedleRule,), attributes)
    with pytest.raises(RuleLoadError, match=reason):
        LibcstEngine([NeedleRule, cls])


def write_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> str:
    """A uniquely named module on sys.path; returns its name."""
    name = f"pg_rules_{uuid.uuid4().hex}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "modules", dict(sys.modules))
    return name


RULE_MODULE = """
import libcst as cst
from patchgate.diagnostics.libcst_rule import LibcstRule
from patchgate.diagnostics.rules.libcst_rules import UnusedImport

class Base(LibcstRule):
    pass

class Shout(LibcstRule):
    id = "no-shout"
    def visit_Call(self, node: cst.Call) -> None:
        self.report(node)

class Whisper(LibcstRule):
    id = "no-whisper"

NOT_A_RULE = 42
"""


def test_load_rule_module_by_class_and_by_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = write_module(tmp_path, monkeypatch, RULE_MODULE)
    assert [cls.id for cls in load_rule_module(f"{name}:Shout")] == ["no-shout"]
    assert {cls.id for cls in load_rule_module(name)} == {"no-shout", "no-whisper", "unused-import"}
    assert load_rule_module(f"{name}:Shout")[0].to_rule().source == f"{name}:Shout"
    builtin = "patchgate.diagnostics.rules.libcst_rules"
    assert load_rule_module(f"{builtin}:BUILTIN_LIBCST_RULES") == BUILTIN_LIBCST_RULES
    assert set(load_rule_module(builtin)) == set(BUILTIN_LIBCST_RULES)


@pytest.mark.parametrize(
    ("source", "suffix", "reason"),
    [
        (RULE_MODULE, ":Missing", "has no attribute 'Missing'"),
        (RULE_MODULE, ":NOT_A_RULE", "not a PythonRule or LibcstRule subclass"),
        (RULE_MODULE, ":Base", "not a PythonRule or LibcstRule subclass"),
        (RULE_MODULE, ":Shout:Extra", "expected 'package.module'"),
        ("x = 1\n", "", "no PythonRule or LibcstRule subclasses"),
        ("def broken(:\n", "", "SyntaxError"),
        ("import a_module_that_does_not_exist_anywhere\n", "", "ModuleNotFoundError"),
        ("raise RuntimeError('rule setup failed\\nbadly')\n", ":Anything", "RuntimeError: rule setup failed badly"),
        ("import sys\nsys.exit(3)\n", "", "SystemExit"),
    ],
    ids=["missing", "not-a-class", "abstract", "bad-spec", "no-rules", "syntax", "import", "raises", "exit"],
)
def test_load_rule_module_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, suffix: str, reason: str) -> None:
    name = write_module(tmp_path, monkeypatch, source)
    with pytest.raises(RuleLoadError) as raised:
        load_rule_module(name + suffix)
    message = str(raised.value)
    assert reason in message and name in message and "\n" not in message
    assert raised.value.exit_code == 40


@pytest.mark.parametrize("spec", ["", ":Rule", "pkg.mod:", "no_such_module_for_patchgate_tests"])
def test_load_rule_module_rejects_bad_specs(spec: str) -> None:
    with pytest.raises(RuleLoadError, match="rule module"):
        load_rule_module(spec)


def test_subclass_dependencies_are_not_the_parents_cached_ones() -> None:
    assert NeedleRule.get_inherited_dependencies() == frozenset()
    child = type("Child", (NeedleRule,), {"id": "child", "METADATA_DEPENDENCIES": (ScopeProvider,)})
    assert child.get_inherited_dependencies() == frozenset({ScopeProvider})
