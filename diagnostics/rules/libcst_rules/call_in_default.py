"""function-call-in-default-argument (B008): a call evaluated once, when the def runs, not per call."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Optional

from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.python_rule import PythonRule, TreeReport
from patchgate.diagnostics.rules.libcst_rules.qualified_names import qualified_names

IMMUTABLE_CALLS = frozenset({
    *(f"builtins.{name}" for name in ("bool", "bytes", "complex", "float", "frozenset", "int", "range", "str", "tuple")),
    "datetime.date", "datetime.datetime", "datetime.time", "datetime.timedelta", "decimal.Decimal", "fractions.Fraction",
    "operator.attrgetter", "operator.itemgetter", "operator.methodcaller", "pathlib.Path",
    "types.MappingProxyType", "re.compile",
})
"""Calls that return a value nobody can mutate: sharing it between calls is harmless (ruff's list; not
`object()`, whose identity is usually the point, as in a sentinel)."""
MUTABLE_CALLS = frozenset({"builtins.dict", "builtins.list", "builtins.set", "collections.Counter", "collections.OrderedDict",
                           "collections.defaultdict", "collections.deque"})
"""Left to mutable-default-argument (B006)."""
IMMUTABLE_TYPES = frozenset({
    *(f"builtins.{name}" for name in ("bool", "bytes", "complex", "float", "frozenset", "int", "object", "range", "str", "tuple")),
    "collections.abc.Sized", "typing.LiteralString", "typing.Sized",
    *(f"collections.abc.{name}" for name in ("ByteString", "Collection", "Container", "Iterable", "Mapping", "Reversible", "Sequence", "Set")),
    *(f"typing.{name}" for name in ("AbstractSet", "ByteString", "Callable", "Collection", "Container", "FrozenSet",
                                    "Iterable", "Literal", "Mapping", "Never", "NoReturn", "Reversible", "Sequence", "Tuple")),
})
"""Annotations that promise the parameter is never mutated: its default may then be computed once."""
UNIONS = frozenset({"typing.Optional", "typing.Union"})


def immutable_annotation(names: dict[ast.expr, str], node: ast.expr) -> bool:
    """Does the annotation name an immutable type (through Optional, Union, `|` and Annotated)?"""
    if isinstance(node, ast.Constant) and node.value is None:
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return immutable_annotation(names, node.left) and immutable_annotation(names, node.right)
    if isinstance(node, ast.Subscript):
        name = _typing(names.get(node.value))
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if name in UNIONS:
            return all(immutable_annotation(names, item) for item in items)
        if name == "typing.Annotated":
            return immutable_annotation(names, items[0])
        return name in IMMUTABLE_TYPES
    return _typing(names.get(node)) in IMMUTABLE_TYPES


def _typing(name: Optional[str]) -> Optional[str]:
    """`typing_extensions.X` is `typing.X`."""
    return "typing" + name[len("typing_extensions"):] if name and name.startswith("typing_extensions.") else name


def default_calls(default: ast.expr) -> Iterator[ast.Call]:
    """The calls a default evaluates, nested ones included, not those inside a lambda's body."""
    stack = [default]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr))


def _defaults(arguments: ast.arguments) -> Iterator[tuple[ast.arg, ast.expr]]:
    """(parameter, default) of every parameter with a default."""
    positional = [*arguments.posonlyargs, *arguments.args]
    yield from zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults)
    yield from ((arg, default) for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults) if default is not None)


class FunctionCallInDefaultArgument(PythonRule):
    """Report a call in a parameter's default value, which runs once and is shared by every call."""

    id = "function-call-in-default-argument"
    aliases = ("B008",)
    severity = "warning"
    message = "do not perform a function call in argument defaults"
    tags = ("correctness",)
    url = "https://docs.astral.sh/ruff/rules/function-call-in-default-argument/"
    docs = """
    A default value is computed once, when the `def` statement runs, and the same object is then
    shared by every call: `def log(at=datetime.now())` logs the import time forever, and
    `def f(cache=make_cache())` shares one cache between all callers. Compute the value inside the
    function (`at=None`, then `at = at or datetime.now()`), or name a module-level constant.

    As in ruff: calls that build an immutable value are allowed (`tuple()`, `frozenset()`, `int()`,
    `str()`, `range()`, `datetime.timedelta(...)`, `decimal.Decimal(...)`, `pathlib.Path(...)`,
    `re.compile(...)`, `operator.itemgetter(...)`, resolved through the module's imports), and so is
    any call when the parameter's annotation promises no mutation (`int`, `str`, `tuple[...]`,
    `Sequence[...]`, `Mapping[...]`, `Optional`/`Union`/`|` of those). `list()`, `dict()`, `set()` and
    the `collections` containers are left to mutable-default-argument (B006). Lambdas' defaults
    count too; calls inside a lambda body run later and do not. No fix: where the value should come
    from is a design choice.
    """
    VALID = [
        "def f(items=()):\n    return items\n",
        "from datetime import timedelta\n\ndef wait(delay=timedelta(seconds=5)):\n    return delay\n",
        "def f(limit: int = compute_limit()):\n    return limit\n",
        "from typing import Sequence\n\ndef f(names: Sequence[str] = load_names()):\n    return names\n",
        "def f(key=lambda item: item.name()):\n    return key\n",
        "def f(items=list()):\n    return items\n",
    ]
    INVALID = [
        "import datetime\n\ndef log(message, at=datetime.datetime.now()):\n    print(at, message)\n",
        "def handler(request, session=make_session()):\n    return session\n",
        "def f(*, config: dict = load_config()):\n    return config\n",
        "key = lambda item, default=fallback(): item or default\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """A def or lambda with a default."""
        return ("def" in probe.text or "lambda" in probe.text) and "=" in probe.text

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Every call in a default of a def or lambda, unless immutable or annotated as immutable."""
        if probe.tree is None:
            return []
        suspects = [
            (parameter, calls) for node in probe.of_type(ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
            for parameter, default in _defaults(node.args) for calls in [list(default_calls(default))] if calls
        ]
        if not suspects:
            return []
        names = qualified_names(probe)
        reports = []
        for parameter, calls in suspects:
            if parameter.annotation is not None and immutable_annotation(names, parameter.annotation):
                continue
            for call in calls:
                name = names.get(call.func)
                if name in IMMUTABLE_CALLS or name in MUTABLE_CALLS:
                    continue
                shown = ast.unparse(call.func) if isinstance(call.func, (ast.Name, ast.Attribute)) else "..."
                reports.append(TreeReport.at(call, f"do not perform function call `{shown}` in argument defaults; "
                                                   "perform the call within the function, or read the default from a module-level constant"))
        return reports
