"""Result cache in one SQLite file: a re-run on an unchanged tree parses nothing.

Keyed by (path, file sha256, ruleset digest, tool version). WAL mode and a busy
timeout make two concurrent runs safe; a broken or locked cache degrades to no cache.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    ruleset TEXT NOT NULL,
    version TEXT NOT NULL,
    diagnostics TEXT NOT NULL,
    PRIMARY KEY (path, sha256, ruleset, version)
) WITHOUT ROWID;
"""
DB_NAME = "cache.sqlite3"


class ResultCache:
    """Stores each file's diagnostics (as JSON text) under its content and ruleset key."""

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
                self._conn = conn
            except (sqlite3.Error, OSError):
                return None
        return self._conn

    def get_many(self, keys: Iterable[tuple[str, str]]) -> dict[str, str]:
        """Cached diagnostics JSON by path, for every (path, sha256) key that is stored."""
        conn = self._connect()
        wanted = dict(keys)
        if conn is None or not wanted:
            return {}
        found: dict[str, str] = {}
        try:
            rows = conn.execute(
                "SELECT path, sha256, diagnostics FROM results WHERE ruleset = ? AND version = ?",
                (self.ruleset, self.version),
            )
            for path, sha256, diagnostics in rows:
                if wanted.get(path) == sha256:
                    found[path] = diagnostics
        except sqlite3.Error:
            return {}
        return found

    def put_many(self, entries: Iterable[tuple[str, str, str]]) -> None:
        """Store (path, sha256, diagnostics JSON) rows in one transaction, replacing older ones."""
        conn = self._connect()
        rows = [(path, sha, self.ruleset, self.version, data) for path, sha, data in entries]
        if conn is None or not rows:
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "DELETE FROM results WHERE path = ? AND (ruleset != ? OR version != ? OR sha256 != ?)",
                [(path, self.ruleset, self.version, sha) for path, sha, *_ in rows],
            )
            conn.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)", rows)
            conn.execute("COMMIT")
        except sqlite3.Error:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def stats(self) -> dict[str, int | str]:
        """Entry count and size on disk, for `patchgate doctor`."""
        conn = self._connect()
        if conn is None:
            return {"path": str(self.path), "entries": 0, "bytes": 0}
        try:
            entries = conn.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        except sqlite3.Error:
            entries = 0
        size = self.path.stat().st_size if self.path.exists() else 0
        return {"path": str(self.path), "entries": int(entries), "bytes": size}

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
