"""Running the stage chain over a batch of inputs: what every engine (local, Ray) calls."""

from __future__ import annotations

import hashlib
import signal
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pipeline import __version__
from pipeline.article import Article
from pipeline.config import Config
from pipeline.ingest import Unit
from pipeline.stages import Reject, Stage, build_stages


@dataclass(slots=True)
class BatchResult:
    """What one batch gives back: finished article states by cache key, rejects, timings, notes."""

    done: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    notes: set[str] = field(default_factory=set)


def stages_key(stages: list[Stage], config: Config) -> str:
    """Everything besides the input that decides a stage chain's output."""
    parts = [__version__, config.hash(), *(stage.fingerprint() for stage in stages)]
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


def reject_row(doc: Article, stage: str, code: str, message: str) -> dict[str, Any]:
    return {"source": doc.source, "doc_id": doc.doc_id, "stage": stage, "error": code, "message": message}


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
                result.rejects.append(reject_row(doc, stage.name, "timeout", message))
            except Reject as exc:
                result.rejects.append(reject_row(doc, stage.name, exc.code, exc.message))
            except Exception as exc:  # noqa: BLE001 - a bug on one input must not stop the run
                last = traceback.extract_tb(exc.__traceback__)[-1]
                message = f"{type(exc).__name__}: {exc} ({last.filename.rsplit('/', 1)[-1]}:{last.lineno})"
                result.rejects.append(reject_row(doc, stage.name, "stage-error", message))
        return kept
