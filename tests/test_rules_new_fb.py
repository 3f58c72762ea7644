"""The pyflakes, pycodestyle and bugbear checks ruff users expect (F821, F403, F405, E731, E741, B904,
B023, B008, B007, B018), run through the CLI on small modules shaped like real code."""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

import pytest

from conftest import run_patchgate

CODES = "F821,F403,F405,E731,E741,B904,B023,B008,B007,B018"


def findings(root: Path, select: str, code: str, name: str = "mod.py") -> list[tuple[str, int, str]]:
    """(alias, 1-based line, text under the span) of every finding in one module."""
    text = textwrap.dedent(code)
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text, encoding="utf-8")
    run = run_patchgate("check", "--no-cache", "--select", select, "--format", "json", name, cwd=root)
    assert run.code in (0, 1), run.stderr
    found = []
    for item in json.loads(run.stdout)["diagnostics"]:
        span = item["span"]
        found.append((item["source_alias"], span["start_line"] + 1, text[span["start_offset"]:span["end_offset"]]))
    return sorted(found)


def unsafe_fix(root: Path, rule: str, name: str = "mod.py") -> str:
    """The module's text after `plan fix --unsafe` of one rule, applied to the text by offsets."""
    run = run_patchgate("plan", "fix", "--rule", rule, "--unsafe", "--no-cache", "--json", name, cwd=root)
    assert run.code == 0, run.stderr
    text = (root / name).read_text(encoding="utf-8")
    for item in json.loads(run.stdout)["files"]:
        for edit in sorted(item["edits"], key=lambda e: e["span"]["start_offset"], reverse=True):
            text = text[:edit["span"]["start_offset"]] + edit["new_text"] + text[edit["span"]["end_offset"]:]
    return text


def test_undefined_names_follow_pythons_scopes(project: Path) -> None:
    code = """
        from __future__ import annotations

        import logging
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from .models import User

        log = logging.getLogger(__name__)
        DEFAULT_LIMIT = limit_from_env()


        class Report:
            title = "report"
            columns = [title for _ in range(3)]

            def render(self, user: User) -> Page:
                log.info("render %s", __class__, title)
                return [row for row in self.rows if row.visible] + [row]


        def limit_from_env():
            try:
                return LIMIT_OVERRIDE
            except NameError:
                return 10
    """
    assert findings(project, "F821", code) == [
        ("F821", 11, "limit_from_env"),
        ("F821", 16, "title"),
        ("F821", 18, "Page"),
        ("F821", 19, "title"),
        ("F821", 20, "row"),
    ]


def test_star_imports_are_reported_and_silence_undefined_name(project: Path) -> None:
    code = """
        from .client import *
        from .auth import Auth

        __all__ = ["Auth", "Client", "Timeout"]

        def default_client():
            return Client(timeout=Timeout(5), auth=Auth())
    """
    found = findings(project, "F403,F405,F821", code, "pkg/__init__.py")
    assert found == [
        ("F403", 2, "from .client import *"),
        ("F405", 5, '"Client"'),
        ("F405", 5, '"Timeout"'),
        ("F405", 8, "Client"),
        ("F405", 8, "Timeout"),
    ]


def test_raise_without_from_in_handlers(project: Path) -> None:
    code = """
        import json

        def load(path):
            try:
                with open(path, encoding="utf-8") as handle:
                    return json.load(handle)
            except FileNotFoundError:
                raise
            except json.JSONDecodeError as err:
                if strict:
                    raise ValueError(f"bad config: {path}")
                raise err
            except OSError as err:
                raise RuntimeError("unreadable") from err
    """
    assert findings(project, "B904", code) == [("B904", 12, 'raise ValueError(f"bad config: {path}")')]


def test_ambiguous_names_and_lambda_assignment_fix(project: Path) -> None:
    code = """
        import l10n

        def lines(text):
            l = text.splitlines()
            for I, line in enumerate(l):
                yield I, line

        by_length = lambda items, *, reverse=False: sorted(items, key=len, reverse=reverse)  # helper
        if __debug__: check = lambda: None
    """
    assert findings(project, "E741,E731", code) == [
        ("E731", 9, "by_length = lambda items, *, reverse=False: sorted(items, key=len, reverse=reverse)"),
        ("E731", 10, "check = lambda: None"),
        ("E741", 5, "l"),
        ("E741", 6, "I"),
    ]
    fixed = unsafe_fix(project, "E731")
    assert "def by_length(items, *, reverse=False):\n    return sorted(items, key=len, reverse=reverse)  # helper\n" in fixed
    assert "if __debug__: check = lambda: None" in fixed  # shares its line: no fix
    ast.parse(fixed)


def test_calls_in_defaults_allow_immutable_values(project: Path) -> None:
    code = """
        import datetime
        from pathlib import Path
        from typing import Optional, Sequence

        def schedule(task, at=datetime.datetime.now(), every=datetime.timedelta(hours=1)):
            return task, at, every

        def export(rows, root=Path("out"), columns: Sequence[str] = default_columns(), sep=str(",")):
            return rows, root, columns, sep

        def connect(url, session: Optional[dict] = make_session(), retries=int("3")):
            return url, session, retries
    """
    assert findings(project, "B008", code) == [
        ("B008", 6, "datetime.datetime.now()"),
        ("B008", 12, "make_session()"),
    ]


def test_unused_loop_variables_and_their_unsafe_fix(project: Path) -> None:
    code = """
        def retry(times, action):
            for attempt in range(times):
                if action():
                    return True
            return False

        def totals(pairs):
            result = {}
            for key, value in pairs:
                result[key] = result.get(key, 0) + 1
            for key, value in pairs:
                print(key)
            return result, value
    """
    assert findings(project, "B007", code) == [("B007", 3, "attempt"), ("B007", 10, "value"), ("B007", 12, "value")]
    fixed = unsafe_fix(project, "B007")
    assert "for _attempt in range(times):" in fixed
    assert fixed.count("for key, value in pairs:") == 2  # `value` is read after the loops: no fix
    ast.parse(fixed)


def test_closures_made_in_loops(project: Path) -> None:
    code = """
        def buttons(labels, rows):
            handlers = []
            for label in labels:
                handlers.append(lambda: print(label))
                rows.sort(key=lambda row: row[label])
            for index, row in enumerate(rows):
                def show(row=row):
                    return row, index
                handlers.append(show)
            return handlers
    """
    assert findings(project, "B023", code) == [("B023", 5, "label"), ("B023", 9, "index")]


def test_useless_expressions(project: Path) -> None:
    code = """
        class Connection:
            '''A connection.'''

            def close(self):
                self.socket.close
                self.open == False
                ...

        def check(conn):
            conn.closed
            conn.cursor().rowcount
            conn.execute("select 1")
            conn.cache["key"]
    """
    assert findings(project, "B018", code) == [
        ("B018", 6, "self.socket.close"),
        ("B018", 11, "conn.closed"),
        ("B018", 12, "conn.cursor().rowcount"),
    ]


@pytest.mark.parametrize("suppression", ["# noqa: B018", "# patchgate: ignore[useless-expression]"])
def test_new_rules_honour_noqa_by_alias(project: Path, suppression: str) -> None:
    assert findings(project, "B018", f"def f(obj):\n    obj.attr  {suppression}\n") == []


def test_clean_realistic_module_has_no_findings(project: Path) -> None:
    code = """
        from __future__ import annotations

        import functools
        from dataclasses import dataclass, field


        @dataclass
        class Item:
            name: str
            tags: tuple[str, ...] = ()
            extra: dict[str, str] = field(default_factory=dict)

            def label(self, prefix: str = "") -> str:
                return f"{prefix}{self.name}"


        def group(items: list[Item]) -> dict[str, list[Item]]:
            grouped: dict[str, list[Item]] = {}
            for item in items:
                for tag in item.tags:
                    grouped.setdefault(tag, []).append(item)
            return grouped


        @functools.lru_cache(maxsize=None)
        def parse(text: str) -> Item:
            try:
                name, _, tags = text.partition(":")
            except ValueError as err:
                raise ValueError(f"bad item {text!r}") from err
            return Item(name, tuple(sorted(tags.split(","), key=lambda tag: tag.lower())))
    """
    assert findings(project, CODES, code) == []
