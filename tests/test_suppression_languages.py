"""Suppression comments in each language's own comment syntax (issue 9), through `patchgate check` with real
ast-grep rules: `--` in Lua and Haskell, `/* */` in CSS, `<!-- -->` in HTML, and every ast-grep language known."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import run_patchgate, write_files

from patchgate.diagnostics.languages import LANGUAGE_ALIASES
from patchgate.diagnostics.suppression_directives import COMMENT_MARKERS

POLYGLOT_RULES = Path(__file__).resolve().parent / "data" / "polyglot" / "rules"
RULES = ["lua-no-loadstring", "haskell-no-head", "css-no-important", "html-no-inline-handler"]


@pytest.fixture
def workspace(project: Path) -> Path:
    """A project whose sgconfig.yml loads four real rules from the polyglot suite."""
    (project / "rules").mkdir()
    for rule_id in RULES:
        shutil.copy(POLYGLOT_RULES / f"{rule_id}.yml", project / "rules" / f"{rule_id}.yml")
    write_files(project, {"sgconfig.yml": "ruleDirs: [rules]\n"})
    return project


def found(root: Path, *args: str) -> list[tuple[str, str, int]]:
    run = run_patchgate("check", "--format", "json", "--no-cache", *args, cwd=root)
    assert run.code in (0, 1), run.stderr
    return [(d["path"], d["rule_id"], d["span"]["start_line"] + 1) for d in json.loads(run.stdout)["diagnostics"]]


def test_double_dash_comments_suppress_in_lua_and_haskell(workspace: Path) -> None:
    write_files(workspace, {
        "init.lua": 'local f = loadstring("return 1") -- patchgate: ignore[lua-no-loadstring]\n'
                    'local g = loadstring("return 2")\n'
                    'local h = loadstring("return 3") # patchgate: ignore[lua-no-loadstring]\n',
        "Main.hs": "main = print (head xs) -- patchgate: ignore[haskell-no-head]\nfirst = head ys\n",
        "Other.hs": "-- patchgate: ignore-file[haskell-no-head]\nx = head zs\n",
    })
    assert found(workspace) == [("Main.hs", "haskell-no-head", 2), ("init.lua", "lua-no-loadstring", 2),
                                ("init.lua", "lua-no-loadstring", 3)], "`#` is not a Lua comment"


def test_block_comments_suppress_in_css_and_html(workspace: Path) -> None:
    write_files(workspace, {
        "site.css": "a { color: red !important; } /* patchgate: ignore[css-no-important] */\n"
                    "b { color: blue !important; }\n",
        "index.html": '<button onclick="go()">Go</button> <!-- patchgate: ignore[html-no-inline-handler] -->\n'
                      '<a onmouseover="x()">x</a>\n',
    })
    assert found(workspace) == [("index.html", "html-no-inline-handler", 2), ("site.css", "css-no-important", 2)]


def test_unused_block_and_dash_suppressions_are_reported_and_removed_whole(workspace: Path) -> None:
    write_files(workspace, {
        "site.css": "a { color: red; } /* patchgate: ignore[css-no-important] */\n",
        "page.html": "<!-- patchgate: ignore -->\n<p>hi</p>\n",
        "init.lua": "print(1) -- patchgate: ignore[lua-no-loadstring]\n",
    })
    assert found(workspace) == [("init.lua", "unused-suppression", 1), ("page.html", "unused-suppression", 1),
                                ("site.css", "unused-suppression", 1)]
    run = run_patchgate("check", "--diff", "--no-cache", cwd=workspace)
    assert "+a { color: red; }\n" in run.stdout and "+print(1)\n" in run.stdout, run.stdout
    assert "-<!-- patchgate: ignore -->\n" in run.stdout and "+<!--" not in run.stdout and "+a { color: red; } /*" not in run.stdout


def test_every_ast_grep_language_has_its_comment_syntax() -> None:
    assert set(LANGUAGE_ALIASES) <= set(COMMENT_MARKERS)
