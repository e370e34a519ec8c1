"""The local engine: list inputs, skip what the index knows, process the rest on a process pool, stream out.

The driver holds neither an input's bytes nor a finished article: it lists the files (path and stat),
compares them with the run index (`<out>/.cache/index.sqlite`), and hands the new or changed files to
workers, which read them, reuse or compute each article, write it to the cache and send back a summary.
Near-duplicates are updated for what changed (`dedup.DupIndex`), and the outputs are written by
streaming over the index in `source` order, copying the unchanged rows of the previous files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.chain import BatchResult, Chain, FileTask, ingest_reject, restorable, run_files
from pipeline.config import Config, ConfigError, to_toml
from pipeline.contract import reject_row
from pipeline.dedup import DupIndex
from pipeline.ingest import InputReject, Unit, scan, split_units
from pipeline.output import sort_key, write_streaming
from pipeline.pool import WorkerPool, pool_forks
from pipeline.stages import build_stages
from pipeline.store import Cache, OutputGuard, RunLock, open_index, write_atomic

__all__ = ["RunReport", "collect_units", "process_pending", "restorable", "run"]

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
    """Every input unit below raw, and the files rejected before they became units (for tools and tests:
    it holds the whole corpus in memory, which the engines never do)."""
    units: list[Unit] = []
    rejects: list[dict[str, Any]] = []
    for found in scan(raw):
        items = [found] if isinstance(found, InputReject) else split_units(found, raw, config.ingest.max_bytes)
        for item in items:
            if isinstance(item, InputReject):
                rejects.append(ingest_reject(item))
            else:
                units.append(item)
    return units, rejects


# One Chain (and cache handle) per worker process, built once by the pool initializer.
_WORKER: tuple[Chain, Cache, Path] | None = None


def _init_worker(config: Config, cache_root: Path, raw: Path) -> None:
    global _WORKER
    _WORKER = (Chain(config), Cache(cache_root), raw)


def _run_batch(tasks: list[FileTask]) -> BatchResult:
    assert _WORKER is not None
    chain, cache, raw = _WORKER
    return run_files(chain, cache, raw, tasks)


def batches(tasks: Iterable[FileTask], size: int) -> Iterator[list[FileTask]]:
    """Files in work batches of `size`, in the order given."""
    batch: list[FileTask] = []
    for task in tasks:
        batch.append(task)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def workers_for(config: Config, pending: int) -> int:
    wanted = config.run.workers or os.cpu_count() or 1
    return max(1, min(wanted, pending))


@dataclass(frozen=True)
class Work:
    """The pending files of a run, read lazily from the index (the driver never lists them in memory)."""

    db: Any
    count: int
    raw: Path
    cache_root: Path

    def tasks(self) -> Iterator[FileTask]:
        """Largest files first, so a pool does not end waiting on one worker with the biggest batch."""
        # Pages by (size, path), so results updating `pending` meanwhile never disturb the listing.
        last: tuple[int, str] | None = None
        while True:
            if last is None:
                rows = self.db.execute("SELECT path, size, mtime_ns, ctime_ns, ino FROM pending "
                                       "ORDER BY size DESC, path LIMIT 1000").fetchall()
            else:
                rows = self.db.execute("SELECT path, size, mtime_ns, ctime_ns, ino FROM pending "
                                       "WHERE size < ? OR (size = ? AND path > ?) ORDER BY size DESC, path LIMIT 1000",
                                       (last[0], last[0], last[1])).fetchall()
            if not rows:
                return
            for path, size, mtime, ctime, ino in rows:
                yield FileTask(path, (size, mtime, ctime, ino))
            last = (rows[-1][1], rows[-1][0])

    def batches(self, size: int) -> Iterator[list[FileTask]]:
        return batches(self.tasks(), size)

    def __len__(self) -> int:
        return self.count


@dataclass(frozen=True)
class Batch:
    """One work unit for a pool worker: files, and whether this is the retry of a lost batch."""

    tasks: list[FileTask]
    retry: bool = False


def _run_pool_batch(batch: Batch) -> BatchResult:
    return _run_batch(batch.tasks)


def failed_rows(tasks: list[FileTask], code: str, message: str) -> BatchResult:
    """A batch's files as rejects (its worker died or hung twice); they are tried again on the next run."""
    result = BatchResult()
    for task in tasks:
        result.seen.append(task.path)
        result.inputs += 1
        result.rejects.append(reject_row(task.path, None, "run", code, message))
    return result


def hard_limit(config: Config, tasks: list[FileTask]) -> float | None:
    """Seconds after which a worker's batch is stopped from outside: a backstop for code the per-article alarm
    cannot interrupt (a C extension that never returns). Generous: every article may use its limit twice
    (the batch try and the one-by-one fallback), plus model loading; a .jsonl file counts one article per
    500 bytes."""
    limit = config.run.article_timeout
    if limit <= 0:
        return None
    articles = sum(max(1, t.stat[0] // 500) if t.path.lower().endswith(".jsonl") else 1 for t in tasks)
    return 60.0 + limit * 2 * (articles + 1)


def process_pending(work: Work, config: Config, on_result: Callable[[BatchResult], None]) -> None:
    """Run the chain over the pending files, in a pool when there is more than one worker.

    A batch whose worker dies or hangs is retried once file by file in fresh workers; a file lost again
    becomes a `worker-died` (or `timeout`) reject and is tried again on the next run.
    """
    size = max(1, config.run.batch_size)
    workers = workers_for(config, -(-len(work) // size))
    todo = work.batches(size)
    if workers == 1:
        chain, cache = Chain(config), Cache(work.cache_root)
        for tasks in todo:
            on_result(run_files(chain, cache, work.raw, tasks))
        return
    if pool_forks():  # models loaded once here are shared by the forked workers
        for stage in build_stages(config):
            stage.warm()
    pool = WorkerPool(workers, _run_pool_batch, initializer=_init_worker,
                      initargs=(config, work.cache_root, work.raw))
    # A bounded window of batches queued: the rest is listed from the index as results come back.
    first = [Batch(tasks) for _, tasks in zip(range(4 * workers), todo, strict=False)]
    for outcome in pool.run(first, time_limit=lambda batch: hard_limit(config, batch.tasks)):
        batch = outcome.task
        if outcome.status == "ok":
            on_result(outcome.result)
        elif batch.retry:
            code = "timeout" if outcome.status == "timeout" else "worker-died"
            message = f"{outcome.message} (twice; run.article_timeout bounds each article)" \
                if code == "timeout" else f"{outcome.message}, also when retried alone"
            on_result(failed_rows(batch.tasks, code, message))
        else:
            log.warning("batch of %d file(s) failed (%s): %s; retrying each alone", len(batch.tasks),
                        outcome.status, outcome.message)
            for task in batch.tasks:
                pool.submit(Batch([task], retry=True))
        nxt = next(todo, None)
        if nxt is not None:
            pool.submit(Batch(nxt))


class Progress:
    """A progress bar on a terminal, plain log lines otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.bar = None
        self.last = 0.0
        if sys.stderr.isatty() and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="file", file=sys.stderr)

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.total and (time.monotonic() - self.last > 10 or self.done >= self.total):
            self.last = time.monotonic()
            log.info("processed %d/%d new or changed files", self.done, self.total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


Processor = Callable[[Work, Config, Callable[[BatchResult], None]], None]


def stat_of(path: Path) -> tuple[int, int, int, int]:
    st = path.stat()
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def run(raw: Path, out: Path, config: Config, process: Processor = process_pending) -> RunReport:
    """One pipeline run over raw into out; the caller maps the report to an exit status.

    `process` runs the chain over the pending files and hands each finished batch's summary to its
    callback; the local process pool is the default, other engines (Ray) pass their own.
    """
    started = time.perf_counter()
    check_folders(raw, out)
    config = config.for_output(out)
    with RunLock(out):
        cache = Cache(out / ".cache" / "articles")
        db = open_index(out / ".cache" / "index.sqlite")
        # One transaction per run: a killed or failed run leaves the index as the last good run left it (the
        # cache still holds every finished article, so the next run redoes nothing), and cache entries of
        # replaced articles are deleted only once the run is committed.
        db.execute("BEGIN")
        try:
            db.execute("CREATE TEMP TABLE doomed(key TEXT PRIMARY KEY)")
            report = _run(raw, out, config, process, cache, db, started)
            doomed = [k for (k,) in db.execute("SELECT key FROM doomed WHERE key NOT IN (SELECT key FROM units)")]
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.close()
        for key in doomed:
            cache.delete(key)
        return report


def _run(raw: Path, out: Path, config: Config, process: Processor, cache: Cache, db: Any,
         started: float) -> RunReport:
    report = RunReport()
    chain = Chain(config)  # cheap: stages load their models lazily
    chain_key = chain.key
    dedup = _dedup_index(db, config)

    # 1. List the inputs: unchanged stat under the same chain -> nothing to do; everything else is pending.
    t0 = time.perf_counter()
    db.execute("CREATE TEMP TABLE seen(path TEXT PRIMARY KEY)")
    db.execute("CREATE TEMP TABLE pending(path TEXT PRIMARY KEY, size INT, mtime_ns INT, ctime_ns INT, ino INT,"
               " done INT DEFAULT 0)")
    root = raw.resolve()
    rejects: list[dict[str, Any]] = []
    for path in scan(raw):
        if isinstance(path, InputReject):  # a symlink loop, a name that is not UTF-8, an unreadable folder
            rejects.append(ingest_reject(path))
            report.inputs += 1
            continue
        rel = path.relative_to(root).as_posix()
        try:
            st = stat_of(path)
        except OSError:
            st = (0, 0, 0, 0)  # vanished since listing: the worker reports it
        db.execute("INSERT OR IGNORE INTO seen(path) VALUES (?)", (rel,))
        known = db.execute("SELECT size, mtime_ns, ctime_ns, ino, chain, units FROM files WHERE path = ?",
                           (rel,)).fetchone()
        if known is not None and tuple(known[:4]) == st and known[4] == chain_key:
            report.unchanged += known[5]
            report.inputs += known[5]
        else:
            db.execute("INSERT OR REPLACE INTO pending VALUES (?, ?, ?, ?, ?, 0)", (rel, *st))
    pending = db.execute("SELECT count(*) FROM pending").fetchone()[0]
    report.seconds["list"] = time.perf_counter() - t0

    # 2. Deleted inputs leave the index (their near-duplicate partners are judged again).
    changed = False
    gone = [p for (p,) in db.execute("SELECT path FROM files WHERE path NOT IN (SELECT path FROM seen) UNION "
                                     "SELECT DISTINCT path FROM units WHERE path NOT IN (SELECT path FROM seen)")]
    for path in gone:
        changed |= _replace_path(db, dedup, path, [])
        db.execute("DELETE FROM files WHERE path = ?", (path,))

    if pending:
        for stage in chain.stages:
            stage.check()
    progress = Progress(pending)

    def on_result(batch: BatchResult) -> None:
        nonlocal changed
        fresh: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for key, row in [*batch.done, *batch.reused]:
            path = row["source"].rpartition("#")[0] if row["line"] is not None else row["source"]
            fresh.setdefault(path, []).append((key, row))
        for path in batch.seen:
            db.execute("UPDATE pending SET done = 1 WHERE path = ?", (path,))
            changed |= _replace_path(db, dedup, path, fresh.get(path, []))
        for path, st, units in batch.files:
            db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", (path, *st, chain_key, units))
        rejects.extend(batch.rejects)
        report.inputs += batch.inputs
        report.processed += len(batch.done)
        report.unchanged += len(batch.reused)
        report.add(batch)
        progress.update(len(batch.seen))

    if pending:
        process(Work(db, pending, root, cache.root), config, on_result)
    progress.close()
    lost = [p for (p,) in db.execute("SELECT path FROM pending WHERE done = 0")]
    for path in lost:  # a batch that never came back: the old rows of its files must not pass for current ones
        changed |= _replace_path(db, dedup, path, [])
        db.execute("DELETE FROM files WHERE path = ?", (path,))

    # 3. Near-duplicates for what changed, then the outputs streamed in contract order.
    t0 = time.perf_counter()
    changed |= dedup.settle() > 0
    report.seconds["dedup"] = time.perf_counter() - t0
    report.rejected = len(rejects)
    guard_good_output(out, db, rejects)
    t0 = time.perf_counter()
    rejects.sort(key=lambda r: (sort_key(r["source"]), r["source"]))
    rejects_hash = hashlib.sha256(json.dumps(rejects, sort_keys=True).encode()).hexdigest()
    changed |= _meta(db, "rejects") != rejects_hash
    state = _outputs_state(out)
    intact = state is not None and state == _meta(db, "outputs")
    if changed or not intact:
        for attempt in range(3):
            missing = _write(out, db, cache, rejects, reuse_old=intact)
            if not missing:
                break
            if attempt == 2:
                raise CacheMissing(f"{len(missing)} cached article(s) keep vanishing from {cache.root}")
            # Entries the index relies on are gone or damaged (deleted or edited behind the run's back):
            # their files are processed again now, then the outputs are written.
            log.warning("%d cache entries missing or damaged; processing their files again", len(missing))
            db.execute("DELETE FROM pending")
            for key in missing:
                for (path,) in db.execute("SELECT path FROM units WHERE key = ?", (key,)).fetchall():
                    db.execute("DELETE FROM files WHERE path = ?", (path,))
                    try:
                        st = stat_of(root / path)
                    except OSError:
                        st = (0, 0, 0, 0)
                    db.execute("INSERT OR REPLACE INTO pending VALUES (?, ?, ?, ?, ?, 0)", (path, *st))
            again = db.execute("SELECT count(*) FROM pending").fetchone()[0]
            report.unchanged -= len(missing)
            process(Work(db, again, root, cache.root), config, on_result)
            dedup.settle()
            rejects.sort(key=lambda r: (sort_key(r["source"]), r["source"]))
        _set_meta(db, "rejects", rejects_hash)
        _set_meta(db, "outputs", _outputs_state(out) or "")
    report.seconds["write"] = report.seconds.get("write", 0.0) + time.perf_counter() - t0
    report.seconds["total"] = time.perf_counter() - started
    write_manifest_and_config(out, config, report)
    return report


def _dedup_index(db: Any, config: Config) -> DupIndex:
    """The near-duplicate index, rebuilt from the indexed articles when its settings changed."""
    near = config.near_duplicates
    settings = json.dumps([near.num_perm, near.threshold, near.translation_threshold])
    stored = _meta(db, "dedup-bands")
    if _meta(db, "dedup") == settings and stored:
        bands = {int(view): [(int(a), int(b)) for a, b in pairs] for view, pairs in json.loads(stored).items()}
        return DupIndex(db, near, bands)
    dedup = DupIndex(db, near)
    db.execute("DELETE FROM bands")
    db.execute("UPDATE units SET dup = NULL")
    uids = [uid for (uid,) in db.execute("SELECT uid FROM units")]
    for entry in dedup.load(uids):
        dedup.add(entry)
    _set_meta(db, "dedup", settings)
    _set_meta(db, "dedup-bands", json.dumps(dedup.bands))
    return dedup


def _meta(db: Any, key: str) -> str | None:
    row = db.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
    return row[0] if row else None


def _set_meta(db: Any, key: str, value: str) -> None:
    db.execute("INSERT OR REPLACE INTO meta(k, v) VALUES (?, ?)", (key, value))


def _replace_path(db: Any, dedup: DupIndex, path: str, rows: list[tuple[str, dict[str, Any]]]) -> bool:
    """The articles of one input file are now `rows`: index the new ones, drop the others; whether anything changed."""
    old = {source: (uid, key) for uid, source, key in
           db.execute("SELECT uid, source, key FROM units WHERE path = ?", (path,)).fetchall()}
    new = {row["source"]: (key, row) for key, row in rows}
    changed = False
    for source, (uid, key) in old.items():
        if source in new and new[source][0] == key:
            continue
        for entry in dedup.load([uid]):
            dedup.remove(entry)
        db.execute("DELETE FROM units WHERE uid = ?", (uid,))
        db.execute("INSERT OR IGNORE INTO doomed(key) VALUES (?)", (key,))  # deleted once the run commits
        changed = True
    for source, (key, row) in new.items():
        if source in old and old[source][1] == key:
            continue
        sort_path, sort_line = sort_key(source)
        cur = db.execute("INSERT INTO units(source, path, sort_path, sort_line, key, doc_id, lang, published, fp) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (source, path, sort_path, sort_line, key, row["doc_id"], row["lang"], row["published"],
                          row["fp"]))
        for entry in dedup.load([cur.lastrowid]):
            dedup.add(entry)
        changed = True
    return changed


def _outputs_state(out: Path) -> str | None:
    """Size and mtime of the output files: equal to the recorded state means they are as we wrote them."""
    parts = []
    for name in ("articles.jsonl", "mentions.jsonl", "rejects.jsonl"):
        try:
            st = (out / name).stat()
        except OSError:
            return None
        parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


class CacheMissing(RuntimeError):
    """Cache entries the index relies on keep vanishing (deleted behind the run's back, again and again)."""


def _write(out: Path, db: Any, cache: Cache, rejects: list[dict[str, Any]], reuse_old: bool) -> list[str]:
    """Stream the outputs from the index; returns the keys whose cache entry could not be read (nothing written)."""
    cursor = db.cursor()
    rows = cursor.execute("SELECT source, key, dup, written FROM units ORDER BY sort_path, sort_line, source")
    stream = ((source, key, dup, written == f"{key}|{dup or ''}")
              for source, key, dup, written in iter(rows.fetchone, None))
    missing = write_streaming(out, stream, lambda key, source: _restore(cache, key, source), rejects, reuse_old)
    if not missing:
        db.execute("UPDATE units SET written = key || '|' || coalesce(dup, '')")
    return missing


def _restore(cache: Cache, key: str, source: str) -> dict[str, Any] | None:
    # The source comes with the row being written: looking it up by key here was a scan of the units table
    # per article (no index on key), quadratic in the corpus.
    state = cache.get(key, source)
    return state if state is not None and restorable(state) else None


def check_folders(raw: Path, out: Path) -> None:
    """--out may not be --raw or inside it: the next run would read its own outputs as articles."""
    raw_r, out_r = raw.resolve(), out.resolve()
    if out_r == raw_r or out_r.is_relative_to(raw_r):
        raise ConfigError(f"--out {out} is inside --raw {raw}; choose an output folder outside the inputs")


def guard_good_output(out: Path, db: Any, rejects: list[dict[str, Any]]) -> None:
    """Stop (and change nothing) when every article would be rejected, and some of them are the very inputs
    (same source, same bytes) that the existing output holds as good articles: that is a broken setup or
    configuration, not bad inputs, and writing would throw the good output (and its cache) away."""
    if not rejects or db.execute("SELECT 1 FROM units LIMIT 1").fetchone():
        return
    rejected = {(r["source"], r.get("doc_id")) for r in rejects}
    rejected_files = {r["source"] for r in rejects if r.get("doc_id") is None}  # a whole file (a lost batch)
    lost = 0
    try:
        with (out / "articles.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                source = row.get("source")
                lost += (source, row.get("doc_id")) in rejected or str(source).partition("#")[0] in rejected_files
    except (OSError, ValueError, AttributeError):
        return
    if lost:
        codes = sorted({r["error"] for r in rejects})
        raise OutputGuard(
            f"every article would be rejected ({', '.join(codes)}), including {lost} unchanged input(s) that "
            f"{out / 'articles.jsonl'} holds as good articles; nothing was changed. Check the configuration and "
            "the installation (a stage error on every article), or remove the output folder to start over"
        )


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
