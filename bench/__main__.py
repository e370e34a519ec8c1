"""Run the benchmarks and merge their numbers into bench/results.json.

Each `bench/bench_<name>.py` has `run() -> dict`; `python -m bench langid clean` runs only those.
`scale` (corpus scale, long) runs only when named: `make bench-scale`.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import platform
import sys
import time
from pathlib import Path

import bench

RESULTS = Path(__file__).resolve().parent / "results.json"
ON_REQUEST = {"scale"}  # long: run only when named


def available() -> list[str]:
    return sorted(
        m.name.removeprefix("bench_") for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")
    )


def main(argv: list[str]) -> int:
    names = argv or [name for name in available() if name not in ON_REQUEST]
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; available: {available()}", file=sys.stderr)
        return 2
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["machine"] = {
        "cpus": __import__("os").cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    for name in names:
        print(f"bench {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"bench.bench_{name}")
        numbers = module.run()
        numbers["bench_seconds"] = round(time.perf_counter() - started, 2)
        numbers["measured"] = time.strftime("%Y-%m-%d")
        results[name] = numbers
        print(json.dumps({name: numbers}, indent=2, ensure_ascii=False))
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    return 0


sys.exit(main(sys.argv[1:]))
