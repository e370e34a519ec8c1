"""Ray output equals local output, byte for byte, on the seeds plus N generated articles.

    python -m bench.ray_identity 2000 [--ray-address HOST:PORT]

Writes the seeds, N distinct generated articles (`bench/scale_corpus.py`) and the small mixed-format corpus of
`bench/bench_ray.py` (txt, html, jsonl lines, three bad inputs) under bench/tmp/ray_identity/raw, runs the local
engine and the Ray engine (a local Ray, or the cluster at --ray-address) through the CLI, and prints whether
articles.jsonl, mentions.jsonl and rejects.jsonl are identical, with both runs' times and peak memory.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys

from bench.bench_ray import write_corpus
from bench.bench_scale import OUTPUTS, pipeline_run
from bench.corpus import ROOT
from bench.scale_corpus import write_articles


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ray_identity")
    parser.add_argument("n", type=int, help="generated articles besides the seeds")
    parser.add_argument("--ray-address", help="join this Ray cluster instead of starting a local one")
    args = parser.parse_args(argv)
    tmp = ROOT / "bench" / "tmp" / "ray_identity"
    shutil.rmtree(tmp, ignore_errors=True)
    raw = tmp / "raw"
    write_corpus(raw / "mixed", 40, seed=3)  # the seeds, formats and bad inputs
    write_articles(raw / "gen", 0, args.n)
    local = pipeline_run(ROOT, raw, tmp / "local")
    extra = ["--engine", "ray", *(["--ray-address", args.ray_address] if args.ray_address else [])]
    ray = pipeline_run(ROOT, raw, tmp / "ray", *extra)
    same = {f: (tmp / "local" / f).read_bytes() == (tmp / "ray" / f).read_bytes() for f in OUTPUTS}
    print(json.dumps({"generated": args.n, "local": local, "ray": ray, "identical": same}, indent=1))
    return 0 if all(same.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
