"""duplicate-dict-key (F601): a literal key written twice in one dict display, found in one pass.

It was an ast-grep rule whose `follows: stopBy: end` compared each entry with every earlier one: a
3,600-key dict took seconds, 8,000 keys half a minute. Here each dict's keys go into a set.
"""

from __future__ import annotations

import ast
import re

from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.python_rule import PythonRule, TreePosition, TreeReport

LITERAL_TYPES = (int, float, complex, bool, str, bytes, type(None))
"""Numbers, strings, bytes, True/False/None: keys whose spelling says what they are. An f-string is a
JoinedStr, not a Constant, and `...` is not a key anyone repeats by mistake."""
STRING_PIECE = re.compile(r"""[A-Za-z]{0,2}(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')""")
NOTE = "The later entry silently replaces the earlier one. Remove one of them, or fix the typo in the key."


class DuplicateDictKey(PythonRule):
    """Report a dict entry whose literal key, spelled the same way, already appears in the same dict."""

    id = "duplicate-dict-key"
    aliases = ("F601",)
    severity = "error"
    message = "Dictionary key `$KEY` repeated"
    tags = ("correctness",)
    url = "https://docs.astral.sh/ruff/rules/multi-value-repeated-key-literal/"
    docs = """
    In a dict display the last occurrence of a key wins, so
    `{"host": "a", "port": 1, "host": "b"}` quietly drops `"a"`. A repeated literal key
    is nearly always a copy-paste slip or a typo in one of the keys. The rule compares
    keys as written: the same string, number or constant spelled the same way twice in
    one dict literal (`'a'` and `"a"`, or `1` and `1.0`, are spelled differently; the
    pieces of an implicitly concatenated string are compared, not the spaces between
    them). f-strings are never compared: the same text may evaluate to different keys.
    It reports the later, overriding entry. Each dict is checked in one pass over its
    keys, so a generated 8,000-key table costs no more than its parse.
    """
    PREFILTER = ("{",)
    VALID = [
        'config = {"host": "a", "port": 1}\n',
        'd = {f"{a}": 1, f"{a}": 2}\n',
        'd = {"a": {"a": 1}, "b": {"a": 2}}\n',
        "d = {key: 1, key: 2}\n",
        'symbols = {"\\\\alpha": 1, "\\\\beta": 2}\n',
        "d = {'a': 1, \"a\": 2, 1: 3, 1.0: 4}\n",
    ]
    INVALID = [
        'config = {"host": "a", "port": 1, "host": "b"}\n',
        'codes = {\n    200: "ok",\n    404: "missing",\n    200: "fine",\n}\n',
        'flags = {True: "yes", None: "unset", True: "on"}\n',
        'labels = {"a" "b": 1, "a"  "b": 2}\n',
    ]

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Every entry whose key spelling was already seen in its dict, read off CPython's tree."""
        if probe.tree is None:
            return []
        reports: list[TreeReport] = []
        for node in probe.of_type(ast.Dict):
            if isinstance(node, ast.Dict) and len(node.keys) > 1:
                reports.extend(_repeats(probe, node))
        return reports


def _repeats(probe: Probe, node: ast.Dict) -> list[TreeReport]:
    """The entries of one dict whose key was spelled the same way by an earlier entry."""
    seen: set[tuple[str, ...]] = set()
    found: list[TreeReport] = []
    for key, value in zip(node.keys, node.values):
        if not isinstance(key, ast.Constant) or not isinstance(key.value, LITERAL_TYPES):
            continue
        text = _source(probe, key)
        spelling = tuple(STRING_PIECE.findall(text)) if isinstance(key.value, (str, bytes)) else (text,)
        if spelling in seen:
            start = TreePosition(key.lineno, key.col_offset)
            end = TreePosition(value.end_lineno or value.lineno, value.end_col_offset or 0)
            found.append(TreeReport(start, end, f"Dictionary key `{text}` repeated", note=NOTE))
        seen.add(spelling)
    return found


def _source(probe: Probe, node: ast.expr) -> str:
    """The node's text as written."""
    start = probe.byte_offset(node.lineno, node.col_offset)
    end = probe.byte_offset(node.end_lineno or node.lineno, node.end_col_offset or 0)
    return probe.encoded[start:end].decode("utf-8", "surrogatepass")
