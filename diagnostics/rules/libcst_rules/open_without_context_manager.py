"""open-without-context-manager (SIM115): a file opened outside `with`, closed only if all goes well."""

from __future__ import annotations

import ast

from patchgate.diagnostics.python_rule import PythonRule, TreeReport
from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.rules.libcst_rules.qualified_names import qualified_names

OPENERS = frozenset({
    "builtins.open", "io.open", "io.open_code", "codecs.open", "tokenize.open", "wave.open", "shelve.open",
    "tempfile.TemporaryFile", "tempfile.NamedTemporaryFile", "tempfile.SpooledTemporaryFile",
    "tarfile.open", "dbm.open", "dbm.gnu.open", "dbm.ndbm.open", "dbm.dumb.open",
    "bz2.open", "gzip.open", "lzma.open", "lzma.LZMAFile", "fileinput.input", "fileinput.FileInput",
})
"""The openers ruff checks (the builtin, and the standard library's file-like constructors)."""
PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.WindowsPath"})
STACK_METHODS = frozenset({"enter_context", "enter_async_context"})
ENTER_METHODS = frozenset({"__enter__", "__aenter__"})
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


class OpenWithoutContextManager(PythonRule):
    """Report files opened outside a `with` statement."""

    id = "open-without-context-manager"
    aliases = ("SIM115",)
    severity = "warning"
    message = "file opened without a context manager"
    tags = ("correctness",)
    url = "https://docs.astral.sh/ruff/rules/open-file-with-context-handler/"
    docs = """
    A file opened with a bare `f = open(path)` is closed by a later `f.close()` only when nothing
    raises in between, and by the garbage collector at some unspecified time otherwise: on PyPy, or
    with a reference cycle, the descriptor leaks, buffered writes may never reach the disk, and
    Windows keeps the file locked. `with open(path) as f:` closes it on every path out of the block.

    As in ruff: the builtin `open` and the standard library's openers (`io.open`, `codecs.open`,
    `tempfile.TemporaryFile`, `gzip.open`, `pathlib.Path(...).open()`, ...),
    matched by qualified name. Not reported: an opener anywhere in a `with` header (`with
    closing(open(p)) as f:`), in a `return` statement (the caller owns the file), in `__enter__`,
    passed to `enter_context()`, or closed on the spot (`open(p).close()`). Any `enter_context`
    counts, where ruff asks that its object be an `ExitStack`. No fix: the `with` block must span
    exactly the lines that use the file, which is a human's call.
    """
    VALID = [
        "with open(path, encoding='utf-8') as f:\n    text = f.read()\n",
        "import contextlib\n\nwith contextlib.ExitStack() as stack:\n    f = stack.enter_context(open(path))\n",
        "def reader(path):\n    return open(path, 'rb')\n",
        "class Log:\n    def __enter__(self):\n        self.file = open(self.path, 'a')\n        return self\n",
        "import os\nfd = os.open(path, os.O_RDONLY)\n",
        "def open(path):\n    return path\n\nhandle = open('x')\n",
    ]
    INVALID = [
        "f = open(path)\ndata = f.read()\nf.close()\n",
        "data = open('config.json').read()\n",
        "import tempfile\nscratch = tempfile.NamedTemporaryFile(delete=False)\n",
        "from pathlib import Path\nlines = Path('notes.txt').open().readlines()\n",
        "import gzip\n\ndef load(path):\n    handle = gzip.open(path)\n    return handle.read()\n",
    ]

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        return "open" in probe.text or "File" in probe.text or "fileinput" in probe.text

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Opener calls whose file nothing closes for certain."""
        if probe.tree is None:
            return []
        names = qualified_names(probe)
        parents = {child: node for node in probe.walk() for child in ast.iter_child_nodes(node)}
        return [TreeReport.at(node, cls.message) for node in probe.of_type(ast.Call)
                if isinstance(node, ast.Call) and _opens(node, names) and not _managed(node, parents)]


def _opens(call: ast.Call, names: dict[ast.expr, str]) -> bool:
    """A call of a file opener, or `.open()` on a freshly made `pathlib.Path(...)`."""
    if names.get(call.func) in OPENERS:
        return True
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "open" and isinstance(func.value, ast.Call)
            and names.get(func.value.func) in PATH_CLASSES)


def _managed(call: ast.Call, parents: dict[ast.AST, ast.AST]) -> bool:
    """Is the file's lifetime looked after where it is opened?"""
    parent = parents.get(call)
    if isinstance(parent, ast.Attribute) and parent.attr == "close" and isinstance(parents.get(parent), ast.Call):
        return True
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute) and parent.func.attr in STACK_METHODS:
        return True
    node: ast.AST | None = call
    while node is not None and not isinstance(node, ast.stmt):
        node = parents.get(node)
    if isinstance(node, (ast.With, ast.AsyncWith, ast.Return)):
        return True
    while node is not None and not isinstance(node, SCOPES):
        node = parents.get(node)
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in ENTER_METHODS
