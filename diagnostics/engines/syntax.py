"""Syntax errors from tree-sitter ERROR and MISSING nodes, for every language with a grammar wheel."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from tree_sitter import Node

from patchgate.diagnostics.engines.grammars import available_languages, parser_for
from patchgate.diagnostics.engines.python_syntax import CPythonError, cpython_verdict
from patchgate.diagnostics.engines.templates import as_template
from patchgate.diagnostics.models import Diagnostic, Rule, RuleExample
from patchgate.diagnostics.source import SourceFile
from patchgate.diagnostics.span import byte_to_char_offsets

__all__ = ["MAX_ERRORS", "SYNTAX_RULE", "SyntaxEngine", "available_languages", "has_syntax_errors"]

MAX_ERRORS = 20
"""Past this many errors in one file the rest are counted, not reported: they are mostly echoes."""
TOKEN_LIMIT = 30
LEAF_LIMIT = 400
ROOT_KINDS = frozenset({"module", "program", "source_file", "document", "stream", "translation_unit", "ERROR"})
CONTEXT_NAMES = {
    "formal_parameters": "parameter list",
    "parameters": "parameter list",
    "parameter_list": "parameter list",
    "arguments": "argument list",
    "argument_list": "argument list",
    "lexical_declaration": "declaration",
    "let_declaration": "let statement",
    "function_item": "function definition",
    "function_declaration": "function declaration",
}
OPENERS = {"(": ")", "[": "]", "{": "}", "$(": ")", "${": "}"}
CLOSERS = frozenset(OPENERS.values())

SYNTAX_DOCS = """\
The file does not parse: the tree-sitter grammar of its language found a token it could not
place (reported as *unexpected*), a bracket that is never closed, or a token that must be
there and is not (reported as *expected*). Every other rule sees a repaired tree, so fix
syntax errors first. Languages: python, javascript, typescript, tsx, go, rust, json, yaml,
toml and bash, each when its `tree-sitter-<language>` wheel is installed (`patchgate doctor`
lists them). At most 20 errors are reported per file; the last one says how many more exist.

Python files are judged by CPython's own parser, which rejects much that tree-sitter's grammar
recovers from (`print "x"`, a default argument before a plain one, bad indentation, mixed tabs
and spaces, `x := 1` as a statement, `1abc`): its first error is reported in its own words and
at its own position, and tree-sitter adds only errors on later lines. The parse is for the
`target-version` (CPython's `feature_version`): `match` is an error for py39, `except*` for
py310, `type X = ...` for py311, with a note when the running Python accepts it. When the target
is newer than the Python patchgate runs on, a file that Python rejects is left to tree-sitter
(its grammar knows the newest syntax). Errors CPython raises only when compiling to bytecode
(`return` outside a function, `break` outside a loop) are not syntax errors here.

A file that fails to parse and holds Jinja or Django tags (`{% if %}`, `{{ value }}`, `{# #}`),
such as Django's `i18n_catalog.js` or a Helm chart's YAML, is a template: it is reported once, as
an info at its first tag, instead of one error per tag.

| language | valid | invalid |
|---|---|---|
| python | `print(1)` | `print(1` (unclosed `(`) |
| javascript | `let x = 1;` | `let x = ;` |
| typescript | `let x: number = 1;` | `function f(a: ) {}` |
| go | `func main() {}` | `func main( {}` (expected `)`) |
| rust | `let x = 1;` | `let x = 1` (expected `;`) |
| json | `{"a": 1}` | `{"a": 1,, "b": 2}` |
| yaml | `a: [1, 2]` | `a: [1, 2` |
| toml | `[table]` | `[table` |
| bash | `if true; then :; fi` | `if true; then :` (expected `fi`) |
"""

SYNTAX_RULE = Rule(
    id="syntax-error",
    severity="error",
    message="syntax error",
    docs=SYNTAX_DOCS,
    tags=["correctness", "syntax"],
    language="*",
    engine="tree-sitter",
    valid=[RuleExample(code="print(1)\n"), RuleExample(code="def f(x):\n    return x\n")],
    invalid=[RuleExample(code="print(1\n"), RuleExample(code="x = = 1\n"), RuleExample(code="def f():\n    return )\n")],
)


@dataclass(frozen=True)
class _Finding:
    """One syntax error in UTF-8 byte offsets, before conversion to a Diagnostic."""

    start_byte: int
    end_byte: int
    message: str
    node_byte: int = -1
    """Where the ERROR or MISSING node starts (the reported token may be inside it); -1: at start_byte."""


def _parse(source: SourceFile) -> Node | None:
    """The root node of the file's tree, or None when the language has no grammar here."""
    parser = parser_for(source.language) if source.language else None
    if parser is None:
        return None
    try:
        data = source.text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: not text tree-sitter can take
        return None
    return parser.parse(data).root_node


def has_syntax_errors(source: SourceFile) -> bool:
    """Cheap gate for callers that only need to know whether a file parses cleanly."""
    root = _parse(source)
    return root is not None and root.has_error


def error_nodes(root: Node) -> Iterator[Node]:
    """ERROR and MISSING nodes in document order, never descending into a reported ERROR."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            yield node
        elif node.has_error:
            stack.extend(reversed(node.children))


def _leaves(node: Node) -> list[Node]:
    """The tokens under a node in order, bounded so a file-sized ERROR stays cheap."""
    leaves: list[Node] = []
    stack = [node]
    while stack and len(leaves) < LEAF_LIMIT:
        current = stack.pop()
        if current.child_count == 0:
            if current.end_byte > current.start_byte:
                leaves.append(current)
        else:
            stack.extend(reversed(current.children))
    return leaves


def _node_text(node: Node) -> str:
    """A node's source text, decoded leniently."""
    return (node.text or b"").decode("utf-8", errors="replace")


def _first_piece(node: Node) -> Node:
    """The first child short enough to quote (`"a"` rather than its `"` token), else the first leaf."""
    current = node
    while current.child_count:
        children = [c for c in current.children if c.end_byte > c.start_byte] or current.children
        current = children[0]
        text = _node_text(current)
        if len(text) <= TOKEN_LIMIT and "\n" not in text:
            return current
    return current


def _token_text(node: Node) -> str:
    """A token's text on one line, shortened so the message stays readable."""
    text = " ".join(_node_text(node).split())
    return text if len(text) <= TOKEN_LIMIT else text[: TOKEN_LIMIT - 1] + "…"


def _is_bracket(leaf: Node, kinds: Collection[str]) -> bool:
    """Anonymous bracket tokens only; a string that happens to contain `(` is not one."""
    return not leaf.is_named and leaf.type in kinds


def _bracket_culprit(leaves: list[Node]) -> tuple[Node, str] | None:
    """An unmatched closing bracket, else the innermost unclosed one: the usual real cause."""
    stack: list[Node] = []
    for leaf in leaves:
        if _is_bracket(leaf, OPENERS):
            stack.append(leaf)
        elif _is_bracket(leaf, CLOSERS):
            if not stack or OPENERS[stack[-1].type] != leaf.type:
                return leaf, "unexpected"
            stack.pop()
    return (stack[-1], "unclosed") if stack else None


def _context(node: Node) -> str:
    """' in function definition' from the enclosing node kind, or '' at the top level."""
    parent = node.parent
    if parent is None or parent.type in ROOT_KINDS or not parent.is_named or parent.type.startswith("_"):
        return ""
    return " in " + CONTEXT_NAMES.get(parent.type, parent.type.replace("_", " "))


def _missing_finding(node: Node) -> _Finding:
    """`expected `)`` for a token, `expected identifier` for a named node."""
    what = node.type.replace("_", " ") if node.is_named else f"`{node.type}`"
    return _Finding(node.start_byte, node.end_byte, f"expected {what}{_context(node)}", node.start_byte)


def _error_finding(node: Node) -> _Finding:
    """Point at the offending bracket when there is one, else at the whole ERROR node."""
    leaves = _leaves(node)
    culprit = _bracket_culprit(leaves)
    if culprit is not None:
        leaf, kind = culprit
        return _Finding(leaf.start_byte, leaf.end_byte, f"{kind} `{leaf.type}`{_context(node)}", node.start_byte)
    if not leaves:
        return _Finding(node.start_byte, node.end_byte, f"syntax error{_context(node)}", node.start_byte)
    return _Finding(node.start_byte, node.end_byte, f"unexpected `{_token_text(_first_piece(node))}`{_context(node)}", node.start_byte)


def find_errors(root: Node) -> tuple[list[_Finding], int]:
    """Up to MAX_ERRORS distinct findings, and how many more the file has."""
    findings: list[_Finding] = []
    seen: set[tuple[int, int, str]] = set()
    extra = 0
    for node in error_nodes(root):
        finding = _missing_finding(node) if node.is_missing else _error_finding(node)
        key = (finding.start_byte, finding.end_byte, finding.message)
        if key in seen:
            continue
        seen.add(key)
        if len(findings) < MAX_ERRORS:
            findings.append(finding)
        else:
            extra += 1
    return findings, extra


class SyntaxEngine:
    """One parse per file, one `syntax-error` rule for every language; Python files are judged by CPython."""

    def __init__(self, python_target: tuple[int, int] = (3, 10)) -> None:
        self.python_target = python_target

    def rules(self) -> list[Rule]:
        """The single rule this engine runs."""
        return [SYNTAX_RULE]

    def check(self, source: SourceFile, selected: frozenset[str]) -> list[Diagnostic]:
        """Every syntax error as a diagnostic; unknown languages give nothing."""
        if SYNTAX_RULE.id not in selected:
            return []
        try:
            found = None
            if source.language == "python":
                verdict = cpython_verdict(source, self.python_target)
                if verdict.judged:
                    found = self._python(source, verdict.error)
            if found is None:
                found = self._capped(*self._tree_sitter(source))
            if not found:
                return []
            return as_template(source, SYNTAX_RULE.id) or found
        except Exception:  # a grammar bug must not fail the run; other engines still report
            return []

    def _tree_sitter(self, source: SourceFile, after: int = -1) -> tuple[list[Diagnostic], int]:
        """tree-sitter's findings whose node starts past code-point offset `after`, and how many more exist."""
        root = _parse(source)
        if root is None or not root.has_error:
            return [], 0
        findings, extra = find_errors(root)
        table = byte_to_char_offsets(source.text)
        last = len(table) - 1
        kept = [f for f in findings if table[min(f.node_byte if f.node_byte >= 0 else f.start_byte, last)] > after]
        return [self._diagnostic(source, f, table) for f in kept], extra

    def _python(self, source: SourceFile, error: CPythonError | None) -> list[Diagnostic]:
        """CPython's error, then tree-sitter's findings on later lines (further errors CPython stops before)."""
        if error is None:
            return []  # CPython parsed it: tree-sitter's errors on valid Python are gaps in its grammar
        first = Diagnostic(
            rule_id=SYNTAX_RULE.id,
            severity=SYNTAX_RULE.severity,
            message=error.message,
            path=source.path,
            span=source.lines.span(error.start, error.end),
            engine="tree-sitter",
            note=error.note,
        )
        later, extra = self._tree_sitter(source, error.covers_to) if error.covers_to < len(source.text) else ([], 0)
        return self._capped([first, *later], extra)

    def _capped(self, diagnostics: list[Diagnostic], extra: int) -> list[Diagnostic]:
        """At most MAX_ERRORS diagnostics; the last one notes how many more the file has."""
        extra += max(0, len(diagnostics) - MAX_ERRORS)
        diagnostics = diagnostics[:MAX_ERRORS]
        if extra and diagnostics:
            note = f"{extra} more syntax error{'s' if extra != 1 else ''} in this file not reported"
            diagnostics[-1] = diagnostics[-1].model_copy(update={"note": note})
        return diagnostics

    def _diagnostic(self, source: SourceFile, finding: _Finding, table: list[int]) -> Diagnostic:
        """One Diagnostic at the code-point span of a finding."""
        last = len(table) - 1
        start = table[min(finding.start_byte, last)]
        end = table[min(finding.end_byte, last)]
        return Diagnostic(
            rule_id=SYNTAX_RULE.id,
            severity=SYNTAX_RULE.severity,
            message=finding.message,
            path=source.path,
            span=source.lines.span(start, max(start, end)),
            engine="tree-sitter",
        )
