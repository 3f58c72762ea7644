"""Result cache in one SQLite file: a re-run on an unchanged tree parses nothing, whatever the selection.

One row per file, keyed by (path, file sha256, rule-source digest, tool version). A row keeps the raw
findings (before suppression comments) of every rule that has run on those bytes, so any selection of
those rules is answered from it, and a run that selects a new rule computes only that rule and adds it
to the row. It also keeps the finished findings of the last selection, which a re-run with the same
selection takes as they are. WAL mode and a busy timeout make two concurrent runs safe; a broken or
locked cache degrades to no cache.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS file_rules (
    path TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    ruleset TEXT NOT NULL,
    version TEXT NOT NULL,
    rules TEXT NOT NULL,
    exact INTEGER NOT NULL,
    raw TEXT NOT NULL,
    final_key TEXT NOT NULL,
    final TEXT NOT NULL
) WITHOUT ROWID;
"""
RULESETS_SCHEMA = """
CREATE TABLE IF NOT EXISTS rulesets (
    ruleset TEXT NOT NULL,
    version TEXT NOT NULL,
    rules TEXT NOT NULL,
    PRIMARY KEY (ruleset, version)
) WITHOUT ROWID;
"""
DB_NAME = "cache.sqlite3"


@dataclass(frozen=True)
class Row:
    """What is stored for one file's bytes: the rules that ran, their raw findings, the last finished result.

    `exact`: the raw findings hold an engine's own finding (a file libcst could not parse, a crashed
    rule) that depends on the whole set of rules run, so the row answers only that very set."""

    rules: frozenset[str]
    exact: bool
    raw: str
    final_key: str = ""
    final: str = ""

    def answers(self, selected: frozenset[str]) -> bool:
        """Can this row give every finding of `selected` without running a rule?"""
        return selected == self.rules if self.exact else selected <= self.rules


class ResultCache:
    """Stores each file's per-rule findings (as JSON text) under its content and rule-source key."""

    def __init__(self, directory: Path, ruleset_digest: str, version: str) -> None:
        self.path = directory / DB_NAME
        self.ruleset = ruleset_digest
        self.version = version
        self._conn: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        """Open lazily; any failure means running without a cache, never failing the check."""
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute(SCHEMA)
                conn.execute(RULESETS_SCHEMA)
                self._conn = conn
            except (sqlite3.Error, OSError):
                return None
        return self._conn

    def rows(self, keys: Iterable[tuple[str, str]]) -> dict[str, Row]:
        """The stored row of every (path, sha256) key whose bytes, rules and version still match."""
        conn = self._connect()
        wanted = dict(keys)
        if conn is None or not wanted:
            return {}
        found: dict[str, Row] = {}
        try:
            query = "SELECT path, sha256, rules, exact, raw, final_key, final FROM file_rules WHERE ruleset = ? AND version = ?"
            for path, sha256, rules, exact, raw, final_key, final in conn.execute(query, (self.ruleset, self.version)):
                if wanted.get(path) == sha256:
                    found[path] = Row(frozenset(json.loads(rules)), bool(exact), raw, final_key, final)
        except (sqlite3.Error, ValueError):
            return {}
        return found

    def put_rows(self, entries: Iterable[tuple[str, str, Row]]) -> None:
        """Store (path, sha256, row) in one transaction, replacing each path's older row."""
        rows = [(path, sha, self.ruleset, self.version, json.dumps(sorted(row.rules)), int(row.exact), row.raw, row.final_key, row.final)
                for path, sha, row in entries]
        if rows:
            self._transaction(lambda conn: conn.executemany("INSERT OR REPLACE INTO file_rules VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows))

    def _transaction(self, work: Callable[[sqlite3.Connection], object]) -> None:
        """Writes in one immediate transaction; an SQLite error rolls back and leaves the cache as it was."""
        conn = self._connect()
        if conn is None:
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            work(conn)
            conn.execute("COMMIT")
        except sqlite3.Error:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def known_rules(self) -> str | None:
        """The rule metadata (JSON) a run with these very rule sources built, so a run whose files all hit
        the cache never loads, compiles or imports a rule engine."""
        conn = self._connect()
        if conn is None:
            return None
        try:
            found = conn.execute("SELECT rules FROM rulesets WHERE ruleset = ? AND version = ?", (self.ruleset, self.version)).fetchone()
        except sqlite3.Error:
            return None
        return None if found is None else str(found[0])

    def remember_rules(self, rules_json: str) -> None:
        """Keep the metadata of this ruleset only (an older one is never asked for again)."""
        def replace(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM rulesets")
            conn.execute("INSERT INTO rulesets VALUES (?, ?, ?)", (self.ruleset, self.version, rules_json))

        self._transaction(replace)

    def stats(self) -> dict[str, int | str]:
        """Entry count and size on disk, for `patchgate doctor`."""
        conn = self._connect()
        if conn is None:
            return {"path": str(self.path), "entries": 0, "bytes": 0}
        try:
            entries = conn.execute("SELECT COUNT(*) FROM file_rules").fetchone()[0]
        except sqlite3.Error:
            entries = 0
        size = self.path.stat().st_size if self.path.exists() else 0
        return {"path": str(self.path), "entries": int(entries), "bytes": size}

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
