"""os-system-call (S605): `os.system` found by qualified name, whatever it was imported as."""

from __future__ import annotations

import re

from patchgate.diagnostics.python_rule import PythonRule, TreeReport
from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.rules.libcst_rules.qualified_names import calls_to

SHELL_CALLS = frozenset({"os.system", "posix.system", "nt.system"})
ATTRIBUTE = re.compile(r"\.\s*system\b")
FROM_IMPORT = re.compile(r"\bfrom\s+(?:os|posix|nt)\s+import\s+(?:\([^)]*|[^\n]*(?:\\\n[^\n]*)*)\bsystem\b")
MODULE_IMPORT = re.compile(r"(?m)^[ \t]*(?:from[ \t]+(?:os|posix|nt)[ \t]+import|import[^\n#]*\b(?:os|posix|nt)\b)")


class OsSystemCall(PythonRule):
    """Report calls of `os.system`, through any import alias."""

    id = "os-system-call"
    aliases = ("S605",)
    severity = "warning"
    message = "`os.system` runs its argument through a shell"
    tags = ("security",)
    url = "https://docs.astral.sh/ruff/rules/start-process-with-a-shell/"
    docs = """
    `os.system(cmd)` hands `cmd` to `/bin/sh -c` (or `cmd.exe`): any untrusted text in it is shell
    code, and the exit status comes back encoded. Use `subprocess.run([...])` with an argument list,
    which starts the program directly and raises or returns a real return code.

    The call is matched by qualified name (each name resolved in its scope to the import that bound it), so
    `from os import system as s; s(...)` and `import os as o; o.system(...)` are caught, while an
    unrelated `system()` (a local function, `platform.system()`) is not. No fix: the argument list
    a command needs cannot be derived safely from a shell string.
    """
    PREFILTER = ("system",)
    VALID = [
        "import subprocess\nsubprocess.run(['ls', '-l'], check=True)\n",
        "import platform\nprint(platform.system())\n",
        "def system(command):\n    return command\n\nsystem('ls')\n",
        "import os\nos.getcwd()\n",
        "from os import system\n\ndef f(system):\n    system('ls')\n",
    ]
    INVALID = [
        "import os\nos.system('ls')\n",
        "from os import system as run\nrun('ls')\n",
        "import os as o\no.system('ls')\n",
        "import os.path\nos.system('ls')\n",
        "import os\n\ndef f():\n    return lambda: os.system('ls')\n",
    ]

    @classmethod
    def matches_text(cls, text: str) -> bool:
        """Both `system` and an import of its module must be in the text, else no qualified name can match."""
        return super().matches_text(text) and MODULE_IMPORT.search(text) is not None

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """Reached as an attribute (`os.system`, `o.system`) or as an imported name (`from os import system`)."""
        if not cls.matches_text(probe.text):
            return False
        if ATTRIBUTE.search(probe.text):
            return True
        return FROM_IMPORT.search(probe.text) is not None

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Calls whose callee resolves, in its scope, to an import of a shell-running `system`."""
        return [TreeReport.at(call, cls.message) for call, _ in calls_to(probe, SHELL_CALLS.__contains__)]
