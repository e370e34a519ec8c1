"""Translation memory: (model key, source sentence) -> English, in sqlite, shared by worker processes."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

_SCHEMA = """CREATE TABLE IF NOT EXISTS tm (
    model TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, PRIMARY KEY (model, source)
) WITHOUT ROWID"""
_CHUNK = 500  # stay well under sqlite's bound-parameter limit


class TranslationMemory:
    """Persistent sentence cache; WAL and short transactions so several processes can share one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._pid = -1

    def _db(self) -> sqlite3.Connection:
        # A connection must not cross a fork: reopen in each process.
        if self._conn is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def get_many(self, model: str, sources: Iterable[str]) -> dict[str, str]:
        """The stored English for those sources that have one."""
        wanted = list(dict.fromkeys(sources))
        found: dict[str, str] = {}
        db = self._db()
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(f"SELECT source, target FROM tm WHERE model = ? AND source IN ({marks})", [model, *chunk])
            found.update(rows.fetchall())
        return found

    def put_many(self, model: str, pairs: dict[str, str]) -> None:
        """Store translations in one short transaction."""
        if not pairs:
            return
        db = self._db()
        with db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT OR REPLACE INTO tm (model, source, target) VALUES (?, ?, ?)",
                           [(model, s, t) for s, t in pairs.items()])

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None
