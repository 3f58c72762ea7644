"""sql-string-building (S608): SQL text assembled by string formatting, the shape of SQL injection."""

from __future__ import annotations

import ast
import re

from patchgate.diagnostics.python_rule import PythonRule, TreeReport
from patchgate.diagnostics.prefilter import Probe

SQL = re.compile(r"(?i)\b(?:select\s.*\sfrom\s|delete\s+from\s|(?:insert|replace)\s.*\svalues\s|update\s.*\sset\s)", re.S)
"""ruff's (bandit's) test of text that looks like a query."""
HINT = re.compile(r"(?i)select|delete|insert|replace|update")


class SqlStringBuilding(PythonRule):
    """Report SELECT/INSERT/UPDATE/DELETE text built with `%`, `.format()`, `+` or an f-string."""

    id = "sql-string-building"
    aliases = ("S608",)
    severity = "warning"
    message = "SQL built from strings: possible SQL injection"
    tags = ("security",)
    url = "https://docs.astral.sh/ruff/rules/hardcoded-sql-expression/"
    docs = """
    A query made by pasting values into its text (`"... WHERE id = %s" % user_id`, an f-string,
    `+`) is parsed with the values as SQL: a value such as `1 OR 1=1` or `'; DROP TABLE users; --`
    changes what the query does. Pass the values as parameters (`cursor.execute(sql, [user_id])`),
    which the driver sends apart from the SQL text. Formatting is sometimes right (a table name
    from a fixed list, Django's own quoted identifiers): review it, then suppress the line.

    The text test is ruff's: `SELECT ... FROM`, `DELETE FROM`, `INSERT/REPLACE ... VALUES`,
    `UPDATE ... SET`, in any case. Reported: `%` and `.format()` on a string literal, an f-string
    with a placeholder, and a `+` chain joining a literal to something computed. No fix.
    """
    VALID = [
        "cursor.execute('SELECT name FROM users WHERE id = %s', [user_id])\n",
        "query = 'SELECT name FROM users WHERE active'\n",
        "label = f'{count} rows selected'\n",
        "message = 'updated %d rows' % count\n",
    ]
    INVALID = [
        "cursor.execute('SELECT name FROM users WHERE id = %s' % user_id)\n",
        "sql = f\"DELETE FROM {table} WHERE id = {pk}\"\n",
        "sql = 'UPDATE accounts SET balance = {} WHERE id = {}'.format(amount, pk)\n",
        "sql = 'INSERT INTO log (line) VALUES (' + repr(line) + ')'\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        return HINT.search(probe.text) is not None

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Formatting and concatenation whose literal text reads as SQL."""
        if probe.tree is None:
            return []
        inner_adds = {id(node.left) for node in probe.walk() if _is_add(node)}
        reports = []
        for node in probe.walk():
            text = None
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_str(node.left):
                text = node.left.value  # type: ignore[attr-defined]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
                text = node.func.value.value if _is_str(node.func.value) else None  # type: ignore[attr-defined]
            elif isinstance(node, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in node.values):
                text = "".join(v.value for v in node.values if _is_str(v))  # type: ignore[attr-defined]
            elif _is_add(node) and id(node) not in inner_adds:
                operands = _operands(node)
                if not all(_is_str(operand) for operand in operands):
                    text = "".join(o.value for o in operands if _is_str(o))  # type: ignore[attr-defined]
            if text and SQL.search(text):
                reports.append(TreeReport.at(node, cls.message))
        return reports


def _is_str(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_add(node: ast.AST) -> bool:
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)


def _operands(node: ast.expr) -> list[ast.expr]:
    """The operands of a left-leaning `a + b + c` chain, in order."""
    operands: list[ast.expr] = []
    while _is_add(node):
        operands.append(node.right)  # type: ignore[attr-defined]
        node = node.left  # type: ignore[attr-defined]
    return [node, *reversed(operands)]
