"""zip-without-strict (B905): `zip()` of several iterables that silently stops at the shortest."""

from __future__ import annotations

import ast

from patchgate.diagnostics.python_rule import PythonRule, TreeReport
from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.rules.libcst_rules.qualified_names import qualified_names

INFINITE = frozenset({"itertools.count", "itertools.cycle"})


class ZipWithoutStrict(PythonRule):
    """Report `zip()` of two or more iterables without `strict=`, where the target Python has it."""

    id = "zip-without-strict"
    aliases = ("B905",)
    severity = "warning"
    message = "`zip()` without an explicit `strict=` parameter"
    tags = ("correctness",)
    url = "https://docs.astral.sh/ruff/rules/zip-without-explicit-strict/"
    docs = """
    `zip(a, b)` stops at the shorter iterable and drops the rest of the longer one without a word, so
    a list that lost an element, or gained one, pairs up wrongly or loses data far from the cause.
    Python 3.10 added `strict=True` (PEP 618), which raises `ValueError` on a length mismatch; say
    `strict=False` where truncation is intended, so the reader knows it is.

    Reported only when the config's `target-version` is 3.10 or later (older Pythons reject the
    keyword), for the builtin `zip` (not a local or parameter of that name), called with two or
    more iterables or a starred argument, none of them endless (`itertools.count()`, `cycle()`,
    `repeat()` without a count), as ruff does. No fix: ruff's fix adds `strict=False`, which
    silences the check without answering it, and it marks that fix unsafe; which value is right
    is a human's choice.
    """
    VALID = [
        "pairs = list(zip(names, values, strict=True))\n",
        "import itertools\nfor i, x in zip(itertools.count(), items):\n    pass\n",
        "import itertools\nrows = zip(itertools.repeat(0), cells)\n",
        "single = list(zip(columns))\n",
        "def f(zip):\n    return zip(a, b)\n",
    ]
    INVALID = [
        "pairs = dict(zip(keys, values))\n",
        "for name, value in zip(names, values):\n    print(name, value)\n",
        "import itertools\nrows = zip(itertools.repeat(0, 3), cells)\n",
        "columns = list(zip(*rows))\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """Only where the target Python has `strict=`, and the text says `zip`."""
        return probe.target >= (3, 10) and probe.has_word("zip")

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Calls of the builtin `zip` with several finite iterables and no `strict=`."""
        if probe.tree is None or probe.target < (3, 10):
            return []
        names = qualified_names(probe)
        reports = []
        for node in probe.of_type(ast.Call):
            if not isinstance(node, ast.Call) or names.get(node.func) != "builtins.zip":
                continue
            if any(keyword.arg == "strict" for keyword in node.keywords):
                continue
            if len(node.args) < 2 and not any(isinstance(arg, ast.Starred) for arg in node.args):
                continue
            if not any(_endless(arg, names) for arg in node.args):
                reports.append(TreeReport.at(node, cls.message))
        return reports


def _endless(arg: ast.expr, names: dict[ast.expr, str]) -> bool:
    """`itertools.count()`, `itertools.cycle(...)`, or `itertools.repeat(x)` without a count."""
    if not isinstance(arg, ast.Call):
        return False
    name = names.get(arg.func)
    if name in INFINITE:
        return True
    return name == "itertools.repeat" and len(arg.args) < 2 and not any(k.arg == "times" for k in arg.keywords)
