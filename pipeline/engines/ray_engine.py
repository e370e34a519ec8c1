"""The Ray engine: the local runner's listing, index and writer, with the pending files processed on Ray Data.

`run` is `runner.run` with another `process`: the driver lists the inputs and skips what the index knows,
as the local engine does. The pending files become a Ray Data dataset of file batches (a JSONL file the
workers read, not rows built in the driver); `map_batches` runs them on an actor pool where each actor
builds one `Chain` (models load once per actor), reads its own files, writes each finished article to
the cache and returns only a pickled summary per batch (`BatchResult`: keys, sort fields, MinHash signatures).
The driver updates the index from those summaries and streams the outputs from the cache, so its memory
does not grow with the corpus. Workers need the corpus and `--out` at the same path (a shared volume).
"""

from __future__ import annotations

import functools
import logging
import os
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from pipeline.chain import BatchResult, Chain, FileTask, run_files
from pipeline.config import Config, ConfigError
from pipeline.runner import RunReport, Work
from pipeline.runner import run as run_local
from pipeline.store import Cache

log = logging.getLogger("pipeline")

# A local Ray started by this engine: object store kept small (the machine is shared; Ray spills beyond it).
LOCAL_OBJECT_STORE_BYTES = 1_000_000_000
LOCAL_START_ATTEMPTS = 3


class RayUnavailable(ConfigError):
    """`--engine ray` without Ray installed."""


def import_ray() -> ModuleType:
    """The ray module, or a readable error naming the install command."""
    try:
        import ray
        import ray.data  # noqa: F401 - the [data] extra, needed below
    except ImportError as exc:
        raise RayUnavailable(f"--engine ray needs Ray Data ({exc}); install it with: pip install '.[ray]'") from exc
    return ray


class ChainActor:
    """Ray Data callable class: one Chain per actor; one row in (a JSON batch of files), one row out."""

    def __init__(self, config: Config, raw: str, cache_root: str) -> None:
        self.chain = Chain(config)  # cheap: stages load their models on first use, once per actor
        self.cache = Cache(Path(cache_root))
        self.raw = Path(raw)

    def __call__(self, table: Any) -> Any:
        import json

        import pyarrow as pa

        ids: list[int] = []
        results: list[bytes] = []
        for line in table.column("text").to_pylist():
            batch = json.loads(line)
            tasks = [FileTask(path, tuple(stat)) for path, stat in batch["files"]]  # type: ignore[arg-type]
            ids.append(batch["batch"])
            # Pickle, not Arrow columns: the summaries are nested and must come back exact.
            result = run_files(self.chain, self.cache, self.raw, tasks)
            results.append(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        return pa.table({"batch": pa.array(ids, pa.int64()), "result": pa.array(results, pa.large_binary())})


def actor_count(config: Config, resources: dict[str, float], batches_pending: int) -> int:
    """How many chain actors: run.ray_actors, else one per CPU (or per GPU share), never more than batches."""
    wanted = config.run.ray_actors
    if not wanted:
        if config.run.ray_num_gpus > 0:
            wanted = int(resources.get("GPU", 0) / config.run.ray_num_gpus)
            if wanted < 1:
                raise ConfigError(
                    f"run.ray_num_gpus = {config.run.ray_num_gpus} but the Ray cluster has no GPU; "
                    "set run.ray_num_gpus = 0, or set run.ray_actors when an autoscaler adds GPU nodes"
                )
        else:
            wanted = int(resources.get("CPU", 1))
    return max(1, min(wanted, batches_pending))


def start_local(ray: ModuleType, config: Config, attempts: int = LOCAL_START_ATTEMPTS) -> None:
    """Start a new local Ray; on a busy machine its node may miss Ray's fixed 30 s registration wait: retry."""
    for attempt in range(1, attempts + 1):
        try:
            # A new Ray ("local": never a stale one found on the machine), on loopback only: it serves this
            # process, not the network.
            ray.init(address="local", num_cpus=config.run.workers or None, object_store_memory=LOCAL_OBJECT_STORE_BYTES,
                     include_dashboard=False, _node_ip_address="127.0.0.1")
            return
        except Exception as exc:  # Ray raises a bare Exception when the node does not register in time
            ray.shutdown()
            if attempt == attempts or "timed out during startup" not in str(exc):
                raise
            log.warning("local Ray did not start (%s); retrying (%d of %d)", exc, attempt + 1, attempts)


@contextmanager
def connected(address: str | None, config: Config) -> Iterator[ModuleType]:
    """Ray, connected: reuse an initialized Ray, join `address`, or start a small local one (shut down after)."""
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    os.environ.setdefault("RAY_DISABLE_USAGE_STATS", "1")  # the pipeline never phones home
    address = address or os.environ.get("RAY_ADDRESS")  # set for drivers started by `ray job submit`
    if address:
        ray.init(address=address)
    else:
        start_local(ray, config)
    try:
        yield ray
    finally:
        ray.shutdown()


def write_batches(work: Work, size: int, path: Path) -> int:
    """The pending file batches as JSONL lines (the dataset's source); how many batches."""
    import json

    count = 0
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for count, batch in enumerate(work.batches(size), start=1):
            files = [[task.path, list(task.stat)] for task in batch]
            fh.write(json.dumps({"batch": count - 1, "files": files}, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
    return count


# At most this many blocks: each holds one or more batches (one call of an actor each).
MAX_BLOCKS = 4096


def process_pending(work: Work, config: Config, on_result: Callable[[BatchResult], None],
                    address: str | None = None) -> None:
    """runner.run's `process` on Ray Data: file batches to actors, each finished batch's summary to on_result once."""
    if not len(work):
        return  # a run the index answers completely does not start Ray at all
    listing = work.cache_root.parent / "ray-batches.jsonl"
    total = write_batches(work, max(1, config.run.batch_size), listing)
    try:
        with connected(address, config) as ray:
            from ray.data import ActorPoolStrategy, DataContext

            DataContext.get_current().enable_progress_bars = False  # runner.Progress reports already
            actors = actor_count(config, ray.cluster_resources(), total)
            log.info("ray: %d batches of files on up to %d actors (%s GPU each)", total, actors,
                     config.run.ray_num_gpus)
            # The listing is read by a Ray task, split into blocks, and each block's batches go to an actor.
            dataset = ray.data.read_text(str(listing)).repartition(min(total, MAX_BLOCKS)).map_batches(
                ChainActor,
                fn_constructor_args=(config, str(work.raw), str(work.cache_root)),
                batch_size=1,
                batch_format="pyarrow",
                # Ray Data restarts a dead actor and retries its tasks by default (max_restarts and
                # max_task_retries -1); the batch ids below make a re-delivered batch harmless.
                compute=ActorPoolStrategy(min_size=1, max_size=actors),
                num_cpus=1,
                num_gpus=config.run.ray_num_gpus or None,
            )
            delivered: set[int] = set()
            for row in dataset.iter_rows():
                if row["batch"] in delivered:
                    continue
                delivered.add(row["batch"])
                on_result(pickle.loads(row["result"]))
            missing = total - len(delivered)
            if missing:
                raise RuntimeError(f"ray: {missing} of {total} batches never came back; re-run to finish them")
    finally:
        listing.unlink(missing_ok=True)


def run(raw: Path, out: Path, config: Config, address: str | None = None) -> RunReport:
    """One pipeline run on Ray: the local runner with its pending files on a Ray cluster (a local one by default)."""
    import_ray()  # fail at start, before any work, when Ray is missing
    return run_local(raw, out, config, process=functools.partial(process_pending, address=address))
