"""syntax-error on Python files is CPython's verdict for the target version, driven through `patchgate check`."""

from __future__ import annotations

import json
import symtable
import sys
import warnings
from pathlib import Path

import pytest

from conftest import run_patchgate, write_files

# Code tree-sitter's grammar recovers from (or accepts) but CPython rejects.
REJECTED = {
    "print statement": 'print "x"\n',
    "default before non-default": "def f(a=1, b):\n    return a + b\n",
    "missing indented block": "def f():\nreturn 1\n",
    "unexpected indent": "x = 1\n    y = 2\n",
    "indented first line": "\tx = 1\n",
    "unindent mismatch": "if x:\n        a = 1\n    b = 2\n",
    "mixed tabs and spaces": "if True:\n        a = 1\n\tb = 2\n",
    "walrus statement": "x := 1\n",
    "invalid decimal literal": "x = 1abc\n",
    "bytes and str mixed": 'x = u"a" b""\n',
    "duplicate argument": "def f(a, a):\n    return a\n",
    "nonlocal at module level": "nonlocal x\n",
}


def check(project: Path, files: dict[str, str], *args: str) -> list[dict]:
    """The findings of `patchgate check --format json` on a project with these files (app.py written as is)."""
    write_files(project, {name: text for name, text in files.items() if name != "app.py"})
    if "app.py" in files:
        (project / "app.py").write_bytes(files["app.py"].encode("utf-8"))
    run = run_patchgate("check", "--format", "json", "--no-cache", *args, cwd=project)
    assert run.code in (0, 1), run.stderr
    return json.loads(run.stdout)["diagnostics"]


def syntax_errors(found: list[dict]) -> list[dict]:
    return [d for d in found if d["rule_id"] == "syntax-error"]


def cpython_error(text: str) -> SyntaxError:
    """What the running CPython says about the text (messages differ between versions)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            symtable.symtable(text, "app.py", "exec")
        except SyntaxError as error:
            return error
    raise AssertionError(f"CPython accepts {text!r}")


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_cpython_rejections_are_one_finding_with_cpythons_message_and_position(project: Path, name: str) -> None:
    text = REJECTED[name]
    expected = cpython_error(text)
    (found,) = syntax_errors(check(project, {"app.py": text}))
    assert found["message"] == expected.msg
    assert (found["span"]["start_line"], found["span"]["start_column"]) == (expected.lineno - 1, expected.offset - 1)
    assert found["severity"] == "error" and found["path"] == "app.py"


def test_an_error_both_parsers_see_is_reported_once_in_cpythons_words(project: Path) -> None:
    found = syntax_errors(check(project, {"app.py": "x = 1\nprint(x\n"}))
    assert [(d["message"], d["span"]["start_line"], d["span"]["start_column"]) for d in found] == [("'(' was never closed", 1, 5)]


def test_further_errors_after_cpythons_first_are_still_reported(project: Path) -> None:
    text = "def f(:\n    return 1\n\n\ndef g():\n    return 2 +\n"
    found = syntax_errors(check(project, {"app.py": text}))
    assert [d["span"]["start_line"] for d in found] == [0, 5]
    assert found[0]["message"] == cpython_error(text).msg


def test_columns_are_code_points_after_wide_characters_bom_and_crlf(project: Path) -> None:
    text = "\ufeffs = '😀😀'\r\nx = '😀'; y = 1abc\r\n"
    (project / "app.py").write_bytes(text.encode("utf-8"))
    (found,) = syntax_errors(check(project, {}))
    start = found["span"]["start_offset"]
    assert text[start] == "1" and found["span"]["start_line"] == 1 and found["span"]["start_column"] == 13


MATCH = "def f(x):\n    match x:\n        case 1:\n            return 'one'\n    return 'other'\n"
EXCEPT_STAR = "try:\n    pass\nexcept* ValueError:\n    pass\n"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="except* needs Python 3.11 to parse at all")
@pytest.mark.parametrize(("target", "code", "line", "words"), [
    ("py39", MATCH, 1, "Pattern matching"),
    ("py310", EXCEPT_STAR, 0, "Exception groups"),
])
def test_syntax_newer_than_the_target_version_is_a_syntax_error(project: Path, target: str, code: str, line: int, words: str) -> None:
    files = {"patchgate.toml": f'target-version = "{target}"\n', "app.py": code}
    (found,) = syntax_errors(check(project, files))
    assert words in found["message"] and found["span"]["start_line"] == line
    assert f"target-version is {target}" in found["note"]


@pytest.mark.parametrize(("target", "code"), [("py310", MATCH), ("py311", EXCEPT_STAR)])
def test_the_same_syntax_is_fine_for_a_target_that_has_it(project: Path, target: str, code: str) -> None:
    if sys.version_info < (3, int(target[3:])):
        pytest.skip("needs a Python at least as new as the target")
    assert syntax_errors(check(project, {"patchgate.toml": f'target-version = "{target}"\n', "app.py": code})) == []


def test_the_target_comes_from_requires_python_by_default(project: Path) -> None:
    files = {"patchgate.toml": "", "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.9"\n', "app.py": MATCH}
    (found,) = syntax_errors(check(project, files))
    assert "Pattern matching" in found["message"]


def test_type_alias_statement_follows_the_target(project: Path) -> None:
    code = "type Pair = tuple[int, int]\n"
    assert len(syntax_errors(check(project, {"patchgate.toml": 'target-version = "py311"\n', "app.py": code}))) == 1
    # Newer than this Python (3.11) or supported by it: either way not an error for py312.
    assert syntax_errors(check(project, {"patchgate.toml": 'target-version = "py312"\n', "app.py": code})) == []


def test_python_rules_stay_silent_and_other_languages_keep_tree_sitters_words(project: Path) -> None:
    found = check(project, {"app.py": "import os\nprint 'x'\n", "web/app.js": "let x = ;\n"})
    assert [(d["path"], d["rule_id"]) for d in found] == [("app.py", "syntax-error"), ("web/app.js", "syntax-error")]
    assert found[1]["message"] == "unexpected `=` in declaration"


DJANGO_JS = """\
{% autoescape off %}
'use strict';
{
  {% if plural %}
  django.pluralidx = function(n) {
    const v = {{ plural }};
    return v;
  };
  {% else %}
  django.pluralidx = function(count) { return (count == 1) ? 0 : 1; };
  {% endif %}
}
{% endautoescape %}
"""
HELM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  {{- range .Values.keys }}\n  {{ . }}: x\n  {{- end }}\n"
COOKIECUTTER = "{% if cookiecutter.cli %}\nimport click\n{% endif %}\n\n\ndef main():\n    return {{ cookiecutter.answer }}\n"


@pytest.mark.parametrize(("name", "text", "tag"), [
    ("views/i18n_catalog.js", DJANGO_JS, "{% autoescape off %}"),
    ("chart/templates/configmap.yaml", HELM, "{{ .Release.Name }}"),
    ("template/app.py", COOKIECUTTER, "{% if cookiecutter.cli %}"),
])
def test_a_template_is_one_info_finding_not_one_error_per_tag(project: Path, name: str, text: str, tag: str) -> None:
    write_files(project, {name: text})
    run = run_patchgate("check", "--format", "json", "--no-cache", cwd=project)
    assert run.code == 0, run.stdout + run.stderr  # an info does not fail the check
    (found,) = json.loads(run.stdout)["diagnostics"]
    assert (found["rule_id"], found["severity"], found["path"]) == ("syntax-error", "info", name)
    assert f"`{tag}`" in found["message"] and "template" in found["message"]
    assert text[found["span"]["start_offset"]:found["span"]["end_offset"]] == tag


def test_template_tags_in_a_file_that_parses_are_just_text(project: Path) -> None:
    files = {"app.py": 'PAGE = "{% block body %}{{ user.name }}{% endblock %}"\n', "web/app.js": "const t = `{{ name }}`;\n"}
    assert check(project, files) == []
