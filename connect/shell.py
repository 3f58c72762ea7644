"""tree-sitter-bash adapter: a command line becomes every simple command it would run, so none can hide.

This is the only module in connect that imports tree_sitter; it hands out pydantic models only.
Wrappers that run another command (sudo, env, xargs, find -exec, bash -c, eval, ...) are
unwrapped: the wrapper stays in the list and the command it runs follows it. Words are unquoted
and brace-expanded as bash would; a word whose value depends on run time (`$VAR`, `$(...)`) is
kept verbatim and marked opaque.
"""

from __future__ import annotations

import functools
import re
import shlex
from dataclasses import dataclass, field, replace
from typing import Callable, Literal, Optional

import tree_sitter_bash
from pydantic import Field
from tree_sitter import Language, Node, Parser

from patchgate.diagnostics.base import SCHEMA_VERSION, Model

MAX_DEPTH = 12
MAX_BRACE_WORDS = 256
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "yash", "fish", "csh", "tcsh"})
SUBSTITUTIONS = {"command_substitution": "substitution", "process_substitution": "process substitution"}
OPAQUE_NODES = {"simple_expansion", "expansion", "arithmetic_expansion", *SUBSTITUTIONS}
CONTEXTS = {
    "pipeline": "pipeline", "subshell": "subshell", "compound_statement": "group", "if_statement": "if",
    "while_statement": "while", "for_statement": "for", "c_style_for_statement": "for",
    "case_statement": "case", "function_definition": "function",
}
Via = Literal["substitution", "process substitution", "wrapper", "script"]


class Redirect(Model):
    """One redirection, so writes through `>`, `>>` or `&>` are visible to the policy."""

    op: str = Field(description="Operator as written: >, >>, <, &>, &>>, >&, >|, <&, <<, <<-, <<<.")
    target: str = Field(description="Unquoted target: a file, an fd number, a heredoc delimiter or a here-string.")
    fd: Optional[int] = Field(default=None, description="File descriptor written before the operator (2 in 2>).")


class PipeStage(Model):
    """Where a command sits in a pipeline, so a download feeding an interpreter is seen."""

    pipeline: int = Field(description="Id of the pipeline, unique within one parse.")
    stage: int = Field(description="0-based position of the stage that runs this command.")


class SimpleCommand(Model):
    """One command the shell would run, after unquoting; the unit every policy check judges."""

    argv: list[str] = Field(description="Words after unquoting and brace expansion; opaque words verbatim.")
    env: dict[str, str] = Field(default_factory=dict, description="Assignments given only to this command.")
    redirects: list[Redirect] = Field(default_factory=list, description="Redirections applying to it.")
    context: str = Field(default="top", description="Nesting, outermost first, e.g. 'pipeline > bash -c'.")
    opaque: bool = Field(default=False, description="Some argument's value is only known at run time.")
    opaque_words: list[int] = Field(default_factory=list, description="Indexes of argv words that are opaque.")
    parent: Optional[int] = Field(default=None, description="Index of the command this one is nested in.")
    via: Optional[Via] = Field(default=None, description="How it relates to parent: substitution, wrapper, script.")
    pipes: list[PipeStage] = Field(default_factory=list, description="Enclosing pipeline positions.")
    function: Optional[str] = Field(default=None, description="Name of the shell function whose body holds it.")
    transparent: bool = Field(
        default=False, description="A wrapper (env, time, bash -c ...) whose inner commands are judged instead.")


class ParsedCommand(Model):
    """A whole command line as simple commands, with whether the parse was clean."""

    schema_version: str = Field(default=SCHEMA_VERSION, description="Version of this object's schema.")
    text: str = Field(description="The command line as given.")
    simple_commands: list[SimpleCommand] = Field(description="Every simple command found, outer before inner.")
    parse_ok: bool = Field(description="False when tree-sitter found ERROR or MISSING nodes anywhere.")
    errors: list[str] = Field(default_factory=list, description="One line per syntax problem found.")


@dataclass
class Word:
    """A word's value after bash's quote removal; opaque when it depends on run time."""

    value: str
    opaque: bool = False
    glob: bool = False


@dataclass(frozen=True)
class _Ctx:
    """What every command found below a node inherits."""

    chain: tuple[str, ...] = ()
    pipes: tuple[PipeStage, ...] = ()
    parent: Optional[int] = None
    via: Optional[Via] = None
    function: Optional[str] = None
    redirects: tuple[Redirect, ...] = ()
    depth: int = 0

    def enter(self, name: Optional[str]) -> "_Ctx":
        """The context one nesting level down."""
        return replace(self, chain=self.chain + (name,)) if name else self


@dataclass
class Plan:
    """What a wrapper command runs: inner argvs and/or scripts to parse again."""

    label: str
    transparent: bool = True
    argvs: list[list[Word]] = field(default_factory=list)
    scripts: list[Word] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    fed_args: bool = False


@functools.cache
def _parser() -> Parser:
    """One parser per process: building it costs more than parsing a command."""
    return Parser(Language(tree_sitter_bash.language()))


def parse_command(text: str) -> ParsedCommand:
    """Parse a command line into the simple commands it runs, recursing into every wrapper."""
    walker = _Walker()
    try:
        walker.parse_text(text, _Ctx(), None)
    except RecursionError:
        walker.errors.append("nested too deeply to analyse")
    return ParsedCommand(text=text, simple_commands=walker.commands, parse_ok=not walker.errors,
                         errors=walker.errors)


def basename(word: str) -> str:
    """Command name without its directory, so /bin/rm is judged as rm."""
    return word.rstrip("/").rsplit("/", 1)[-1]


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


def _syntax_errors(root: Node, label: Optional[str]) -> list[str]:
    """One line per ERROR or MISSING node (first five), naming line and column."""
    found: list[str] = []
    stack = [root]
    while stack and len(found) < 5:
        node = stack.pop()
        if node.is_missing or node.is_error:
            line, col = node.start_point
            what = f"missing {node.type!r}" if node.is_missing else f"syntax error near {_text(node)[:30]!r}"
            found.append(f"{label + ': ' if label else ''}{what} at line {line + 1}, column {col + 1}")
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return found or [f"{label + ': ' if label else ''}syntax error"]


def _text(node: Node) -> str:
    """A node's source text."""
    return (node.text or b"").decode("utf-8", "replace")


def _find_subs(node: Node, out: list[Node]) -> None:
    """Collect the outermost command/process substitutions below a node."""
    if node.type in SUBSTITUTIONS:
        out.append(node)
        return
    for child in node.children:
        _find_subs(child, out)


ANSI_C = re.compile(r"\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)", re.S)
ANSI_SIMPLE = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
               "v": "\v"}


def _ansi_c(body: str) -> str:
    """Decode the escapes of a $'...' string."""
    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
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
        _find_subs(node, subs)
        return [(_text(node), True)]
    if kind == "word":
        return [(m.group(1), True) if m.group(1) is not None else (m.group(0), False)
                for m in re.finditer(r"\\(.)|[^\\]+|\\", _text(node), re.S)]
    if kind == "raw_string":
        return [(_text(node)[1:-1], True)]
    if kind == "ansi_c_string":
        return [(_ansi_c(_text(node)[2:-1]), True)]
    if kind == "string":
        out: Frags = []
        for child in node.named_children:
            if child.type == "string_content":
                out.append((_dq_unescape(_text(child)), True))
            else:
                out.extend((t, True) for t, _ in _frags(child, subs, state))
        return out
    if node.child_count == 0:
        return [(_text(node), False)]
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


REDIRECT_NODES = {"file_redirect", "herestring_redirect", "heredoc_redirect"}


def _stage(ctx: _Ctx, pid: int, number: int) -> _Ctx:
    """The context of one pipeline stage."""
    return replace(ctx.enter("pipeline"), pipes=(*ctx.pipes, PipeStage(pipeline=pid, stage=number)))


class _Walker:
    """Walks syntax trees depth first, appending every simple command it meets."""

    def __init__(self) -> None:
        self.commands: list[SimpleCommand] = []
        self.errors: list[str] = []
        self.pipelines = 0

    def parse_text(self, text: str, ctx: _Ctx, label: Optional[str]) -> None:
        """Parse one script (the top level, a bash -c string, an eval, a heredoc) and walk it."""
        if ctx.depth > MAX_DEPTH:
            self.errors.append(f"{label}: nested more than {MAX_DEPTH} levels deep")
            return
        root = _parser().parse(join_continuations(text).encode("utf-8", "replace")).root_node
        if root.has_error:
            self.errors.extend(_syntax_errors(root, label))
        self.visit(root, ctx)

    def add(self, words: list[Word], ctx: _Ctx, env: Optional[dict[str, str]] = None,
            redirects: tuple[Redirect, ...] = (), fed: bool = False, transparent: bool = False) -> int:
        """Append one simple command and return its index; `fed` means more arguments come from stdin."""
        opaque = [i for i, w in enumerate(words) if w.opaque or (i == 0 and w.glob)]
        self.commands.append(SimpleCommand(
            argv=[w.value for w in words], env=env or {}, redirects=[*ctx.redirects, *redirects],
            context=" > ".join(ctx.chain) or "top", opaque=bool(opaque) or fed,
            opaque_words=opaque, parent=ctx.parent, via=ctx.via, pipes=list(ctx.pipes),
            function=ctx.function, transparent=transparent))
        return len(self.commands) - 1

    def visit(self, node: Node, ctx: _Ctx) -> None:
        """Dispatch on node type; unknown nodes are searched for nested commands."""
        kind = node.type
        if kind == "command":
            start = len(self.commands)
            self.feed(self.command(node, ctx, []), ctx, start)
        elif kind == "redirected_statement":
            self.redirected(node, ctx)
        elif kind == "pipeline":
            self.pipeline(node.named_children, ctx, self.new_pipeline(), 0)
        elif kind in SUBSTITUTIONS:
            self.substitution(node, ctx, ctx.parent)
        elif kind in ("declaration_command", "unset_command", "test_command"):
            self.builtin(node, ctx)
        elif kind == "variable_assignment":
            subs: list[Node] = []
            self.add([], ctx, env=dict([self.assignment(node, subs)]))
            for sub in subs:
                self.substitution(sub, ctx, ctx.parent)
        elif kind == "function_definition":
            name = node.child_by_field_name("name")
            inner = replace(ctx.enter("function"), function=_text(name) if name else None)
            for child in node.named_children[1:]:
                self.visit(child, inner)
        elif kind not in ("comment", "heredoc_body"):
            inner = ctx.enter(CONTEXTS.get(kind))
            for child in node.children:
                self.visit(child, inner)

    def new_pipeline(self) -> int:
        """A fresh pipeline id."""
        self.pipelines += 1
        return self.pipelines

    def pipeline(self, stages: list[Node], ctx: _Ctx, pid: int, first: int) -> None:
        """Give each stage its position; first is 1 when a heredoc's command already took stage 0."""
        for number, stage in enumerate(stages, start=first):
            self.visit(stage, _stage(ctx, pid, number))

    def substitution(self, node: Node, ctx: _Ctx, parent: Optional[int]) -> None:
        """Commands inside $(...), `...`, <(...) and >(...) run too; parent is who gets their output."""
        label = SUBSTITUTIONS[node.type]
        inner = replace(ctx.enter(label), parent=parent, via=label, redirects=())  # type: ignore[arg-type]
        for child in node.named_children:
            self.visit(child, inner)

    def assignment(self, node: Node, subs: list[Node]) -> tuple[str, str]:
        """NAME and unquoted value of a NAME=value node."""
        name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        text = " ".join(w.value for w in eval_word(value, subs)) if value is not None else ""
        return (_text(name) if name else "", text)

    def command(self, node: Node, ctx: _Ctx, extra: list[Node]) -> list[Word]:
        """One simple command: env prefix, words, redirects, then what it wraps and substitutes."""
        env: dict[str, str] = {}
        words: list[Word] = []
        subs: list[Node] = []
        redirect_nodes = list(extra)
        for index, child in enumerate(node.children):
            if child.type == "variable_assignment" and not words:
                env.update([self.assignment(child, subs)])
            elif child.type in REDIRECT_NODES:
                redirect_nodes.append(child)
            elif child.type == "command_name" or node.field_name_for_child(index) == "argument":
                words.extend(eval_word(child, subs))
            elif child.is_named:
                _find_subs(child, subs)
        redirects, feeds = self.redirects(redirect_nodes, subs)
        plan = unwrap_plan(words)
        index = self.add(words, ctx, env, tuple(redirects), transparent=bool(plan and plan.transparent))
        innermost = self.run_plan(plan, index, env, ctx) if plan else index
        for sub in subs:
            self.substitution(sub, ctx, innermost)
        return feeds

    def run_plan(self, plan: Plan, index: int, env: dict[str, str], ctx: _Ctx) -> int:
        """Add the commands a wrapper runs; returns the index that receives the wrapper's words."""
        inner_ctx = replace(ctx.enter(plan.label), parent=index, via="wrapper", redirects=())
        innermost = index
        for words in plan.argvs:
            sub_plan = unwrap_plan(words)
            child = self.add(words, inner_ctx, {**env, **plan.env}, fed=plan.fed_args,
                             transparent=bool(sub_plan and sub_plan.transparent))
            innermost = self.run_plan(sub_plan, child, env, inner_ctx) if sub_plan else child
        script_ctx = replace(inner_ctx, via="script", depth=ctx.depth + 1)
        for script in plan.scripts:
            self.script(script, script_ctx, plan.label)
        return innermost

    def redirected(self, node: Node, ctx: _Ctx) -> None:
        """A statement with redirects; a heredoc may carry the rest of a pipeline or list."""
        body = node.child_by_field_name("body")
        redirect_nodes = node.children_by_field_name("redirect")
        tails = [c for r in redirect_nodes if r.type == "heredoc_redirect" for c in r.named_children
                 if c.type not in ("heredoc_start", "heredoc_body", "heredoc_end", "file_redirect")]
        pid = self.new_pipeline() if any(t.type == "pipeline" for t in tails) else 0
        start = len(self.commands)
        head_ctx = _stage(ctx, pid, 0) if pid else ctx
        if body is not None and body.type == "command":
            feeds = self.command(body, head_ctx, redirect_nodes)
        else:
            subs: list[Node] = []
            redirects, feeds = self.redirects(redirect_nodes, subs)
            if body is None:
                self.add([], ctx, redirects=tuple(redirects))
            else:
                self.visit(body, replace(head_ctx, redirects=(*ctx.redirects, *redirects)))
            for sub in subs:
                self.substitution(sub, ctx, ctx.parent)
        for tail in tails:
            if tail.type == "pipeline":
                self.pipeline(tail.named_children, ctx, pid, 1)
            else:
                self.visit(tail, ctx)
        self.feed(feeds, ctx, start)

    def redirects(self, nodes: list[Node], subs: list[Node]) -> tuple[list[Redirect], list[Word]]:
        """Redirect models, plus heredoc and here-string bodies (a shell may run them)."""
        out: list[Redirect] = []
        feeds: list[Word] = []
        for node in nodes:
            fd_node = node.child_by_field_name("descriptor")
            fd = int(_text(fd_node)) if fd_node is not None and _text(fd_node).isdigit() else None
            ops = [c.type for c in node.children if not c.is_named]
            if node.type == "heredoc_redirect":
                start = next((c for c in node.named_children if c.type == "heredoc_start"), None)
                body = next((c for c in node.named_children if c.type == "heredoc_body"), None)
                delimiter = _text(start) if start else ""
                out.append(Redirect(op=ops[0] if ops else "<<", target=delimiter.strip("'\""), fd=fd))
                if body is not None:
                    quoted = any(q in delimiter for q in "'\"\\")
                    expands = not quoted and any(c.type in OPAQUE_NODES for c in body.children)
                    feeds.append(Word(_text(body), opaque=expands))
                    if not quoted:
                        _find_subs(body, subs)
                nested = [c for c in node.named_children if c.type in REDIRECT_NODES]
                more, more_feeds = self.redirects(nested, subs)
                out.extend(more)
                feeds.extend(more_feeds)
                continue
            targets = [w for c in node.named_children if c.type != "file_descriptor" for w in eval_word(c, subs)]
            target = " ".join(w.value for w in targets)
            if node.type == "herestring_redirect":
                feeds.append(Word(target, opaque=any(w.opaque for w in targets)))
            out.append(Redirect(op=ops[0] if ops else "<<<", target=target, fd=fd))
        return out, feeds

    def feed(self, feeds: list[Word], ctx: _Ctx, start: int) -> None:
        """A heredoc or here-string read by a shell is a script: parse it like bash -c."""
        if not feeds:
            return
        readers = [i for i in range(start, len(self.commands))
                   if basename(self.commands[i].argv[0] if self.commands[i].argv else "") in SHELLS
                   and reads_program_from_stdin(self.commands[i].argv)]
        for reader in readers[:1]:
            script_ctx = replace(ctx.enter("heredoc"), parent=reader, via="script", depth=ctx.depth + 1,
                                 redirects=())
            for text in feeds:
                self.script(text, script_ctx, "heredoc")

    def script(self, script: Word, ctx: _Ctx, label: str) -> None:
        """Parse a script string; one built at run time also yields an opaque command (never permitted)."""
        if script.opaque:
            self.add([Word(script.value, opaque=True)], ctx)
        self.parse_text(script.value, ctx, label)

    def builtin(self, node: Node, ctx: _Ctx) -> None:
        """export/local/declare/unset and [ ] / [[ ]] tests: keyword plus words, substitutions walked."""
        subs: list[Node] = []
        words = [Word(_text(node.children[0]))] if node.children else []
        for child in node.named_children:
            if child.type == "variable_assignment":
                name, value = self.assignment(child, subs)
                words.append(Word(f"{name}={value}"))
            elif child.type in ("word", "string", "raw_string", "concatenation", "variable_name", "number"):
                words.extend(eval_word(child, subs))
            else:
                _find_subs(child, subs)
                words.append(Word(_text(child)))
        if node.type == "test_command" and node.child_count > 1:
            words.append(Word(_text(node.children[-1])))
        index = self.add(words, ctx)
        for sub in subs:
            self.substitution(sub, ctx, index)


# --- wrappers: commands whose arguments are another command ---------------------------------

def _skip_options(args: list[Word], with_arg: str = "", long_with_arg: frozenset[str] = frozenset()) -> int:
    """Index of the first operand after GNU-style options (short clusters, --long[=v], --)."""
    i = 0
    while i < len(args):
        word, value = args[i], args[i].value
        if word.opaque or value == "-" or not value.startswith("-"):
            return i
        if value == "--":
            return i + 1
        if value.startswith("--"):
            i += 2 if "=" not in value and value[2:] in long_with_arg else 1
            continue
        letters = value[1:]
        takes = next((k for k, c in enumerate(letters) if c in with_arg), None)
        i += 2 if takes is not None and takes == len(letters) - 1 else 1
    return i


def _split_env(args: list[Word]) -> tuple[dict[str, str], list[Word]]:
    """Leading NAME=value words (env, sudo) and the command after them."""
    env: dict[str, str] = {}
    for i, word in enumerate(args):
        name, eq, value = word.value.partition("=")
        if not eq or word.opaque or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            return env, args[i:]
        env[name] = value
    return env, []


def _simple(label: str, with_arg: str = "", long_with_arg: tuple[str, ...] = (), transparent: bool = True,
            operands: int = 0) -> Callable[[list[Word]], Optional[Plan]]:
    """A wrapper that takes options, `operands` fixed operands, then the command it runs."""
    def plan(args: list[Word]) -> Optional[Plan]:
        start = _skip_options(args, with_arg, frozenset(long_with_arg)) + operands
        env, rest = _split_env(args[start:]) if label in ("sudo", "doas") else ({}, args[start:])
        return Plan(label, transparent, [rest], env=env) if rest else None
    return plan


def _env(args: list[Word]) -> Optional[Plan]:
    """env [-i] [-u NAME] [-C DIR] [-S STRING] [NAME=value]... COMMAND."""
    i = 0
    while i < len(args) and args[i].value.startswith("-") and not args[i].opaque:
        value = args[i].value
        if value == "--":
            i += 1
            break
        split = value in ("-S", "--split-string") or value.startswith(("--split-string=", "-S"))
        if split:
            text, i = (args[i + 1], i + 2) if value in ("-S", "--split-string") and i + 1 < len(args) else (
                Word(value.split("=", 1)[1] if value.startswith("--") else value[2:]), i + 1)
            if text.opaque:
                return Plan("env -S", True, scripts=[text])
            try:
                args = args[:i] + [Word(v) for v in shlex.split(text.value)] + args[i:]
            except ValueError:
                return Plan("env -S", True, scripts=[Word(text.value, opaque=True)])
            continue
        i += 2 if value in ("-u", "-C", "--unset", "--chdir") else 1
    env, rest = _split_env(args[i:])
    return Plan("env", True, [rest] if rest else [], env=env) if rest or env else None


def _shell(args: list[Word], label: str) -> Optional[Plan]:
    """sh/bash/zsh ... -c SCRIPT: the script is parsed again as a command line."""
    has_c, i = False, 0
    while i < len(args) and not args[i].opaque and args[i].value[:1] in "-+" and len(args[i].value) > 1:
        value = args[i].value
        if value == "--":
            i += 1
            break
        if value.startswith("--"):
            i += 2 if value in ("--rcfile", "--init-file") else 1
            continue
        has_c = has_c or (value[0] == "-" and "c" in value)
        i += 2 if value[-1] in "oO" else 1
    if not has_c or i >= len(args):
        return None
    return Plan(f"{label} -c", True, scripts=[args[i]])


def _su(args: list[Word]) -> Optional[Plan]:
    """su/runuser [-] [USER] -c COMMAND: the command is parsed again."""
    for i, word in enumerate(args):
        if word.value in ("-c", "--command") and i + 1 < len(args):
            return Plan("su -c", False, scripts=[args[i + 1]])
        if word.value.startswith("--command="):
            return Plan("su -c", False, scripts=[Word(word.value.split("=", 1)[1], word.opaque)])
    return None


def _joined(label: str, with_arg: str = "") -> Callable[[list[Word]], Optional[Plan]]:
    """eval/watch/trap: the arguments joined by spaces are a script."""
    def plan(args: list[Word]) -> Optional[Plan]:
        if label == "watch" and any(w.value in ("-x", "--exec") for w in args):
            return _simple("watch", "n", ("interval",))(args)
        rest = args[_skip_options(args, with_arg):] if with_arg or label == "watch" else args
        if label == "trap":
            rest = rest[:1] if len(rest) > 1 else []
        if not rest:
            return None
        return Plan(label, True, scripts=[Word(" ".join(w.value for w in rest), any(w.opaque for w in rest))])
    return plan


def _xargs(args: list[Word]) -> Optional[Plan]:
    """xargs [options] [COMMAND [ARGS]]: COMMAND runs with arguments read from stdin."""
    start = _skip_options(args, "IEdLnPsa", frozenset({"arg-file", "delimiter", "max-args", "max-procs",
                                                       "max-chars", "process-slot-var"}))
    rest = args[start:] or [Word("echo")]
    return Plan("xargs", True, [rest], fed_args=True)


def _find(args: list[Word]) -> Optional[Plan]:
    """find ... -exec|-execdir|-ok|-okdir COMMAND {} ; (or +): each COMMAND is a command."""
    argvs: list[list[Word]] = []
    i = 0
    while i < len(args):
        if args[i].value in ("-exec", "-execdir", "-ok", "-okdir"):
            end = next((j for j in range(i + 1, len(args)) if args[j].value in (";", "+")), len(args))
            if end > i + 1:
                argvs.append(args[i + 1:end])
            i = end
        i += 1
    return Plan("find -exec", False, argvs, fed_args=True) if argvs else None


def _alias(args: list[Word]) -> Optional[Plan]:
    """alias NAME=VALUE: VALUE runs wherever NAME is used, so it is parsed as a script."""
    scripts = [Word(w.value.split("=", 1)[1], w.opaque) for w in args if "=" in w.value]
    return Plan("alias", True, scripts=scripts) if scripts else None


def _command(args: list[Word]) -> Optional[Plan]:
    """command [-p] CMD runs CMD; command -v/-V only looks it up."""
    if any(w.value.startswith("-") and ("v" in w.value or "V" in w.value) for w in args[:2]):
        return None
    return _simple("command")(args)


WRAPPERS: dict[str, Callable[[list[Word]], Optional[Plan]]] = {
    "sudo": _simple("sudo", "ugpChDrtUTR", ("user", "group", "host", "prompt", "close-from", "chdir", "role",
                                             "type", "other-user", "command-timeout", "chroot"), False),
    "doas": _simple("doas", "uC", (), False),
    "env": _env, "nohup": _simple("nohup"), "setsid": _simple("setsid"), "builtin": _simple("builtin"),
    "time": _simple("time", "fo", ("format", "output")),
    "nice": _simple("nice", "n", ("adjustment",)),
    "timeout": _simple("timeout", "sk", ("signal", "kill-after"), operands=1),
    "stdbuf": _simple("stdbuf", "ioe", ("input", "output", "error")),
    "ionice": _simple("ionice", "cnpPu", ("class", "classdata")),
    "exec": _simple("exec", "a"), "command": _command, "busybox": _simple("busybox"), "alias": _alias,
    "coproc": _simple("coproc"),
    "xargs": _xargs, "find": _find, "su": _su, "runuser": _su,
    "eval": _joined("eval"), "watch": _joined("watch", "n"), "trap": _joined("trap"),
}


def unwrap_plan(words: list[Word]) -> Optional[Plan]:
    """What a command runs in turn, or None when it is not a wrapper (or its name is opaque)."""
    if not words or words[0].opaque:
        return None
    name = basename(words[0].value)
    if name in SHELLS:
        return _shell(words[1:], name)
    wrapper = WRAPPERS.get(name)
    return wrapper(words[1:]) if wrapper else None


INTERPRETER = re.compile(r"(python|pypy|perl|ruby|node|nodejs|deno|bun|php|lua|tclsh|pwsh|osascript)[0-9.]*")
CODE_FLAGS = {"python": "cm", "pypy": "cm", "perl": "eE", "ruby": "e", "node": "ep", "nodejs": "ep",
              "deno": "e", "bun": "e", "php": "rR", "lua": "e"}


def is_interpreter(name: str) -> bool:
    """A shell or a language runtime: something that runs the code it is given."""
    return basename(name) in SHELLS or bool(INTERPRETER.fullmatch(basename(name)))


def reads_program_from_stdin(argv: list[str]) -> bool:
    """True when an interpreter would read its program from stdin (`sh`, `bash -s`, `python -`)."""
    if not argv or not is_interpreter(argv[0]):
        return False
    name = basename(argv[0])
    shell = name in SHELLS
    family = re.sub(r"[0-9.]+$", "", name)
    code = "c" if shell else CODE_FLAGS.get(family, "ec")
    args = argv[1:]
    i = 0
    while i < len(args):
        value = args[i]
        if value == "-":
            return True
        if value == "--":
            return i + 1 >= len(args)
        if value.startswith("--"):
            if value.startswith(("--eval", "--print", "--command")):
                return False
            i += 2 if value in ("--rcfile", "--init-file") else 1
            continue
        if value[:1] not in "-+" or len(value) == 1:
            return False
        letters = value[1:]
        if shell and value[0] == "-" and "s" in letters:
            return True
        if value[0] == "-" and any(c in letters for c in code):
            return False
        i += 2 if shell and letters[-1:] in ("o", "O") else 1
    return True
