"""The local engine: find inputs, reuse what is cached, process the rest on a process pool, write."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.article import Article
from pipeline.chain import BatchResult, Chain, cache_key
from pipeline.config import Config, to_toml
from pipeline.ingest import InputReject, Unit, discover, split_units
from pipeline.output import write_outputs
from pipeline.store import Cache, RunLock, write_atomic

log = logging.getLogger("pipeline")


@dataclass
class RunReport:
    """The numbers of one run, for the manifest and the summary."""

    inputs: int = 0
    processed: int = 0
    unchanged: int = 0
    rejected: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    notes: set[str] = field(default_factory=set)

    def add(self, batch: BatchResult) -> None:
        for name, secs in batch.seconds.items():
            self.seconds[name] = self.seconds.get(name, 0.0) + secs
        self.notes |= batch.notes


def collect_units(raw: Path, config: Config) -> tuple[list[Unit], list[dict[str, Any]]]:
    """Every input unit below raw, and the files rejected before they became units."""
    units: list[Unit] = []
    rejects: list[dict[str, Any]] = []
    for path in discover(raw):
        for item in split_units(path, raw, config.ingest.max_bytes):
            if isinstance(item, InputReject):
                rejects.append(
                    {
                        "source": item.source,
                        "doc_id": item.doc_id,
                        "stage": "ingest",
                        "error": item.code,
                        "message": item.message,
                    }
                )
            else:
                units.append(item)
    return units, rejects


# One Chain per worker process, built once by the pool initializer.
_WORKER_CHAIN: Chain | None = None


def _init_worker(config: Config) -> None:
    global _WORKER_CHAIN
    _WORKER_CHAIN = Chain(config)


def _run_batch(units: list[Unit]) -> BatchResult:
    assert _WORKER_CHAIN is not None
    return _WORKER_CHAIN(units)


def batches(units: list[Unit], size: int) -> Iterator[list[Unit]]:
    """Units in work batches of `size`, similar lengths together."""
    # Similar sizes together keep model batches even; longest first, so the pool does not end
    # waiting on one worker with the biggest batch. Order is restored at write time.
    ordered = sorted(units, key=lambda u: (-len(u.raw), u.source))
    for i in range(0, len(ordered), size):
        yield ordered[i : i + size]


def workers_for(config: Config, pending: int) -> int:
    wanted = config.run.workers or os.cpu_count() or 1
    return max(1, min(wanted, pending))


def process_pending(pending: list[Unit], config: Config, on_result: Callable[[BatchResult], None]) -> None:
    """Run the chain over pending units, in a pool when there is more than one worker."""
    work = list(batches(pending, max(1, config.run.batch_size)))
    workers = workers_for(config, len(work))
    if workers == 1:
        chain = Chain(config)
        for batch in work:
            on_result(chain(batch))
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(config,)) as pool:
        futures: set[Future[BatchResult]] = {pool.submit(_run_batch, b) for b in work}
        while futures:
            finished, futures = wait(futures, return_when=FIRST_COMPLETED)
            for future in finished:
                on_result(future.result())


class Progress:
    """A progress bar on a terminal, plain log lines otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.bar = None
        if sys.stderr.isatty() and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="article", file=sys.stderr)

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.total:
            log.info("processed %d/%d new or changed articles", self.done, self.total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


Processor = Callable[[list[Unit], Config, Callable[[BatchResult], None]], None]


def run(raw: Path, out: Path, config: Config, process: Processor = process_pending) -> RunReport:
    """One pipeline run over raw into out; the caller maps the report to an exit status.

    `process` runs the chain over the pending units and hands each finished batch to its callback;
    the local process pool is the default, other engines (Ray) pass their own.
    """
    started = time.perf_counter()
    if config.run.translation_memory == "auto":
        memory = str((out / ".cache" / "translation-memory.sqlite").resolve())
        config = dataclasses.replace(config, run=dataclasses.replace(config.run, translation_memory=memory))
    with RunLock(out):
        report = RunReport()
        units, rejects = collect_units(raw, config)
        report.inputs = len(units) + len(rejects)
        cache = Cache(out / ".cache" / "articles")
        chain = Chain(config)  # cheap: stages load their models lazily
        chain_key = chain.key
        keys = {u.source: cache_key(u, chain_key) for u in units}
        states: dict[str, dict[str, Any]] = {}
        pending = []
        for unit in units:
            state = cache.get(keys[unit.source])
            if state is None:
                pending.append(unit)
            else:
                states[unit.source] = state
        report.unchanged = len(states)

        if pending:
            for stage in chain.stages:
                stage.check()
        progress = Progress(len(pending))

        def on_result(batch: BatchResult) -> None:
            for key, state in batch.done:
                cache.put(key, state)  # each finished article is saved at once: a killed run resumes here
                states[state["source"]] = state
            rejects.extend(batch.rejects)
            report.processed += len(batch.done)
            report.add(batch)
            progress.update(len(batch.done) + len(batch.rejects))

        process(pending, config, on_result)
        progress.close()

        report.rejected = len(rejects)
        t0 = time.perf_counter()
        run_state = RunState(out, sorted(keys[s] for s in states), rejects)
        if report.processed or not run_state.unchanged():
            articles = [Article.from_state(states[u.source]) for u in units if u.source in states]
            write_outputs(out, articles, rejects, config)
            run_state.save()
        report.seconds["write"] = report.seconds.get("write", 0.0) + time.perf_counter() - t0
        cache.prune({keys[s] for s in states})
        report.seconds["total"] = time.perf_counter() - started
        write_manifest_and_config(out, config, report)
    return report


class RunState:
    """What the outputs were last written from: the same cache keys and rejects mean the same bytes.

    A no-op re-run then skips the corpus-level steps (near-duplicate index, writing) entirely.
    """

    def __init__(self, out: Path, keys: list[str], rejects: list[dict[str, Any]]) -> None:
        self.out = out
        self.path = out / ".cache" / "outputs.state"
        blob = json.dumps([keys, sorted(json.dumps(r, sort_keys=True) for r in rejects)]).encode()
        self.inputs = hashlib.sha256(blob).hexdigest()

    def _current(self) -> str:
        parts = [self.inputs]
        for name in ("articles.jsonl", "mentions.jsonl", "rejects.jsonl"):
            st = (self.out / name).stat()
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        return "\n".join(parts)

    def unchanged(self) -> bool:
        try:
            return self.path.read_text(encoding="utf-8") == self._current()
        except OSError:  # no state yet, or an output file is missing
            return False

    def save(self) -> None:
        write_atomic(self.path, self._current().encode("utf-8"), durable=False)


def write_manifest_and_config(out: Path, config: Config, report: RunReport) -> None:
    manifest = {
        "pipeline_version": __version__,
        "config_hash": config.hash(),
        "inputs": report.inputs,
        "processed": report.processed,
        "unchanged": report.unchanged,
        "rejected": report.rejected,
        "seconds": {k: round(v, 3) for k, v in sorted(report.seconds.items())},
        "notes": sorted(report.notes),
    }
    write_atomic(out / "manifest.json", (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
    write_atomic(out / "config.resolved.toml", to_toml(config).encode())
