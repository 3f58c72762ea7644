"""lambda-assignment (E731): `name = lambda ...:`, which a `def` says better; fix (unsafe): the def."""

from __future__ import annotations

import ast
import re
from typing import Optional

from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.python_rule import Invalid, PythonRule, TreeEdit, TreeReport

REST_OF_LINE = re.compile(rb"[ \t]*(?:#[^\r\n]*)?(?:\r\n?|\n|$)")


class LambdaAssignment(PythonRule):
    """Report a lambda bound to a name by assignment; offer the equivalent `def`."""

    id = "lambda-assignment"
    aliases = ("E731",)
    severity = "warning"
    message = "do not assign a `lambda` expression, use a `def`"
    tags = ("style",)
    url = "https://docs.astral.sh/ruff/rules/lambda-assignment/"
    SAFE_FIX = False
    docs = """
    A lambda exists to be used inline, without a name. Once it is bound to a name, a `def` is the
    same function with a real `__name__` (tracebacks, profilers and reprs say `parse`, not
    `<lambda>`), room for a docstring, annotations and several statements. PEP 8 asks for the def.
    Only a lone name is reported (`f = lambda: 0`, `f: T = lambda: 0`), not attributes, tuple
    targets or chained assignments, and not lambdas passed as arguments.

    The fix writes `def name(params):` with `return body`, keeping the parameter and body text.
    It is unsafe, as ruff marks it: `__name__` and `__qualname__` change, an annotation of the
    assignment is dropped (and with it the module's or class's `__annotations__` entry), and code
    that relied on either would behave differently. No fix is offered when the statement shares
    its line with another (`if x: f = lambda: 0`, `f = lambda: 0; g = 1`).
    """
    VALID = [
        "def f(x):\n    return x * 2\n",
        "items.sort(key=lambda item: item.name)\n",
        "obj.handler = lambda: None\n",
        "first, second = lambda: 1, lambda: 2\n",
    ]
    INVALID = [
        Invalid("double = lambda x: x * 2\n", "def double(x):\n    return x * 2\n"),
        Invalid("def outer():\n    key = lambda row, *, default=0: row.get('k', default)  # by key\n    return key\n",
                "def outer():\n    def key(row, *, default=0):\n        return row.get('k', default)  # by key\n    return key\n"),
        Invalid("handler: Callable[[], None] = lambda: None\n", "def handler():\n    return None\n"),
        Invalid("strip = lambda s: (\n    s.strip()\n)\n", "def strip(s):\n    return (\n    s.strip()\n)\n"),
        "if ready: run = lambda: go()\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """A lambda after an `=`."""
        return re.search(r"=\s*\(?\s*lambda\b", probe.text) is not None

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Every assignment of a lambda to one plain name."""
        if probe.tree is None:
            return []
        reports = []
        for node in probe.walk():
            target = _lone_target(node)
            if target is not None and isinstance(node.value, ast.Lambda):  # type: ignore[attr-defined]
                fix = _def_fix(probe, node, target.id, node.value)  # type: ignore[attr-defined]
                reports.append(TreeReport.at(node, cls.message, fix=fix))
        return reports


def _lone_target(node: ast.AST) -> Optional[ast.Name]:
    """The name of `name = value` or `name: T = value`."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return node.target
    return None


def _def_fix(probe: Probe, statement: ast.AST, name: str, function: ast.Lambda) -> tuple[TreeEdit, ...]:
    """The statement rewritten as a def, when it stands alone on its lines and the result compiles."""
    code = probe.encoded
    start = probe.byte_offset(statement.lineno, statement.col_offset)  # type: ignore[attr-defined]
    end = probe.byte_offset(statement.end_lineno, statement.end_col_offset)  # type: ignore[attr-defined]
    indent = code[probe.byte_offset(statement.lineno, 0):start]  # type: ignore[attr-defined]
    if indent.strip() or not REST_OF_LINE.match(code, end):
        return ()
    elements = [node for node in ast.walk(function.args) if getattr(node, "end_lineno", None) is not None]
    lambda_start = probe.byte_offset(function.lineno, function.col_offset)
    params_end = max((probe.byte_offset(e.end_lineno, e.end_col_offset) for e in elements),  # type: ignore[attr-defined]
                     default=lambda_start + len(b"lambda"))
    colon = code.rfind(b":", params_end, probe.byte_offset(function.body.lineno, function.body.col_offset))
    if colon < 0:
        return ()
    params = code[lambda_start + len(b"lambda"):colon].decode("utf-8", "surrogatepass").strip()
    lambda_end = probe.byte_offset(function.end_lineno, function.end_col_offset)  # type: ignore[arg-type]
    body = code[colon + 1:lambda_end].decode("utf-8", "surrogatepass").strip()
    margin = indent.decode("utf-8", "surrogatepass")
    for candidate in (body, f"({body})"):
        text = f"def {name}({params}):\n{margin}    return {candidate}"
        if _compiles(f"if True:\n{margin}{text}" if margin else text):
            report = TreeReport.at(statement, "")
            return (TreeEdit(report.start, report.end, text),)
    return ()


def _compiles(text: str) -> bool:
    """Is the rewritten statement valid Python?"""
    try:
        compile(text, "<fix>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True
