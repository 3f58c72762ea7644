"""Rules answered from CPython's own tree (no libcst parse): spans and messages as a user sees them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_patchgate

SHADOWING = (
    "import io\n"
    "def list(id, *, type=None):\n"
    "    for input in range(3):\n"
    "        pass\n"
    "class  hash:\n"
    "    global max\n"
    "    max = 1\n"
    "    format = 2\n"
    "async def  next(): pass\n"
    "try:\n"
    "    pass\n"
    "except (OSError,\n"
    "        ValueError) as  dir:\n"
    "    pass\n"
    "squares = [iter * 2 for iter in range(3)]\n"
)
EXPECTED = [
    ("function", "list"), ("argument", "id"), ("argument", "type"), ("variable", "input"), ("class", "hash"),
    ("variable", "max"), ("function", "next"), ("variable", "dir"), ("variable", "iter"),
]


def shadowing_findings(root: Path, data: bytes) -> list[tuple[str, str, str]]:
    """(kind, name, the text under the span) of every builtin-shadowing finding in one file."""
    (root / "mod.py").write_bytes(data)
    run = run_patchgate("check", "--select", "builtin-shadowing", "--format", "json", "mod.py", cwd=root)
    assert run.code == 0, run.stderr  # warnings only
    text = data.decode("utf-8")
    found = []
    for item in json.loads(run.stdout)["diagnostics"]:
        span = item["span"]
        kind, name = item["message"].split(" shadows")[0].split(" `")
        found.append((kind, name.rstrip("`"), text[span["start_offset"]:span["end_offset"]]))
    return found


@pytest.mark.parametrize("variant", ["plain", "crlf", "bom", "wide"])
def test_builtin_shadowing_spans_cover_the_name_whatever_the_encoding_details(tmp_path: Path, variant: str) -> None:
    code = SHADOWING
    if variant == "crlf":
        code = code.replace("\n", "\r\n")
    elif variant == "bom":
        code = "\ufeff" + code
    elif variant == "wide":  # characters outside the BMP and multi-byte UTF-8 before each binding
        code = "\n".join(line.replace("pass", "pass  # 🐍 é") for line in code.split("\n"))
        code = code.replace("squares = [", "squares = ['🐍' and ")
    found = shadowing_findings(tmp_path, code.encode("utf-8"))
    assert [(kind, name) for kind, name, _ in found] == EXPECTED
    assert all(name == under for _, name, under in found)


def test_class_attributes_methods_and_imports_are_not_builtin_shadowing(tmp_path: Path) -> None:
    code = "from io import open\nclass Row:\n    id = 1\n    def type(self):\n        return [next for next in ()]\n"
    (tmp_path / "mod.py").write_text(code, encoding="utf-8")
    run = run_patchgate("check", "--select", "builtin-shadowing", "--format", "json", "mod.py", cwd=tmp_path)
    messages = [item["message"] for item in json.loads(run.stdout)["diagnostics"]]
    assert messages == ["variable `next` shadows a Python builtin"]  # a comprehension variable is never an attribute


UNUSED_IMPORTS = {
    # module: (text before, text after `check --fix`)
    "crlf.py": ("import os\r\nimport sys  # é\r\nprint(sys.argv)\r\n", "import sys  # é\r\nprint(sys.argv)\r\n"),
    "bom.py": ("\ufefffrom m import (\n    a,  # 🐍\n    b,\n    c,\n)\nprint(a, c)\n",
               "\ufefffrom m import (\n    a,  # 🐍\n    c,\n)\nprint(a, c)\n"),
    "semicolons.py": ("x = 1; import json; import csv as c; print(c)\n", "x = 1; import csv as c; print(c)\n"),
    "suite.py": ("if True: import json; import csv\n", "if True: pass\n"),
    "emptied.py": ("def f():\n    # keep me\n    import json\n    import csv\n", "def f():\n    # keep me\n    pass\n"),
    "wide.py": ("from m import é, ü\nprint(ü)\n", "from m import ü\nprint(ü)\n"),
}
USED_IMPORTS = (
    "import uuid\n\nclass Row:\n    uuid = Field(default=uuid.uuid4)\n",  # a class body reads the module's name first
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from m import Model\n\ndef f(x: 'Model') -> None:\n    pass\n",
    "from m import Model\nfrom typing import cast\ny = cast('Model', 1)\n",
    "from m import total\n\ndef add():\n    global total\n    total += 1\n",
    "import os\ndel os\n",
)


def test_unused_import_fixes_keep_every_byte_they_do_not_own(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    for name, (before, _) in UNUSED_IMPORTS.items():
        (tmp_path / name).write_bytes(before.encode("utf-8"))
    run = run_patchgate("check", "--select", "unused-import", "--fix", "--format", "json", cwd=tmp_path)
    assert run.code == 0 and json.loads(run.stdout)["diagnostics"] == [], run.stderr
    for name, (_, after) in UNUSED_IMPORTS.items():
        assert (tmp_path / name).read_bytes().decode("utf-8") == after, name


@pytest.mark.parametrize("code", USED_IMPORTS)
def test_imports_read_in_ways_the_compiler_does_not_see_are_used(tmp_path: Path, code: str) -> None:
    (tmp_path / "mod.py").write_text(code, encoding="utf-8")
    run = run_patchgate("check", "--select", "unused-import", "--format", "json", "mod.py", cwd=tmp_path)
    assert run.code == 0 and json.loads(run.stdout)["diagnostics"] == [], run.stdout
def findings(root: Path, rule: str, data: bytes) -> list[tuple[str, str]]:
    """(message, the text under the span) of every finding of one rule in one file, in order."""
    (root / "mod.py").write_bytes(data)
    run = run_patchgate("check", "--select", rule, "--format", "json", "mod.py", cwd=root)
    assert run.code == 0, run.stderr  # warnings only
    text = data.decode("utf-8")
    return [
        (item["message"], text[item["span"]["start_offset"]:item["span"]["end_offset"]])
        for item in json.loads(run.stdout)["diagnostics"]
    ]


def encoded(code: str, variant: str) -> bytes:
    """The code with CRLF line ends, a byte-order mark, or wide characters before every finding."""
    if variant == "crlf":
        code = code.replace("\n", "\r\n")
    elif variant == "bom":
        code = "\ufeff" + code
    elif variant == "wide":
        code = "\n".join(line + "  # 🐍 é" if line.strip() else line for line in code.split("\n"))
        code = code.replace("    ", "    s_é = '🐍'; ", 1)
    return code.encode("utf-8")


UNUSED_VARIABLE = '''\
def outer():
    kept = 1
    dropped = 2
    def inner():
        shadow = kept
        return f"{shadow!r:>{width}}"
    width: "int" = 3
    return inner

class Table:
    rows = []
    def method(self):
        value = self.rows
        label: "value" = 1
        return label

def loop(items):
    last = None
    for item in items:
        if last:
            print(last)
        last = item
    total = 0

def closure():
    count = 0
    def bump():
        nonlocal count
        count = 1
    return bump

def introspective():
    hidden = 1
    def nested():
        return locals()
    return nested

def named(obj):
    attr = 1
    keyword = 2
    obj.attr = keyword
    return obj
'''


@pytest.mark.parametrize("variant", ["plain", "crlf", "bom", "wide"])
def test_unused_variable_scopes_and_spans(tmp_path: Path, variant: str) -> None:
    found = findings(tmp_path, "unused-variable", encoded(UNUSED_VARIABLE, variant))
    names = [under for _, under in found]
    assert names == ["dropped", "total"] if variant != "wide" else ["s_é", "dropped", "total"]  # `attr` is also an attribute
    assert all(message == f"local variable `{under}` is assigned to but never used" for message, under in found)


def test_unused_variable_reads_in_string_annotations_follow_the_assignment(tmp_path: Path) -> None:
    code = "def early():\n    later: 'size' = 1\n    size = 2\n    return later\n\ndef late():\n    size = 2\n    later: 'size' = 1\n    return later\n"
    assert findings(tmp_path, "unused-variable", code.encode()) == [("local variable `size` is assigned to but never used", "size")]


REDEFINED = '''\
def helper():
    pass

def helper():
    pass

def used():
    pass

used()

def used():
    pass

class Model:
    def save(self):
        pass

    def other(self):
        return save()

    def save(self):
        pass

def reader():
    return early()

def early():
    pass

def early():
    pass

def shadowing():
    late = 1
    return late

def late():
    pass

def late():
    pass

hint: "annotated" = None

def annotated():
    pass

def annotated():
    pass
'''


@pytest.mark.parametrize("variant", ["plain", "crlf", "bom", "wide"])
def test_redefined_unused_name_scopes_and_spans(tmp_path: Path, variant: str) -> None:
    found = findings(tmp_path, "redefined-unused-name", encoded(REDEFINED, variant))
    assert found == [
        ("`helper` redefines the unused function from line 1", "helper"),
        ("`save` redefines the unused function from line 16", "save"),  # a method cannot see the class body
        ("`late` redefines the unused function from line 38", "late"),  # `late` in shadowing() is its own local
        ("`annotated` redefines the unused function from line 46", "annotated"),  # the string comes before the first
    ]


def test_redefined_unused_name_counts_uses_by_position_not_flow(tmp_path: Path) -> None:
    code = (
        "def f():\n    pass\n\ndef f():\n    pass\n\ndef g():\n    return f()\n\n"  # a read placed after the second is no use
        "class A:\n    pass\n\nclass A:\n    x: 'A' = None\n"  # read inside the second body: too late
        "def h():\n    def k():\n        pass\n    def k():\n        pass\n"
    )
    found = findings(tmp_path, "redefined-unused-name", code.encode())
    assert found == [
        ("`f` redefines the unused function from line 1", "f"),
        ("`A` redefines the unused class from line 10", "A"),
        ("`k` redefines the unused function from line 16", "k"),
    ]


PROCESS_STARTS = (
    "import os\nimport subprocess\nfrom subprocess import run\n"
    "subprocess.run(['ls', '-l'])\n"           # 4: partial path
    "subprocess.run(cmd)\n"                     # 5: computed command
    "subprocess.run(['git', name])\n"           # 6: both
    "run([exe, 'x'])\n"                         # 7: computed command
    "subprocess.check_output(['/usr/bin/git', 'status'])\n"
    "subprocess.call('git status', shell=False)\n"  # 9: partial path
    "subprocess.run(args, shell=True)\n"
    "os.system('ls')\n"                         # 11: partial path
)


def test_process_starts_are_judged_as_ruff_judges_them(tmp_path: Path) -> None:
    (tmp_path / "tool.py").write_text(PROCESS_STARTS, encoding="utf-8")
    run = run_patchgate("check", "--select", "S603,S607", "--format", "json", "tool.py", cwd=tmp_path)
    found = sorted((d["span"]["start_line"] + 1, d["source_alias"]) for d in json.loads(run.stdout)["diagnostics"])
    assert found == [(4, "S607"), (5, "S603"), (6, "S603"), (6, "S607"), (7, "S603"), (9, "S607"), (11, "S607")], run.stdout


def test_a_compatibility_module_offers_its_imports(tmp_path: Path) -> None:
    for name in ("compat.py", "_compat.py", "py2_compat.py", "helpers.py"):
        (tmp_path / name).write_text("# Keep OrderedDict for backwards compatibility.\nfrom collections import OrderedDict\n")
    run = run_patchgate("check", "--select", "unused-import", "--format", "json", ".", cwd=tmp_path)
    assert [d["path"] for d in json.loads(run.stdout)["diagnostics"]] == ["helpers.py"], run.stdout
