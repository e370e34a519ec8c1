"""Running the stage chain over a batch of input files: what every engine's workers (local, Ray) call.

A worker reads its own files, answers what it can from the cache, runs the chain over the rest, writes
each finished article to the cache at once and hands back only a small summary per article (where it
sorts, its key, what near-duplicate search needs): the driver never holds an input's bytes or a result.
"""

from __future__ import annotations

import hashlib
import signal
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.article import Article
from pipeline.config import Config
from pipeline.contract import reject_row
from pipeline.ingest import InputReject, Unit, split_units
from pipeline.stages import Reject, Stage, build_stages


@dataclass(frozen=True, slots=True)
class FileTask:
    """One input file as the driver saw it: where it is, and its stat (size, mtime, ctime, inode)."""

    path: str  # relative to --raw, `/`-separated
    stat: tuple[int, int, int, int]


@dataclass(slots=True)
class BatchResult:
    """What one batch gives back: finished articles by cache key (a summary each), rejects, timings, notes.

    `done` holds the articles the chain processed now, `reused` those the cache already held; `files`
    the input files all of whose units are cached (path, stat, units), which a re-run skips unread.
    """

    done: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    notes: set[str] = field(default_factory=set)
    reused: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    files: list[tuple[str, tuple[int, int, int, int], int]] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)  # every file path of the batch, finished or not
    inputs: int = 0

    def merge(self, other: BatchResult) -> None:
        """Add another result's rejects, timings and notes (not its articles)."""
        self.rejects.extend(other.rejects)
        for name, secs in other.seconds.items():
            self.seconds[name] = self.seconds.get(name, 0.0) + secs
        self.notes |= other.notes


def summary(state: dict[str, Any]) -> dict[str, Any]:
    """What the driver keeps of a finished article: the index row, never the article itself."""
    import numpy as np

    return {
        "source": state["source"],
        "line": state["line"],
        "doc_id": state["doc_id"],
        "lang": state["lang"],
        "published": state["published"],
        "fp": np.asarray(state["fingerprint"], dtype=np.uint64).tobytes(),
    }


def stages_key(stages: list[Stage], config: Config) -> str:
    """Everything besides the input that decides a stage chain's output."""
    parts = [__version__, config.hash(), *(stage.cache_key_part() for stage in stages)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def cache_key(unit: Unit, chain_key: str) -> str:
    """Cache key of one input under one chain: its bytes, where it lives, and the chain."""
    blob = b"\n".join([chain_key.encode(), unit.source.encode(), hashlib.sha256(unit.raw).digest()])
    return hashlib.sha256(blob).hexdigest()[:32]


class ArticleTimeout(BaseException):
    """Raised by the alarm in `time_limit`; a BaseException so that a stage's `except Exception` cannot eat it."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ArticleTimeout in this thread after `seconds` (0: no limit).

    A SIGALRM timer: it interrupts Python code and the regex engine; only the main thread of a process can
    take signals, so elsewhere (Ray actor threads) it is a no-op and the engine's own limit applies.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def alarm(signum: int, frame: object) -> None:
        raise ArticleTimeout

    outer = signal.getitimer(signal.ITIMER_REAL)[0]  # someone else's pending alarm (a test timeout, a caller)
    previous = signal.signal(signal.SIGALRM, alarm)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer) if outer > 0 else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer > 0:  # re-arm what is left of the other alarm
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 0.001))


def new_article(unit: Unit, config: Config) -> Article:
    return Article(
        doc_id=unit.doc_id,
        source=unit.source,
        line=unit.line,
        raw=unit.raw,
        input_format=unit.fmt,
        pipeline={"version": __version__, "config_hash": config.hash()},
    )


def article_reject(doc: Article, stage: str, code: str, message: str) -> dict[str, Any]:
    return reject_row(doc.source, doc.doc_id, stage, code, message)


class Chain:
    """The stages built once per worker, applied batch by batch."""

    def __init__(self, config: Config, stage_names: list[str] | None = None) -> None:
        self.config = config
        self.stages = build_stages(config, stage_names)
        self.key = stages_key(self.stages, config)
        self.article_timeout = config.run.article_timeout

    def __call__(self, units: Iterable[Unit]) -> BatchResult:
        result = BatchResult()
        items = [(cache_key(u, self.key), new_article(u, self.config)) for u in units]
        for stage in self.stages:
            started = time.perf_counter()
            items = self._apply(stage, items, result)
            result.seconds[stage.name] = result.seconds.get(stage.name, 0.0) + time.perf_counter() - started
            result.notes.update(getattr(stage, "notes", ()))
        result.done = [(key, doc.to_state()) for key, doc in items]
        return result

    def _apply(self, stage: Stage, items: list[tuple[str, Article]], result: BatchResult) -> list[tuple[str, Article]]:
        if not items:
            return items
        limit = self.article_timeout
        try:
            with time_limit(limit * len(items)):
                docs = list(stage.run([doc for _, doc in items]))
            if len(docs) == len(items):
                return [(key, doc) for (key, _), doc in zip(items, docs, strict=True)]
        except (Exception, ArticleTimeout):  # noqa: BLE001 - isolate the failing (or slow) article below
            pass
        kept = []
        for key, doc in items:  # one at a time, so one bad article cannot take the batch down
            try:
                with time_limit(limit):
                    kept.append((key, stage.process(doc)))
            except ArticleTimeout:
                message = (f"took more than {limit:g} s in stage {stage.name} (run.article_timeout); "
                           "it is tried again on the next run")
                result.rejects.append(article_reject(doc, stage.name, "timeout", message))
            except Reject as exc:
                result.rejects.append(article_reject(doc, stage.name, exc.code, exc.message))
            except Exception as exc:  # noqa: BLE001 - a bug on one input must not stop the run
                last = traceback.extract_tb(exc.__traceback__)[-1]
                message = f"{type(exc).__name__}: {exc} ({last.filename.rsplit('/', 1)[-1]}:{last.lineno})"
                result.rejects.append(article_reject(doc, stage.name, "stage-error", message))
        return kept


def restorable(state: dict[str, Any]) -> bool:
    """A verified cache entry that also has the shape of an article state (a stale format is a miss)."""
    try:
        Article.from_state(state)
    except (TypeError, ValueError):
        return False
    return True


def ingest_reject(item: InputReject) -> dict[str, Any]:
    return reject_row(item.source, item.doc_id, "ingest", item.code, item.message)


def run_files(chain: Chain, cache: Any, raw: Path, tasks: list[FileTask]) -> BatchResult:
    """Read the files, reuse cached articles, run the chain over the rest in batches, cache each at once."""
    result = BatchResult()
    batch_size = max(1, chain.config.run.batch_size)
    misses: list[tuple[str, Unit]] = []
    complete: dict[str, bool] = {}
    units_of: dict[str, int] = {}
    started = time.perf_counter()
    for task in tasks:
        result.seen.append(task.path)
        complete[task.path] = True
        units_of[task.path] = 0
        try:
            items = list(split_units(raw / task.path, raw, chain.config.ingest.max_bytes))
        except OSError as exc:  # vanished or unreadable since discovery
            items = [InputReject(task.path, None, "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}")]
        for item in items:
            result.inputs += 1
            if isinstance(item, InputReject):
                result.rejects.append(ingest_reject(item))
                complete[task.path] = False
                continue
            units_of[task.path] += 1
            key = cache_key(item, chain.key)
            state = cache.get(key, item.source)
            if state is not None and restorable(state):
                result.reused.append((key, summary(state)))
            else:
                misses.append((task.path, item))
    result.seconds["read"] = time.perf_counter() - started
    # Similar lengths together keep model batches even; the order of results does not matter.
    misses.sort(key=lambda m: (-len(m[1].raw), m[1].source))
    rejected_before = len(result.rejects)
    for i in range(0, len(misses), batch_size):
        part = chain([unit for _, unit in misses[i: i + batch_size]])
        for key, state in part.done:
            cache.put(key, state)  # each finished article is saved at once: a killed run resumes here
        result.merge(part)
        result.done.extend((key, summary(state)) for key, state in part.done)
    path_of = {unit.source: path for path, unit in misses}
    for row in result.rejects[rejected_before:]:
        complete[path_of.get(row["source"], row["source"])] = False
    stats = {task.path: task.stat for task in tasks}
    result.files = [(path, stats[path], units_of[path]) for path, ok in complete.items() if ok]
    return result
