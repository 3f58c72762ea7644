"""The tree walk: every simple command in a bash syntax tree, wrappers and scripts parsed again."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Optional

import tree_sitter_bash
from tree_sitter import Language, Node, Parser

from patchgate.connect.shell.evaluated import (
    LATENT, array_key, latent_script, node_evaluates, statement_evaluates, words_evaluate,
)
from patchgate.connect.shell.interpreters import echoed_text, reads_program_from_stdin
from patchgate.connect.shell.models import (
    CONTEXTS, MAX_DEPTH, SHELLS, SUBSTITUTIONS, Ctx, PipeStage, Plan, Redirect, SimpleCommand, Word, basename,
)
from patchgate.connect.shell.redirects import REDIRECT_NODES, heredoc_tails, redirect_parts
from patchgate.connect.shell.words import eval_word, find_substitutions, join_continuations, node_text, syntax_errors
from patchgate.connect.shell.wrappers import unwrap_plan


@functools.cache
def _parser() -> Parser:
    """One parser per process: building it costs more than parsing a command."""
    return Parser(Language(tree_sitter_bash.language()))




def _stage(ctx: Ctx, pid: int, number: int) -> Ctx:
    """The context of one pipeline stage."""
    return replace(ctx.enter("pipeline"), pipes=(*ctx.pipes, PipeStage(pipeline=pid, stage=number)))


def _split(subs: list[Node]) -> tuple[list[Node], list[str], list[str]]:
    """Substitutions to walk (a word holding one the parser missed counts), the text of nodes bash evaluates
    (arithmetic, subscripts, array keys) when not a plain literal, and scripts hidden in literal array keys."""
    real = [n for n in subs if n.type in SUBSTITUTIONS or n.type in ("word", "regex")]
    evaluated = [t for n in subs if n not in real for t in [node_evaluates(n)] if t]
    latent = [latent_script(key) for n in subs if n.type == "concatenation"
              for key, literal in [array_key(n) or ("", False)] if literal and LATENT.search(key)]
    return real, evaluated, latent


class Walker:
    """Walks syntax trees depth first, appending every simple command it meets."""

    def __init__(self) -> None:
        self.commands: list[SimpleCommand] = []
        self.errors: list[str] = []
        self.pipelines = 0

    def parse_text(self, text: str, ctx: Ctx, label: Optional[str]) -> None:
        """Parse one script (the top level, a bash -c string, an eval, a heredoc) and walk it."""
        if ctx.depth > MAX_DEPTH:
            self.errors.append(f"{label}: nested more than {MAX_DEPTH} levels deep")
            return
        root = _parser().parse(join_continuations(text).encode("utf-8", "replace")).root_node
        if root.has_error:
            self.errors.extend(syntax_errors(root, label))
        self.visit(root, ctx)

    def add(self, words: list[Word], ctx: Ctx, env: Optional[dict[str, str]] = None,
            redirects: tuple[Redirect, ...] = (), fed: bool = False, transparent: bool = False,
            evaluated: tuple[str, ...] = (), latent: tuple[str, ...] = ()) -> int:
        """Append one simple command and return its index; `fed` means more arguments come from stdin,
        `latent` are scripts bash runs when it evaluates the command's names or arithmetic."""
        opaque = [i for i, w in enumerate(words) if w.opaque or (i == 0 and w.glob)]
        unresolved, scripts = words_evaluate(words)
        carrier = ctx.chain[-1:] == ("evaluated",) and [w.value for w in words[:1]] == [":"]
        transparent = transparent or carrier  # the `: TEXT` that carries evaluated text is not itself judged
        self.commands.append(SimpleCommand(
            argv=[w.value for w in words], env=env or {}, redirects=[*ctx.redirects, *redirects],
            context=" > ".join(ctx.chain) or "top", opaque=bool(opaque) or fed,
            opaque_words=opaque, parent=ctx.parent, via=ctx.via, pipes=list(ctx.pipes),
            function=ctx.function, transparent=transparent, evaluated=[*evaluated, *unresolved]))
        index = len(self.commands) - 1
        for text in (*latent, *scripts):
            self.parse_text(text, replace(ctx.enter("evaluated"), parent=index, via="script", depth=ctx.depth + 1,
                                          redirects=()), "evaluated")
        return index

    def visit(self, node: Node, ctx: Ctx) -> None:
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
            pair = self.assignment(node, subs)
            real, evaluated, latent = _split(subs)
            self.add([], ctx, env=dict([pair]), evaluated=tuple(evaluated), latent=tuple(latent))
            for sub in real:
                self.substitution(sub, ctx, ctx.parent)
        elif kind == "function_definition":
            name = node.child_by_field_name("name")
            inner = replace(ctx.enter("function"), function=node_text(name) if name else None)
            for child in node.named_children[1:]:
                self.visit(child, inner)
        elif kind not in ("comment", "heredoc_body"):
            if kind in ("compound_statement", "c_style_for_statement"):
                evaluated, _ = statement_evaluates(node)
                if evaluated:
                    self.add([], ctx, evaluated=tuple(evaluated))
            inner = ctx.enter(CONTEXTS.get(kind))
            for child in node.children:
                self.visit(child, inner)

    def new_pipeline(self) -> int:
        """A fresh pipeline id."""
        self.pipelines += 1
        return self.pipelines

    def pipeline(self, stages: list[Node], ctx: Ctx, pid: int, first: int) -> None:
        """Give each stage its position; first is 1 when a heredoc's command already took stage 0.
        Text echoed into a shell (`echo 'rm -rf x' | sh`) is parsed as the script it becomes."""
        starts: list[int] = []
        for number, stage in enumerate(stages, start=first):
            starts.append(len(self.commands))
            self.visit(stage, _stage(ctx, pid, number))
        for feeder, reader in zip(starts, starts[1:]):
            text = echoed_text(self.commands[feeder]) if feeder < reader else None
            if text is not None and reader < len(self.commands) and self.reads_script(self.commands[reader]):
                script_ctx = replace(ctx.enter("pipe"), parent=reader, via="script", depth=ctx.depth + 1,
                                     redirects=())
                self.script(Word(text), script_ctx, "pipe")

    @staticmethod
    def reads_script(cmd: SimpleCommand) -> bool:
        """A shell reading its program from stdin."""
        return bool(cmd.argv) and basename(cmd.argv[0]) in SHELLS and reads_program_from_stdin(cmd.argv)

    def substitution(self, node: Node, ctx: Ctx, parent: Optional[int]) -> None:
        """Commands inside $(...), `...`, <(...) and >(...) run too; parent is who gets their output."""
        if node.type in ("word", "regex"):
            inner = replace(ctx.enter("evaluated"), parent=parent, via="substitution", depth=ctx.depth + 1,
                            redirects=())
            self.parse_text(latent_script(node_text(node)), inner, "substitution")
            return
        label = SUBSTITUTIONS[node.type]
        inner = replace(ctx.enter(label), parent=parent, via=label, redirects=())  # type: ignore[arg-type]
        for child in node.named_children:
            self.visit(child, inner)

    def assignment(self, node: Node, subs: list[Node]) -> tuple[str, str]:
        """NAME and unquoted value of a NAME=value node; a subscript in NAME is evaluated too."""
        name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        if name is not None and name.type == "subscript":
            find_substitutions(name, subs)
        if value is not None and value.type == "array":
            subs.extend(c for c in value.named_children if array_key(c) is not None)
        text = " ".join(w.value for w in eval_word(value, subs)) if value is not None else ""
        return (node_text(name) if name else "", text)

    def command(self, node: Node, ctx: Ctx, extra: list[Node]) -> list[Word]:
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
                find_substitutions(child, subs)
        redirects, feeds, extra = redirect_parts(redirect_nodes, subs)
        self.emit(words + extra, env, subs, redirects, ctx)
        return feeds

    def emit(self, words: list[Word], env: dict[str, str], subs: list[Node], redirects: list[Redirect],
             ctx: Ctx) -> None:
        """Add one simple command, what it wraps and what it substitutes."""
        real, evaluated, latent = _split(subs)
        plan = unwrap_plan(words)
        index = self.add(words, ctx, env, tuple(redirects), transparent=bool(plan and plan.transparent),
                         evaluated=tuple(evaluated), latent=tuple(latent))
        innermost = self.run_plan(plan, index, env, ctx) if plan else index
        for sub in real:
            self.substitution(sub, ctx, innermost)

    def run_plan(self, plan: Plan, index: int, env: dict[str, str], ctx: Ctx) -> int:
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

    def redirected(self, node: Node, ctx: Ctx) -> None:
        """A statement with redirects; a heredoc may carry the rest of a pipeline or list."""
        body = node.child_by_field_name("body")
        redirect_nodes = node.children_by_field_name("redirect")
        tails = [c for r in redirect_nodes if r.type == "heredoc_redirect" for c in heredoc_tails(r)]
        pid = self.new_pipeline() if any(t.type == "pipeline" for t in tails) else 0
        start = len(self.commands)
        head_ctx = _stage(ctx, pid, 0) if pid else ctx
        if body is not None and body.type == "command":
            feeds = self.command(body, head_ctx, redirect_nodes)
        else:
            subs: list[Node] = []
            redirects, feeds, extra = redirect_parts(redirect_nodes, subs)
            if body is not None:
                self.visit(body, replace(head_ctx, redirects=(*ctx.redirects, *redirects)))
                redirects = []
            if body is None or extra or subs:
                self.emit(extra, {}, subs, redirects, head_ctx)
        for tail in tails:
            if tail.type == "pipeline":
                self.pipeline(tail.named_children, ctx, pid, 1)
            else:
                self.visit(tail, ctx)
        self.feed(feeds, ctx, start)

    def feed(self, feeds: list[Word], ctx: Ctx, start: int) -> None:
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

    def script(self, script: Word, ctx: Ctx, label: str) -> None:
        """Parse a script string; one built at run time also yields an opaque command (never permitted)."""
        if script.opaque:
            self.add([Word(script.value, opaque=True)], ctx)
        self.parse_text(script.value, ctx, label)

    def builtin(self, node: Node, ctx: Ctx) -> None:
        """export/local/declare/unset and [ ] / [[ ]] tests: keyword plus words, substitutions walked."""
        subs: list[Node] = []
        env: dict[str, str] = {}
        words = [Word(node_text(node.children[0]))] if node.children else []
        for child in node.named_children:
            if child.type == "variable_assignment":
                name, value = self.assignment(child, subs)
                env[name] = value
                words.append(Word(f"{name}={value}"))
            elif child.type in ("word", "string", "raw_string", "concatenation", "variable_name", "number"):
                words.extend(eval_word(child, subs))
            else:
                find_substitutions(child, subs)
                words.append(Word(node_text(child)))
        if node.type == "test_command" and node.child_count > 1:
            words.append(Word(node_text(node.children[-1])))
        real, evaluated, hidden = _split(subs)
        tested, latent = statement_evaluates(node)
        index = self.add(words, ctx, env if node.type == "declaration_command" else None,
                         evaluated=(*tested, *evaluated), latent=(*hidden, *(latent_script(t) for t in latent)))
        for sub in real:
            self.substitution(sub, ctx, index)
