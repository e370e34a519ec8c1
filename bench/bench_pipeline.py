"""Whole-pipeline throughput without a translation model, no-op re-run cost, pool speed-up, memory."""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.corpus import ROOT, make_corpus

N_ARTICLES = 300
REPEATS = 3


def _run(raw: Path, out: Path, *extra: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out),
           "--set", "translate.backend=none", *extra]
    started = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def run() -> dict:
    tmp = ROOT / "bench" / "tmp" / "pipeline"
    raw = make_corpus(tmp / "raw", N_ARTICLES)
    n = len(list(raw.iterdir()))
    results: dict[str, object] = {"articles": n}
    timings: dict[int, float] = {}
    for workers in (1, 2):
        runs = []
        for _ in range(REPEATS):  # the median of cold runs: single runs vary by +-20 % on this machine
            out = tmp / f"out{workers}"
            shutil.rmtree(out, ignore_errors=True)
            runs.append(_run(raw, out, "--workers", str(workers)))
        timings[workers] = statistics.median(runs)
    stage_seconds = json.loads((tmp / "out2" / "manifest.json").read_text())["seconds"]
    noop = _run(raw, tmp / "out2", "--workers", "2")
    manifest = json.loads((tmp / "out2" / "manifest.json").read_text())
    assert manifest["processed"] == 0, "no-op re-run processed articles"
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    results.update({
        "runs_per_setting_median_of": REPEATS,
        "full_run_seconds_1_worker": round(timings[1], 2),
        "full_run_seconds_2_workers": round(timings[2], 2),
        "articles_per_second_2_workers": round(n / timings[2], 1),
        "pool_speedup_2_workers": round(timings[1] / timings[2], 2),
        "noop_rerun_seconds": round(noop, 2),
        "noop_rerun_share_of_full_run": round(noop / timings[2], 3),
        "peak_rss_mib_largest_process": round(peak_kib / 1024, 1),
        "stage_seconds_2_workers": stage_seconds,
    })
    return results
