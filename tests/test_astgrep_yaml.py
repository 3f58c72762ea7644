"""Rule YAML means what it means to ast-grep (serde_yaml, YAML 1.2), not what PyYAML's YAML 1.1 makes of it.

Each case is one unquoted scalar in a rule's `regex:`. `ast-grep scan` either loads the rule and
reports matches, or refuses it ("invalid type: floating point `777.0`, expected a string");
`patchgate check` must do the same: the same matches, or exit 40 with one line naming the file.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_patchgate, write_files
from patchgate.diagnostics.engines.astgrep.yaml_loader import load_all, load_one

AST_GREP = next((str(p) for p in [Path(sys.executable).parent / "ast-grep"] if p.is_file()), shutil.which("ast-grep"))
CODE = 'a = "="\nb = "on"\nc = "yes"\nd = "0777"\ne = "2001-12-14"\nf = "off"\ng = "1.50"\nh = "true"\ni = "~"\n'
SCALARS = ["=", "on", "yes", "off", "no", "2001-12-14", "0777", "1.50", "true", "'0777'", "~", "1:20", "0x1F"]


def _rule(value: str) -> str:
    return f"id: probe\nlanguage: python\nseverity: error\nrule:\n  kind: string_content\n  regex: {value}\n"


def _ours(project: Path, value: str) -> str | list[str]:
    """patchgate's outcome: 'load error' (exit 40, one line naming the rule file) or the matched texts."""
    write_files(project, {"patchgate.toml": 'rule-dirs = ["rules"]\n', "rules/probe.yml": _rule(value), "a.py": CODE})
    run = run_patchgate("check", "--format", "json", "--no-cache", "--select", "probe", cwd=project)
    if run.code == 40:
        assert len(run.stderr.strip().splitlines()) == 1 and "rules/probe.yml" in run.stderr, run.stderr
        return "load error"
    assert run.code in (0, 1), run.stderr
    lines = CODE.splitlines()
    return sorted(lines[d["span"]["start_line"]][d["span"]["start_column"]:d["span"]["end_column"]]
                  for d in json.loads(run.stdout)["diagnostics"])


@pytest.mark.parametrize("value", SCALARS)
def test_unquoted_scalars_load_as_in_ast_grep(project: Path, value: str) -> None:
    ours = _ours(project, value)
    expected = {"=": ["="], "on": ["on"], "yes": ["yes"], "off": ["off"], "2001-12-14": ["2001-12-14"],
                "'0777'": ["0777"], "no": [], "1:20": []}
    if value in expected:
        assert ours == expected[value]
    else:  # numbers, booleans and null are not strings to ast-grep either
        assert ours == "load error"


@pytest.mark.skipif(AST_GREP is None, reason="the ast-grep CLI is not installed")
@pytest.mark.parametrize("value", SCALARS)
def test_same_outcome_as_ast_grep_scan(project: Path, value: str) -> None:
    ours = _ours(project, value)
    done = subprocess.run([str(AST_GREP), "scan", "-r", "rules/probe.yml", "--json=compact", "a.py"],
                          cwd=project, capture_output=True, text=True, timeout=120)
    if "Cannot parse rule" in done.stderr:
        theirs: str | list[str] = "load error"
    else:
        assert done.returncode in (0, 1), done.stderr
        theirs = sorted(m["text"] for m in json.loads(done.stdout.splitlines()[0]))
    assert ours == theirs


def test_yaml_1_1_extras_are_not_applied() -> None:
    (doc,) = load_all("a: =\nb: on\nc: 2001-12-14\nd: 0777\ne: 0o17\nf: +12\ng: .inf\nh: ~\ni: TRUE\nj: 1_000\n"
                      "x: &base {k: 1}\ny:\n  <<: *base\n")
    assert doc["a"] == "=" and doc["b"] == "on" and doc["c"] == "2001-12-14"
    assert doc["d"] == 777.0 and isinstance(doc["d"], float)  # ast-grep: "floating point `777.0`"
    assert (doc["e"], doc["f"], doc["h"], doc["i"], doc["j"]) == (15, 12, None, True, 1000)
    assert math.isinf(doc["g"])
    assert doc["y"] == {"<<": {"k": 1}}  # no merge keys in serde_yaml: `<<` stays a key


def test_sgconfig_and_rule_tests_use_the_same_reading() -> None:
    assert load_one("languageGlobs:\n  yaml: [on.yml]\nvalid: [yes, =]\n") == {"languageGlobs": {"yaml": ["on.yml"]}, "valid": ["yes", "="]}


def test_invalid_yaml_is_one_line_with_file_and_line(project: Path) -> None:
    write_files(project, {"patchgate.toml": 'rule-dirs = ["rules"]\n', "rules/broken.yml": "id: x\nrule: [\n", "a.py": "x\n"})
    run = run_patchgate("check", cwd=project)
    assert run.code == 40 and len(run.stderr.strip().splitlines()) == 1
    assert "rules/broken.yml: invalid YAML (line 3" in run.stderr


def test_a_number_where_text_is_meant_says_which_key_and_to_quote_it(project: Path) -> None:
    write_files(project, {"patchgate.toml": 'rule-dirs = ["rules"]\n', "rules/probe.yml": _rule("0777"), "a.py": CODE})
    run = run_patchgate("check", cwd=project)
    assert run.code == 40
    assert "rules/probe.yml: rule `probe`: `rule.regex`: 777.0 is a number in YAML 1.2" in run.stderr and "quote it" in run.stderr
