"""raise-without-from-inside-except (B904): a new exception raised in a handler without `from`."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.python_rule import PythonRule, TreeReport

MESSAGE = "within an `except` clause, raise exceptions with `raise ... from err` or `raise ... from None`"


def handler_raises(body: list[ast.stmt]) -> Iterator[ast.Raise]:
    """The `raise` statements a handler's body runs itself: through `if`, loop and `with` bodies and
    `match` cases, but not loop `else` blocks, nested `try` statements (their handlers are checked on
    their own), functions or classes, as ruff walks them."""
    for statement in body:
        if isinstance(statement, ast.Raise):
            yield statement
        elif isinstance(statement, ast.If):
            yield from handler_raises([*statement.body, *statement.orelse])
        elif isinstance(statement, (ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith)):
            yield from handler_raises(statement.body)
        elif isinstance(statement, ast.Match):
            for case in statement.cases:
                yield from handler_raises(case.body)


class RaiseWithoutFromInsideExcept(PythonRule):
    """Report `raise NewError(...)` inside an `except` block with neither `from err` nor `from None`."""

    id = "raise-without-from-inside-except"
    aliases = ("B904",)
    severity = "warning"
    message = MESSAGE
    tags = ("correctness",)
    url = "https://docs.astral.sh/ruff/rules/raise-without-from-inside-except/"
    docs = """
    Raising a new exception while handling another chains them implicitly, and the traceback then
    says "During handling of the above exception, another exception occurred": it reads as a bug
    in the handler, not as a deliberate translation. `raise New(...) from err` says the new error
    was caused by the old one and keeps its traceback; `raise New(...) from None` hides it on
    purpose. Either way the reader of a traceback learns what the author meant.

    Not reported: a bare `raise`, and `raise err` of the handler's own `as` name (both re-raise the
    same exception). The handler's body is searched as ruff searches it: `if`/`elif`/`else`, loop
    and `with` bodies, `match` cases; not a loop's `else` block, a nested `try` (its own handlers
    are checked in turn), nor functions and classes defined in the handler, which run later.
    No fix: whether to chain (`from err`) or to hide (`from None`) is the author's choice.
    """
    VALID = [
        "try:\n    load()\nexcept KeyError as err:\n    raise LookupError('missing') from err\n",
        "try:\n    load()\nexcept KeyError:\n    raise LookupError('missing') from None\n",
        "try:\n    load()\nexcept KeyError:\n    raise\n",
        "try:\n    load()\nexcept KeyError as err:\n    log(err)\n    raise err\n",
        "try:\n    load()\nexcept KeyError:\n    def fallback():\n        raise LookupError('later')\n",
        "raise ValueError('outside any handler')\n",
    ]
    INVALID = [
        "try:\n    load()\nexcept KeyError:\n    raise LookupError('missing')\n",
        "try:\n    value = int(text)\nexcept ValueError as err:\n    if strict:\n        raise TypeError(f'bad: {text}')\n",
        "for item in items:\n    try:\n        use(item)\n    except OSError:\n        with lock:\n            raise RuntimeError\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """A file that both raises and handles."""
        return "except" in probe.text and "raise" in probe.text

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Every handler's own raises of a new exception without a cause."""
        if probe.tree is None:
            return []
        reports = []
        for node in probe.of_type(ast.ExceptHandler):
            if isinstance(node, ast.ExceptHandler):
                for statement in handler_raises(node.body):
                    exc = statement.exc
                    if exc is None or statement.cause is not None:
                        continue
                    if node.name is not None and isinstance(exc, ast.Name) and exc.id == node.name:
                        continue
                    reports.append(TreeReport.at(statement, MESSAGE))
        return reports
