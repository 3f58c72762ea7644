"""False-positive classes of the built-in pack (issue 10), each through the CLI on code shaped like the
project it was seen in: the class is fixed, and the true positive next to it is still reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_patchgate, write_files


def findings(root: Path, *args: str) -> list[tuple[str, str, int]]:
    """(path, rule id, 1-based line) of every finding of `patchgate check --format json`."""
    result = run_patchgate("check", "--no-cache", "--format", "json", *args, cwd=root)
    assert result.code in (0, 1), result.stderr
    return [(d["path"], d["rule_id"], d["span"]["start_line"] + 1) for d in json.loads(result.stdout)["diagnostics"]]


def lines_of(root: Path, rule: str, *args: str) -> list[tuple[str, int]]:
    """(path, line) of one rule's findings, selecting only that rule."""
    return [(path, line) for path, rule_id, line in findings(root, "--select", rule, *args) if rule_id == rule]


STUB = '''\
from typing import Any, overload

def open(file: str, mode: str = ..., buffering: int = ..., encoding: str | None = ...) -> Any: ...
def format(value: object, spec: str = ...) -> str: ...
class property:
    def getter(self, fget: Any) -> property: ...
id: int
'''

OVERLOADS = '''\
from typing import Any, overload

@overload
def get(key: str, default: None = None, *, type: None = None) -> str | None: ...
@overload
def get(key: str, default: Any, *, type: type[int]) -> int: ...
def get(key, default=None, *, type=None):
    return default
'''

COMPAT = '''\
import sys

is_py3 = sys.version_info[0] == 3
if is_py3:
    builtin_str = str
    str = str
    bytes = bytes
    basestring = (str, bytes)
'''


def test_builtin_shadowing_skips_stubs_overload_signatures_and_self_rebinding(project: Path) -> None:
    write_files(project, {"attrs/__init__.pyi": STUB, "settings.py": OVERLOADS, "requests/compat.py": COMPAT})
    found = lines_of(project, "builtin-shadowing")
    # The implementation after the overloads still hides `type` for its body: reported once, not three times.
    assert found == [("settings.py", 7)]


def test_builtin_shadowing_names_the_kind_of_binding(project: Path) -> None:
    """Django's shapes: a def named `set` is a function, never a "variable"."""
    source = "def set(key, value, format=None):\n    for input in value:\n        pass\n\nclass Warning(Exception):\n    pass\n"
    write_files(project, {"cache.py": source})
    result = run_patchgate("check", "--no-cache", "--select", "builtin-shadowing", "--format", "json", cwd=project)
    messages = [d["message"] for d in json.loads(result.stdout)["diagnostics"]]
    assert messages == ["function `set` shadows a Python builtin", "argument `format` shadows a Python builtin",
                        "variable `input` shadows a Python builtin", "class `Warning` shadows a Python builtin"]


def test_exec_message_names_what_it_found(project: Path) -> None:
    write_files(project, {"shell.py": 'import sys\n\nexec(compile("x = 1", "<rc>", "exec"))\nexec(sys.stdin.read(), globals())\n'})
    result = run_patchgate("check", "--no-cache", "--select", "exec-used", cwd=project)
    assert "shell.py:4:1: exec-used [warning] `exec()` of code that is not a string literal" in result.stdout
    assert "shell.py:3:" not in result.stdout and "computed at run time" not in result.stdout


@pytest.mark.parametrize(("rule", "source", "expected"), [
    # Django's tests/validators/tests.py: an IP table; runserver's default address is a real bind.
    ("bind-all-interfaces", 'CASES = [(validate_ipv4_address, "0.0.0.0", None)]\nclass Command:\n    default_addr = "0.0.0.0"\n', [3]),
    # Django's tests/utils_tests/test_crypto.py: a key as long as the block; auth.py hashes a password.
    ("insecure-hash-function", 'import hashlib\nKEY = "x" * hashlib.sha1().block_size\nH = hashlib.md5(PASSWORD).hexdigest()\n', [3]),
    # requests' setup.py imports codecs.open; a builtin open in text mode is still reported.
    ("unspecified-encoding", 'from codecs import open\n\nwith open("README.md", "r", "utf-8") as f:\n    readme = f.read()\n', []),
    ("unspecified-encoding", 'import codecs\ncodecs.open(p, "r", "utf-8")\nopen(p, "r", 1)\n', [3]),
    # A transaction's cleanup re-raises; a bare except that converts the error is still reported.
    ("bare-except", "try:\n    commit()\nexcept:\n    rollback()\n    raise\ntry:\n    run()\nexcept:\n    raise RuntimeError\n", [8]),
])
def test_data_and_idioms_are_not_findings(project: Path, rule: str, source: str, expected: list[int]) -> None:
    write_files(project, {"app/module.py": source})
    assert [line for _, line in lines_of(project, rule)] == expected


PICKLE_TEST = '''\
import pickle

from myapp.models import Document


def test_document_pickles(document: Document) -> None:
    pickled = pickle.dumps(document)
    restored = pickle.loads(pickled)
    assert restored == document


def test_loads_fixture(fixture_bytes: bytes) -> None:
    assert pickle.loads(fixture_bytes) is not None
'''
SECURITY_IN_TESTS = {
    "tests/models/test_pickle.py": PICKLE_TEST,
    "src/app/tests/test_server.py": 'def test_bind(sock):\n    sock.bind(("0.0.0.0", 0))\n',
    "src/app/cache_test.py": "import pickle\n\ndef load(blob):\n    return pickle.loads(blob)\n",
    "conftest.py": "import hashlib\n\nTOKEN = hashlib.md5(b'fixture').hexdigest()\n",
    "src/app/cache.py": "import pickle\n\ndef load(blob):\n    return pickle.loads(blob)\n",
}


def test_security_rules_are_off_in_tests_by_default(project: Path) -> None:
    write_files(project, SECURITY_IN_TESTS)
    found = findings(project, "--select", "security")
    assert [(path, rule) for path, rule, _ in found] == [("src/app/cache.py", "pickle-load")]
    show = run_patchgate("rules", "show", "pickle-load", cwd=project)
    assert "for **/tests/**, test_*.py, *_test.py, conftest.py: off: ignored by 'security' (tag)" in show.stdout


def test_the_default_entry_can_be_turned_off_or_narrowed(project: Path) -> None:
    write_files(project, SECURITY_IN_TESTS)
    (project / "patchgate.toml").write_text("default-per-path = false\n", encoding="utf-8")
    found = {(path, rule, line) for path, rule, line in findings(project, "--select", "security")}
    # Off: every test file is checked, and the round trip over two lines is still no finding.
    assert ("tests/models/test_pickle.py", "pickle-load", 13) in found and ("conftest.py", "insecure-hash-function", 3) in found
    assert ("tests/models/test_pickle.py", "pickle-load", 8) not in found and len(found) == 5
    (project / "patchgate.toml").write_text('[[per-path]]\npaths = ["tests/**"]\nextend-select = ["S301"]\n', encoding="utf-8")
    found = {(path, rule, line) for path, rule, line in findings(project, "--select", "security")}
    assert found == {("tests/models/test_pickle.py", "pickle-load", 13), ("src/app/cache.py", "pickle-load", 4)}
