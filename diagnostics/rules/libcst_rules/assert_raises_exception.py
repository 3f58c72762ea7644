"""assert-raises-exception (B017): a test that any exception at all satisfies."""

from __future__ import annotations

import ast

from patchgate.diagnostics.python_rule import PythonRule, TreeReport
from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.rules.libcst_rules.qualified_names import qualified_names

BLIND = frozenset({"builtins.Exception", "builtins.BaseException"})
EXCEPTION_KEYWORDS = frozenset({"exception", "expected_exception"})


class AssertRaisesException(PythonRule):
    """Report `assertRaises(Exception)` and `pytest.raises(Exception)` without `match=`."""

    id = "assert-raises-exception"
    aliases = ("B017",)
    severity = "warning"
    message = "assertion that any exception is raised"
    tags = ("correctness",)
    url = "https://docs.astral.sh/ruff/rules/assert-raises-exception/"
    docs = """
    `with self.assertRaises(Exception):` passes for every error the block can raise: a `TypeError`
    from a wrong call, a `NameError` from a typo, an `AttributeError` from a refactor. The test stays
    green while the behaviour it was written for is gone. Name the exception the code is meant to
    raise, or with pytest give `match=` so the message pins it down.

    As in ruff: reported in a `with` statement (not `with ... as cm:`, whose test goes on to inspect
    the exception it caught) and in the callable form (`assertRaises(Exception, f,
    ...)`), for `Exception` and `BaseException` (the builtins, not a class of that name), given
    positionally or as `exception=` / `expected_exception=`; `pytest.raises` is matched by
    qualified name and not reported with `match=`. No fix: only a human knows the expected error.
    """
    PREFILTER = ("assertRaises", "raises")
    VALID = [
        "class T(TestCase):\n    def test(self):\n        with self.assertRaises(ValueError):\n            int('x')\n",
        "import pytest\n\ndef test():\n    with pytest.raises(Exception, match='boom'):\n        run()\n",
        "import pytest\n\ndef test():\n    with pytest.raises((ValueError, TypeError)):\n        run()\n",
        "class T(TestCase):\n    def test(self):\n        with self.assertRaises(Exception) as cm:\n            run()\n"
        "        self.assertEqual(cm.exception.args, (1,))\n",
        "class Exception(BaseError):\n    pass\n\nwith self.assertRaises(Exception):\n    run()\n",
    ]
    INVALID = [
        "class T(TestCase):\n    def test(self):\n        with self.assertRaises(Exception):\n            int('x')\n",
        "import pytest\n\ndef test():\n    with pytest.raises(Exception):\n        run()\n",
        "from pytest import raises\n\ndef test():\n    with raises(BaseException):\n        run()\n",
        "class T(TestCase):\n    def test(self):\n        self.assertRaises(Exception, int, 'x')\n",
    ]

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Raise-assertions whose expected exception is `Exception` or `BaseException` itself."""
        if probe.tree is None:
            return []
        names = qualified_names(probe)
        in_with = {id(item.context_expr) for node in probe.of_type(ast.With, ast.AsyncWith)
                   for item in node.items if item.optional_vars is None}
        reports = []
        for node in probe.of_type(ast.Call):
            if not isinstance(node, ast.Call) or (id(node) not in in_with and len(node.args) < 2):
                continue
            pytest_raises = names.get(node.func) == "pytest.raises"
            if not pytest_raises and not (isinstance(node.func, ast.Attribute) and node.func.attr == "assertRaises"):
                continue
            if pytest_raises and any(keyword.arg == "match" for keyword in node.keywords):
                continue
            expected = _expected(node)
            if expected is not None and names.get(expected) in BLIND:
                name = names[expected].removeprefix("builtins.")
                reports.append(TreeReport.at(node, f"assertion that any exception is raised: `{name}`"))
        return reports


def _expected(call: ast.Call) -> ast.expr | None:
    """The exception class a raise-assertion expects: its first argument, or the keyword naming it."""
    if call.args:
        return call.args[0]
    return next((keyword.value for keyword in call.keywords if keyword.arg in EXCEPTION_KEYWORDS), None)
