"""Files on disk: atomic writes, the per-article cache, the run index and the run lock."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import tempfile
from pathlib import Path
from typing import IO, Any


def write_atomic(path: Path, data: bytes, durable: bool = True) -> bool:
    """Write via a temp file and rename; skip the write when the content is unchanged.

    `durable` also fsyncs before the rename (outputs). Cache entries skip it: a killed process
    loses nothing the kernel already has, and an entry torn by power loss fails to parse and is
    simply recomputed.
    """
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def dumps_line(obj: Any) -> str:
    """One JSONL line: UTF-8, no ASCII escaping, stable key order as given."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class Cache:
    """Finished articles by cache key, one JSON file each, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            return json.loads(self._path(key).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None  # a torn or missing entry is simply recomputed

    def put(self, key: str, state: dict[str, Any]) -> None:
        write_atomic(self._path(key), dumps_line(state).encode("utf-8"), durable=False)

    def delete(self, key: str) -> None:
        """Forget one entry (its article changed or was deleted)."""
        self._path(key).unlink(missing_ok=True)

    def prune(self, keep: set[str]) -> int:
        """Delete entries not in keep (articles deleted or changed); returns how many."""
        removed = 0
        if not self.root.exists():
            return 0
        for path in self.root.glob("*/*.json"):
            if path.stem not in keep:
                path.unlink(missing_ok=True)
                removed += 1
        for path in self.root.glob("*/.*.tmp"):  # left by a killed run
            path.unlink(missing_ok=True)
        return removed


class LockHeld(RuntimeError):
    """Another run holds the output folder."""


class RunLock:
    """An exclusive, non-blocking flock on `<out>/.lock`; the kernel releases it if we are killed."""

    def __init__(self, out: Path) -> None:
        self.path = out / ".lock"
        self.handle: IO[str] | None = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.seek(0)
            owner = handle.read().strip() or "unknown"
            handle.close()
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise LockHeld(
                    f"another run (pid {owner}) is writing to {self.path.parent}; wait for it to finish"
                ) from exc
            raise
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


INDEX_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT);
-- input files whose every unit is cached, with the stat they had when read: unchanged stat, nothing to do
CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, size INT, mtime_ns INT, ctime_ns INT, ino INT, chain TEXT,
                                 units INT);
-- one row per article in the outputs: where it sorts, its cache key, what near-duplicate search needs
CREATE TABLE IF NOT EXISTS units(uid INTEGER PRIMARY KEY, source TEXT UNIQUE, path TEXT, sort_path TEXT,
                                 sort_line INT, key TEXT, doc_id TEXT, lang TEXT, published TEXT, fp BLOB, dup TEXT,
                                 written TEXT);
CREATE INDEX IF NOT EXISTS units_path ON units(path);
CREATE INDEX IF NOT EXISTS units_order ON units(sort_path, sort_line, source);
CREATE TABLE IF NOT EXISTS bands(h INT, uid INT);
CREATE INDEX IF NOT EXISTS bands_h ON bands(h);
CREATE INDEX IF NOT EXISTS bands_uid ON bands(uid);
CREATE TABLE IF NOT EXISTS dirty(uid INTEGER PRIMARY KEY);
"""


def open_index(path: Path) -> Any:
    """The run index (SQLite, WAL): files, articles, near-duplicate bands; unreadable means rebuilt."""
    import sqlite3

    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(2):
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(INDEX_SCHEMA)
            db.execute("SELECT count(*) FROM units").fetchone()
            return db
        except sqlite3.DatabaseError:
            db.close()
            if attempt:
                raise
            for suffix in ("", "-wal", "-shm"):  # a damaged index only costs a re-scan: the cache still holds the work
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    raise AssertionError("unreachable")
