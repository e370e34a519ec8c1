"""A small process pool that survives its workers: a dead or hung worker costs one task, never the run.

Unlike `concurrent.futures.ProcessPoolExecutor` (one dead worker breaks the whole pool, and which task it
held is lost), this pool knows which task each worker runs. When a worker dies (killed, segfault, out of
memory) or overruns its task's time limit, it is killed and replaced, and the caller decides what to do
with the task (the runner retries it once in a fresh worker, then rejects its articles).

Workers die with their parent: on Linux the kernel sends them SIGKILL when the main process ends
(prctl PR_SET_PDEATHSIG); elsewhere a watchdog thread notices the parent is gone. Workers also close
every file the parent registered with `close_in_children` (the run lock) right after fork, so a lock
is only ever held by the main process.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import IO, Any, Generic, TypeVar

T = TypeVar("T")

PR_SET_PDEATHSIG = 1
_INHERITED: list[IO[Any]] = []  # files a forked child must close at once (the run lock)


def close_in_children(handle: IO[Any]) -> None:
    """Make every process forked from now on close `handle` right after fork (it stays open here)."""
    _INHERITED.append(handle)


def forget_in_children(handle: IO[Any]) -> None:
    if handle in _INHERITED:
        _INHERITED.remove(handle)


def _close_inherited() -> None:
    """In a fresh child: drop its reference to each registered file (an flock is released only when no
    process refers to the open file any more). /dev/null is put in the descriptor's place rather than closing
    it, so the number stays valid for the file object that still names it; an unlock here would unlock the
    parent's lock too."""
    for handle in _INHERITED:
        try:
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, handle.fileno(), inheritable=False)
            os.close(null)
        except (OSError, ValueError):
            pass
    _INHERITED.clear()


os.register_at_fork(after_in_child=_close_inherited)


def pool_forks() -> bool:
    """Whether workers are forked (and so start with what the main process has loaded)."""
    return sys.platform.startswith("linux")


def die_with_parent(parent_pid: int) -> None:
    """End this process when `parent_pid` ends (kernel signal on Linux, a watchdog thread everywhere)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


@dataclass
class Outcome(Generic[T]):
    """What became of one task: `ok` with its result, or `died`, `timeout` or `error` with a message."""

    task: T
    status: str
    result: Any = None
    message: str = ""


def _worker_main(conn: Connection, parent_pid: int, initializer: Callable[..., None] | None,
                 initargs: tuple[Any, ...], fn: Callable[[Any], Any]) -> None:
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            break
        if task is None:
            break
        try:
            reply: tuple[bool, Any] = (True, fn(task))
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which decides
            last = traceback.extract_tb(exc.__traceback__)[-1]
            reply = (False, f"{type(exc).__name__}: {exc} ({last.filename.rsplit('/', 1)[-1]}:{last.lineno})")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            break
    conn.close()


class _Worker:
    def __init__(self, ctx: Any, initializer: Callable[..., None] | None, initargs: tuple[Any, ...],
                 fn: Callable[[Any], Any]) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, args=(child, os.getpid(), initializer, initargs, fn),
                                   daemon=True)
        self.process.start()
        child.close()
        self.task: Any = None
        self.deadline: float | None = None

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """`workers` processes running `fn(task)` after `initializer(*initargs)`; see `run`."""

    def __init__(self, workers: int, fn: Callable[[Any], Any], initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = ()) -> None:
        self.size = max(1, workers)
        self.fn = fn
        self.initializer = initializer
        self.initargs = initargs
        self.ctx = multiprocessing.get_context("fork" if pool_forks() else "spawn")
        self.workers: list[_Worker] = []
        self.queue: deque[Any] = deque()
        self._time_limit: Callable[[Any], float | None] = lambda task: None

    def _spawn(self) -> _Worker:
        worker = _Worker(self.ctx, self.initializer, self.initargs, self.fn)
        self.workers.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        self.workers.remove(worker)

    def run(self, tasks: Iterable[T], time_limit: Callable[[T], float | None] = lambda task: None,
            ) -> Iterator[Outcome[T]]:
        """Yield one Outcome per task as tasks finish. A worker that dies or overruns `time_limit(task)`
        seconds is killed and replaced; its task comes back as `died` or `timeout`. Tasks may be added
        while iterating with `submit`."""
        self.queue = deque(tasks)
        self._time_limit = time_limit
        try:
            while self.queue or any(w.task is not None for w in self.workers):
                self._dispatch()
                yield from self._collect()
        finally:
            self.close()

    def submit(self, task: T) -> None:
        """Add a task to a running `run` (e.g. a retry)."""
        self.queue.append(task)

    def _dispatch(self) -> None:
        while self.queue:
            idle = next((w for w in self.workers if w.task is None), None)
            if idle is None:
                if len(self.workers) >= self.size:
                    return
                idle = self._spawn()
            task = self.queue.popleft()
            try:
                idle.conn.send(task)
            except (OSError, ValueError):  # died while idle: replace it and try again
                self._retire(idle)
                self.queue.appendleft(task)
                continue
            idle.task = task
            limit = self._time_limit(task)
            idle.deadline = time.monotonic() + limit if limit else None

    def _collect(self) -> Iterator[Outcome[Any]]:
        busy = [w for w in self.workers if w.task is not None]
        if not busy:
            return
        deadlines = [w.deadline for w in busy if w.deadline is not None]
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        waitables: list[Any] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
        ready = set(wait(waitables, timeout=timeout))
        now = time.monotonic()
        for worker in busy:
            task = worker.task
            if worker.conn in ready:
                try:
                    ok, value = worker.conn.recv()
                except (EOFError, OSError):  # died (the pipe closed with it)
                    yield self._died(worker)
                    continue
                worker.task, worker.deadline = None, None
                yield Outcome(task, "ok", value) if ok else Outcome(task, "error", message=value)
            elif worker.process.sentinel in ready:
                yield self._died(worker)
            elif worker.deadline is not None and now >= worker.deadline:
                yield self._lost(worker, "timeout", "the worker did not finish in time and was stopped")

    def _died(self, worker: _Worker) -> Outcome[Any]:
        worker.process.join(5)
        code = worker.process.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        return self._lost(worker, "died", f"the worker process died ({how})")

    def _lost(self, worker: _Worker, status: str, message: str) -> Outcome[Any]:
        task = worker.task
        self._retire(worker)
        return Outcome(task, status, message=message)

    def close(self) -> None:
        """Stop every worker now (they hold no state worth waiting for)."""
        for worker in list(self.workers):
            try:
                if worker.task is None:
                    worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in list(self.workers):
            if worker.task is not None:
                worker.process.kill()
            worker.process.join(2)
            worker.kill()
        self.workers.clear()
