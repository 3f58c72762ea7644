"""`plan fix` never takes a safe fix that drops a re-export or an import silenced by noqa (issue 9).

The fixtures are shaped like requests 2.32.3, whose `import requests` a safe `plan fix` once broke:
a compat-like module (here `shims`) whose imports other modules import from it, a multi-line import with `# noqa: F401`
on its first line, a package `__init__` of re-exports.
"""

from __future__ import annotations

from pathlib import Path

from conftest import run_patchgate
from test_plan_harness import git_repo, plan_cli

PACKAGE = {
    "src/pkg/__init__.py": "from .sessions import Session\n",
    "src/pkg/shims.py": (
        "try:\n    import simplejson\n    has_simplejson = True\nexcept ImportError:\n    has_simplejson = False\n\n"
        "if has_simplejson:\n    from simplejson import JSONDecodeError\nelse:\n    from json import JSONDecodeError\n\n"
        "from collections import OrderedDict\nfrom collections.abc import Mapping\n"
    ),
    "src/pkg/sessions.py": (
        "from .shims import Mapping\n"
        "from .models import (  # noqa: F401\n    DEFAULT_LIMIT,\n    Request,\n)\n\n"
        "class Session:\n    def merge(self, value):\n        return isinstance(value, Mapping)\n"
    ),
    "src/pkg/models.py": "DEFAULT_LIMIT = 30\n\nclass Request:\n    pass\n",
    "src/pkg/errors.py": "from . import shims\n\nclass Error(shims.JSONDecodeError):\n    pass\n",
}


def edited_files(plan: dict | None) -> dict[str, str]:
    return {item["path"]: item["diff"] for item in (plan or {}).get("files", [])}


def test_safe_fixes_keep_reexports_and_noqa_imports(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo", PACKAGE)
    run, plan = plan_cli(root, "fix", "--no-cache")
    assert run.code == 0, run
    assert edited_files(plan) == {}, plan  # requests' shims keeps OrderedDict "for backwards shimsibility"
    assert "removes `Mapping`, which src/pkg/sessions.py imports from this module; pass --unsafe" in run.stderr
    assert "removes `OrderedDict` from a module that passes its imports on (src/pkg/" in run.stderr
    assert "removes `JSONDecodeError`, which src/pkg/errors.py imports from this module" in run.stderr


def test_unsafe_takes_the_reexport_removals(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo", PACKAGE)
    run, plan = plan_cli(root, "fix", "--no-cache", "--unsafe")
    assert run.code == 0, run
    diff = edited_files(plan)["src/pkg/shims.py"]
    assert "-    from json import JSONDecodeError" in diff and "-from collections.abc import Mapping" in diff
    assert "-from collections import OrderedDict" in diff


def test_noqa_on_any_line_of_a_multiline_import_silences_it(tmp_path: Path) -> None:
    files = {
        "first.py": "from m import (  # noqa: F401\n    a,\n    b,\n)\n",
        "closing.py": "from m import (\n    a,\n    b,\n)  # noqa\n",
        "own_id.py": "from m import (  # patchgate: ignore[unused-import]\n    a,\n)\n",
        "other_code.py": "from m import (  # noqa: E501\n    a,\n)\n",
    }
    root = git_repo(tmp_path / "repo", files)
    run = run_patchgate("check", "--no-cache", "--select", "unused-import", ".", cwd=root)
    assert run.code == 0, run  # warnings only
    assert "other_code.py:2:5: unused-import" in run.stdout
    for name in ("first.py", "closing.py", "own_id.py"):
        assert name not in run.stdout, run.stdout


def test_augmented_assignment_uses_the_import(tmp_path: Path) -> None:
    files = {
        "counter.py": "from m import count\ncount += 1\n",
        "totals.py": "from m import total\n\ndef add():\n    global total\n    total += 1\n",
        "local.py": "import n\n\ndef f():\n    n = 0\n    n += 1\n",
    }
    root = git_repo(tmp_path / "repo", files)
    run = run_patchgate("check", "--no-cache", "--select", "unused-import", ".", cwd=root)
    assert run.code == 0, run  # warnings only
    assert "local.py:1:8: unused-import" in run.stdout
    assert "counter.py" not in run.stdout and "totals.py" not in run.stdout


def test_init_all_and_redundant_alias_are_not_reported(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "from .core import helper\n",
        "pkg/core.py": "def helper():\n    pass\n",
        "pkg/api.py": "from .core import helper as helper\nfrom json import loads\n__all__ = ['loads']\n",
    }
    root = git_repo(tmp_path / "repo", files)
    run = run_patchgate("check", "--no-cache", "--select", "unused-import", ".", cwd=root)
    assert run.code == 0 and "unused-import" not in run.stdout, run
