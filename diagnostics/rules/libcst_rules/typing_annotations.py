"""non-pep585-annotation (UP006) and non-pep604-annotation (UP007/UP045): old `typing` spellings in annotations."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from patchgate.diagnostics.python_rule import Invalid, PythonRule, TreeEdit, TreePosition, TreeReport
from patchgate.diagnostics.prefilter import FUTURE_ANNOTATIONS, Probe, annotations_in
from patchgate.diagnostics.rules.libcst_rules.qualified_names import qualified_names

TYPING = ("typing", "typing_extensions")
PEP585 = {f"{module}.{name}": name.lower() for module in TYPING for name in ("List", "Dict", "Set", "FrozenSet", "Tuple", "Type")}
PEP585_IMPORTED = {f"{module}.{name}": f"collections.{name.lower()}" for module in TYPING for name in ("Deque", "DefaultDict")}
"""Generics whose PEP 585 form needs an import: reported without a fix."""
OPTIONAL = frozenset(f"{module}.Optional" for module in TYPING)
UNION = frozenset(f"{module}.Union" for module in TYPING)
PLAIN = (ast.Name, ast.Attribute, ast.Subscript, ast.BinOp)
"""Members a union can take verbatim: `X | Y` needs no parentheses around them."""
COMMON_DOCS = """
    Only annotations are checked (parameters, returns, annotated assignments), not string
    annotations, `cast()` arguments or implicit type aliases (`Alias = Optional[int]`), which ruff
    also checks. With `from __future__ import annotations` an older target is reported too, since
    annotations are then never evaluated, but without a fix: a library that evaluates them at run
    time (pydantic, `typing.get_type_hints`) would fail on the older Python; ruff marks that fix
    unsafe. The `typing` import the fix leaves unused is for unused-import to remove.
"""


class _TypingRule(PythonRule):
    """Shared: where old `typing` forms may be replaced, given the target version."""

    native: tuple[int, int] = (3, 9)
    """The first Python that evaluates the new form at run time."""

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        return "typing" in probe.text and (probe.target >= cls.native or FUTURE_ANNOTATIONS.search(probe.text) is not None)

    @classmethod
    def fixable_here(cls, probe: Probe) -> bool:
        """A safe fix needs a target that evaluates the new form; a future import alone hides it."""
        return probe.target >= cls.native

    @classmethod
    def annotation_nodes(cls, probe: Probe) -> Iterator[tuple[ast.expr, dict[ast.expr, str]]]:
        """Every node inside an annotation, with the module's qualified names; none where the target forbids."""
        if probe.tree is None or not cls.may_match(probe):
            return
        names = qualified_names(probe)
        for annotation in annotations_in(probe.tree):
            for node in ast.walk(annotation):
                yield node, names


class NonPep585Annotation(_TypingRule):
    """Report `typing.List[int]` and friends where `list[int]` works."""

    id = "non-pep585-annotation"
    aliases = ("UP006",)
    severity = "info"
    message = "use the builtin generic instead of its `typing` alias"
    tags = ("style",)
    url = "https://docs.astral.sh/ruff/rules/non-pep585-annotation/"
    docs = """
    Since Python 3.9 (PEP 585) `list`, `dict`, `set`, `frozenset`, `tuple` and `type` are generic
    themselves; `typing.List` and its siblings are deprecated aliases kept for old Pythons. The
    builtin spelling needs no import and reads as the type it is. Reported when the config's
    `target-version` is 3.9 or later; the fix replaces the alias by the builtin, unless a binding
    in the file hides the builtin's name (a class attribute `type`, a parameter `list`): ruff then
    writes `builtins.list` and adds an import, we leave it to a human. `Deque` and `DefaultDict` are
    reported without a fix, since theirs needs a `collections` import.
    """ + COMMON_DOCS
    VALID = [
        "def f(names: list[str]) -> dict[str, int]:\n    return {}\n",
        "from typing import List\nNames = List[str]\n",
        "from typing import Sequence\n\ndef f(items: Sequence[int]) -> None:\n    pass\n",
        "from typing import List\nitems: 'List[int]' = []\n",
    ]
    INVALID = [
        Invalid("from typing import List\n\ndef f(names: List[str]) -> None:\n    pass\n",
                "from typing import List\n\ndef f(names: list[str]) -> None:\n    pass\n"),
        Invalid("import typing\ncounts: typing.Dict[str, typing.Tuple[int, ...]] = {}\n",
                "import typing\ncounts: dict[str, tuple[int, ...]] = {}\n"),
        Invalid("from typing import Type as T\n\ndef make(cls: T[object]) -> None:\n    pass\n",
                "from typing import Type as T\n\ndef make(cls: type[object]) -> None:\n    pass\n"),
        "from typing import List\n\nclass Row:\n    list = None\n    cells: List[int]\n",
        "from typing import Deque\nqueue: Deque[int]\n",
    ]

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Every `typing` alias of a builtin generic inside an annotation."""
        reports = []
        for node, names in cls.annotation_nodes(probe):
            name = names.get(node)
            if name in PEP585:
                builtin = PEP585[name]
                fix = (_replace(node, builtin),) if cls.fixable_here(probe) and not _rebound(probe, builtin) else ()
                reports.append(TreeReport.at(node, f"use `{builtin}` instead of `{_source(probe, node)}`", fix))
            elif name in PEP585_IMPORTED:
                reports.append(TreeReport.at(node, f"use `{PEP585_IMPORTED[name]}` instead of `{_source(probe, node)}`"))
        return reports


class NonPep604Annotation(_TypingRule):
    """Report `Optional[X]` and `Union[X, Y]` where `X | None` and `X | Y` work."""

    id = "non-pep604-annotation"
    aliases = ("UP007", "UP045")
    severity = "info"
    message = "use `X | Y` for a union type"
    tags = ("style",)
    url = "https://docs.astral.sh/ruff/rules/non-pep604-annotation-union/"
    native = (3, 10)
    docs = """
    Python 3.10 (PEP 604) writes a union as `X | Y` and an optional as `X | None`: no import,
    and `Optional[X]` no longer suggests an optional *argument* when it means "may be None".
    Reported when the config's `target-version` is 3.10 or later. The fix writes the members
    in order with `|`, rewriting nested unions too (`Optional[Union[A, B]]` becomes
    `A | B | None` in one step, where ruff takes two runs). Not reported, as in ruff: a union
    with a quoted member (`Optional["Node"]`: `"Node" | None` fails at run time). No fix for
    `Optional[None]`, for members that would need parentheses, or for text with a comment or a
    line break inside, which the rewrite would lose or break.
    """ + COMMON_DOCS
    VALID = [
        "def f(x: int | None) -> str | bytes:\n    return ''\n",
        "from typing import Optional\n\ndef f(node: Optional['Node']) -> None:\n    pass\n",
        "from typing import Optional\nDefault = Optional[int]\n",
    ]
    INVALID = [
        Invalid("from typing import Optional\n\ndef f(x: Optional[int] = None) -> None:\n    pass\n",
                "from typing import Optional\n\ndef f(x: int | None = None) -> None:\n    pass\n"),
        Invalid("import typing\nvalue: typing.Union[int, str, bytes]\n", "import typing\nvalue: int | str | bytes\n"),
        Invalid("from typing import Optional, Union\nx: Optional[Union[int, str]] = None\n",
                "from typing import Optional, Union\nx: int | str | None = None\n"),
        Invalid("from typing import Callable, Optional\nhook: Optional[Callable[[int], str]]\n",
                "from typing import Callable, Optional\nhook: Callable[[int], str] | None\n"),
        "from typing import Optional\nnothing: Optional[None]\n",
    ]

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Every `Optional[...]` / `Union[...]` in an annotation; nested ones are fixed by the outermost."""
        reports: list[TreeReport] = []
        rewritten: set[ast.expr] = set()
        for node, names in cls.annotation_nodes(probe):
            members = _members(node, names)
            if members is None or any(_quoted(member) for member in members):
                continue
            unions: set[ast.expr] = set()
            fixable = cls.fixable_here(probe) and node not in rewritten
            text = _render(probe, node, names, unions) if fixable else None
            fix = () if text is None else (_replace(node, text),)
            if fix:
                rewritten.update(unions)
            reports.append(TreeReport.at(node, "use `X | None` for an optional type" if _kind(node, names) in OPTIONAL
                                         else cls.message, fix))
        return reports


def _kind(node: ast.expr, names: dict[ast.expr, str]) -> str | None:
    return names.get(node.value) if isinstance(node, ast.Subscript) else None


def _members(node: ast.expr, names: dict[ast.expr, str]) -> list[ast.expr] | None:
    """The members of an `Optional[X]` (X and None) or `Union[...]` subscript; None for anything else."""
    kind = _kind(node, names)
    if kind is None or not isinstance(node, ast.Subscript):
        return None
    if kind in OPTIONAL:
        return [node.slice, ast.Constant(None)]
    if kind in UNION:
        return list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
    return None


def _render(probe: Probe, node: ast.expr, names: dict[ast.expr, str], unions: set[ast.expr]) -> str | None:
    """`A | B | None` for a union node, members rendered the same way (each union node rendered is
    added to `unions`); None where that is unsafe."""
    members = _members(node, names)
    if members is None:
        text = _source(probe, node)
        return text if isinstance(node, PLAIN) and "\n" not in text and "#" not in text else None
    parts = []
    for member in members:
        if isinstance(member, ast.Constant) and member.value is None:
            parts.append("None")
            continue
        part = _render(probe, member, names, unions)
        if part is None:
            return None
        parts.append(part)
    if parts.count("None") == len(parts):
        return None
    unions.add(node)
    return " | ".join(parts)


def _quoted(member: ast.expr) -> bool:
    return isinstance(member, ast.Constant) and isinstance(member.value, str)


def _rebound(probe: Probe, builtin: str) -> bool:
    """Does any scope of the file bind the builtin's name (so `list` there would not be the builtin)?"""
    return probe.any_symbol(lambda _, symbol: symbol.get_name() == builtin and (
        symbol.is_assigned() or symbol.is_imported() or symbol.is_parameter() or symbol.is_namespace()))


def _source(probe: Probe, node: ast.expr) -> str:
    """A node's own text."""
    start = probe.byte_offset(node.lineno, node.col_offset)
    end = probe.byte_offset(node.end_lineno or node.lineno, node.end_col_offset or 0)
    return probe.encoded[start:end].decode("utf-8", "surrogatepass")


def _replace(node: ast.expr, text: str) -> TreeEdit:
    end = TreePosition(node.end_lineno or node.lineno, node.end_col_offset or 0)
    return TreeEdit(TreePosition(node.lineno, node.col_offset), end, text)
