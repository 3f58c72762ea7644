"""printf-string-formatting (UP031) and format-literals (UP032): old string formatting, f-strings instead."""

from __future__ import annotations

import ast
import re
import string

from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.python_rule import Invalid, PythonRule, TreeEdit, TreePosition, TreeReport

PRINTF_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])")
LITERAL_PREFIX = re.compile(r"^([rRbBuU]*)('''|\"\"\"|'|\")")
PRINTF_VALUES = (ast.Tuple, ast.Dict, ast.Constant, ast.Name, ast.Attribute, ast.Call, ast.Subscript)
"""Right sides whose shape is known, as ruff requires; `(a or b)` or `t + info` may or may not be a tuple."""
SIMPLE_ARGUMENT = (ast.Name, ast.Attribute, ast.Subscript, ast.Constant, ast.Call)


def _printf(text: str) -> bool:
    """Does the text hold a printf conversion (not only `%%`) and nothing a `%` could not read?"""
    specs = PRINTF_SPEC.findall(text)
    stripped = PRINTF_SPEC.sub("", text)
    return any(kind != "%" for kind in specs) and "%" not in stripped


class PrintfStringFormatting(PythonRule):
    """Report `"..." % values` on a string literal."""

    id = "printf-string-formatting"
    aliases = ("UP031",)
    severity = "info"
    message = "use an f-string or `str.format` instead of `%` formatting"
    tags = ("style",)
    url = "https://docs.astral.sh/ruff/rules/printf-string-formatting/"
    docs = """
    `"%s items" % count` is the oldest way to format: a tuple argument is unpacked, a single tuple value
    has to be wrapped in another tuple, and a wrong conversion type fails only at run time. f-strings
    put each value where it is shown. Reported on a `%` whose left side is a str literal with at least
    one conversion (bytes keep `%`, which is their only formatting); logging's own `%` arguments are
    calls, not this operator, and are not reported. No fix: as in ruff, where every such fix is
    unsafe (a value that is itself a tuple, or a mapping with `%(name)s`, changes meaning).
    """
    PREFILTER = ("%",)
    VALID = [
        "print(f'{count} items')\n",
        "data = b'%s' % value\n",
        "logging.info('%s items', count)\n",
        "ratio = '100%' % ()\n",
    ]
    INVALID = [
        "label = '%s items' % count\n",
        "line = '%-10s|%5.2f' % (name, price)\n",
        "text = '%(user)s logged in' % {'user': name}\n",
    ]

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """`%` on a str literal holding printf conversions."""
        return [TreeReport.at(node, cls.message) for node in probe.of_type(ast.BinOp)
                if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.right, PRINTF_VALUES)
                and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str) and _printf(node.left.value)]


class FormatLiterals(PythonRule):
    """Report `"...".format(...)` on a string literal that an f-string can say."""

    id = "format-literals"
    aliases = ("UP032",)
    severity = "info"
    message = "use an f-string instead of `str.format`"
    tags = ("style",)
    url = "https://docs.astral.sh/ruff/rules/f-string/"
    docs = """
    `"{} of {}".format(done, total)` makes the reader match each `{}` with an argument by counting;
    `f"{done} of {total}"` shows the value in place and is faster. Reported on `.format(...)` of a str
    literal without `*args` or `**kwargs`, whose every field names an argument. The fix writes each
    argument's own source text into its field, conversion and format spec kept; it is offered only
    when that is exact: one plain literal (no implicit concatenation, no `u` prefix, no escapes that
    make braces), arguments without comments, line breaks, backslashes or the literal's quote, each
    used once and in order unless it is a plain name or attribute, and no nested fields in a spec.
    """
    PREFILTER = (".format",)
    VALID = [
        "label = f'{count} items'\n",
        "line = template.format(name)\n",
        "line = '{}'.format(*args)\n",
        "line = '{x}'.format(**values)\n",
    ]
    INVALID = [
        Invalid("label = '{} items'.format(count)\n", "label = f'{count} items'\n"),
        Invalid("line = '{0} of {1}'.format(self.done, total)\n", "line = f'{self.done} of {total}'\n"),
        Invalid("name = '{who!r:>10}'.format(who=user)\n", "name = f'{user!r:>10}'\n"),
        Invalid("text = '{{ {} }}'.format(value)\n", "text = f'{{ {value} }}'\n"),
        "line = ('a' '{}').format(x)\n",
    ]

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Each `.format` call on a str literal, with the f-string that replaces it when that is exact."""
        found = []
        for node in probe.of_type(ast.Call):
            if _format_call(node):
                fields = _fields(node.func.value.value)  # type: ignore[attr-defined]
                arguments = _arguments(node)  # type: ignore[arg-type]
                if fields is None or arguments is None or any(_key(field, index) not in arguments
                                                                 for index, field in enumerate(fields)):
                    continue
                fix = _fix(probe, node, arguments)  # type: ignore[arg-type]
                found.append(TreeReport.at(node, cls.message, fix))
        return found


def _format_call(node: ast.AST) -> bool:
    """`<str literal>.format(...)` with no `*args` or `**kwargs`."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
            and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)
            and not any(isinstance(arg, ast.Starred) for arg in node.args) and all(k.arg for k in node.keywords))


def _fields(text: str) -> list[tuple[str, str | None, str | None]] | None:
    """(field name, conversion, spec) of every replacement field; None when the text does not parse."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return None
    return [(name, conversion, spec) for _, name, spec, conversion in parsed if name is not None]


def _key(field: tuple[str, str | None, str | None], auto: int) -> str:
    """The argument a field names: its keyword or position (`{}` counts up), without `.attr`/`[i]`."""
    name = re.split(r"[.\[]", field[0], maxsplit=1)[0]
    return str(auto) if name == "" else name


def _arguments(call: ast.Call) -> dict[str, ast.expr] | None:
    """The call's arguments by position and keyword."""
    found: dict[str, ast.expr] = {str(index): arg for index, arg in enumerate(call.args)}
    found.update({keyword.arg: keyword.value for keyword in call.keywords if keyword.arg})
    return found


def _fix(probe: Probe, call: ast.Call, arguments: dict[str, ast.expr]) -> tuple[TreeEdit, ...]:
    """The edit to an f-string, or none when the rewrite could change the text or the evaluation."""
    literal = call.func.value  # type: ignore[attr-defined]
    source = _segment(probe, literal)
    prefix = LITERAL_PREFIX.match(source or "")
    if source is None or prefix is None or "u" in prefix.group(1).lower() or "\\N{" in source:
        return ()
    quote = prefix.group(2)
    body = source[len(prefix.group(0)):len(source) - len(quote)]
    if body.count(quote[0]) or _fields(body) != _fields(literal.value):  # implicit concatenation, or escapes made braces
        return ()
    try:
        parsed = list(string.Formatter().parse(body))
    except ValueError:
        return ()
    pieces, used, auto = [], [], 0
    for text, name, spec, conversion in parsed:
        pieces.append(text.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        key = _key((name, conversion, spec), auto)
        auto += name == ""
        argument = arguments[key]
        expression = _segment(probe, argument) or ""
        if not isinstance(argument, SIMPLE_ARGUMENT) or any(c in expression for c in ("\n", "\\", "#", "{", "}", quote[0])):
            return ()
        if spec and ("{" in spec or "}" in spec):
            return ()
        used.append((key, argument))
        pieces.append("{" + expression + name[len(name.split(".")[0].split("[")[0]):] + (f"!{conversion}" if conversion else "")
                      + (f":{spec}" if spec else "") + "}")
    if not _same_evaluation(used, arguments):
        return ()
    new = prefix.group(1) + "f" + quote + "".join(pieces) + quote
    start = TreePosition(call.lineno, call.col_offset)
    end = TreePosition(call.end_lineno, call.end_col_offset)  # type: ignore[arg-type]
    return (TreeEdit(start, end, new),)


def _segment(probe: Probe, node: ast.AST) -> str | None:
    """A node's source text, cut from the probe's bytes (`ast.get_source_segment` splits the file each time)."""
    end_line = getattr(node, "end_lineno", None)
    if end_line is None:
        return None
    start = probe.byte_offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
    end = probe.byte_offset(end_line, node.end_col_offset)  # type: ignore[attr-defined]
    return probe.encoded[start:end].decode("utf-8", "surrogatepass")


def _same_evaluation(used: list[tuple[str, ast.expr]], arguments: dict[str, ast.expr]) -> bool:
    """Are the arguments evaluated as before: every one used, and any that may have effects used once, in order?"""
    if {key for key, _ in used} != set(arguments):
        return False
    effects = [key for key, argument in used if not isinstance(argument, (ast.Name, ast.Attribute, ast.Constant))]
    order = [key for key in arguments if key in effects]
    return len(effects) == len(set(effects)) and effects == order
