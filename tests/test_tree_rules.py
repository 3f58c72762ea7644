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
