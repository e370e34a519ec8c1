"""Corpus scale: time, articles/s and peak memory at growing corpus sizes; no-op and add-10 re-runs.

`make bench-scale` (= `python -m bench scale`). Per size: a cold run of the local engine over the seeds plus N
generated distinct articles (NER on, translation off), then a re-run with nothing changed, then a re-run after
adding 10 articles; optionally the same cold run on the Ray engine (its bytes compared with the local output)
and, at the first size, a cold run of an older checkout on the same corpus (throughput before/after).

Environment: BENCH_SCALE_SIZES (default 1000,4000,16000), BENCH_SCALE_RAY=1 (also the Ray engine),
BENCH_SCALE_RAY_ADDRESS=HOST:PORT (the Ray runs join that running cluster instead of starting a local Ray),
BENCH_SCALE_OLD=/path/to/old/checkout (also that checkout, first size only), BENCH_SCALE_WORKERS (default: cores).
Peak memory is sampled every 0.1 s: the driver process alone, and the sum over its whole process tree (with
BENCH_SCALE_RAY_ADDRESS, the Ray runs' tree also counts the cluster's processes on this machine: GCS, raylet,
agents, actors). A Ray run that fails is recorded with its error; the local numbers of that size are kept.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from bench.corpus import ROOT, SEEDS
from bench.scale_corpus import write_articles

OUTPUTS = ("articles.jsonl", "mentions.jsonl", "rejects.jsonl")


class PeakRss:
    """Peak RSS of one process and of its process tree, sampled in a thread."""

    def __init__(self, pid: int, cluster: list[psutil.Process] | None = None) -> None:
        self.proc = psutil.Process(pid)
        self.cluster = cluster or []
        self.driver = 0
        self.tree = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                for root in self.cluster:
                    try:
                        procs.extend([root, *root.children(recursive=True)])
                    except psutil.Error:
                        pass
                procs = list({p.pid: p for p in procs}.values())
                rss = []
                for p in procs:
                    try:
                        rss.append(p.memory_info().rss)
                    except psutil.Error:
                        pass
                self.driver = max(self.driver, rss[0] if rss else 0)
                self.tree = max(self.tree, sum(rss))
            except psutil.Error:
                pass
            self.stop.wait(0.1)

    def close(self) -> tuple[float, float]:
        self.stop.set()
        self.thread.join()
        return round(self.driver / 2**20, 1), round(self.tree / 2**20, 1)


def cluster_processes(address: str) -> list[psutil.Process]:
    """The processes of the Ray cluster whose GCS listens on address's port (GCS, raylets, their agents)."""
    port = address.rpartition(":")[2]
    pattern = re.compile(rf"--gcs(?:-address=\S*:|_server_port=){re.escape(port)}\b")
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if pattern.search(" ".join(proc.info["cmdline"] or [])):
            found.append(proc)
    return found


def pipeline_run(checkout: Path, raw: Path, out: Path, *extra: str) -> dict[str, object]:
    """One `python -m pipeline run` of checkout; seconds, peaks, and the manifest."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "RAY_DISABLE_USAGE_STATS": "1"}
    env.pop("RAY_ADDRESS", None) if "--ray-address" not in extra else None
    workers = os.environ.get("BENCH_SCALE_WORKERS")
    cmd = [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out),
           "--set", 'translate.backend="none"', *(["--workers", workers] if workers else []), *extra]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=checkout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    address = extra[extra.index("--ray-address") + 1] if "--ray-address" in extra else None
    peaks = PeakRss(proc.pid, cluster_processes(address) if address else None)
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    driver, tree = peaks.close()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    manifest = json.loads((out / "manifest.json").read_text())
    return {"seconds": round(seconds, 2), "peak_rss_driver_mib": driver, "peak_rss_tree_mib": tree,
            "processed": manifest["processed"], "unchanged": manifest["unchanged"],
            "stage_seconds": manifest["seconds"]}


def size_mib(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


def corpus(raw: Path, n: int) -> None:
    if raw.exists():
        shutil.rmtree(raw)
    raw.mkdir(parents=True)
    for path in SEEDS:
        shutil.copy(path, raw / path.name)
    write_articles(raw / "gen", 0, n)


def run() -> dict:
    sizes = [int(s) for s in os.environ.get("BENCH_SCALE_SIZES", "1000,4000,16000").split(",")]
    with_ray = os.environ.get("BENCH_SCALE_RAY") == "1"
    old = os.environ.get("BENCH_SCALE_OLD")
    tmp = ROOT / "bench" / "tmp" / "scale"
    results: dict[str, object] = {"sizes": sizes, "workers": os.environ.get("BENCH_SCALE_WORKERS") or os.cpu_count()}
    for i, n in enumerate(sizes):
        raw, out = tmp / "raw", tmp / "out"
        corpus(raw, n)
        shutil.rmtree(out, ignore_errors=True)
        row: dict[str, object] = {}
        cold = pipeline_run(ROOT, raw, out)
        articles = int(cold["processed"])  # type: ignore[arg-type]
        row["cold"] = cold
        row["articles_per_s"] = round(articles / float(cold["seconds"]), 2)  # type: ignore[arg-type]
        row["output_mib"] = round(sum((out / f).stat().st_size for f in OUTPUTS) / 2**20, 1)
        row["cache_mib"] = size_mib(out / ".cache")
        row["noop"] = pipeline_run(ROOT, raw, out)
        write_articles(raw / "gen", n, 10)
        row["add10"] = pipeline_run(ROOT, raw, out)
        for k in range(n, n + 10):  # back to n articles for the other engines
            (raw / "gen" / f"{k // 1000:03d}" / f"{k:06d}.txt").unlink()
        row["delete10"] = pipeline_run(ROOT, raw, out)  # also the local reference for exactly this corpus
        if with_ray:
            ray_out = tmp / "ray"
            shutil.rmtree(ray_out, ignore_errors=True)
            address = os.environ.get("BENCH_SCALE_RAY_ADDRESS")
            joining = ["--ray-address", address] if address else []
            try:
                ray = pipeline_run(ROOT, raw, ray_out, "--engine", "ray", *joining)
            except (RuntimeError, OSError, ValueError) as exc:  # Ray's own start-up can fail on a busy machine
                row["ray"] = {"error": str(exc)[-2000:]}
            else:
                ray["articles_per_s"] = round(articles / float(ray["seconds"]), 2)  # type: ignore[arg-type]
                ray["identical_to_local"] = all((out / f).read_bytes() == (ray_out / f).read_bytes() for f in OUTPUTS)
                ray["ray_address"] = address or "local"
                row["ray"] = ray
        if old and i == 0:
            old_out = tmp / "old"
            shutil.rmtree(old_out, ignore_errors=True)
            before = pipeline_run(Path(old), raw, old_out)
            before["articles_per_s"] = round(articles / float(before["seconds"]), 2)  # type: ignore[arg-type]
            before["identical_to_new"] = all((out / f).read_bytes() == (old_out / f).read_bytes() for f in OUTPUTS)
            row["old_checkout"] = before
            row["speedup_vs_old"] = round(float(before["seconds"]) / float(cold["seconds"]), 2)  # type: ignore[arg-type]
        results[str(n)] = row
        print(json.dumps({n: row}, ensure_ascii=False), file=sys.stderr, flush=True)
    return results
