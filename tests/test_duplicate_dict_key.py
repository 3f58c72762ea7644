"""duplicate-dict-key, a Python rule on CPython's tree: the ast-grep rule's findings, in linear time."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_patchgate, write_files

# The ast-grep rule it replaces, verbatim but for its id: the reference for which keys count as repeats.
OLD_RULE = """\
id: old-duplicate-dict-key
language: python
severity: error
message: Dictionary key `$KEY` repeated
utils:
  literal-key:
    any:
      - kind: integer
      - kind: float
      - kind: 'true'
      - kind: 'false'
      - kind: none
      # f-strings are excluded: the same text may evaluate to different keys. So are
      # strings with escape sequences: ast-grep compares a string that has inner nodes
      # by those nodes only, so '\\a' and '\\b' would look alike.
      - kind: string
        not:
          has:
            stopBy: end
            any:
              - kind: interpolation
              - kind: escape_sequence
      - kind: concatenated_string
        not:
          has:
            stopBy: end
            any:
              - kind: interpolation
              - kind: escape_sequence
rule:
  all:
    - kind: pair
    - has:
        field: key
        matches: literal-key
        pattern: $KEY
    - follows:
        stopBy: end
        kind: pair
        has:
          field: key
          pattern: $KEY
"""
SHAPES = '''\
SETTINGS = {"host": "a", "port": 1, "host": "b"}
CODES = {
    200: "ok",
    404: "missing",
    200: "fine",
    0x1F: 1,
    31: 2,
    1.5: "x",
    1.5: "y",
}
FLAGS = {True: "yes", None: "unset", True: "on", None: "off", False: 0}
QUOTES = {'a': 1, "a": 2, 'a': 3}
NESTED = {"a": {"a": 1, "b": 2, "a": 3}, "b": {"a": 2}, "a": 0}
COMPUTED = {key: 1, key: 2, f"{x}": 1, f"{x}": 2, **extra, "k": 1, **more, "k": 2}
BYTES = {b"k": 1, "k": 2, b"k": 3}
JOINED = {"a" "b": 1, "ab": 2, "a" "b": 3}
WIDE = {"ключ": 1, "😀": 2, "ключ": 3}


def build():
    return dict(x=1), {"one": 1, "two": 2, "one": 3}
'''


def findings(project: Path, *args: str) -> list[dict]:
    run = run_patchgate("check", "--format", "json", "--no-cache", *args, cwd=project)
    assert run.code in (0, 1), run.stderr
    return json.loads(run.stdout)["diagnostics"]


def test_same_findings_as_the_ast_grep_rule_it_replaces(project: Path) -> None:
    write_files(project, {"patchgate.toml": 'rule-dirs = ["rules"]\n', "rules/old.yml": OLD_RULE, "app.py": SHAPES})
    found = findings(project, "--select", "duplicate-dict-key,old-duplicate-dict-key")
    new = [(d["span"], d["message"]) for d in found if d["rule_id"] == "duplicate-dict-key"]
    old = [(d["span"], d["message"]) for d in found if d["rule_id"] == "old-duplicate-dict-key"]
    assert len(new) == 13 and sorted(new, key=str) == sorted(old, key=str)
    assert all(d["engine"] == "libcst" and d["severity"] == "error" and "later entry" in d["note"]
               for d in found if d["rule_id"] == "duplicate-dict-key")


def test_a_generated_eight_thousand_key_table_reports_its_one_repeat(project: Path) -> None:
    rows = "".join(f'    "key{i}": {i},\n' for i in range(8000))
    (project / "table.py").write_text("TABLE = {\n" + rows + '    "key7": -1,\n}\n', encoding="utf-8")
    (found,) = findings(project, "--select", "F601")
    assert found["message"] == 'Dictionary key `"key7"` repeated' and found["span"]["start_line"] == 8001
    assert found["source_alias"] == "F601"


def test_noqa_and_rule_id_suppressions(project: Path) -> None:
    write_files(project, {"app.py": 'A = {"k": 1, "k": 2}  # noqa: F601\nB = {"k": 1, "k": 2}  # patchgate: ignore[duplicate-dict-key]\n'})
    assert findings(project, "--select", "duplicate-dict-key") == []
