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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.article import Article
from pipeline.chain import BatchResult, Chain, cache_key
from pipeline.config import Config, ConfigError, to_toml
from pipeline.ingest import InputReject, Unit, scan, split_units
from pipeline.output import write_outputs
from pipeline.pool import WorkerPool
from pipeline.store import Cache, OutputGuard, RunLock, write_atomic

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
    for found in scan(raw):
        items = [found] if isinstance(found, InputReject) else split_units(found, raw, config.ingest.max_bytes)
        for item in items:
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


def hard_limit(config: Config, batch: list[Unit]) -> float | None:
    """Seconds after which a worker's batch is stopped from outside: a backstop for code the per-article alarm
    cannot interrupt (a C extension that never returns). Generous: every article may use its limit twice
    (the batch try and the one-by-one fallback), plus model loading."""
    limit = config.run.article_timeout
    return None if limit <= 0 else 60.0 + limit * 2 * (len(batch) + 1)


def failed_rows(batch: list[Unit], code: str, message: str) -> BatchResult:
    result = BatchResult()
    result.rejects = [
        {"source": u.source, "doc_id": u.doc_id, "stage": "run", "error": code, "message": message} for u in batch
    ]
    return result


def process_pending(pending: list[Unit], config: Config, on_result: Callable[[BatchResult], None]) -> None:
    """Run the chain over pending units on worker processes (see pipeline.pool).

    A batch whose worker dies, errs or is stopped for overrunning is retried once, each article on its own
    in a fresh worker; an article that fails again becomes a `worker-died` (or `timeout`) reject.
    """
    work = list(batches(pending, max(1, config.run.batch_size)))
    if not work:
        return
    pool = WorkerPool(workers_for(config, len(work)), _run_batch, _init_worker, (config,))
    retried: set[str] = set()
    for outcome in pool.run(work, lambda batch: hard_limit(config, batch)):
        if outcome.status == "ok":
            on_result(outcome.result)
            continue
        batch: list[Unit] = outcome.task
        log.warning("batch of %d article(s) failed (%s): %s", len(batch), outcome.status, outcome.message)
        final = [u for u in batch if u.source in retried]
        for unit in batch:
            if unit.source not in retried:
                retried.add(unit.source)
                pool.submit([unit])
        if final:
            code = "timeout" if outcome.status == "timeout" else "worker-died"
            message = f"{outcome.message} (twice; run.article_timeout bounds each article)" \
                if code == "timeout" else f"{outcome.message}, also when retried alone"
            on_result(failed_rows(final, code, message))


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
    check_folders(raw, out)
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
            state = cache.get(keys[unit.source], unit.source)
            if state is None or not restorable(state):
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
        guard_good_output(out, states, rejects)
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


def check_folders(raw: Path, out: Path) -> None:
    """--out may not be --raw or inside it: the next run would read its own outputs as articles."""
    raw_r, out_r = raw.resolve(), out.resolve()
    if out_r == raw_r or out_r.is_relative_to(raw_r):
        raise ConfigError(f"--out {out} is inside --raw {raw}; choose an output folder outside the inputs")


def restorable(state: dict[str, Any]) -> bool:
    """A verified cache entry that also has the shape of an article state (a stale format is a miss)."""
    try:
        Article.from_state(state)
    except (TypeError, ValueError):
        return False
    return True


def guard_good_output(out: Path, states: dict[str, dict[str, Any]], rejects: list[dict[str, Any]]) -> None:
    """Stop (and change nothing) when every article would be rejected, and some of them are the very inputs
    (same source, same bytes) that the existing output holds as good articles: that is a broken setup or
    configuration, not bad inputs, and writing would throw the good output (and its cache) away."""
    if states or not rejects:
        return
    rejected = {(r["source"], r.get("doc_id")) for r in rejects}
    lost = 0
    try:
        with (out / "articles.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                lost += (row.get("source"), row.get("doc_id")) in rejected
    except (OSError, ValueError, AttributeError):
        return
    if lost:
        codes = sorted({r["error"] for r in rejects})
        raise OutputGuard(
            f"every article would be rejected ({', '.join(codes)}), including {lost} unchanged input(s) that "
            f"{out / 'articles.jsonl'} holds as good articles; nothing was changed. Check the configuration and "
            "the installation (a stage error on every article), or remove the output folder to start over"
        )


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
        except (OSError, ValueError):  # no state yet, an output file is missing, or the state file is garbage
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
