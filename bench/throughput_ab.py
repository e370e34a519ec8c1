"""Throughput of this checkout against another (an older commit's worktree) in the same run.

    git worktree add --detach /tmp/old <commit>
    python -m bench.throughput_ab --old /tmp/old --raw ../shared/dev/realworld/docs --repeats 3
    python -m bench.throughput_ab --old /tmp/old --generate 300 --repeats 3

Each repeat runs both checkouts cold (fresh `--out`), one after the other, alternating which goes first, NER on,
translation off; the median wall time and the median CPU time (the run's process and its workers) of each give
articles/s and articles per CPU second. Wall time follows whatever else the machine runs; CPU time much less so.
After every repeat the three output files of the two runs are compared byte for byte. `--generate N` writes the
seeds plus N generated articles (`bench/scale_corpus.py`) to a temporary folder instead of `--raw`.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import ROOT, SEEDS

OUTPUTS = ("articles.jsonl", "mentions.jsonl", "rejects.jsonl")
# Runs the pipeline's CLI in a child and reports its CPU time and its workers' (both reaped by the end).
_WRAP = """
import resource, sys
from pipeline.cli import main
rc = main(sys.argv[1:])
own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print("CPU", own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime, file=sys.stderr)
sys.exit(rc)
"""


def run_once(tree: Path, raw: Path, out: Path, workers: int) -> dict[str, object]:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-c", _WRAP, "run", "--raw", str(raw), "--out", str(out),
           "--set", "translate.backend=none", "--workers", str(workers)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True)
    wall = time.perf_counter() - started
    cpu = [line.split() for line in proc.stderr.splitlines() if line.startswith("CPU ")]
    if proc.returncode not in (0, 1) or not cpu:
        raise RuntimeError(f"{tree}: run failed ({proc.returncode}): {proc.stderr[-2000:]}")
    manifest = json.loads((out / "manifest.json").read_text())
    return {"wall": round(wall, 2), "cpu": round(float(cpu[-1][1]) + float(cpu[-1][2]), 2),
            "main_cpu": round(float(cpu[-1][1]), 2), "articles": manifest["processed"],
            "stage_seconds": manifest["seconds"], "load": round(os.getloadavg()[0], 2)}


def compare(old: Path, new: Path, raw: Path, repeats: int, workers: int, scratch: Path) -> dict[str, object]:
    trees = {"old": old, "new": ROOT}
    runs: dict[str, list[dict[str, object]]] = {name: [] for name in trees}
    identical: list[bool] = []
    for rep in range(repeats):
        for name in (list(trees) if rep % 2 == 0 else list(trees)[::-1]):
            row = run_once(trees[name], raw, scratch / name, workers)
            runs[name].append(row)
            print(f"{name} #{rep + 1}: {row['wall']} s wall, {row['cpu']} CPU s, {row['articles']} articles, "
                  f"load {row['load']}", file=sys.stderr, flush=True)
        identical.append(all(filecmp.cmp(scratch / "old" / f, scratch / "new" / f, shallow=False) for f in OUTPUTS))
    summary: dict[str, object] = {"corpus": str(raw), "repeats": repeats, "workers": workers,
                                  "outputs_identical_every_repeat": all(identical)}
    for name, rows in runs.items():
        n = int(rows[0]["articles"])  # type: ignore[call-overload]
        wall = statistics.median(float(r["wall"]) for r in rows)  # type: ignore[arg-type]
        cpu = statistics.median(float(r["cpu"]) for r in rows)  # type: ignore[arg-type]
        summary[name] = {"articles": n, "median_wall_s": round(wall, 2), "articles_per_s": round(n / wall, 2),
                         "median_cpu_s": round(cpu, 2), "articles_per_cpu_s": round(n / cpu, 2), "runs": rows}
    old_row, new_row = summary["old"], summary["new"]
    summary["speedup_articles_per_s"] = round(new_row["articles_per_s"] / old_row["articles_per_s"], 2)  # type: ignore[index]
    summary["speedup_articles_per_cpu_s"] = round(
        new_row["articles_per_cpu_s"] / old_row["articles_per_cpu_s"], 2)  # type: ignore[index]
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", type=Path, required=True, help="the other checkout (a worktree of an older commit)")
    parser.add_argument("--raw", type=Path, help="input folder")
    parser.add_argument("--generate", type=int, help="the seeds plus N generated articles instead of --raw")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write the summary here too")
    args = parser.parse_args(argv)
    if (args.raw is None) == (args.generate is None):
        parser.error("give --raw or --generate")
    with tempfile.TemporaryDirectory(prefix="throughput-ab-") as tmp:
        scratch = Path(tmp)
        raw = args.raw.resolve() if args.raw else scratch / "raw"
        if args.generate is not None:
            from bench.scale_corpus import write_articles

            raw.mkdir()
            for path in SEEDS:
                shutil.copy(path, raw / path.name)
            write_articles(raw / "gen", 0, args.generate)
        summary = compare(args.old.resolve(), ROOT, raw, args.repeats, args.workers, scratch)
    text = json.dumps(summary, indent=1, ensure_ascii=False)
    if args.json:
        args.json.write_text(text + "\n")
    print(text)
    return 0 if summary["outputs_identical_every_repeat"] else 1


if __name__ == "__main__":
    sys.exit(main())
