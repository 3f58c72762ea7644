"""Every ast-grep language runs through `patchgate check`, files map to languages as ast-grep maps them,
and a rule whose language cannot run is a load error, never a rule that is on and silently idle.

tests/data/polyglot is an ast-grep project (sgconfig.yml, rules/, src/) with one rule per language,
modelled on the per-language rule catalogue in ast-grep's documentation; its `languageGlobs` send
`*.vue` to HTML and `Rakefile` to Ruby. `ast-grep scan` on the same tree must report the same matches.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from patchgate.diagnostics.engines.astgrep.project import read_yaml_documents
from patchgate.diagnostics.languages import LanguageMap, language_for
from conftest import run_patchgate, write_files

POLYGLOT = Path(__file__).resolve().parent / "data" / "polyglot"
RULE_IDS = sorted(doc["id"] for path in (POLYGLOT / "rules").glob("*.yml") for doc in read_yaml_documents(path))
AST_GREP = next((str(p) for p in [Path(sys.executable).parent / "ast-grep"] if p.is_file()), shutil.which("ast-grep"))


def _copy_project(tmp_path: Path) -> Path:
    """The polyglot project as a workspace: a git marker, an empty patchgate.toml, no key naming sgconfig."""
    root = tmp_path / "polyglot"
    shutil.copytree(POLYGLOT, root)
    (root / ".git").mkdir()
    (root / "patchgate.toml").write_text("", encoding="utf-8")
    return root


def _findings(root: Path, *args: str) -> list[dict]:
    """`patchgate check --format json` findings (exit 1: error-level findings are expected)."""
    run = run_patchgate("check", "--format", "json", "--no-cache", *args, cwd=root)
    assert run.code in (0, 1), run.stderr
    return json.loads(run.stdout)["diagnostics"]


@pytest.fixture(scope="module")
def polyglot(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """The project, checked once through the CLI."""
    root = _copy_project(tmp_path_factory.mktemp("langs"))
    return root, _findings(root)


def test_every_language_rule_fires_through_check(polyglot: tuple[Path, list[dict]]) -> None:
    _, found = polyglot
    assert len(RULE_IDS) >= 25
    assert sorted({d["rule_id"] for d in found}) == RULE_IDS
    by_file = {(d["rule_id"], d["path"]) for d in found}
    for expected in [("java-no-system-out", "src/jvm/App.java"), ("c-no-gets", "src/native/io.h"),
                     ("kotlin-no-println", "src/jvm/build.gradle.kts"), ("css-no-important", "src/web/theme.scss"),
                     ("hcl-no-public-acl", "src/config/main.tf"), ("elixir-no-inspect", "src/scripts/main.exs")]:
        assert expected in by_file


def test_language_globs_send_files_to_a_language(polyglot: tuple[Path, list[dict]]) -> None:
    _, found = polyglot
    by_file = {(d["rule_id"], d["path"]) for d in found}
    assert ("html-no-inline-handler", "src/web/Widget.vue") in by_file
    assert ("ruby-no-puts", "src/scripts/Rakefile") in by_file


@pytest.mark.skipif(AST_GREP is None, reason="the ast-grep CLI is not installed")
def test_same_matches_as_ast_grep_scan(polyglot: tuple[Path, list[dict]]) -> None:
    root, found = polyglot
    done = subprocess.run([str(AST_GREP), "scan", "--json=compact"], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    theirs = {(m["ruleId"], m["file"], m["range"]["start"]["line"], m["range"]["start"]["column"],
               m["range"]["end"]["line"], m["range"]["end"]["column"], m["message"]) for m in json.loads(done.stdout)}
    ours = {(d["rule_id"], d["path"], d["span"]["start_line"], d["span"]["start_column"], d["span"]["end_line"],
             d["span"]["end_column"], d["message"]) for d in found if d["engine"] == "ast-grep"}
    assert ours == theirs and len(ours) >= 30


def test_rules_list_shows_each_language_and_on(polyglot: tuple[Path, list[dict]]) -> None:
    root, _ = polyglot
    run = run_patchgate("rules", "list", "--json", cwd=root)
    assert run.code == 0, run.stderr
    rows = {row["id"]: row for row in json.loads(run.stdout)}
    languages = {rule_id: rows[rule_id]["language"] for rule_id in RULE_IDS}
    assert languages["java-no-system-out"] == "java" and languages["ts-no-any"] == "typescript"
    assert len(set(languages.values())) == len(RULE_IDS)
    table = run_patchgate("rules", "list", cwd=root).stdout
    assert any(line.split()[:1] == ["lua-no-loadstring"] and "lua" in line.split() and line.split()[-1] == "on"
               for line in table.splitlines())


@pytest.mark.parametrize(("path", "language"), [
    ("A.java", "java"), ("x.h", "c"), ("x.hpp", "cpp"), ("x.cu", "cpp"), ("x.cs", "csharp"), ("x.scss", "css"),
    ("x.exs", "elixir"), ("x.hs", "haskell"), ("x.xhtml", "html"), ("x.kts", "kotlin"), ("x.lua", "lua"),
    ("x.php", "php"), ("x.gemspec", "ruby"), ("x.sbt", "scala"), ("x.swift", "swift"), ("x.zsh", "bash"),
    ("x.tf", "hcl"), ("x.nix", "nix"), ("x.sol", "solidity"), ("x.dart", "dart"), ("x.md", "markdown"),
    ("x.bzl", "python"), ("x.mts", "typescript"), ("x.jsx", "javascript"), ("x.txt", None), (".env", None),
    ("prod.env", "bash"), ("Makefile", None), ("F.JAVA", None), ("dir.rs/notes", None),
])
def test_extensions_follow_ast_grep(path: str, language: str | None) -> None:
    assert language_for(path) == language


def test_language_globs_win_over_extensions() -> None:
    languages = LanguageMap((("tsx", ("*.ts",)), ("ruby", ("Rakefile",))))
    assert languages.language("src/app.ts") == "tsx"
    assert languages.language("lib/Rakefile") == "ruby"
    assert languages.language("src/app.js") == "javascript"
    assert languages.language("lib/Rakefile.bak") is None


def test_language_glob_makes_a_tsx_rule_fire_on_ts_files(project: Path) -> None:
    write_files(project, {
        "rules/no-jsx-div.yml": "id: no-jsx-div\nlanguage: tsx\nseverity: error\nrule:\n  kind: jsx_self_closing_element\n",
        "src/view.ts": "export const v = <div />;\n",
    })
    (project / "sgconfig.yml").write_text("ruleDirs: [rules]\n", encoding="utf-8")
    assert [d["rule_id"] for d in _findings(project)] == ["syntax-error"]  # JSX is not TypeScript
    (project / "sgconfig.yml").write_text("ruleDirs: [rules]\nlanguageGlobs:\n  tsx: ['*.ts']\n", encoding="utf-8")
    assert [(d["rule_id"], d["path"]) for d in _findings(project)] == [("no-jsx-div", "src/view.ts")]


@pytest.mark.parametrize(("sgconfig", "rule_language", "expected"), [
    ("ruleDirs: [rules]\n", "cobol", "rules/r.yml: rule `r`: unknown language 'cobol'"),
    ("ruleDirs: [rules]\ncustomLanguages:\n  mylang:\n    libraryPath: mylang.so\n    extensions: [ml]\n", "mylang",
     "rules/r.yml: rule `r`: custom language 'mylang' needs a tree-sitter dynamic library"),
    ("ruleDirs: [rules]\nlanguageGlobs:\n  cobol: ['*.cbl']\n", "python", "sgconfig.yml: languageGlobs: unknown language 'cobol'"),
])
def test_a_language_that_cannot_run_is_a_load_error(project: Path, sgconfig: str, rule_language: str, expected: str) -> None:
    write_files(project, {"sgconfig.yml": sgconfig, "rules/r.yml": f"id: r\nlanguage: {rule_language}\nrule:\n  pattern: x\n",
                          "a.py": "x\n"})
    run = run_patchgate("check", cwd=project)
    assert run.code == 40
    assert len(run.stderr.strip().splitlines()) == 1 and expected in run.stderr


def test_root_sgconfig_is_found_without_a_key(project: Path) -> None:
    write_files(project, {"sgconfig.yml": "ruleDirs: [lint]\n", "a.go": "package a\nfunc f() { panic(1) }\n",
                          "lint/no-panic.yml": "id: no-panic\nlanguage: go\nseverity: error\nrule:\n  pattern: panic($A)\n"})
    assert [d["rule_id"] for d in _findings(project)] == ["no-panic"]


def test_rule_dirs_and_sgconfig_naming_one_folder_is_no_duplicate(project: Path) -> None:
    write_files(project, {"patchgate.toml": 'rule-dirs = ["rules"]\nsgconfig = "sgconfig.yml"\n',
                          "sgconfig.yml": "ruleDirs: [./rules/]\n", "a.rs": "fn f() { x.unwrap(); }\n",
                          "rules/no-unwrap.yml": "id: no-unwrap\nlanguage: rust\nseverity: error\nrule:\n  pattern: $X.unwrap()\n"})
    assert [d["rule_id"] for d in _findings(project)] == ["no-unwrap"]
