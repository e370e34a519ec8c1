"""Files on disk: atomic writes, the per-article cache and the run lock."""

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
