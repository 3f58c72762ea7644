"""subprocess-without-shell (S603) and start-process-with-partial-path (S607): how a process is started."""

from __future__ import annotations

import ast

from patchgate.diagnostics.prefilter import Probe
from patchgate.diagnostics.python_rule import PythonRule, TreeReport
from patchgate.diagnostics.rules.libcst_rules.qualified_names import calls_to

SUBPROCESS_CALLS = frozenset(f"subprocess.{name}" for name in ("Popen", "call", "check_call", "check_output", "run"))
OS_STARTS = frozenset(f"os.{name}" for name in (
    "system", "popen", "popen2", "popen3", "popen4", "execl", "execle", "execlp", "execlpe", "execv", "execve",
    "execvp", "execvpe", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe",
    "startfile",
))


def _literal(node: ast.expr) -> bool:
    """A string literal, or a list or tuple of nothing but string literals."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    return isinstance(node, (ast.List, ast.Tuple)) and all(_literal(element) for element in node.elts)


def _shell(call: ast.Call) -> bool:
    """Does the call pass `shell=` with a value that may be true (anything but a false constant)?"""
    for keyword in call.keywords:
        if keyword.arg == "shell":
            return not (isinstance(keyword.value, ast.Constant) and not keyword.value.value)
    return False


def _command(call: ast.Call) -> ast.expr | None:
    """The command argument: the first positional one, or `args=`."""
    if call.args:
        return call.args[0]
    return next((keyword.value for keyword in call.keywords if keyword.arg == "args"), None)


class SubprocessWithoutShell(PythonRule):
    """Report subprocess calls without a shell whose command is not a literal."""

    id = "subprocess-without-shell"
    aliases = ("S603",)
    severity = "info"
    message = "`subprocess` call with a command that is not a literal: check for execution of untrusted input"
    tags = ("security",)
    url = "https://docs.astral.sh/ruff/rules/subprocess-without-shell-equals-true/"
    docs = """
    Without a shell, `subprocess` runs the program named by the first element of the command with the
    other elements as its arguments: nothing is parsed, so there is no shell injection. But when the
    command is computed, whoever controls the values chooses the program and its options (`--upload-pack`,
    `-o ProxyCommand=`...). Check where each value comes from. An info-level reminder, as in bandit and
    ruff: a command made only of string literals is not reported, nor is `shell=True` (subprocess-shell-true).
    The callee is matched by qualified name (`from subprocess import run` counts).
    """
    PREFILTER = ("subprocess",)
    VALID = [
        "import subprocess\nsubprocess.run(['git', 'status'], check=True)\n",
        "import subprocess\nsubprocess.call('ls', shell=False)\n",
        "import subprocess\nsubprocess.run(command, shell=True)\n",
        "def run(command):\n    return command\n\nrun(['x', user])\n",
    ]
    INVALID = [
        "import subprocess\nsubprocess.run(command)\n",
        "import subprocess\nsubprocess.check_output(['git', 'log', revision])\n",
        "from subprocess import Popen\nPopen(args=argv)\n",
    ]

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Subprocess calls without a shell whose command is computed."""
        found = []
        for call, _ in calls_to(probe, SUBPROCESS_CALLS.__contains__):
            command = _command(call)
            if command is not None and not _shell(call) and not _literal(command):
                found.append(TreeReport.at(call, cls.message))
        return found


class StartProcessWithPartialPath(PythonRule):
    """Report a process started by a bare program name, found through PATH."""

    id = "start-process-with-partial-path"
    aliases = ("S607",)
    severity = "info"
    message = "process started with a partial executable path: the program is looked up in PATH"
    tags = ("security",)
    url = "https://docs.astral.sh/ruff/rules/start-process-with-partial-path/"
    docs = """
    A program named without a directory (`"git"`, `["ls", "-l"]`) is whatever comes first in the
    `PATH` of the running process, which its environment, a virtualenv or a writable directory early in
    `PATH` can change. Where that matters, name the program by its full path (`shutil.which` once, then
    the result). Reported, as in ruff, for `subprocess` and `os` process starts whose command is a
    string literal, or a list or tuple whose first element is one, with no `/` or `\\` in it.
    """
    PREFILTER = ("subprocess", "os")

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        """The module names `subprocess` or `os` as a word (plain substrings would pass almost every file)."""
        return probe.has_word("subprocess") or probe.has_word("os")
    VALID = [
        "import subprocess\nsubprocess.run(['/usr/bin/git', 'status'])\n",
        "import subprocess\nsubprocess.run(command)\n",
        "import os\nos.system('./build.sh')\n",
    ]
    INVALID = [
        "import subprocess\nsubprocess.run(['git', 'status'])\n",
        "import os\nos.system('ls')\n",
        "from subprocess import check_call\ncheck_call(('make', 'all'))\n",
    ]

    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Process starts whose literal program has no directory part."""
        found = []
        for call, _ in calls_to(probe, lambda name: name in SUBPROCESS_CALLS or name in OS_STARTS):
            command = _command(call)
            program = command.elts[0] if isinstance(command, (ast.List, ast.Tuple)) and command.elts else command
            if isinstance(program, ast.Constant) and isinstance(program.value, str) and not any(
                    separator in program.value for separator in "/\\"):
                found.append(TreeReport.at(command, cls.message))  # type: ignore[arg-type]
        return found
