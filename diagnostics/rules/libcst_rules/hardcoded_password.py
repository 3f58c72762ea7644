"""hardcoded-password-string (S105) and hardcoded-password-argument (S106): secrets written into the source."""

from __future__ import annotations

import ast
import re

from patchgate.diagnostics.python_rule import PythonRule, TreeReport
from patchgate.diagnostics.prefilter import Probe

PASSWORD_NAME = re.compile(r"(?i)(?:^|_)(?:pas+wo?r?d|pass(?:phrase)?|pwd|token|secrete?)(?:$|_)")
"""ruff's (and bandit's) test of a name that holds a secret: `password`, `db_passwd`, `API_TOKEN`, `secret`."""
TEXT_HINT = re.compile(r"(?i)pas+|pwd|token|secret")
COMMON_DOCS = """
    Not reported, as in ruff: empty strings, bytes, f-strings (built at run time), and
    tuple unpacking. The name test is ruff's: `password`, `passwd`, `pwd`, `pass`, `passphrase`,
    `token` or `secret(e)` as a whole `_`-separated part of the name, in any case. It also matches
    names that hold no secret (`PASSWORD_RESET_TIMEOUT`, `token_url`): suppress those with
    `# noqa: S105`. No fix: where the secret should come from (environment, vault, config) is a
    deployment decision.
"""


def _literal(node: ast.expr | None) -> bool:
    """A non-empty str literal (implicit concatenation included), not bytes and not an f-string."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value != ""


def _target_name(target: ast.expr) -> str | None:
    """The name a value is stored under: `x`, `obj.x`, or `d["x"]`."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str):
        return target.slice.value
    return None


def _secret_name(name: str | None) -> bool:
    return name is not None and PASSWORD_NAME.search(name) is not None


class _SecretRule(PythonRule):
    """What both rules share: a prefilter on secret-like words in the text."""

    @classmethod
    def may_match(cls, probe: Probe) -> bool:
        return TEXT_HINT.search(probe.text) is not None


class HardcodedPasswordString(_SecretRule):
    """Report a string literal assigned to, or compared with, a password-like name."""

    id = "hardcoded-password-string"
    aliases = ("S105",)
    severity = "warning"
    message = "possible hard-coded password"
    tags = ("security",)
    url = "https://docs.astral.sh/ruff/rules/hardcoded-password-string/"
    docs = """
    A password, token or secret written into the source is in every clone, every backup and every
    log of the repository's history, and rotating it means a code change and a deploy. Read it
    from the environment or a secret store instead. Reported: a non-empty string literal assigned
    to a secret-like name (`password = "..."`, `self.api_token = "..."`, `config["secret"] = "..."`)
    or compared with one (`if password == "..."`).
    """ + COMMON_DOCS
    VALID = [
        "import os\npassword = os.environ['DB_PASSWORD']\n",
        "password = ''\n",
        "user, password = 'admin', 'hunter2'\n",
        "label = 'Password'\n",
        "if 'hunter2' == password:\n    pass\n",
    ]
    INVALID = [
        "password = 'hunter2'\n",
        "class Settings:\n    API_TOKEN: str = 'abc123'\n",
        "self.db_passwd = 'hunter2'\n",
        "config['secret'] = 's3cr3t'\n",
        "if password == 'hunter2':\n    pass\n",
    ]


    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """String literals stored under, or compared with, a secret-like name."""
        if probe.tree is None:
            return []
        reports = []
        for node in probe.walk():
            if isinstance(node, ast.Assign) and _literal(node.value):
                names = [_target_name(target) for target in node.targets]
                reports += [cls._report(node.value, name) for name in names if _secret_name(name)]
            elif isinstance(node, ast.AnnAssign) and _literal(node.value) and _secret_name(_target_name(node.target)):
                reports.append(cls._report(node.value, _target_name(node.target)))
            elif isinstance(node, ast.Compare) and _secret_name(_target_name(node.left)):
                reports += [cls._report(right, _target_name(node.left)) for right in node.comparators if _literal(right)]
        return reports

    @classmethod
    def _report(cls, value: ast.expr | None, name: str | None) -> TreeReport:
        assert value is not None
        return TreeReport.at(value, f"possible hard-coded password assigned to `{name}`")


class HardcodedPasswordArgument(_SecretRule):
    """Report a string literal passed as a password-like keyword argument."""

    id = "hardcoded-password-argument"
    aliases = ("S106",)
    severity = "warning"
    message = "possible hard-coded password passed as an argument"
    tags = ("security",)
    url = "https://docs.astral.sh/ruff/rules/hardcoded-password-func-arg/"
    docs = """
    `connect(user="app", password="hunter2")` puts the credential in the source, where every clone
    and every copy of the history has it, and where rotating it needs a code change. Pass a value
    read from the environment or a secret store. Reported: a non-empty string literal given as a
    keyword argument with a secret-like name.
    """ + COMMON_DOCS
    VALID = [
        "import os\nconnect(user='app', password=os.environ['DB_PASSWORD'])\n",
        "connect(user='app', password='')\n",
        "render(template='password_reset.html')\n",
    ]
    INVALID = [
        "connect(user='app', password='hunter2')\n",
        "client = Client(api_token='abc123', timeout=5)\n",
    ]


    @classmethod
    def check_tree(cls, probe: Probe) -> list[TreeReport]:
        """Keyword arguments with a secret-like name and a string literal value."""
        if probe.tree is None:
            return []
        return [TreeReport.at(keyword, f"possible hard-coded password passed as `{keyword.arg}=`")
                for node in probe.of_type(ast.Call) if isinstance(node, ast.Call)
                for keyword in node.keywords if _literal(keyword.value) and _secret_name(keyword.arg)]
