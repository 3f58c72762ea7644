"""warn-without-stacklevel (B028): `warnings.warn` that points at the library instead of its caller."""

from __future__ import annotations

import ast

from patchgate.diagnostics.python_rule import PythonRule, TreeReport
from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.rules.libcst_rules.qualified_names import calls_to

LOCATING_KEYWORDS = frozenset({"stacklevel", "skip_file_prefixes"})


class WarnWithoutStacklevel(PythonRule):
    """Report `warnings.warn(...)` calls without `stacklevel=`."""

    id = "warn-without-stacklevel"
    aliases = ("B028",)
    severity = "warning"
    message = "`warnings.warn` without an explicit `stacklevel`"
    tags = ("correctness",)
    url = "https://docs.astral.sh/ruff/rules/no-explicit-stacklevel/"
    docs = """
    A warning's file and line come from `stacklevel`, which defaults to 1: the `warnings.warn` line
    itself. A deprecation warning raised inside a library then names the library's own source, and
    the user cannot tell which of their calls to change; `stacklevel=2` names the caller. Say which
    frame is meant, even when it is 1.

    `warn` is matched by qualified name (`from warnings import warn` counts, another `warn` does not).
    Not reported: a stacklevel passed positionally (the third argument), `skip_file_prefixes=`
    (3.12), and calls with `*args` or `**kwargs`, which may carry it, as in ruff. No fix: ruff's fix
    adds `stacklevel=2` and marks it unsafe, since it changes where the warning is reported.
    """
    PREFILTER = ("warn",)
    VALID = [
        "import warnings\nwarnings.warn('old', DeprecationWarning, stacklevel=2)\n",
        "import warnings\nwarnings.warn('old', DeprecationWarning, 2)\n",
        "import warnings\nwarnings.warn(*args, **kwargs)\n",
        "import logging\nlogging.getLogger(__name__).warn('x')\n",
    ]
    INVALID = [
        "import warnings\nwarnings.warn('deprecated', DeprecationWarning)\n",
        "from warnings import warn\n\ndef old():\n    warn('use new()', DeprecationWarning)\n",
        "import warnings as w\nw.warn(message='x')\n",
    ]

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Calls of `warnings.warn` that neither pass nor may pass a stacklevel."""
        return [TreeReport.at(call, cls.message) for call, _ in calls_to(probe, "warnings.warn".__eq__)
                if not _may_locate(call)]


def _may_locate(call: ast.Call) -> bool:
    """The call passes a stacklevel (by keyword or third positional argument) or may, through a splat."""
    if len(call.args) >= 3 or any(isinstance(arg, ast.Starred) for arg in call.args):
        return True
    return any(keyword.arg is None or keyword.arg in LOCATING_KEYWORDS for keyword in call.keywords)
