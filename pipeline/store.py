"""Files on disk: atomic writes, the per-article cache, the run index and the run lock."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from pipeline.pool import close_in_children, forget_in_children

_UMASK: int | None = None


def file_mode() -> int:
    """The mode a plain `open(path, "w")` would give: 0o666 less the user's umask."""
    global _UMASK
    if _UMASK is None:
        try:  # Linux shows the umask without changing it
            line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("Umask:"))
            _UMASK = int(line.split()[1], 8)
        except (OSError, StopIteration, ValueError):
            _UMASK = os.umask(0o022)
            os.umask(_UMASK)
    return 0o666 & ~_UMASK


def _stage(path: Path, data: bytes, durable: bool) -> str:
    """A temp file beside path holding data (mode as the umask says); the caller renames or removes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, file_mode())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def write_atomic(path: Path, data: bytes, durable: bool = True) -> bool:
    """Write via a temp file and rename; skip the write when the content is unchanged.

    `durable` also fsyncs before the rename (outputs). Cache entries skip it: a killed process
    loses nothing the kernel already has, and an entry torn by power loss fails to verify and is
    simply recomputed.
    """
    if _same(path, data):
        return False
    tmp = _stage(path, data, durable)
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


@contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block ends (main thread; elsewhere a no-op)."""
    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_all(files: dict[Path, bytes]) -> list[Path]:
    """Write several files all or nothing: every changed file is staged (and fsynced) first, and only when
    all are on disk are they renamed into place. A full disk or a read-only folder leaves the old set
    whole. Returns the paths that changed."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            if not _same(path, data):
                staged.append((_stage(path, data, durable=True), path))
        with signals_held():  # Ctrl-C or SIGTERM between two renames would leave a mixed set
            for tmp, path in staged:
                os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    return [path for _, path in staged]


def dumps_line(obj: Any) -> str:
    """One JSONL line: UTF-8, no ASCII escaping, stable key order as given."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class Cache:
    """Finished articles by cache key, one file each, written atomically and verified when read.

    An entry is two lines: a header naming the key, the article's source and the SHA-256 of the second
    line, then the article state as JSON. Anything that does not verify (torn, garbage, edited, copied
    from another article's entry, an older format) is a miss, and the article is simply processed again.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str, source: str | None = None) -> dict[str, Any] | None:
        """The state cached under key (for `source`, when given), or None when missing or not verified."""
        try:
            header_line, _, body = self._path(key).read_bytes().partition(b"\n")
            header = json.loads(header_line)
            if (
                not isinstance(header, dict)
                or header.get("key") != key
                or (source is not None and header.get("source") != source)
                or header.get("sha256") != hashlib.sha256(body).hexdigest()
            ):
                return None
            state = json.loads(body)
        except (OSError, ValueError):  # missing, unreadable, not UTF-8, not JSON
            return None
        if not isinstance(state, dict) or state.get("source") != header.get("source"):
            return None
        return state

    def put(self, key: str, state: dict[str, Any]) -> None:
        body = dumps_line(state).encode("utf-8")
        header = {"key": key, "source": state["source"], "sha256": hashlib.sha256(body).hexdigest()}
        write_atomic(self._path(key), dumps_line(header).encode("utf-8") + b"\n" + body, durable=False)

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


class OutputGuard(RuntimeError):
    """A run that would replace a good output with rejects only (see runner.guard_good_output)."""


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
        close_in_children(handle)  # only this process holds the lock: a worker outliving us cannot keep it
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            forget_in_children(self.handle)
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
CREATE INDEX IF NOT EXISTS units_key ON units(key);
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
