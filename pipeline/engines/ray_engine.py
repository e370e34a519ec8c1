"""The Ray engine: the local runner's discovery, cache and writer, with the chain's batches run on Ray Data actors.

`run` is `runner.run` with another `process`: the driver finds the inputs, skips what the cache holds, and
writes every output file exactly as the local engine does; only the pending batches travel to the cluster.
Each actor builds one `Chain` (so models load once per actor) and returns one pickled `BatchResult` per
batch, streamed back to the driver, which caches each finished article at once.
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

from pipeline.chain import BatchResult, Chain
from pipeline.config import Config, ConfigError
from pipeline.ingest import Unit
from pipeline.runner import RunReport, batches
from pipeline.runner import run as run_local

log = logging.getLogger("pipeline")

# A local Ray started by this engine: object store kept small (the machine is shared; Ray spills beyond it).
LOCAL_OBJECT_STORE_BYTES = 1_000_000_000


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
    """Ray Data callable class: one Chain per actor; one row in (a pickled batch of units), one row out."""

    def __init__(self, config: Config) -> None:
        self.chain = Chain(config)  # cheap: stages load their models on first use, once per actor

    def __call__(self, table: Any) -> Any:
        import pyarrow as pa

        ids: list[int] = []
        results: list[bytes] = []
        for batch_id, blob in zip(table.column("batch").to_pylist(), table.column("units").to_pylist(), strict=True):
            units: list[Unit] = pickle.loads(blob)
            ids.append(batch_id)
            # Pickle, not Arrow columns: article states are nested and heterogeneous, and must come back exact.
            results.append(pickle.dumps(self.chain(units), protocol=pickle.HIGHEST_PROTOCOL))
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
        # A new Ray ("local": never a stale one found on the machine), on loopback only: it serves this
        # process, not the network.
        ray.init(address="local", num_cpus=config.run.workers or None,
                 object_store_memory=LOCAL_OBJECT_STORE_BYTES, include_dashboard=False, _node_ip_address="127.0.0.1")
    try:
        yield ray
    finally:
        ray.shutdown()


def process_pending(pending: list[Unit], config: Config, on_result: Callable[[BatchResult], None],
                    address: str | None = None) -> None:
    """runner.run's `process` on Ray Data: batches to actors, each finished batch back to on_result once."""
    if not pending:
        return  # a run the cache answers completely does not start Ray at all
    work = list(batches(pending, max(1, config.run.batch_size)))
    with connected(address, config) as ray:
        from ray.data import ActorPoolStrategy, DataContext

        DataContext.get_current().enable_progress_bars = False  # runner.Progress reports articles already
        rows = [{"batch": i, "units": pickle.dumps(b, protocol=pickle.HIGHEST_PROTOCOL)} for i, b in enumerate(work)]
        actors = actor_count(config, ray.cluster_resources(), len(work))
        log.info("ray: %d batches on up to %d actors (%s GPU each)", len(work), actors, config.run.ray_num_gpus)
        # One block per batch, one batch per call: the batches are exactly the local engine's.
        dataset = ray.data.from_items(rows, override_num_blocks=len(rows)).map_batches(
            ChainActor,
            fn_constructor_args=(config,),
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
        missing = len(work) - len(delivered)
        if missing:
            raise RuntimeError(f"ray: {missing} of {len(work)} batches never came back; re-run to finish them")


def run(raw: Path, out: Path, config: Config, address: str | None = None) -> RunReport:
    """One pipeline run on Ray: the local runner with its chain batches on a Ray cluster (local one by default)."""
    import_ray()  # fail at start, before any work, when Ray is missing
    return run_local(raw, out, config, process=functools.partial(process_pending, address=address))
