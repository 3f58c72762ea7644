"""The symbol-table prefilter: libcst parses only files a scope rule could flag, and misses none."""

from __future__ import annotations

import pytest

from patchgate.diagnostics.engines.libcst_engine import LibcstEngine
from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.rules.libcst_rules import BUILTIN_LIBCST_RULES
from patchgate.diagnostics.source import SourceFile

BY_ID = {cls.id: cls for cls in BUILTIN_LIBCST_RULES}
CLEAN_MODULE = '''\
from __future__ import annotations

import os
from typing import Any


class Model:
    id = 1

    def path(self, name: Any) -> str:
        joined = os.path.join("a", name)
        return joined


def outer():
    total = 0

    def bump():
        nonlocal total
        total += 1
        return total

    return bump
'''


@pytest.mark.parametrize(
    ("rule_id", "code", "may_match"),
    [
        ("unused-import", "import os\n\ndef f():\n    return os.sep\n", False),
        ("unused-import", "import os\n\nclass A:\n    def f(self):\n        return os.sep\n", False),
        ("unused-import", "import os\nimport sys\nprint(sys.argv)\n", True),
        ("unused-import", "def f():\n    import json\n    return 1\n", True),
        ("unused-import", "from __future__ import annotations\n", False),
        ("unused-import", "from m import annotations\n", True),
        ("unused-import", "from __future__ import annotations\nfrom typing import Any\ndef f(x: Any) -> None:\n    pass\n", False),
        ("unused-import", "from __future__ import annotations\nfrom typing import Any, List\ndef f(x: 'List[int]'):\n    pass\n", True),
        ("unused-variable", "def f():\n    x = 1\n    def g():\n        return x\n    return g\n", False),
        ("unused-variable", "def f():\n    for i in range(3):\n        pass\n", False),
        ("unused-variable", "def f():\n    result = compute()\n", True),
        ("unused-variable", "def f():\n    a = 1; b = 2\n    return a\n", True),
        ("builtin-shadowing", "class A:\n    id = 1\n    def type(self):\n        return 1\n", False),
        ("builtin-shadowing", "from io import open\n", False),
        ("builtin-shadowing", "def f(id):\n    return id\n", True),
        ("builtin-shadowing", "print([list for list in ()])\n", True),
        ("redefined-unused-name", "def f():\n    pass\n\ndef g():\n    pass\n", False),
        ("redefined-unused-name", "class T:\n    def m(self):\n        pass\n    def m(self):\n        pass\n", True),
        ("os-system-call", "import platform\nplatform.system()\n", False),
        ("os-system-call", "from os import (\n    system as run,\n)\nrun('ls')\n", True),
        ("unused-import", "import os\nx = = 1\n", True),  # no symbol table: let libcst decide
    ],
)
def test_probe_answers(rule_id: str, code: str, may_match: bool) -> None:
    assert BY_ID[rule_id].may_match(Probe(code, "pkg/mod.py")) is may_match


def test_init_files_are_never_candidates_for_unused_import() -> None:
    assert not BY_ID["unused-import"].may_match(Probe("import os\n", "pkg/__init__.py"))


def test_clean_module_is_never_parsed_by_libcst() -> None:
    engine = LibcstEngine(BUILTIN_LIBCST_RULES)
    found = engine.check(SourceFile("pkg/model.py", CLEAN_MODULE, "python"), frozenset(BY_ID))
    assert found == [] and engine.stats.parsed == 0 and engine.stats.prefiltered == 1


def test_prefilter_never_hides_a_finding_of_the_examples() -> None:
    """Every INVALID example of every built-in rule passes its own prefilter."""
    for cls in BUILTIN_LIBCST_RULES:
        for example in cls.invalid_examples():
            assert cls.may_match(Probe(example.code, "pkg/mod.py")), (cls.id, example.code)
