"""Redirections as bash reads them: the target, heredoc and here-string bodies, and words that follow.

tree-sitter-bash files the words after a redirect target (`echo > f --force`, `cat <<EOF x`) under
the redirect node, but bash passes them to the command as arguments, so they are handed back as
extra argv words: `git push > /dev/null --force` is `git push --force` with a redirect.
"""

from __future__ import annotations

from tree_sitter import Node

from patchgate.connect.shell.models import OPAQUE_NODES, Redirect, Word
from patchgate.connect.shell.words import eval_word, find_substitutions, node_text

REDIRECT_NODES = frozenset({"file_redirect", "herestring_redirect", "heredoc_redirect"})
HEREDOC_PARTS = frozenset({"heredoc_start", "heredoc_body", "heredoc_end", "file_redirect"})

Parts = tuple[list[Redirect], list[Word], list[Word]]
"""Redirect models, bodies a shell may read as a script, and argv words that followed a redirect."""


def heredoc_tails(node: Node) -> list[Node]:
    """What follows a heredoc's start on its line (`| sh`, `&& cmd`): statements, not arguments."""
    return [c for i, c in enumerate(node.children) if c.is_named and c.type not in HEREDOC_PARTS
            and node.field_name_for_child(i) != "argument"]


def _heredoc(node: Node, op: str, fd: int | None, subs: list[Node]) -> Parts:
    """A heredoc: its delimiter, its body (opaque when it expands at run time), and trailing arguments."""
    start = next((c for c in node.named_children if c.type == "heredoc_start"), None)
    body = next((c for c in node.named_children if c.type == "heredoc_body"), None)
    delimiter = node_text(start) if start else ""
    out = [Redirect(op=op or "<<", target=delimiter.strip("'\""), fd=fd)]
    feeds: list[Word] = []
    if body is not None:
        quoted = any(q in delimiter for q in "'\"\\")
        expands = not quoted and any(c.type in OPAQUE_NODES for c in body.children)
        feeds.append(Word(node_text(body), opaque=expands))
        if not quoted:
            find_substitutions(body, subs)
    extra = [w for i, c in enumerate(node.children) if node.field_name_for_child(i) == "argument"
             for w in eval_word(c, subs)]
    more, more_feeds, more_extra = redirect_parts([c for c in node.named_children if c.type in REDIRECT_NODES], subs)
    return out + more, feeds + more_feeds, extra + more_extra


def redirect_parts(nodes: list[Node], subs: list[Node]) -> Parts:
    """Every redirect of a command; a brace-expanded target gives one redirect per word (bash refuses it)."""
    out: list[Redirect] = []
    feeds: list[Word] = []
    extra: list[Word] = []
    for node in nodes:
        fd_node = node.child_by_field_name("descriptor")
        fd = int(node_text(fd_node)) if fd_node is not None and node_text(fd_node).isdigit() else None
        op = next((c.type for c in node.children if not c.is_named), "")
        if node.type == "heredoc_redirect":
            parts = _heredoc(node, op, fd, subs)
            out += parts[0]
            feeds += parts[1]
            extra += parts[2]
            continue
        dests = [c for c in node.named_children if c.type != "file_descriptor"]
        targets = [w for c in dests[:1] for w in eval_word(c, subs)]
        if node.type == "herestring_redirect":
            text = " ".join(w.value for w in targets)
            feeds.append(Word(text, opaque=any(w.opaque for w in targets)))
            out.append(Redirect(op=op or "<<<", target=text, fd=fd))
        else:
            out += [Redirect(op=op, target=w.value, fd=fd) for w in targets or [Word("")]]
        extra += [w for c in dests[1:] for w in eval_word(c, subs)]
    return out, feeds, extra
