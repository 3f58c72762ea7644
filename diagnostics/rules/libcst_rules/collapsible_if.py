"""collapsible-if (SIM102): an `if` whose whole body is another `if`, one condition written as two."""

from __future__ import annotations

import ast

from patchgate.diagnostics.python_rule import PythonRule, TreePosition, TreeReport
from patchgate.diagnostics.prefilter import Probe


class CollapsibleIf(PythonRule):
    """Report nested `if` statements that could be one `if a and b:`."""

    id = "collapsible-if"
    aliases = ("SIM102",)
    severity = "info"
    message = "nested `if` statements: use a single `if` with `and`"
    tags = ("style",)
    url = "https://docs.astral.sh/ruff/rules/collapsible-if/"
    docs = """
    `if a:` whose only statement is `if b:`, neither with an `else`, runs its body exactly when
    `a and b` holds. The nesting costs a level of indentation and makes a reader look for the
    `else` branch that is not there. Reported for `if` and `elif` alike, as in ruff.

    No fix: joining the conditions re-indents the inner body and must parenthesise conditions
    that contain `or`, `if ... else` or a walrus, and comments between the two headers would be
    lost; ruff offers that rewrite only as an unsafe fix.
    """
    VALID = [
        "if a and b:\n    run()\n",
        "if a:\n    if b:\n        run()\n    else:\n        stop()\n",
        "if a:\n    prepare()\n    if b:\n        run()\n",
        "if a:\n    if b:\n        run()\nelse:\n    stop()\n",
    ]
    INVALID = [
        "if user is not None:\n    if user.is_active:\n        greet(user)\n",
        "if mode == 'fast':\n    pass\nelif mode == 'safe':\n    if checks_pass():\n        run()\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        return "if" in probe.text

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """`if` statements without `else` whose one statement is an `if` without `else`."""
        if probe.tree is None:
            return []
        reports = []
        for node in probe.of_type(ast.If):
            if isinstance(node, ast.If) and not node.orelse and len(node.body) == 1:
                inner = node.body[0]
                if isinstance(inner, ast.If) and not inner.orelse:
                    start = TreePosition(node.lineno, node.col_offset)
                    end = TreePosition(node.test.end_lineno or node.lineno, node.test.end_col_offset or 0)
                    reports.append(TreeReport(start, end, cls.message))
        return reports
