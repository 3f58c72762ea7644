"""What bash evaluates as code at run time besides $(...): arithmetic, array subscripts and variable names.

`x[$(cmd)]=1`, `(( a[$(cmd)] ))`, `printf -v 'a[$(cmd)]' v`, `read 'a[$(cmd)]'`, `[[ -v 'a[$(cmd)]' ]]` and
`x='a[$(cmd)]'; echo $((x))` all run cmd: a subscript is expanded when bash evaluates a name or an
arithmetic expression, and arithmetic evaluates a variable's value again. Such text is resolved only
when it is a plain literal (digits and operators; a plain identifier where a name is expected);
anything else is reported so the judge fails closed, and a literal that carries `$(...)` is handed
back as a script so the commands in it are judged too.
"""

from __future__ import annotations

import re
from typing import Optional

from tree_sitter import Node

from patchgate.connect.shell.models import Word, basename
from patchgate.connect.shell.words import eval_word, node_text

ARITH_OK = re.compile(r"[\s0-9+\-*/%()<>=!&|^~?:,]*")
NAME_OK = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[(\d+|@|\*)\])?")
INDEX_OK = re.compile(r"\s*(\d+|@|\*)\s*")
SAFE_INDIRECT = re.compile(r"\$\{![A-Za-z_][A-Za-z0-9_]*(\[[@*]\]|[@*])\}")
LATENT = re.compile(r"\$\(|\$\[|`|[<>]\(")
TEST_NAME_OPS = frozenset({"-v", "-R"})
TEST_ARITH_OPS = frozenset({"-eq", "-ne", "-lt", "-le", "-gt", "-ge"})
DECLARES = frozenset({"declare", "typeset", "local", "export", "readonly"})


def _between(node: Node, opening: str, closing: str) -> str:
    """Source text of a node without its opening and closing tokens."""
    text = node_text(node)
    return text[len(opening):len(text) - len(closing)] if text.endswith(closing) else text[len(opening):]


def array_key(node: Node) -> Optional[tuple[str, bool]]:
    """(key, literal) of an array element written `[key]=value`, or None for a plain element; literal is
    True when no substitution in the key was parsed (a quoted one only runs when bash evaluates the key)."""
    children = node.children if node.type == "concatenation" else []
    if not children or children[0].type != "word" or node_text(children[0]) != "[":
        return None
    end = next((i for i, c in enumerate(children) if c.type == "word" and node_text(c).startswith("]")), None)
    if end is None:
        return None
    subs: list[Node] = []
    key = "".join(w.value for c in children[1:end] for w in eval_word(c, subs))
    return key, not subs


def node_evaluates(node: Node) -> Optional[str]:
    """The text an arithmetic, subscript, ${...} node or array key makes bash evaluate, or None when it is a
    plain literal."""
    if node.type == "concatenation":
        found = array_key(node)
        return None if found is None or INDEX_OK.fullmatch(found[0]) else found[0]
    if node.type == "arithmetic_expansion":
        opening = node.children[0].type if node.children else "$(("
        inner = _between(node, opening, "))" if opening == "$((" else "]")
        return None if ARITH_OK.fullmatch(inner) else inner
    if node.type == "subscript":
        index = node.child_by_field_name("index")
        parts = [c for c in node.children if c.type not in ("variable_name", "[", "]")]
        text = node_text(index) if index is not None else "".join(node_text(c) for c in parts)
        return None if INDEX_OK.fullmatch(text) else node_text(node)
    if node.type == "expansion":
        text = node_text(node)
        if text.startswith("${!") and not SAFE_INDIRECT.fullmatch(text):
            return text
        if text.endswith("@P}"):
            return text
        kinds = [c.type for c in node.children]
        if ":" in kinds:
            rest = text[text.index(":", 2) + 1:-1]
            return None if ARITH_OK.fullmatch(rest) else text
    return None


def _test_operands(node: Node, out: list[str], latent: list[str]) -> None:
    """Operands of -v/-R and of -eq ... inside [[ ]], whose values bash evaluates."""
    if node.type in ("unary_expression", "binary_expression"):
        ops = [c for c in node.children if c.type == "test_operator"]
        operands = [c for c in node.named_children if c.type != "test_operator"]
        op = node_text(ops[0]) if ops else ""
        if op in TEST_NAME_OPS or op in TEST_ARITH_OPS:
            pattern = NAME_OK if op in TEST_NAME_OPS else ARITH_OK
            for operand in operands:
                subs: list[Node] = []
                words = eval_word(operand, subs)
                value = " ".join(w.value for w in words)
                if not pattern.fullmatch(value):
                    out.append(value)
                    latent.extend([value] if not subs and LATENT.search(value) else [])
            return
    for child in node.named_children:
        _test_operands(child, out, latent)


def statement_evaluates(node: Node) -> tuple[list[str], list[str]]:
    """Text a (( )), for (( ;; )) or [[ ]] statement evaluates that is not a plain literal, and the literal
    part of it that holds $(...)."""
    if node.type == "compound_statement" and node.children and node.children[0].type == "((":
        inner = _between(node, "((", "))")
        return ([] if ARITH_OK.fullmatch(inner) else [inner]), []
    if node.type == "c_style_for_statement":
        head = [c for c in node.children if c.type not in ("for", "do_group", "compound_statement")]
        inner = " ".join(node_text(c) for c in head)
        return ([] if ARITH_OK.fullmatch(inner.replace(";", " ").strip("() ")) else [inner]), []
    out: list[str] = []
    latent: list[str] = []
    if node.type == "test_command":
        _test_operands(node, out, latent)
    return out, latent


def _options(args: list[Word], with_arg: str) -> tuple[dict[str, str], list[Word], str]:
    """Short options of a bash builtin (-a NAME, -rn): values, operands, and every flag letter given."""
    values: dict[str, str] = {}
    flags = ""
    i = 0
    while i < len(args) and args[i].value[:1] in "-+" and len(args[i].value) > 1 and not args[i].opaque:
        if args[i].value == "--":
            i += 1
            break
        letters = args[i].value[1:]
        for k, letter in enumerate(letters):
            flags += letter
            if letter in with_arg:
                attached = letters[k + 1:]
                if not attached and i + 1 < len(args):
                    i += 1
                    attached = args[i].value
                values[letter] = attached
                break
        i += 1
    return values, args[i:], flags


def _declared(args: list[Word]) -> list[tuple[str, str]]:
    """(kind, text) pairs a declare/local/export/readonly evaluates: names, and values under -i or -n."""
    _, operands, flags = _options(args, "")
    out: list[tuple[str, str]] = []
    for word in operands:
        name, eq, value = word.value.partition("=")
        out.append(("name", name[:-1] if name.endswith("+") else name))
        if eq and "i" in flags:
            out.append(("arith", value))
        elif eq and "n" in flags:
            out.append(("name", value))
    return out


def _evaluated_args(name: str, args: list[Word]) -> list[tuple[str, str]]:
    """(kind, text) pairs a builtin evaluates: kind is name, arith or code."""
    if name in DECLARES:
        return _declared(args)
    if name == "unset":
        _, operands, flags = _options(args, "")
        return [] if "f" in flags else [("name", w.value) for w in operands]
    if name in ("printf", "wait"):
        values, _, _ = _options(args[:2] if name == "printf" else args, "v" if name == "printf" else "p")
        return [("name", values[k]) for k in "vp" if k in values]
    if name == "read":
        values, operands, _ = _options(args, "adnNptui")
        return [("name", w.value) for w in operands] + ([("name", values["a"])] if "a" in values else [])
    if name in ("mapfile", "readarray"):
        values, operands, _ = _options(args, "dnOsuCc")
        return [("name", w.value) for w in operands[-1:]] + ([("code", values["C"])] if "C" in values else [])
    if name == "getopts":
        return [("name", w.value) for w in args[1:2]]
    if name == "let":
        return [("arith", w.value) for w in args]
    if name in ("test", "["):
        return [("name", args[i + 1].value) for i, w in enumerate(args[:-1]) if w.value in TEST_NAME_OPS]
    if name in ("complete", "compgen"):
        values, _, _ = _options(args, "ACFGPSWXo")
        return [("code", values["C"])] if "C" in values else []
    if name == "bind":
        values, _, _ = _options(args, "mqufrxl")
        return [("code", values["x"])] if "x" in values else []
    return []


def words_evaluate(words: list[Word]) -> tuple[list[str], list[str]]:
    """What a builtin's arguments make bash evaluate: texts not resolved, and scripts to judge (callbacks, and
    literal names or arithmetic that hold $(...))."""
    if not words or words[0].opaque:
        return [], []
    found = _evaluated_args(basename(words[0].value), words[1:])
    unresolved = [(kind, text) for kind, text in found
                  if kind == "code" or not (NAME_OK if kind == "name" else ARITH_OK).fullmatch(text)]
    scripts = [text if kind == "code" else latent_script(text) for kind, text in unresolved
               if kind == "code" or LATENT.search(text)]
    return [text for _, text in unresolved], scripts


def latent_script(text: str) -> str:
    """A name or arithmetic text as a command line whose substitutions bash would run: `: TEXT`."""
    return f": {text}"
