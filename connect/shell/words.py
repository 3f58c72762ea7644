"""Words as bash sees them: line continuations, quote removal, ANSI-C strings and brace expansion."""

from __future__ import annotations

import re
from typing import Optional

from tree_sitter import Node

from patchgate.connect.shell.models import EVALUATING_NODES, MAX_BRACE_WORDS, OPAQUE_NODES, SUBSTITUTIONS, Word


def join_continuations(text: str) -> str:
    """Drop backslash-newlines outside single quotes, as bash does before splitting words."""
    out: list[str] = []
    quote: Optional[str] = None
    i = 0
    while i < len(text):
        ch = text[i]
        if quote == "'":
            quote = None if ch == "'" else quote
        elif ch == "\\" and i + 1 < len(text):
            if text[i + 1] != "\n":
                out.append(text[i:i + 2])
            i += 2
            continue
        elif quote is not None:
            quote = None if ch == quote[-1] else quote
        elif ch in "'\"":
            quote = "$'" if ch == "'" and out and out[-1] == "$" else ch
        out.append(ch)
        i += 1
    return "".join(out)


def syntax_errors(root: Node, label: Optional[str]) -> list[str]:
    """One line per ERROR or MISSING node (first five), naming line and column."""
    found: list[str] = []
    stack = [root]
    while stack and len(found) < 5:
        node = stack.pop()
        if node.is_missing or node.is_error:
            line, col = node.start_point
            what = f"missing {node.type!r}" if node.is_missing else f"syntax error near {node_text(node)[:30]!r}"
            found.append(f"{label + ': ' if label else ''}{what} at line {line + 1}, column {col + 1}")
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return found or [f"{label + ': ' if label else ''}syntax error"]


def node_text(node: Node) -> str:
    """A node's source text."""
    return (node.text or b"").decode("utf-8", "replace")


UNPARSED_SUBSTITUTION = re.compile(r"(?<!\\)(\$\(|`)")
"""A substitution tree-sitter left inside a plain word (backticks in "${x:+`cmd`}"): bash still runs it."""


def find_substitutions(node: Node, out: list[Node], evaluating: bool = True) -> None:
    """Collect the outermost command/process substitutions below a node (and words holding one the parser
    did not see), and the outermost node whose text bash evaluates (arithmetic, a subscript, ${!x}) unless
    it is a plain literal."""
    if node.type in SUBSTITUTIONS or node.type in ("word", "regex") and UNPARSED_SUBSTITUTION.search(node_text(node)):
        out.append(node)
        return
    if evaluating and node.type in EVALUATING_NODES:
        from patchgate.connect.shell.evaluated import node_evaluates

        if node_evaluates(node) is not None:
            out.append(node)
            evaluating = False
    for child in node.children:
        find_substitutions(child, out, evaluating)


ANSI_C = re.compile(r"\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)", re.S)
ANSI_SIMPLE = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
               "v": "\v"}


def _ansi_c(body: str) -> str:
    """Decode the escapes of a $'...' string."""
    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc in ("x", "u", "U"):
            return "\\" + esc
        if esc[0] in "xuU":
            code = int(esc[1:], 16)
            return chr(code) if code <= 0x10FFFF else ""
        if esc[0] in "01234567":
            return chr(int(esc, 8) & 0xFF)
        if esc[0] == "c" and len(esc) == 2:
            return chr(ord(esc[1]) & 0x1F)
        return ANSI_SIMPLE.get(esc, esc)
    return ANSI_C.sub(one, body)


def _dq_unescape(text: str) -> str:
    """Backslash removal inside double quotes: only before $ ` " \\ and newline."""
    return re.sub(r'\\([$`"\\\n])', lambda m: "" if m.group(1) == "\n" else m.group(1), text)


Frags = list[tuple[str, bool]]


def _frags(node: Node, subs: list[Node], state: list[bool]) -> Frags:
    """Quote-removed pieces of a word as (text, quoted); state[0] turns True when opaque."""
    kind = node.type
    if kind in OPAQUE_NODES:
        state[0] = True
        find_substitutions(node, subs)
        return [(node_text(node), True)]
    if kind == "word":
        return [(m.group(1), True) if m.group(1) is not None else (m.group(0), False)
                for m in re.finditer(r"\\(.)|[^\\]+|\\", node_text(node), re.S)]
    if kind == "raw_string":
        return [(node_text(node)[1:-1], True)]
    if kind == "ansi_c_string":
        return [(_ansi_c(node_text(node)[2:-1]), True)]
    if kind == "string":
        out: Frags = []
        for child in node.named_children:
            if child.type == "string_content":
                out.append((_dq_unescape(node_text(child)), True))
            else:
                out.extend((t, True) for t, _ in _frags(child, subs, state))
        return out
    if node.child_count == 0:
        return [(node_text(node), False)]
    return [piece for child in node.children for piece in _frags(child, subs, state)]


def eval_word(node: Node, subs: list[Node]) -> list[Word]:
    """The words one word node becomes after quote removal and brace expansion."""
    state = [False]
    frags = _frags(node, subs, state)
    glob = any(not quoted and any(c in text for c in "*?[") for text, quoted in frags)
    chars = [(c, quoted) for text, quoted in frags for c in text]
    if any(c == "{" and not q for c, q in chars):
        return [Word(v, state[0], glob) for v in _brace_expand(chars)]
    return [Word("".join(c for c, _ in chars), state[0], glob)]


def _brace_expand(chars: list[tuple[str, bool]]) -> list[str]:
    """Bash brace expansion over unquoted braces: a{b,c} and {1..3}; capped against blow-ups."""
    results: list[list[tuple[str, bool]]] = [chars]
    done: list[str] = []
    while results:
        cur = results.pop(0)
        parts = _first_brace(cur)
        if parts is None or len(done) + len(results) > MAX_BRACE_WORDS:
            done.append("".join(c for c, _ in cur))
            continue
        prefix, alternatives, suffix = parts
        results[0:0] = [prefix + alt + suffix for alt in alternatives]
    return done


def _first_brace(chars: list[tuple[str, bool]]) -> Optional[tuple[list, list[list], list]]:
    """Split at the first expandable unquoted {...}: prefix, alternatives, suffix."""
    for start, (ch, quoted) in enumerate(chars):
        if ch != "{" or quoted:
            continue
        depth, commas = 0, []
        for end in range(start, len(chars)):
            c, q = chars[end]
            depth += (c == "{" and not q) - (c == "}" and not q)
            if c == "," and not q and depth == 1:
                commas.append(end)
            if depth == 0:
                break
        else:
            continue
        inner = chars[start + 1:end]
        if commas:
            bounds = [start, *commas, end]
            return chars[:start], [chars[a + 1:b] for a, b in zip(bounds, bounds[1:])], chars[end + 1:]
        seq = _sequence("".join(c for c, _ in inner))
        if seq is not None:
            return chars[:start], [[(c, True) for c in item] for item in seq], chars[end + 1:]
    return None


def _sequence(body: str) -> Optional[list[str]]:
    """Values of a {a..b[..step]} sequence, or None when the body is not one."""
    m = re.fullmatch(r"(-?\d+|[A-Za-z])\.\.(-?\d+|[A-Za-z])(?:\.\.(-?\d+))?", body)
    if not m:
        return None
    step = abs(int(m.group(3) or 1)) or 1
    numeric = m.group(1).lstrip("-").isdigit() and m.group(2).lstrip("-").isdigit()
    lo, hi = (int(m.group(1)), int(m.group(2))) if numeric else (ord(m.group(1)), ord(m.group(2)))
    if abs(hi - lo) // step > MAX_BRACE_WORDS:
        return None
    values = range(lo, hi + 1, step) if lo <= hi else range(lo, hi - 1, -step)
    return [str(v) if numeric else chr(v) for v in values]
